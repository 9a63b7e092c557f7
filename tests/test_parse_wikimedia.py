"""Wikimedia per-article pageviews into search interest."""

from __future__ import annotations

import polars as pl
import pytest

from assets.raw import RawFileError
from assets.schemas import SEARCH_INTEREST
from assets.sources.wikimedia_pageviews.parse import parse_pageviews
from tests.raw_batches import DAY, raw_batch, raw_file

ARTICLES = pl.DataFrame(
    {
        "project": ["en.wikipedia", "zh.wikipedia", "en.wikipedia"],
        "article": ["DeepSeek", "深度求索", "ChatGPT"],
        "product": ["deepseek", "deepseek", "chatgpt"],
    }
)


def pageviews(project: str, article: str, *views: tuple[str, int]) -> dict:
    return {
        "items": [
            {
                "project": project,
                "article": article,
                "granularity": "daily",
                "timestamp": timestamp,
                "access": "all-access",
                "agent": "user",
                "views": count,
            }
            for timestamp, count in views
        ]
    }


def page(item: str, body, country: str = "ww", **where) -> dict:
    return raw_file(item, body, source="wikimedia", country=country, **where)


def problem_of(*files: dict) -> RawFileError:
    with pytest.raises(RawFileError) as caught:
        parse_pageviews(raw_batch(*files), ARTICLES)
    return caught.value


def test_views_of_the_day_become_interest_of_the_tracked_product():
    interest = parse_pageviews(
        raw_batch(
            page(
                "en.wikipedia__DeepSeek",
                pageviews("en.wikipedia", "DeepSeek", ("2025012700", 12345)),
            ),
            page(
                "zh.wikipedia__%E6%B7%B1%E5%BA%A6%E6%B1%82%E7%B4%A2",
                pageviews("zh.wikipedia", "深度求索", ("2025012700", 678)),
            ),
            page("en.wikipedia__ChatGPT", pageviews("en.wikipedia", "ChatGPT", ("2025012700", 90))),
        ),
        ARTICLES,
    )
    assert interest.schema == SEARCH_INTEREST
    assert interest.rows() == [
        (DAY, "ww", "wikimedia", "en.wikipedia/DeepSeek", "deepseek", 12345),
        (DAY, "ww", "wikimedia", "zh.wikipedia/深度求索", "deepseek", 678),
        (DAY, "ww", "wikimedia", "en.wikipedia/ChatGPT", "chatgpt", 90),
    ]


def test_day_without_views_gives_no_row():
    interest = parse_pageviews(
        raw_batch(
            page("en.wikipedia__DeepSeek", {"items": []}),
            page("en.wikipedia__ChatGPT", pageviews("en.wikipedia", "ChatGPT", ("2025012700", 5))),
        ),
        ARTICLES,
    )
    assert interest["term"].to_list() == ["en.wikipedia/ChatGPT"]


def test_empty_batch_gives_empty_search_interest():
    assert parse_pageviews(raw_batch(), ARTICLES).schema == SEARCH_INTEREST


def test_untracked_article_is_an_error_telling_to_add_it_to_products_toml():
    error = problem_of(
        page("en.wikipedia__Qwen", pageviews("en.wikipedia", "Qwen", ("2025012700", 7)))
    )
    assert error.problem == (
        'article en.wikipedia/Qwen is not tracked: add "en:Qwen" to the wikipedia list'
        " of its product in products.toml"
    )
    assert "products.toml" in error.hint
    assert error.path == "data/raw/wikimedia/date=2025-01-27/country=ww/en.wikipedia__Qwen.json"


def test_views_of_another_day_are_an_error():
    error = problem_of(
        page(
            "en.wikipedia__DeepSeek",
            pageviews("en.wikipedia", "DeepSeek", ("2025012600", 1), ("2025012700", 2)),
        )
    )
    assert error.problem == (
        "items[0] (en.wikipedia/DeepSeek) is for 2025-01-26,"
        " but the file is archived under date=2025-01-27"
    )
    assert (error.source, error.date, error.country) == ("wikimedia", "2025-01-27", "ww")


def test_same_article_twice_is_an_error():
    body = pageviews("en.wikipedia", "DeepSeek", ("2025012700", 1))
    error = problem_of(page("en.wikipedia__DeepSeek", body), page("en.wikipedia__Deepseek", body))
    assert error.path.endswith("en.wikipedia__Deepseek.json")
    assert "views of en.wikipedia/DeepSeek on 2025-01-27 also come from" in error.problem


def test_pageviews_belong_under_country_ww():
    body = pageviews("en.wikipedia", "DeepSeek", ("2025012700", 1))
    error = problem_of(page("en.wikipedia__DeepSeek", body, country="us"))
    assert "belongs under country=ww, not country=us" in error.problem
    assert error.country == "us"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('{"items": [{"project": "en.wikipedia"', "invalid JSON"),
        ("<!DOCTYPE html><title>429</title>", "an HTML page, not JSON"),
        ("[]", "the document is a list, expected an object"),
        ("{}", "missing field items"),
        (
            {"type": "not_found", "title": "Not found.", "detail": "No data for those dates."},
            "missing field items (the file is an API error: Not found.: No data for those dates.)",
        ),
        ({"items": {"views": 1}}, "items is an object, expected a list"),
        ({"items": [None]}, "items[0] is null"),
        (
            pageviews("en.wikipedia", "DeepSeek", ("2025-01-27", 1)),
            "items[0] has timestamp '2025-01-27', expected YYYYMMDDHH",
        ),
        (
            pageviews("en.wikipedia", "DeepSeek", ("2025012700", -4)),
            "items[0] has negative views (-4)",
        ),
        (
            {
                "items": [
                    {"project": "en.wikipedia", "article": "DeepSeek", "timestamp": "2025012700"}
                ]
            },
            "items[0] has no views",
        ),
        (
            {"items": [{"project": "en.wikipedia", "timestamp": "2025012700", "views": 1}]},
            "items[0] has no project or no article",
        ),
        (
            pageviews("en.wikipedia", "DeepSeek", ("2025012700", 1), ("2025012700", 2)),
            "items[1] repeats the views of en.wikipedia/DeepSeek on 2025-01-27",
        ),
        (
            {"items": [{"views": "many"}]},
            "items[0].views is text ('many'), expected a whole number",
        ),
    ],
)
def test_malformed_file_is_an_error(body, problem):
    error = problem_of(
        page("en.wikipedia__ChatGPT", pageviews("en.wikipedia", "ChatGPT", ("2025012700", 5))),
        page("en.wikipedia__DeepSeek", body),
    )
    assert problem in error.problem
    assert error.path.endswith("en.wikipedia__DeepSeek.json")


def test_article_claimed_by_two_products_is_refused():
    articles = pl.concat(
        [
            ARTICLES,
            pl.DataFrame(
                {"project": ["en.wikipedia"], "article": ["DeepSeek"], "product": ["other"]}
            ),
        ]
    )
    with pytest.raises(
        ValueError, match=r"en\.wikipedia/DeepSeek is listed under several products"
    ):
        parse_pageviews(raw_batch(), articles)
