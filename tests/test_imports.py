"""Imports (`make import`): a file is archived under its documented name, once; what it
says of itself must agree with the DATE and COUNTRY it is imported under; a hostile
file is refused with a message, never a traceback, and nothing is archived."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assets.imports import import_files
from assets.raw import RawArchiveConflict, RawFileError
from assets.sample_market.source import sample_market
from assets.sources.apple_charts import render as apple_render
from assets.sources.google_play_charts import render as play_render
from warehouse.errors import InvalidSetting

DAY = dt.date(2025, 1, 27)


def _sample(source_items, country="us"):
    """The sample market's file of one chart, as (item, body)."""
    responses = {
        "apple_rss": lambda: apple_render.apple_chart_responses(sample_market(), [DAY], [country]),
        "itunes_rss": lambda: apple_render.apple_chart_responses(sample_market(), [DAY], [country]),
        "google_play": lambda: play_render.google_play_responses(sample_market(), [DAY], [country]),
    }
    source, item = source_items
    (body,) = [r.body for r in responses[source]() if r.source == source and r.item == item]
    return body


@pytest.mark.parametrize(
    ("source", "item"),
    [
        ("google_play", "topselling_free.json"),
        ("apple_rss", "top-free.json"),
        ("itunes_rss", "topgrossingapplications.json"),
    ],
)
def test_a_file_of_any_name_is_archived_once_under_its_charts_name(tmp_path, source, item):
    body = _sample((source, item))
    mine = tmp_path / "my chart.json"
    mine.write_bytes(body)
    raw = tmp_path / "raw"

    (done,) = import_files(source, DAY, "us", [mine], raw)
    (again,) = import_files(source, DAY, "us", [mine], raw)

    assert done.path.name == item and done.written and done.path.read_bytes() == body
    assert not again.written  # the same chart is not archived twice
    assert [p.name for p in done.path.parent.iterdir()] == [item]


def test_a_second_different_file_for_the_same_chart_is_refused(tmp_path):
    body = _sample(("google_play", "topselling_free.json"))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_bytes(body)
    second.write_bytes(body.replace(b'"rank":1,', b'"rank":1 ,', 1))
    raw = tmp_path / "raw"
    import_files("google_play", DAY, "us", [first], raw)

    with pytest.raises(RawArchiveConflict, match="never rewritten"):
        import_files("google_play", DAY, "us", [second], raw)
    with pytest.raises(InvalidSetting, match=r"both the topselling_free\.json"):
        import_files("google_play", DAY, "us", [first, second], tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_a_file_named_for_another_chart_is_refused(tmp_path):
    body = _sample(("apple_rss", "top-free.json"))
    paid = tmp_path / "top-paid.json"
    paid.write_bytes(body)

    with pytest.raises(RawFileError, match=r"named top-paid\.json but holds the top-free\.json"):
        import_files("apple_rss", DAY, "us", [paid], tmp_path / "raw")


@pytest.mark.parametrize(
    ("source", "item", "date", "country", "said"),
    [
        ("apple_rss", "top-free.json", DAY, "gb", "the feed's country is storefront 'us'"),
        ("apple_rss", "top-free.json", DAY + dt.timedelta(days=1), "us", "import it with DATE="),
        ("itunes_rss", "topgrossingapplications.json", DAY, "gb", "the feed's own URL"),
        (
            "itunes_rss",
            "topgrossingapplications.json",
            DAY - dt.timedelta(days=3),
            "us",
            "DATE=2025-01-27",
        ),
        ("google_play", "topselling_free.json", DAY, "gb", "the file says country 'us'"),
    ],
)
def test_a_file_that_names_another_day_or_storefront_is_refused(
    tmp_path, source, item, date, country, said
):
    mine = tmp_path / item
    mine.write_bytes(_sample((source, item)))

    with pytest.raises(RawFileError, match=said.replace("(", r"\(").replace(")", r"\)")):
        import_files(source, date, country, [mine], tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


def test_a_deeply_nested_file_is_refused_with_a_message(tmp_path):
    deep = tmp_path / "top-free.json"
    deep.write_text('{"feed": {"results": ' + "[" * 50_000 + "]" * 50_000 + "}}")

    with pytest.raises(RawFileError, match="nested too deeply"):
        import_files("apple_rss", DAY, "us", [deep], tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


def test_estimates_are_archived_as_the_days_export(tmp_path):
    mine = tmp_path / "sensor tower export.csv"
    mine.write_text(
        "date,country,store,app_id,app_name,downloads,dau\n"
        f"{DAY},us,app_store,6737597349,DeepSeek,185000,410000\n"
    )

    (done,) = import_files("vendor_estimates", DAY, "us", [mine], tmp_path / "raw")

    assert done.path.name == "estimates.csv"
    with pytest.raises(RawFileError, match="archived under country=gb"):
        import_files("vendor_estimates", DAY, "gb", [mine], tmp_path / "raw")


def test_a_legacy_feed_for_a_genre_keeps_its_genre(tmp_path):
    body = json.loads(_sample(("itunes_rss", "topgrossingapplications.json")))
    body["feed"]["id"]["label"] = (
        "https://itunes.apple.com/us/rss/topgrossingapplications/limit=100/genre=6014/json"
    )
    mine = tmp_path / "games.json"
    mine.write_text(json.dumps(body))

    (done,) = import_files("itunes_rss", DAY, "us", [mine], tmp_path / "raw")

    assert done.path.name == "topgrossingapplications__genre-6014.json"
