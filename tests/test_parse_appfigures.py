"""Appfigures estimates and rank histories, parsed from hand-made responses."""

import datetime as dt

import polars as pl
import pytest

from assets.raw import RawFileError
from assets.sources.appfigures.parse import parse_estimates, parse_ranks
from tests.raw_batches import DAY, raw_batch, raw_file

APPS = pl.DataFrame(
    {
        "appfigures_id": ["330001", "330002"],
        "store": ["app_store", "google_play"],
        "app_id": ["6737597349", "com.deepseek.chat"],
    }
)


def _file(item, body, date=DAY):
    return raw_file(item, body, source="appfigures", date=date, country="ww")


def test_estimates_nested_by_product_country_and_date_become_rows():
    body = {
        "330001": {
            "US": {
                "2025-01-27": {
                    "product_id": 330001,
                    "country": "US",
                    "date": "2025-01-27",
                    "downloads": 41000,
                    "revenue": "0.00",
                }
            },
            "CN": {
                "2025-01-27": {
                    "product_id": 330001,
                    "country": "CN",
                    "date": "2025-01-27",
                    "downloads": 90000.0,
                    "revenue": "0.00",
                }
            },
        },
        "330002": {
            "US": {
                "2025-01-27": {
                    "product_id": 330002,
                    "country": "US",
                    "date": "2025-01-27",
                    "downloads": 5000,
                }
            }
        },
    }

    rows = parse_estimates(raw_batch(_file("estimates", body)), APPS)

    assert rows.sort("store", "country").select(
        "country", "store", "app_id", "downloads", "source"
    ).rows() == [
        ("cn", "app_store", "6737597349", 90000, "appfigures"),
        ("us", "app_store", "6737597349", 41000, "appfigures"),
        ("us", "google_play", "com.deepseek.chat", 5000, "appfigures"),
    ]
    assert rows["dau"].null_count() == 3 and set(rows["date"]) == {DAY}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<html>Unauthorized</html>", "HTML"),
        (
            {
                "999": {
                    "US": {
                        "2025-01-27": {
                            "product_id": 999,
                            "country": "US",
                            "date": "2025-01-27",
                            "downloads": 1,
                        }
                    }
                }
            },
            "not mapped",
        ),
        (
            {
                "330001": {
                    "US": {
                        "2025-01-26": {
                            "product_id": 330001,
                            "country": "US",
                            "date": "2025-01-26",
                            "downloads": 1,
                        }
                    }
                }
            },
            "not the file's day",
        ),
        (
            {
                "330001": {
                    "US": {
                        "2025-01-27": {
                            "product_id": 330001,
                            "country": "US",
                            "date": "2025-01-27",
                            "downloads": -3,
                        }
                    }
                }
            },
            "non-negative",
        ),
    ],
)
def test_bad_estimates_name_the_file_and_problem(body, problem):
    with pytest.raises(RawFileError, match=problem) as error:
        parse_estimates(raw_batch(_file("estimates", body)), APPS)
    assert "appfigures/date=2025-01-27" in str(error.value)


def _ranks(
    positions,
    subtype="free",
    device_id=1,
    store_id=1,
    dates=("2025-01-25", "2025-01-26", "2025-01-27"),
):
    return {
        "dates": list(dates),
        "data": [
            {
                "product_id": 330001,
                "country": "US",
                "category": {
                    "store_id": store_id,
                    "device_id": device_id,
                    "id": 36,
                    "name": "Overall",
                    "subtype": subtype,
                },
                "positions": positions,
                "deltas": [None] * len(positions),
            }
        ],
    }


def test_rank_histories_become_one_row_per_ranked_day():
    rows = parse_ranks(raw_batch(_file("ranks", _ranks([31, None, 1]))), APPS)

    assert rows.select(
        "date", "country", "store", "device", "chart", "genre_id", "app_id", "rank"
    ).rows() == [
        (dt.date(2025, 1, 25), "us", "app_store", "iphone", "top_free", None, "6737597349", 31),
        (dt.date(2025, 1, 27), "us", "app_store", "iphone", "top_free", None, "6737597349", 1),
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (_ranks([1, 2]), "differ in length"),
        (_ranks([1, 2, 3], subtype="weird"), "subtype"),
        (_ranks([1, 2, 3], store_id=9), "store_id"),
        ({"dates": ["2025-01-27"]}, "missing field data"),
    ],
)
def test_bad_rank_histories_name_the_problem(body, problem):
    with pytest.raises(RawFileError, match=problem):
        parse_ranks(raw_batch(_file("ranks", body)), APPS)
