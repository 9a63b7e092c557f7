"""Vendor estimates CSVs into app estimates."""

from __future__ import annotations

import pytest

from assets.raw import RawFileError
from assets.schemas import APP_ESTIMATES
from assets.sources.vendor_estimates.parse import _FILE_MARK, parse_estimates_csv
from tests.raw_batches import DAY, raw_batch, raw_file

HEADER = "date,country,store,app_id,app_name,downloads,dau"


def estimates(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def csv_file(body: str, country: str = "us", **where) -> dict:
    return raw_file(
        "estimates", body, source="vendor_estimates", country=country, ext="csv", **where
    )


def problem_of(*files: dict) -> RawFileError:
    with pytest.raises(RawFileError) as caught:
        parse_estimates_csv(raw_batch(*files))
    return caught.value


def test_rows_become_estimates_with_ids_as_text_and_the_given_source():
    rows = parse_estimates_csv(
        raw_batch(
            csv_file(
                estimates(
                    "2025-01-27,us,app_store,6737597349,DeepSeek - AI Assistant,185000,410000",
                    "2025-01-27,us,app_store,0123456789,Threads,9000,",
                    '2025-01-27,us,google_play,com.deepseek.chat,"DeepSeek, the app",42000,""',
                )
            ),
            csv_file(estimates("2025-01-27,gb,app_store,6737597349,DeepSeek,100,50"), country="gb"),
        ),
        source="appfigures",
    )
    assert rows.schema == APP_ESTIMATES
    assert rows.rows() == [
        (
            DAY,
            "us",
            "app_store",
            "6737597349",
            "DeepSeek - AI Assistant",
            185000,
            410000,
            "appfigures",
        ),
        (DAY, "us", "app_store", "0123456789", "Threads", 9000, None, "appfigures"),
        (
            DAY,
            "us",
            "google_play",
            "com.deepseek.chat",
            "DeepSeek, the app",
            42000,
            None,
            "appfigures",
        ),
        (DAY, "gb", "app_store", "6737597349", "DeepSeek", 100, 50, "appfigures"),
    ]


def test_default_source_is_sample():
    rows = parse_estimates_csv(raw_batch(csv_file(estimates("2025-01-27,us,app_store,1,A,1,1"))))
    assert rows["source"].to_list() == ["sample"]


def test_header_only_file_bom_crlf_and_blank_lines_are_fine():
    body = (
        "\ufeff"
        + HEADER
        + "\r\n2025-01-27,us,app_store,1,A,10,2\r\n\r\n2025-01-27,us,app_store,2,B,5,\r\n"
    )
    rows = parse_estimates_csv(raw_batch(csv_file(body), csv_file(HEADER + "\n", country="gb")))
    assert rows.select("app_id", "downloads", "dau").rows() == [("1", 10, 2), ("2", 5, None)]


def test_empty_batch_gives_empty_app_estimates():
    assert parse_estimates_csv(raw_batch()).schema == APP_ESTIMATES


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("2025-01-27,us,app_store,123,A,-5,10", "downloads is negative (-5) for app 123 on line 4"),
        ("2025-01-27,us,app_store,123,A,,10", "downloads is empty for app 123 on line 4"),
        (
            "2025-01-27,us,app_store,123,A,1.5,10",
            "downloads is not a whole number ('1.5') for app 123 on line 4",
        ),
        ("2025-01-27,us,app_store,123,A,many,10", "downloads is not a whole number ('many')"),
        ("2025-01-27,us,app_store,123,A,5,-1", "dau is negative (-1) for app 123 on line 4"),
        (
            "2025-01-27,us,app_store,123,A,5,n/a",
            "dau is not a whole number ('n/a') for app 123 on line 4",
        ),
        (
            "2025-01-26,us,app_store,123,A,5,1",
            "date is '2025-01-26' on line 4, but the file is archived under date=2025-01-27",
        ),
        ("27/01/2025,us,app_store,123,A,5,1", "date is '27/01/2025' on line 4"),
        (
            "2025-01-27,US,app_store,123,A,5,1",
            "country is 'US' on line 4, but the file is archived under country=us",
        ),
        (
            "2025-01-27,us,itunes,123,A,5,1",
            "store is 'itunes' on line 4 (expected app_store or google_play)",
        ),
        ("2025-01-27,us,app_store,,A,5,1", "app_id is empty on line 4"),
        ("2025-01-27,us,app_store,123,A,5", "line 4 has 6 fields, expected 7"),
        ("2025-01-27,us,app_store,123,A,B,5,1", "line 4 has 8 fields, expected 7"),
        ("2025-01-27,us,app_store,1,A,5,1", "app 1 on line 4 repeats app_store 1 of line 2 of"),
    ],
)
def test_bad_row_names_the_file_the_line_and_the_value(row, problem):
    body = estimates("2025-01-27,us,app_store,1,A,10,2", "2025-01-27,us,google_play,1,A,3,", row)
    error = problem_of(
        csv_file(estimates("2025-01-27,gb,app_store,1,A,1,1"), country="gb"), csv_file(body)
    )
    assert problem in error.problem
    assert (error.source, error.date, error.country) == ("vendor_estimates", "2025-01-27", "us")
    assert error.path == "data/raw/vendor_estimates/date=2025-01-27/country=us/estimates.csv"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("", "empty file: no header"),
        (
            estimates(
                "2025-01-27,us,app_store,1,A,1,1",
                header="date,country,store,app_id,name,downloads,dau",
            ),
            "header is 'date,country,store,app_id,name,downloads,dau', expected exactly",
        ),
        (estimates(header=HEADER + ",revenue"), "header is '" + HEADER + ",revenue'"),
        (estimates('2025-01-27,us,app_store,1,"A,1,1'), "unreadable CSV"),
    ],
)
def test_unreadable_file_is_an_error(body, problem):
    error = problem_of(csv_file(body, country="jp"))
    assert problem in error.problem
    assert error.country == "jp"


def test_first_bad_file_is_named():
    error = problem_of(
        csv_file(estimates("2025-01-27,ae,app_store,1,A,1,1"), country="ae"),
        csv_file(estimates("2025-01-27,br,app_store,1,A,-1,1"), country="br"),
        csv_file("<html>", country="cn"),
    )
    assert (error.country, error.problem) == (
        "br",
        "downloads is negative (-1) for app 1 on line 2",
    )


def test_quoted_commas_quotes_and_line_breaks_stay_in_their_row_and_file():
    rows = parse_estimates_csv(
        raw_batch(
            csv_file(
                estimates(
                    '2025-01-27,us,app_store,1,"Two\nlines, ""quoted""",10,2',
                    "2025-01-27,us,app_store,2,B,5,",
                )
            ),
            csv_file(estimates('2025-01-27,gb,google_play,com.x,"a,b",7,1'), country="gb"),
            csv_file(HEADER + "\r\n", country="jp"),
            csv_file(estimates("2025-01-27,fr,app_store,3,C,1,1"), country="fr"),
        )
    )
    assert rows.select("country", "app_id", "app_name", "downloads", "dau").rows() == [
        ("us", "1", 'Two\nlines, "quoted"', 10, 2),
        ("us", "2", "B", 5, None),
        ("gb", "com.x", "a,b", 7, 1),
        ("fr", "3", "C", 1, 1),
    ]


def test_unreadable_file_among_readable_ones_is_named():
    error = problem_of(
        csv_file(estimates("2025-01-27,ae,app_store,1,A,1,1"), country="ae"),
        # The open quote runs on into the next file when the batch is read as one.
        csv_file(estimates('2025-01-27,br,app_store,1,"A,1,1'), country="br"),
        csv_file(estimates("2025-01-27,cn,app_store,1,A,1,1"), country="cn"),
    )
    assert error.country == "br"
    assert "unreadable CSV" in error.problem


def test_a_row_like_the_mark_between_files_is_only_a_row():
    error = problem_of(
        csv_file(estimates("2025-01-27,us,app_store,1,A,1,1")),
        csv_file(estimates(_FILE_MARK + "1,,,,,,"), country="gb"),
    )
    assert error.country == "gb"
    assert error.problem.startswith(f"date is '{_FILE_MARK}1' on line 2")
