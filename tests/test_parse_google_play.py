"""Google Play chart files (Chartwatch's import shape) into chart entries."""

from __future__ import annotations

import pytest

from assets.raw import RawFileError
from assets.schemas import CHART_ENTRIES
from assets.sources.google_play_charts.parse import parse_google_play_charts
from tests.raw_batches import DAY, raw_batch, raw_file

CHATGPT = ("com.openai.chatgpt", "ChatGPT", "OpenAI")
DEEPSEEK = ("com.deepseek.chat", "DeepSeek - AI Assistant", "DeepSeek")
TEMU = ("com.einnovation.temu", "Temu", "Temu")


def play_chart(
    *apps: tuple[str, str, str],
    collection: str = "topselling_free",
    category: str = "APPLICATION",
    country: str = "us",
    date: str = "2025-01-27",
    ranks: list[int] | None = None,
) -> dict:
    ranks = ranks if ranks is not None else list(range(1, len(apps) + 1))
    return {
        "store": "google_play",
        "country": country,
        "collection": collection,
        "category": category,
        "date": date,
        "captured_at": f"{date}T06:00:00Z",
        "results": [
            {
                "rank": rank,
                "package_name": package,
                "title": title,
                "developer": developer,
                "price_micros": 0,
                "currency": "USD",
            }
            for rank, (package, title, developer) in zip(ranks, apps, strict=True)
        ],
    }


def play(item: str, body, **where) -> dict:
    return raw_file(item, body, source="google_play", **where)


def problem_of(*files: dict) -> RawFileError:
    with pytest.raises(RawFileError) as caught:
        parse_google_play_charts(raw_batch(*files))
    return caught.value


def test_collections_give_charts_and_ranks_come_from_the_file():
    entries = parse_google_play_charts(
        raw_batch(
            play("topselling_free", play_chart(CHATGPT, DEEPSEEK, TEMU)),
            play("topgrossing", play_chart(TEMU, collection="topgrossing")),
            play("topselling_paid", play_chart(DEEPSEEK, collection="topselling_paid")),
        )
    )
    assert entries.schema == CHART_ENTRIES
    assert entries.select("chart", "rank", "app_id").rows() == [
        ("top_free", 1, "com.openai.chatgpt"),
        ("top_free", 2, "com.deepseek.chat"),
        ("top_free", 3, "com.einnovation.temu"),
        ("top_grossing", 1, "com.einnovation.temu"),
        ("top_paid", 1, "com.deepseek.chat"),
    ]
    assert entries.row(0, named=True) == {
        "date": DAY,
        "country": "us",
        "store": "google_play",
        "device": "android",
        "chart": "top_free",
        "genre_id": None,
        "rank": 1,
        "app_id": "com.openai.chatgpt",
        "app_name": "ChatGPT",
        "developer": "OpenAI",
        "source": "google_play_import",
    }


def test_category_other_than_application_is_the_genre():
    entries = parse_google_play_charts(
        raw_batch(
            play("topselling_free", play_chart(CHATGPT)),
            play("topselling_free__GAME", play_chart(TEMU, category="GAME")),
        )
    )
    assert entries.select("genre_id", "app_id").rows() == [
        (None, "com.openai.chatgpt"),
        ("GAME", "com.einnovation.temu"),
    ]


def test_empty_batch_gives_empty_chart_entries():
    assert parse_google_play_charts(raw_batch()).schema == CHART_ENTRIES


@pytest.mark.parametrize(
    ("ranks", "problem"),
    [
        ([1, 2, 2], "rank 2 is repeated"),
        ([1, 3, 4], "rank 4 is outside 1..3 (the chart has 3 entries)"),
        ([0, 1, 2], "rank 0 is outside 1..3 (the chart has 3 entries)"),
        ([2, 1, 3], "ranks are not in order: results[0] has rank 2, expected 1"),
    ],
)
def test_ranks_must_be_exactly_one_to_n_in_order(ranks, problem):
    error = problem_of(
        play("topselling_free", play_chart(CHATGPT)),
        play(
            "topselling_free",
            play_chart(CHATGPT, DEEPSEEK, TEMU, ranks=ranks, country="de"),
            country="de",
        ),
    )
    assert error.problem == problem
    assert (error.source, error.date, error.country) == ("google_play", "2025-01-27", "de")
    assert error.path == "data/raw/google_play/date=2025-01-27/country=de/topselling_free.json"


def test_file_for_another_country_or_day_is_refused():
    error = problem_of(play("topselling_free", play_chart(CHATGPT, country="gb"), country="us"))
    assert error.problem == "the file says country 'gb' but is archived under country=us"
    error = problem_of(
        play("topgrossing", play_chart(CHATGPT, date="2025-01-26", collection="topgrossing"))
    )
    assert error.problem == "the file says date '2025-01-26' but is archived under date=2025-01-27"


def test_two_files_of_the_same_chart_are_refused():
    error = problem_of(
        play("topselling_free", play_chart(CHATGPT)),
        play("topselling_paid", play_chart(DEEPSEEK)),  # mislabelled: holds the free chart
    )
    assert error.path.endswith("topselling_paid.json")
    assert "a second topselling_free chart for category APPLICATION" in error.problem
    assert "topselling_free.json" in error.problem


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"results": []}, "empty chart: no entries in results"),
        ({"results": None}, "missing field results"),
        ({"collection": "topselling_new_free"}, "unknown collection 'topselling_new_free'"),
        ({"collection": None}, "missing field collection"),
        ({"category": None}, "missing field category"),
        ({"country": None}, "missing field country"),
        ({"date": None}, "missing field date"),
        ({"store": "app_store"}, "store is 'app_store', expected 'google_play'"),
        ({"results": [{"rank": 1, "title": "X"}]}, "missing package_name at rank 1"),
        ({"results": [{"rank": 1, "package_name": "a.b"}]}, "missing title for a.b at rank 1"),
        ({"results": [{"package_name": "a.b", "title": "X"}]}, "results[0] has no rank"),
        ({"results": [None]}, "results[0] is null"),
        ({"results": [{"rank": "1"}]}, "results[0].rank is text ('1'), expected a whole number"),
        (
            {"results": [{"rank": 1.5}]},
            "results[0].rank is the number 1.5, expected a whole number",
        ),
        ({"results": {"rank": 1}}, "results is an object, expected a list"),
    ],
)
def test_malformed_chart_is_an_error(change, problem):
    body = play_chart(CHATGPT, country="fr") | change
    error = problem_of(play("topselling_free", body, country="fr"))
    assert problem in error.problem
    assert error.country == "fr"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('{"store": "google_play", "results": [{"rank": 1', "invalid JSON"),
        ("<html><head><title>Error</title></head></html>", "an HTML page, not JSON"),
        ("[]", "the document is a list"),
        ("   ", "empty file"),
    ],
)
def test_unreadable_file_is_an_error(body, problem):
    error = problem_of(
        play("topselling_free", play_chart(CHATGPT)), play("topgrossing", body, country="us")
    )
    assert problem in error.problem
    assert error.path.endswith("country=us/topgrossing.json")
