"""Apple chart feeds, current RSS and legacy iTunes RSS, into chart entries."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from assets.raw import RawFileError
from assets.schemas import CHART_ENTRIES
from assets.sources.apple_charts.parse import parse_current_rss, parse_legacy_rss
from tests.raw_batches import DAY, raw_batch, raw_file

DEEPSEEK = ("6737597349", "DeepSeek - AI Assistant", "DeepSeek")
CHATGPT = ("6448311069", "ChatGPT", "OpenAI")
THREADS = ("0123456789", "Threads", "Instagram, Inc.")  # a leading zero must survive


def current_feed(*apps: tuple[str, str, str]) -> dict:
    return {
        "feed": {
            "title": "Top Free Apps",
            "country": "us",
            "updated": "Mon, 27 Jan 2025 06:00:00 +0000",
            "results": [
                {
                    "artistName": developer,
                    "id": app_id,
                    "name": name,
                    "releaseDate": "2025-01-10",
                    "kind": "apps",
                    "genres": [],
                    "url": f"https://apps.apple.com/us/app/id{app_id}",
                }
                for app_id, name, developer in apps
            ],
        }
    }


def current(item: str, body, **where) -> dict:
    return raw_file(item, body, source="apple_rss", **where)


def legacy_entry(app_id: str, name: str, developer: str) -> dict:
    return {
        "im:name": {"label": name},
        "summary": {"label": "An app.\nWith two lines."},
        "id": {
            "label": f"https://apps.apple.com/us/app/id{app_id}",
            "attributes": {"im:id": app_id, "im:bundleId": "com.example"},
        },
        "im:artist": {"label": developer, "attributes": {"href": "https://apps.apple.com"}},
        "category": {"attributes": {"im:id": "6007", "label": "Productivity"}},
    }


def legacy_feed(*apps: tuple[str, str, str], as_list: bool = True) -> dict:
    entries = [legacy_entry(*app) for app in apps]
    feed = {"author": {"name": {"label": "iTunes Store"}}, "updated": {"label": "2025-01-27"}}
    if entries:
        feed["entry"] = entries if as_list else entries[0]
    return {"feed": feed}


def legacy(item: str, body, **where) -> dict:
    return raw_file(item, body, source="itunes_rss", **where)


def problem_of(parse, *files: dict) -> RawFileError:
    with pytest.raises(RawFileError) as caught:
        parse(raw_batch(*files))
    return caught.value


# --- current RSS -------------------------------------------------------------------


def test_current_rss_ranks_by_position_and_labels_iphone_charts():
    entries = parse_current_rss(
        raw_batch(
            current("top-free", current_feed(DEEPSEEK, CHATGPT, THREADS)),
            current("top-paid", current_feed(CHATGPT), country="gb"),
        )
    )
    assert entries.schema == CHART_ENTRIES
    assert entries.select("country", "chart", "rank", "app_id").rows() == [
        ("us", "top_free", 1, "6737597349"),
        ("us", "top_free", 2, "6448311069"),
        ("us", "top_free", 3, "0123456789"),
        ("gb", "top_paid", 1, "6448311069"),
    ]
    first = entries.row(0, named=True)
    assert first == {
        "date": DAY,
        "country": "us",
        "store": "app_store",
        "device": "iphone",
        "chart": "top_free",
        "genre_id": None,
        "rank": 1,
        "app_id": "6737597349",
        "app_name": "DeepSeek - AI Assistant",
        "developer": "DeepSeek",
        "source": "apple_rss",
    }


def test_current_rss_reads_pretty_printed_and_bom_prefixed_bodies():
    pretty = json.dumps(current_feed(DEEPSEEK, CHATGPT), indent=2)
    entries = parse_current_rss(
        raw_batch(current("top-free", pretty), current("top-paid", "\ufeff" + pretty))
    )
    assert entries["app_id"].to_list() == ["6737597349", "6448311069"] * 2


def test_empty_batch_gives_empty_chart_entries():
    assert parse_current_rss(raw_batch()).schema == CHART_ENTRIES
    assert parse_legacy_rss(raw_batch()).is_empty()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('{"feed": {"results": [{"id": "1"', "invalid JSON: Expecting ',' delimiter at line 1"),
        (
            "<!DOCTYPE html>\n<html><body>Service Unavailable</body></html>",
            "an HTML page, not JSON",
        ),
        ("", "empty file"),
        ("null", "the document is JSON null"),
        ("[]", "the document is a list, expected an object"),
        ('{"feed": []}', "feed is a list, expected an object"),
        ('{"feed": {}}', "missing field feed.results"),
        ('{"status": 503}', "missing field feed"),
        ('{"feed": {"results": []}}', "empty chart: no entries in feed.results"),
        ('{"feed": {"results": {"id": "1"}}}', "feed.results is an object, expected a list"),
        ('{"feed": {"results": [null]}}', "feed.results[0] is null"),
        ('{"feed": {"results": [{"name": "X"}]}}', "missing app id at rank 1"),
        ('{"feed": {"results": [{"id": "1"}]}}', "missing app name for app 1 at rank 1"),
        (
            '{"feed": {"results": [{"id": {"n": 1}, "name": "X"}]}}',
            "app id '{\"n\": 1}' at rank 1 is not a numeric App Store id",
        ),
        ('{"feed": {}}{"feed": {}}', "invalid JSON: Extra data at line 1 column 13"),
    ],
)
def test_current_rss_bad_file_names_the_file_and_what_is_wrong(body, problem):
    bad = current("top-paid", body, country="gb")
    error = problem_of(parse_current_rss, current("top-free", current_feed(DEEPSEEK)), bad)
    assert problem in error.problem
    assert (error.source, error.date, error.country, error.path) == (
        "apple_rss",
        "2025-01-27",
        "gb",
        "data/raw/apple_rss/date=2025-01-27/country=gb/top-paid.json",
    )
    assert "country=gb" in str(error) and "top-paid.json" in str(error)


def test_truncated_download_is_called_truncated():
    body = '{"feed": {"results": [{"id": "1", "name": "Chat'
    error = problem_of(parse_current_rss, current("top-free", body))
    assert error.problem.startswith(
        "invalid JSON: Unterminated string starting at line 1 column 43"
    )
    assert "truncated" in error.problem


def test_first_offending_file_is_named_when_several_are_bad():
    error = problem_of(
        parse_current_rss,
        current("top-free", current_feed(DEEPSEEK), country="ae"),
        current("top-free", '{"feed": {"results": []}}', country="br"),
        current("top-free", "<html>", country="cn"),
    )
    assert error.country == "br"
    assert error.problem == "empty chart: no entries in feed.results"


def test_undecodable_file_after_a_semantically_bad_one_is_not_named_first():
    error = problem_of(
        parse_current_rss,
        current("top-free", '{"feed": {}}', country="ae"),
        current("top-free", "<html>", country="br"),
    )
    assert (error.country, error.problem) == ("ae", "missing field feed.results")


def test_current_rss_unknown_item_is_an_error():
    error = problem_of(parse_current_rss, current("top-grossing", current_feed(DEEPSEEK)))
    assert "unexpected item 'top-grossing'" in error.problem


def test_non_batch_frame_is_refused():
    with pytest.raises(TypeError, match="RAW_BATCH"):
        parse_current_rss(pl.DataFrame({"body": ["{}"]}))


# --- legacy iTunes RSS -------------------------------------------------------------


def test_legacy_feed_names_give_device_chart_and_genre():
    entries = parse_legacy_rss(
        raw_batch(
            legacy("topgrossingapplications", legacy_feed(CHATGPT, DEEPSEEK)),
            legacy("topfreeipadapplications__genre-6014", legacy_feed(THREADS, CHATGPT)),
            legacy("toppaidipadapplications", legacy_feed(DEEPSEEK)),
        )
    )
    assert entries.schema == CHART_ENTRIES
    assert entries.select("device", "chart", "genre_id", "rank", "app_id").rows() == [
        ("iphone", "top_grossing", None, 1, "6448311069"),
        ("iphone", "top_grossing", None, 2, "6737597349"),
        ("ipad", "top_free", "6014", 1, "0123456789"),
        ("ipad", "top_free", "6014", 2, "6448311069"),
        ("ipad", "top_paid", None, 1, "6737597349"),
    ]
    assert entries.row(0, named=True) == {
        "date": DAY,
        "country": "us",
        "store": "app_store",
        "device": "iphone",
        "chart": "top_grossing",
        "genre_id": None,
        "rank": 1,
        "app_id": "6448311069",
        "app_name": "ChatGPT",
        "developer": "OpenAI",
        "source": "itunes_rss",
    }


def test_legacy_feed_of_one_entry_as_an_object_gives_one_rank():
    entries = parse_legacy_rss(
        raw_batch(
            legacy("topfreeapplications", legacy_feed(CHATGPT, DEEPSEEK)),
            legacy("toppaidapplications__genre-6007", legacy_feed(THREADS, as_list=False)),
            legacy("topgrossingapplications", legacy_feed(DEEPSEEK, CHATGPT)),
        )
    )
    assert entries.select("chart", "genre_id", "rank", "app_id", "developer").rows() == [
        ("top_free", None, 1, "6448311069", "OpenAI"),
        ("top_free", None, 2, "6737597349", "DeepSeek"),
        ("top_paid", "6007", 1, "0123456789", "Instagram, Inc."),
        ("top_grossing", None, 1, "6737597349", "DeepSeek"),
        ("top_grossing", None, 2, "6448311069", "OpenAI"),
    ]


def test_legacy_empty_feed_without_entry_is_an_empty_chart_error():
    error = problem_of(
        parse_legacy_rss,
        legacy("topfreeapplications", legacy_feed(DEEPSEEK)),
        legacy("topgrossingipadapplications", legacy_feed(), country="eg"),
    )
    assert error.problem == "empty chart: the feed has no entry"
    assert (error.source, error.country) == ("itunes_rss", "eg")
    assert error.path.endswith("country=eg/topgrossingipadapplications.json")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('{"feed": {"entry": [', "invalid JSON"),
        ("<!DOCTYPE html><html>", "an HTML page, not JSON (starts with '<!DOCTYPE html><html>')"),
        ("[]", "the document is a list, expected an object"),
        ('{"nofeed": 1}', "missing field feed"),
        ('{"feed": {"entry": []}}', "empty chart: the feed has no entry"),
        ('{"feed": {"entry": "x"}}', "feed.entry is text ('x'), expected an entry or a list"),
        (
            '{"feed": {"entry": [{"id": "x"}]}}',
            "feed.entry[0].id is text ('x'), expected an object",
        ),
        ('{"feed": {"entry": {"id": "x"}}}', "feed.entry.id is text ('x'), expected an object"),
        (
            '{"feed": {"entry": {"im:name": {"label": "X"}}}}',
            "missing app id at rank 1 (feed.entry[0].id.attributes.im:id)",
        ),
    ],
)
def test_legacy_bad_file_names_the_file_and_what_is_wrong(body, problem):
    error = problem_of(
        parse_legacy_rss,
        legacy("topfreeapplications", legacy_feed(DEEPSEEK), country="cn"),
        legacy("toppaidapplications", body, country="cn"),
    )
    assert problem in error.problem
    assert error.path == "data/raw/itunes_rss/date=2025-01-27/country=cn/toppaidapplications.json"
    assert (error.date, error.country) == ("2025-01-27", "cn")


def test_legacy_entry_without_name_is_an_error_naming_the_app():
    body = legacy_feed(DEEPSEEK, CHATGPT)
    del body["feed"]["entry"][1]["im:name"]
    error = problem_of(parse_legacy_rss, legacy("topfreeapplications", body))
    assert (
        error.problem
        == "missing app name for app 6448311069 at rank 2 (feed.entry[1].im:name.label)"
    )


@pytest.mark.parametrize("item", ["newapplications", "topfreeapplications__genre-", "top-free"])
def test_legacy_unknown_feed_name_is_an_error(item):
    error = problem_of(parse_legacy_rss, legacy(item, legacy_feed(DEEPSEEK)))
    assert f"unexpected item '{item}'" in error.problem


def test_legacy_partitions_carry_through():
    entries = parse_legacy_rss(
        raw_batch(
            legacy("topfreeapplications", legacy_feed(DEEPSEEK), country="jp"),
            legacy("topfreeapplications", legacy_feed(CHATGPT), date=dt.date(2025, 1, 28)),
        )
    )
    assert entries.select("date", "country", "app_id").rows() == [
        (DAY, "jp", "6737597349"),
        (dt.date(2025, 1, 28), "us", "6448311069"),
    ]
