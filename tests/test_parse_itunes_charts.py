"""Answers of Apple's undocumented iTunes charts endpoint (``{"resultIds": [...]}``)
into chart entries: rank from position, chart and genre from the archived name, day
and storefront from the partition; anything but a non-empty list of App Store ids is
refused. And the import of such an answer, named for its chart."""

from __future__ import annotations

import json

import pytest

from assets.raw import RawFileError
from assets.schemas import CHART_COVERAGE, CHART_ENTRIES
from assets.sources.apple_charts_deep.parse import parse_charts, parse_unavailable
from tests.raw_batches import DAY, raw_batch, raw_file

IDS = [str(6448311069 + n) for n in range(200)]


def answer(item: str, body, **where) -> dict:
    return raw_file(item, body, source="itunes_charts", **where)


def test_the_ids_in_order_are_the_chart_whether_strings_or_numbers():
    rows = parse_charts(
        raw_batch(
            answer("FreeApplications", {"resultIds": IDS}),
            answer("PaidApplications", {"resultIds": [6737597349, 284882215]}, country="gb"),
        )
    )

    assert rows.schema == CHART_ENTRIES
    free = rows.filter(chart="top_free")
    assert free["rank"].to_list() == list(range(1, 201))
    assert free["app_id"].to_list() == IDS
    assert rows.filter(chart="top_paid").select("country", "rank", "app_id").rows() == [
        ("gb", 1, "6737597349"),
        ("gb", 2, "284882215"),
    ]
    first = rows.row(0, named=True)
    assert first == {
        "date": DAY,
        "country": "us",
        "store": "app_store",
        "device": "iphone",
        "chart": "top_free",
        "genre_id": None,
        "rank": 1,
        "app_id": IDS[0],
        "app_name": None,  # the Lookup API names the apps
        "developer": None,
        "source": "itunes_charts",
    }


def test_a_genre_item_gives_its_genre_and_genre_36_is_the_overall_chart():
    rows = parse_charts(
        raw_batch(
            answer("AppsByRevenue__genre-6014", {"resultIds": ["1", "2"]}),
            answer("AppsByRevenue__genre-36", {"resultIds": ["3"]}, country="de"),
        )
    )

    assert rows.select("country", "chart", "genre_id", "rank", "app_id").rows() == [
        ("us", "top_grossing", "6014", 1, "1"),
        ("us", "top_grossing", "6014", 2, "2"),
        ("de", "top_grossing", None, 1, "3"),
    ]


def test_other_fields_are_ignored_and_a_bom_and_line_breaks_read_the_same():
    body = '\ufeff{\n "resultIds": [\n  "1",\n  2\n ],\n "other": {"x": 1}\n}'
    rows = parse_charts(raw_batch(answer("FreeApplications", body)))
    assert rows["app_id"].to_list() == ["1", "2"]


def problem_of(*files) -> str:
    with pytest.raises(RawFileError) as caught:
        parse_charts(raw_batch(*files))
    return caught.value.problem


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<html><body>Service Unavailable</body></html>", "an HTML page, not JSON"),
        ("{}", "missing field resultIds"),
        ('{"resultIds": null}', "missing field resultIds"),
        ('{"resultIds": []}', "empty chart: resultIds is empty"),
        ("", "empty file"),
        ('{"resultIds": ["1", "2"', "truncated"),
        ("[1, 2]", "the document is a list, expected an object"),
        ('{"resultIds": "1,2"}', "resultIds is text ('1,2'), expected a list"),
        ('{"resultIds": ["1", null]}', "resultIds[1] is null"),
        ('{"resultIds": ["1", "id2"]}', "resultIds[1] is 'id2', not a numeric App Store id"),
        ('{"resultIds": [1.5]}', "resultIds[0] is '1.5', not a numeric App Store id"),
        ('{"resultIds": [{"id": 1}]}', "not a numeric App Store id"),
    ],
)
def test_anything_but_a_list_of_app_store_ids_is_refused(body, problem):
    assert problem in problem_of(answer("FreeApplications", body))


def test_the_error_names_the_file_and_an_unknown_item_is_refused():
    with pytest.raises(RawFileError) as caught:
        parse_charts(
            raw_batch(
                answer("FreeApplications", {"resultIds": ["1"]}),
                answer("PaidApplications", "{}", country="gb"),
            )
        )
    assert caught.value.country == "gb"
    assert caught.value.path.endswith("country=gb/PaidApplications.json")
    assert "unexpected item 'FreeAppsV2'" in problem_of(answer("FreeAppsV2", {"resultIds": ["1"]}))


def test_a_403_or_404_on_record_is_an_unavailable_chart():
    marker = answer(
        "AppsByRevenue__genre-6014.json",
        {"status": 403, "url": "https://itunes.apple.com/WebObjects/..."},
        ext="unavailable",
    )
    rows = parse_unavailable(raw_batch(marker))
    assert rows.schema == CHART_COVERAGE
    assert rows.select("chart", "genre_id", "status", "depth", "http_status", "source").rows() == [
        ("top_grossing", "6014", "unavailable", None, 403, "itunes_charts")
    ]


def test_an_import_is_named_for_its_chart_and_checked(tmp_path):
    from assets.imports import import_files

    raw = tmp_path / "raw"
    free = tmp_path / "FreeApplications.json"
    free.write_text(json.dumps({"resultIds": IDS}), encoding="utf-8")
    overall = tmp_path / "AppsByRevenue__genre-36.json"
    overall.write_text(json.dumps({"resultIds": [1, 2]}), encoding="utf-8")

    done = import_files("itunes_charts", DAY, "us", [free, overall], raw)

    assert [d.path.relative_to(raw).as_posix() for d in done] == [
        f"itunes_charts/date={DAY}/country=us/FreeApplications.json",
        f"itunes_charts/date={DAY}/country=us/AppsByRevenue.json",
    ]
    assert done[0].path.read_bytes() == free.read_bytes()  # archived unchanged

    unnamed = tmp_path / "charts.json"
    unnamed.write_bytes(free.read_bytes())
    with pytest.raises(RawFileError, match="name the file for the chart asked"):
        import_files("itunes_charts", DAY, "us", [unnamed], tmp_path / "other")
    empty = tmp_path / "other" / "PaidApplications.json"
    empty.parent.mkdir()
    empty.write_text("{}", encoding="utf-8")
    with pytest.raises(RawFileError, match="missing field resultIds"):
        import_files("itunes_charts", DAY, "us", [empty], tmp_path / "other-raw")
    assert not (tmp_path / "other-raw").exists()
