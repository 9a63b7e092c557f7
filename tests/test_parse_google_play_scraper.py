"""google-play-scraper lists (the JSON array of a collection call) into chart
entries: rank from position, chart from the archived name, day and storefront from
the partition."""

from __future__ import annotations

import pytest

from assets.raw import RawFileError
from assets.schemas import CHART_ENTRIES
from assets.sources.google_play_scraper.imports import scraper_name
from assets.sources.google_play_scraper.parse import parse_scraper_list
from tests.raw_batches import DAY, raw_batch, raw_file


def item(app_id: str, title: str, developer: str, price_text: str = "Free", **more) -> dict:
    """One item as the scraper returns it (the fields of its list call)."""
    return {
        "title": title,
        "appId": app_id,
        "url": f"https://play.google.com/store/apps/details?id={app_id}",
        "icon": f"https://play-lh.googleusercontent.com/{app_id}",
        "developer": developer,
        "developerId": developer.replace(" ", "+"),
        "currency": "USD",
        "price": 0,
        "free": True,
        "summary": f"{title}, the app",
        "scoreText": "4.6",
        "score": 4.6,
        "priceText": price_text,
    } | more


DEEPSEEK = item("com.deepseek.chat", "DeepSeek - AI Assistant", "DeepSeek")
CHATGPT = item("com.openai.chatgpt", "ChatGPT", "OpenAI")
TEMU = item("com.einnovation.temu", "Temu: Shop Like a Billionaire", "Temu")
# A real capture's bug: a paid app's priceText "¥1,720" with price 1.
MINECRAFT = item(
    "com.mojang.minecraftpe",
    "Minecraft",
    "Mojang",
    price_text="¥1,720",
    price=1,
    free=False,
    currency="¥",
)


def listed(name: str, items, **where) -> dict:
    return raw_file(name, items, source="google_play_scraper", **where)


def entry(chart, genre_id, rank, app: dict, country="us") -> dict:
    return {
        "date": DAY,
        "country": country,
        "store": "google_play",
        "device": "android",
        "chart": chart,
        "genre_id": genre_id,
        "rank": rank,
        "app_id": app["appId"],
        "app_name": app["title"],
        "developer": app["developer"],
        "source": "google_play_scraper",
    }


def problem_of(*files: dict) -> str:
    with pytest.raises(RawFileError) as caught:
        parse_scraper_list(raw_batch(*files))
    return caught.value.problem


def test_position_is_rank_and_the_name_is_the_chart():
    entries = parse_scraper_list(
        raw_batch(
            listed("topselling_free", [DEEPSEEK, CHATGPT, TEMU]),
            listed("topselling_paid__GAME_ARCADE", [MINECRAFT], country="jp"),
            listed("topgrossing", [TEMU, CHATGPT]),
        )
    )
    assert entries.schema == CHART_ENTRIES
    assert entries.to_dicts() == [
        entry("top_free", None, 1, DEEPSEEK),
        entry("top_free", None, 2, CHATGPT),
        entry("top_free", None, 3, TEMU),
        # No price is read: the chart has none, and the ¥1,720 app is not made a ¥1 one.
        entry("top_paid", "GAME_ARCADE", 1, MINECRAFT, country="jp"),
        entry("top_grossing", None, 1, TEMU),
        entry("top_grossing", None, 2, CHATGPT),
    ]


def test_a_file_saved_with_a_bom_and_line_breaks_reads_the_same():
    import json

    text = "\ufeff" + json.dumps([DEEPSEEK, MINECRAFT], ensure_ascii=False, indent=2)
    entries = parse_scraper_list(raw_batch(listed("topselling_free__APPLICATION", text)))
    assert entries.select("chart", "genre_id", "rank", "app_id").rows() == [
        ("top_free", None, 1, "com.deepseek.chat"),
        ("top_free", None, 2, "com.mojang.minecraftpe"),
    ]


def test_a_file_that_is_not_a_chart_list_is_refused():
    assert problem_of(listed("topselling_free", {"results": [DEEPSEEK]})) == (
        "unexpected JSON shape: the document is an object, expected a list"
    )
    assert problem_of(listed("topselling_free", "[")) == (
        "invalid JSON: Expecting value at line 1 column 2 (the file is cut short: truncated?)"
    )
    assert problem_of(listed("topselling_free", "")) == "empty file: no content"
    assert problem_of(listed("topselling_free", [])) == "empty chart: the list holds no apps"
    no_id = {k: v for k, v in CHATGPT.items() if k != "appId"}
    assert problem_of(listed("topgrossing", [DEEPSEEK, no_id])) == "item 1 (rank 2) has no appId"
    assert problem_of(listed("topgrossing", [DEEPSEEK, TEMU, DEEPSEEK])) == (
        "item 2 (rank 3) repeats com.deepseek.chat of rank 1"
    )
    assert problem_of(listed("movers_shakers", [DEEPSEEK])) == (
        "the file is archived as movers_shakers, which names no chart: expected"
        " topselling_free, topselling_paid or topgrossing (<collection>__<CATEGORY> for a genre)"
    )


def test_the_file_name_says_the_chart_or_the_file_is_refused():
    body = b"[]"
    assert scraper_name(DAY, "us", "topselling_free.json", body) == "topselling_free.json"
    assert scraper_name(DAY, "us", "topgrossing__GAME_ACTION.json", body) == (
        "topgrossing__GAME_ACTION.json"
    )
    # Every genre is the overall chart, named as google_play_charts names it.
    assert scraper_name(DAY, "us", "topselling_paid__APPLICATION.json", body) == (
        "topselling_paid.json"
    )
    for wrong in ("top_free.json", "scrape-2025-01-27.json", "TOP_FREE.json", "topgrossing__.json"):
        with pytest.raises(RawFileError) as caught:
            scraper_name(DAY, "us", wrong, body)
        assert caught.value.problem == (
            "a google-play-scraper list does not say which chart it is: name the file for the"
            " collection it lists, topselling_free.json, topselling_paid.json or"
            " topgrossing.json (<collection>__<CATEGORY>.json for a genre, e.g."
            " topselling_free__GAME_ACTION.json)"
        )
        assert caught.value.date == str(DAY) and caught.value.path == wrong


def test_one_chart_is_one_file():
    assert problem_of(
        listed("topselling_free", [DEEPSEEK]),
        listed("topselling_free__APPLICATION", [CHATGPT]),
    ) == (
        "a second topselling_free__APPLICATION chart of this day and country (the first is"
        " data/raw/google_play_scraper/date=2025-01-27/country=us/topselling_free.json)"
    )


def test_an_import_is_archived_under_its_chart_and_a_chart_of_chartwatchs_shape_wins(tmp_path):
    import json

    from assets.imports import import_files
    from assets.sources import google_play_charts, google_play_scraper, rows_of
    from assets.sources.source import Day
    from tests.test_parse_google_play import play_chart
    from warehouse.datasets import CHART_ENTRIES as CHART_ENTRIES_DATASET

    raw = tmp_path / "raw"
    scraped = tmp_path / "topselling_free__APPLICATION.json"
    scraped.write_text(json.dumps([DEEPSEEK, CHATGPT, TEMU], ensure_ascii=False), "utf-8")
    grossing = tmp_path / "topgrossing.json"
    grossing.write_text(json.dumps([TEMU, MINECRAFT], ensure_ascii=False), "utf-8")
    done = import_files("google_play_scraper", DAY, "us", [scraped, grossing], raw)
    assert [d.path.relative_to(raw).as_posix() for d in done] == [
        f"google_play_scraper/date={DAY}/country=us/topselling_free.json",
        f"google_play_scraper/date={DAY}/country=us/topgrossing.json",
    ]
    wrong = tmp_path / "free.json"
    wrong.write_bytes(scraped.read_bytes())
    with pytest.raises(RawFileError, match="name the file for the collection"):
        import_files("google_play_scraper", DAY, "us", [wrong], tmp_path / "other")
    assert not (tmp_path / "other").exists()

    # The same top free chart in Chartwatch's own shape: it is taken whole, the
    # scraper's list of it is left out (not merged rank by rank); the scraper's
    # grossing chart, which no other file holds, stays.
    own = tmp_path / "own" / "topselling_free.json"
    own.parent.mkdir()
    own.write_text(
        json.dumps(play_chart(("com.openai.chatgpt", "ChatGPT", "OpenAI"))), encoding="utf-8"
    )
    import_files(google_play_charts.ARCHIVE.name, DAY, "us", [own], raw)
    day = Day(DAY, raw, lambda store: ("us",), None, "import")
    assert google_play_scraper.SOURCE.feeds["chart_entries"].precedence == 1
    charts = rows_of(CHART_ENTRIES_DATASET, day).sort("chart", "rank")
    assert charts.select("chart", "rank", "app_id", "source").rows() == [
        ("top_free", 1, "com.openai.chatgpt", "google_play_import"),
        ("top_grossing", 1, TEMU["appId"], "google_play_scraper"),
        ("top_grossing", 2, MINECRAFT["appId"], "google_play_scraper"),
    ]
