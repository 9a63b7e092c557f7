"""iTunes Lookup API responses into app metadata: the rows and their types, bad
files named with what is wrong, the batching helpers of the fetch, and the sample
market answering lookups in the same format."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from assets.raw import RawFileError
from assets.sample_market.simulate import SampleMarket
from assets.sample_market.source import sample_market
from assets.schemas import APP_METADATA, RAW_BATCH
from assets.sources.itunes_lookup.parse import lookup_batches, lookup_item, parse_lookup
from assets.sources.itunes_lookup.render import lookup_responses
from tests.raw_batches import DAY, raw_batch, raw_file

DEEPSEEK = {
    "wrapperType": "software",
    "kind": "software",
    "trackId": 6737597349,
    "bundleId": "com.deepseek.chat",
    "trackName": "DeepSeek - AI Assistant",
    "sellerName": "Hangzhou DeepSeek Artificial Intelligence Co., Ltd.",
    "artistName": "DeepSeek",
    "artistId": 1738785483,
    "primaryGenreName": "Productivity",
    "primaryGenreId": 6007,
    "genreIds": ["6007", "6000"],
    "genres": ["Productivity", "Business"],
    "price": 0.00,
    "formattedPrice": "Free",
    "currency": "USD",
    "averageUserRating": 4.7,
    "userRatingCount": 123456,
    "releaseDate": "2025-01-10T08:00:00Z",
    "currentVersionReleaseDate": "2025-01-24T03:26:07Z",
    "version": "1.0.9",
    "trackViewUrl": "https://apps.apple.com/us/app/deepseek-ai-assistant/id6737597349?uo=4",
    "description": "DeepSeek-V3.\nFree.",
}
# A new paid app: no ratings yet, no seller, no bundle id or version in the answer.
SPARSE = {
    "wrapperType": "software",
    "trackId": 123,
    "trackName": "Ünïcødé 抖音",
    "artistName": "Tiny Studio",
    "price": 2.99,
    "currency": "USD",
}
DEEPSEEK_ROW = {
    "date": DAY,
    "country": "us",
    "store": "app_store",
    "app_id": "6737597349",
    "name": "DeepSeek - AI Assistant",
    "developer": "Hangzhou DeepSeek Artificial Intelligence Co., Ltd.",
    "bundle_id": "com.deepseek.chat",
    "genre": "Productivity",
    "genre_id": "6007",
    "price": 0.0,
    "currency": "USD",
    "rating_count": 123456,
    "average_rating": 4.7,
    "release_date": dt.date(2025, 1, 10),
    "version": "1.0.9",
    "source": "itunes_lookup",
}


def response(*results: dict) -> dict:
    return {"resultCount": len(results), "results": list(results)}


def lookup(item: str, body, **where) -> dict:
    return raw_file(item, body, source="itunes_lookup", **where)


def problem_of(*files: dict) -> RawFileError:
    with pytest.raises(RawFileError) as caught:
        parse_lookup(raw_batch(*files))
    return caught.value


def test_each_app_found_is_one_row_with_its_listing():
    # Apple writes its answers with blank lines around them.
    body = "\n\n\n" + json.dumps(response(DEEPSEEK, SPARSE), indent=1) + "\n\n\n"
    metadata = parse_lookup(raw_batch(lookup("lookup-001", body)))
    assert metadata.schema == APP_METADATA
    assert metadata.to_dicts() == [
        DEEPSEEK_ROW,
        {
            **dict.fromkeys(APP_METADATA.names()),
            "date": DAY,
            "country": "us",
            "store": "app_store",
            "app_id": "123",
            "name": "Ünïcødé 抖音",
            "developer": "Tiny Studio",  # no sellerName: the artist
            "price": 2.99,
            "currency": "USD",
            "source": "itunes_lookup",
        },
    ]


def test_ids_the_store_does_not_know_give_no_rows():
    # Three ids asked, one known; another storefront knew none of them.
    metadata = parse_lookup(
        raw_batch(
            lookup("lookup-001", response(DEEPSEEK)),
            lookup("lookup-001", response(), country="cn"),
        )
    )
    assert metadata.select("country", "app_id").rows() == [("us", "6737597349")]
    assert parse_lookup(raw_batch()).schema == APP_METADATA


def test_a_developer_wrapper_in_the_results_is_not_an_app():
    artist = {"wrapperType": "artist", "artistType": "Software Artist", "artistId": 1}
    metadata = parse_lookup(raw_batch(lookup("lookup-001", response(artist, DEEPSEEK))))
    assert metadata["app_id"].to_list() == ["6737597349"]


def test_an_app_looked_up_twice_in_a_day_keeps_one_row_from_the_first_file():
    later = {**DEEPSEEK, "userRatingCount": 123999}
    files = [
        lookup("lookup-002", response(later, SPARSE)),
        lookup("lookup-001", response(DEEPSEEK)),
        lookup("lookup-001", response(later), country="gb"),
    ]
    for batch in (raw_batch(*files), raw_batch(*reversed(files))):
        metadata = parse_lookup(batch).sort("country", "app_id")
        assert metadata.select("country", "app_id", "rating_count").rows() == [
            ("gb", "6737597349", 123999),  # another storefront: its own row
            ("us", "123", None),
            ("us", "6737597349", 123456),  # lookup-001 wins, whatever the batch order
        ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            "<!DOCTYPE html>\n<html><body>Service Unavailable</body></html>",
            "an HTML page, not JSON",
        ),
        ('{"resultCount":1,"results":[{"trackId":6737597349,"trackName":"Deep', "truncated"),
        ("", "empty file"),
        ('{"resultCount": 0}', "missing field results"),
        (
            '{"errorMessage": "Invalid value(s) for key(s): [id]", "queryParameters": {}}',
            "missing field results (the file is an API error: Invalid value(s) for key(s): [id])",
        ),
        (
            '{"resultCount": 2, "results": [{"trackId": 1, "trackName": "A"}]}',
            "resultCount is 2 but results holds 1: the response is incomplete",
        ),
        ('{"results": [null]}', "results[0] is null"),
        ('{"results": [{"trackId": 1, "trackName": "A"}, {}]}', "missing trackId at results[1]"),
        (
            '{"results": [{"trackId": "6737597349", "trackName": "A"}]}',
            "results[0].trackId is text ('6737597349'), expected a whole number",
        ),
        ('{"results": [{"trackId": 0, "trackName": "A"}]}', "trackId 0 at results[0]"),
        ('{"results": [{"trackId": 5}]}', "missing trackName for app 5 (results[0].trackName)"),
        (
            '{"results": [{"trackId": 5, "trackName": "A", "releaseDate": "soon"}]}',
            "releaseDate 'soon' of app 5 (results[0].releaseDate) is not a date-time",
        ),
        ('{"results": {"trackId": 5}}', "results is an object, expected a list"),
    ],
)
def test_a_bad_file_is_named_with_what_is_wrong(body, problem):
    bad = lookup("lookup-002", body, country="gb")
    error = problem_of(lookup("lookup-001", response(DEEPSEEK), country="gb"), bad)
    assert problem in error.problem
    assert (error.source, error.date, error.country, error.path) == (
        "itunes_lookup",
        "2025-01-27",
        "gb",
        "data/raw/itunes_lookup/date=2025-01-27/country=gb/lookup-002.json",
    )
    assert "lookup-002.json" in str(error)


def test_a_file_not_named_like_a_lookup_is_refused():
    error = problem_of(lookup("apps", response(DEEPSEEK)))
    assert "unexpected item 'apps'" in error.problem


def test_lookup_batches_sort_deduplicate_and_split():
    ids = [str(n) for n in range(250, 0, -1)] + ["7", "6737597349"]
    batches = lookup_batches(ids)
    assert [len(batch) for batch in batches] == [100, 100, 51]
    assert batches[0][:3] == ["1", "2", "3"]  # numeric order, not text order
    assert batches[-1][-2:] == ["250", "6737597349"]
    assert lookup_batches(["20", "3", "20"], size=1) == [["3"], ["20"]]
    assert lookup_batches([]) == []


@pytest.mark.parametrize("bad", ["com.deepseek.chat", "", "12a", " 12", 12])
def test_lookup_batches_refuse_what_is_not_an_app_store_id(bad):
    with pytest.raises(ValueError, match="is not a numeric App Store id") as caught:
        lookup_batches(["6737597349", bad])
    assert repr(bad) in str(caught.value)


def test_lookup_items_are_numbered_from_one():
    assert [lookup_item(n) for n in (1, 12, 1000)] == [
        "lookup-001.json",
        "lookup-012.json",
        "lookup-1000.json",
    ]
    with pytest.raises(ValueError, match="numbered from 1"):
        lookup_item(0)


# --- the sample market answers lookups ----------------------------------------------


@pytest.fixture(scope="module")
def market() -> SampleMarket:
    return sample_market()


def parse_responses(responses) -> pl.DataFrame:
    batch = pl.DataFrame(
        [
            {
                "date": r.date,
                "country": r.country,
                "item": r.item.removesuffix(".json"),
                "path": f"data/raw/{r.source}/date={r.date}/country={r.country}/{r.item}",
                "body": r.body.decode(),
            }
            for r in responses
        ],
        schema=RAW_BATCH,
    )
    return parse_lookup(batch)


def test_sample_lookups_read_back_as_the_catalog_lists_the_apps(market):
    ids = ["6737597349", "6448311069", "1"]  # DeepSeek, ChatGPT, an id nobody has
    responses = lookup_responses(market, DAY, "us", ids)
    assert [(r.source, r.item) for r in responses] == [("itunes_lookup", "lookup-001.json")]
    assert json.loads(responses[0].body)["resultCount"] == 2
    metadata = parse_responses(responses).sort("app_id")
    assert metadata.select("app_id", "name", "developer", "genre", "genre_id", "price").rows() == [
        ("6448311069", "ChatGPT", "OpenAI", "Productivity", "6007", 0.0),
        ("6737597349", "DeepSeek - AI Assistant", "DeepSeek", "Productivity", "6007", 0.0),
    ]
    deepseek = metadata.row(1, named=True)
    assert deepseek["bundle_id"] == "com.deepseek.chat"
    assert deepseek["release_date"] == dt.date(2024, 12, 26)
    assert deepseek["rating_count"] > 0 and 3.5 <= deepseek["average_rating"] <= 4.9
    assert (deepseek["currency"], deepseek["source"]) == ("USD", "itunes_lookup")


def test_sample_lookups_are_the_same_bytes_every_time(market):
    ids = market.apps["app_store_id"].drop_nulls().to_list()
    first = lookup_responses(market, DAY, "us", ids)
    assert [r.item for r in first] == [lookup_item(n) for n in range(1, len(first) + 1)]
    assert lookup_responses(market, DAY, "us", list(reversed(ids))) == first
    assert parse_responses(first).height == sum(json.loads(r.body)["resultCount"] for r in first)


def test_sample_ratings_accumulate_and_unsold_apps_are_absent(market):
    ids = ["6737597349", "6448311069"]
    before = parse_responses(lookup_responses(market, dt.date(2025, 1, 20), "us", ids))
    after = parse_responses(lookup_responses(market, dt.date(2025, 1, 31), "us", ids))
    gained = after["rating_count"] - before["rating_count"]
    assert (gained > 0).all()
    # ChatGPT is not sold in China: the China storefront does not know it.
    china = parse_responses(lookup_responses(market, DAY, "cn", ids))
    assert china["app_id"].to_list() == ["6737597349"]
