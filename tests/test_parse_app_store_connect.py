"""A user's own App Store Connect reports: Summary Sales reports (every column
version) and Analytics "App Store Downloads" segments (Standard and Detailed, with
late corrections), written from their documented layouts; the rows that come out,
the files refused, and what an import archives."""

from __future__ import annotations

import datetime as dt
import gzip

import polars as pl
import pytest

from assets.raw import RawFileError, list_files, read_batch
from assets.schemas import APP_ESTIMATES, RAW_BATCH
from assets.sources.app_store_connect_downloads import imports as downloads_imports
from assets.sources.app_store_connect_downloads.parse import parse_downloads
from assets.sources.app_store_connect_sales import imports as sales_imports
from assets.sources.app_store_connect_sales.parse import parse_sales

SALES = "app_store_connect_sales"
DOWNLOADS = "app_store_connect_downloads"
DEEPSEEK, CHATGPT = "6737597349", "6448311069"
DS_TITLE = "DeepSeek - AI Assistant"
DAY = dt.date(2025, 1, 27)

# --- Summary Sales reports -------------------------------------------------------------

SALES_COLUMNS = (
    "Provider, Provider Country, SKU, Developer, Title, Version, Product Type Identifier,"
    " Units, Developer Proceeds, Begin Date, End Date, Customer Currency, Country Code,"
    " Currency of Proceeds, Apple Identifier, Customer Price, Promo Code, Parent Identifier,"
    " Subscription, Period, Category, CMB, Device, Supported Platforms, Proceeds Reason,"
    " Preserved Pricing, Client, Order Type"
).split(", ")
assert len(SALES_COLUMNS) == 28
V2013, V2014, V2015 = SALES_COLUMNS[:21], SALES_COLUMNS[:22], SALES_COLUMNS[:24]

SALE = {
    "Provider": "APPLE",
    "Provider Country": "US",
    "SKU": "deepseek-ios",
    "Developer": "Hangzhou DeepSeek Artificial Intelligence Co., Ltd.",
    "Title": DS_TITLE,
    "Version": "1.0.7",
    "Product Type Identifier": "1",
    "Units": "1",
    "Developer Proceeds": "0",
    "Begin Date": "01/27/2025",
    "End Date": "01/27/2025",
    "Customer Currency": "USD",
    "Country Code": "US",
    "Currency of Proceeds": "USD",
    "Apple Identifier": DEEPSEEK,
    "Customer Price": "0",
    "Category": "Productivity",
    "Device": "iPhone",
    "Supported Platforms": "iOS",
}


def sales_report(rows: list[dict], columns=SALES_COLUMNS) -> str:
    """A Summary Sales report: a header of ``columns``, then a line per row (the
    fields of ``SALE`` with the row's own), tab-separated."""
    lines = ["\t".join(columns)]
    lines += ["\t".join({**SALE, **row}.get(c, "") for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def chatgpt(**fields) -> dict:
    return {"Title": "ChatGPT", "SKU": "chatgpt-ios", "Apple Identifier": CHATGPT, **fields}


# A day of DeepSeek's current (28-column) report, and a ChatGPT row.
CURRENT = sales_report(
    [
        {"Country Code": "US", "Units": "120"},
        {"Country Code": "US", "Product Type Identifier": "1F", "Units": "30", "Device": "iPad"},
        {"Country Code": "US", "Product Type Identifier": "3", "Units": "40"},  # re-download
        {"Country Code": "US", "Product Type Identifier": "7", "Units": "500"},  # update
        {  # an in-app purchase: its own id, the app's SKU as parent
            "Country Code": "US",
            "Product Type Identifier": "IA1",
            "Units": "5",
            "Title": "DeepSeek Pro",
            "SKU": "deepseek-pro-monthly",
            "Apple Identifier": "6740000001",
            "Parent Identifier": "deepseek-ios",
            "Customer Price": "9.99",
        },
        {"Country Code": "US", "Units": "-2", "Customer Price": "0"},  # a refund
        {"Country Code": "GB", "Units": "12.00", "Customer Currency": "GBP"},
        {"Country Code": "GB", "Product Type Identifier": "1T", "Units": "3"},
        {"Country Code": "DE", "Units": "1"},
        {"Country Code": "DE", "Units": "-3"},  # refunds beyond the day's downloads
        {"Country Code": "JP", "Product Type Identifier": "3", "Units": "9"},
        chatgpt(**{"Country Code": "US", "Units": "7"}),
    ]
)


def raw(item: str, body: str, source: str, archived: dt.date = DAY, day: dt.date = DAY) -> dict:
    """A RAW_BATCH row: a file archived under ``archived``, read for ``day``."""
    path = f"data/raw/{source}/date={archived}/country=ww/{item}"
    return {"date": day, "country": "ww", "item": item.split(".")[0], "path": path, "body": body}


def batch(*files: dict) -> pl.DataFrame:
    return pl.DataFrame(list(files), schema=RAW_BATCH)


def estimates(frame: pl.DataFrame) -> list[tuple]:
    assert frame.schema == APP_ESTIMATES
    assert frame["dau"].is_null().all() and (frame["store"] == "app_store").all()
    return frame.select("date", "country", "app_id", "app_name", "downloads", "source").rows()


def test_a_daily_sales_report_gives_first_time_downloads_per_app_country_and_day():
    rows = parse_sales(batch(raw("S_D_85012345_20250127.txt", CURRENT, SALES)))

    # US: 120 + 30 - 2 (re-downloads, updates, the in-app purchase left out); GB 12 + 3;
    # DE 1 - 3, clamped to 0; JP only re-downloads: no row.
    assert estimates(rows) == [
        (DAY, "de", DEEPSEEK, DS_TITLE, 0, SALES),
        (DAY, "gb", DEEPSEEK, DS_TITLE, 15, SALES),
        (DAY, "us", CHATGPT, "ChatGPT", 7, SALES),
        (DAY, "us", DEEPSEEK, DS_TITLE, 148, SALES),
    ]


@pytest.mark.parametrize(
    "columns", [V2013, V2014, V2015, SALES_COLUMNS[::-1]], ids=["2013", "2014", "2015", "shuffled"]
)
def test_every_column_version_is_read_by_name(columns):
    day = dt.date(2013, 6, 3)
    report = sales_report(
        [
            {"Units": "4", "Begin Date": "06/03/2013", "End Date": "06/03/2013"},
            {
                "Units": "2",
                "Country Code": "FR",
                "Begin Date": "06/03/2013",
                "End Date": "06/03/2013",
            },
            {
                "Units": "6",
                "Product Type Identifier": "7",
                "Begin Date": "06/03/2013",
                "End Date": "06/03/2013",
            },
        ],
        columns,
    )
    rows = parse_sales(batch(raw("S_D_85012345_20130603.txt", report, SALES, day, day)))

    assert estimates(rows) == [
        (day, "fr", DEEPSEEK, DS_TITLE, 2, SALES),
        (day, "us", DEEPSEEK, DS_TITLE, 4, SALES),
    ]


def test_a_gzipped_report_reads_as_its_text(tmp_path):
    folder = tmp_path / SALES / f"date={DAY}" / "country=ww"
    folder.mkdir(parents=True)
    (folder / "S_D_85012345_20250127.txt.gz").write_bytes(gzip.compress(CURRENT.encode()))

    files = read_batch(SALES, list_files(tmp_path, SALES, [DAY], ""))

    assert parse_sales(files).equals(parse_sales(batch(raw("S.txt", CURRENT, SALES))))


def test_the_same_day_in_two_files_counts_once_the_latest():
    again = CURRENT.replace("\t120\t", "\t125\t")
    rows = parse_sales(
        batch(
            raw("S_D_85012345_20250127.txt", again, SALES, archived=DAY),
            raw("S_D_20250127.txt", CURRENT, SALES, archived=DAY),
        )
    )
    # Both under date=2025-01-27: the larger item name is the later.
    assert estimates(rows)[-1] == (DAY, "us", DEEPSEEK, DS_TITLE, 153, SALES)


@pytest.mark.parametrize(
    ("report", "problem"),
    [
        (
            sales_report([{"Begin Date": "01/20/2025", "End Date": "01/26/2025"}]),
            r"line 2 runs from 01/20/2025 to 01/26/2025 .*weekly.*import the daily reports",
        ),
        ("", "empty file"),
        (
            sales_report([{}], [c for c in SALES_COLUMNS if c != "Units"]),
            "the header lacks 'Units': not an App Store Connect Summary Sales report",
        ),
        (sales_report([{"Units": "lots"}]), "Units is 'lots' on line 2, expected a number"),
        (sales_report([{}, {"Units": "1.5"}]), "Units is '1.5' on line 3, expected a whole"),
        (sales_report([{"Begin Date": "2025-01-27"}]), "Begin Date is '2025-01-27' on line 2"),
        (sales_report([{"Country Code": "USA"}]), "Country Code is 'USA' on line 2"),
        (sales_report([{"Apple Identifier": ""}]), "Apple Identifier is '' on line 2"),
        (sales_report([{}]) + "APPLE\tUS\n", "line 3 has 2 fields, but the header has 28"),
    ],
    ids=["weekly", "empty", "no-units", "units", "fraction", "date", "country", "id", "ragged"],
)
def test_a_bad_sales_report_is_refused_saying_where(report, problem):
    with pytest.raises(RawFileError, match=problem) as refused:
        parse_sales(batch(raw("S_D_1_20250127.txt", CURRENT, SALES), raw("x.txt", report, SALES)))
    assert refused.value.path.endswith("/x.txt") and refused.value.source == SALES


def test_a_sales_report_says_its_days_countries_and_name():
    span = sales_imports.sales_span("S_D_85012345_20250127.txt", CURRENT.encode())
    assert span.days == (DAY,) and span.supersedes
    assert span.countries == ("de", "gb", "jp", "us")
    assert span.item == "S_D_85012345_20250127.txt"

    gz = gzip.compress(("\ufeff" + CURRENT).encode())
    assert sales_imports.sales_span("report (1).txt.gz", gz).item == "S_D_20250127.txt.gz"
    assert sales_imports.sales_span("sales.txt", CURRENT.encode()).item == "S_D_20250127.txt"
    with pytest.raises(RawFileError, match="named for 20250128 but the report holds 2025-01-27"):
        sales_imports.sales_span("S_D_85012345_20250128.txt", CURRENT.encode())
    with pytest.raises(RawFileError, match="no rows"):
        sales_imports.sales_span("S_D_85012345_20250127.txt", sales_report([]).encode())
    with pytest.raises(RawFileError, match="weekly") as refused:
        weekly = sales_report([{"End Date": "02/02/2025"}])
        sales_imports.sales_span("S_W_85012345_20250127.txt", weekly.encode())
    assert refused.value.date is None and refused.value.country is None


# --- Analytics Reports: App Store Downloads ---------------------------------------------

STANDARD = (
    "Date, App Name, App Apple Identifier, Download Type, App Version, Device,"
    " Platform Version, Source Type, Page Type, Pre-Order, Territory, Counts"
).split(", ")
DETAILED = [*STANDARD[:-1], "Source Info", "Campaign", "Page Title", "Counts"]

DOWNLOAD = {
    "App Name": "DeepSeek",
    "App Apple Identifier": DEEPSEEK,
    "Download Type": "First-time download",
    "App Version": "1.0.7",
    "Device": "iPhone",
    "Platform Version": "iOS 18.2",
    "Source Type": "App Store search",
    "Page Type": "Product page",
    "Pre-Order": "",
    "Territory": "US",
}


def downloads_report(rows: list[dict], columns=STANDARD) -> str:
    lines = ["\t".join(columns)]
    lines += ["\t".join({**DOWNLOAD, **row}.get(c, "") for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


D1, D2, D3 = DAY, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)

# The segment delivered on 01-28: the 27th and 28th.
FIRST = downloads_report(
    [
        {"Date": "2025-01-27", "Counts": "100"},
        {"Date": "2025-01-27", "Counts": "40", "Device": "iPad"},
        {"Date": "2025-01-27", "Counts": "25", "Source Type": "Web referrer"},
        {"Date": "2025-01-27", "Counts": "30", "Download Type": "Redownload"},
        {"Date": "2025-01-27", "Counts": "900", "Download Type": "Auto-update"},
        {"Date": "2025-01-27", "Counts": "12", "Territory": "GB"},
        {"Date": "2025-01-28", "Counts": "110"},
        {"Date": "2025-01-28", "Counts": "", "Territory": "GB"},  # withheld
    ]
)
# The segment delivered on 01-29: a late correction of one row of the 27th, and the 29th.
SECOND = downloads_report(
    [
        {"Date": "2025-01-27", "Counts": "44", "Device": "iPad"},
        {"Date": "2025-01-29", "Counts": "90"},
        {
            "Date": "2025-01-29",
            "Counts": "7",
            "App Name": "ChatGPT",
            "App Apple Identifier": CHATGPT,
        },
    ]
)


def test_late_corrections_keep_the_latest_row_and_count_every_other_once():
    rows = parse_downloads(
        batch(
            # The later segment first: the order of the batch is not what decides.
            raw("seg-1.csv.gz", SECOND, DOWNLOADS, archived=D3),
            raw("seg-0.csv.gz", FIRST, DOWNLOADS, archived=D2),
        )
    )

    assert estimates(rows) == [
        # 100 + 44 (the iPad row corrected from 40) + 25; re-downloads, updates left out.
        (D1, "gb", DEEPSEEK, "DeepSeek", 12, DOWNLOADS),
        (D1, "us", DEEPSEEK, "DeepSeek", 169, DOWNLOADS),
        (D2, "gb", DEEPSEEK, "DeepSeek", 0, DOWNLOADS),
        (D2, "us", DEEPSEEK, "DeepSeek", 110, DOWNLOADS),
        (D3, "us", CHATGPT, "ChatGPT", 7, DOWNLOADS),
        (D3, "us", DEEPSEEK, "DeepSeek", 90, DOWNLOADS),
    ]


def test_a_copy_of_a_segment_counts_once_and_within_a_file_the_last_row_wins():
    repeated = (
        FIRST + "2025-01-27\t" + FIRST.splitlines()[1].split("\t", 1)[1].replace("\t100", "\t101")
    )
    rows = parse_downloads(
        batch(
            raw("a.csv", FIRST, DOWNLOADS, archived=D2),
            raw("b.csv", repeated, DOWNLOADS, archived=D2),
        )
    )
    assert estimates(rows)[1] == (D1, "us", DEEPSEEK, "DeepSeek", 166, DOWNLOADS)


def test_a_detailed_report_is_read_by_name_and_never_added_to_a_standard_one():
    detailed = downloads_report(
        [
            {"Date": "2025-01-27", "Counts": "60", "Source Info": "example.com"},
            {"Date": "2025-01-27", "Counts": "80", "Campaign": "launch", "Page Title": "Default"},
            {"Date": "2025-01-29", "Counts": "5", "Territory": "FR"},
        ],
        DETAILED[::-1],  # columns in another order: read by name
    )
    alone = parse_downloads(batch(raw("detailed.csv", detailed, DOWNLOADS, archived=D3)))
    assert estimates(alone) == [
        (D1, "us", DEEPSEEK, "DeepSeek", 140, DOWNLOADS),
        (D3, "fr", DEEPSEEK, "DeepSeek", 5, DOWNLOADS),
    ]

    both = parse_downloads(
        batch(
            raw("standard.csv", FIRST, DOWNLOADS, archived=D2),
            raw("detailed.csv", detailed, DOWNLOADS, archived=D3),
        )
    )
    # The 27th from the Standard report only; the 29th only the Detailed one has.
    assert estimates(both) == [
        (D1, "gb", DEEPSEEK, "DeepSeek", 12, DOWNLOADS),
        (D1, "us", DEEPSEEK, "DeepSeek", 165, DOWNLOADS),
        (D2, "gb", DEEPSEEK, "DeepSeek", 0, DOWNLOADS),
        (D2, "us", DEEPSEEK, "DeepSeek", 110, DOWNLOADS),
        (D3, "fr", DEEPSEEK, "DeepSeek", 5, DOWNLOADS),
    ]


@pytest.mark.parametrize(
    ("report", "problem"),
    [
        (
            downloads_report([{"Date": "01/27/2025", "Counts": "1"}]),
            "Date is '01/27/2025' on line 2",
        ),
        (downloads_report([{"Date": "2025-01-27", "Counts": "-1"}]), "Counts is '-1' on line 2"),
        (downloads_report([{"Date": "2025-01-27", "Counts": "n/a"}]), "expected a number"),
        (
            downloads_report([{"Date": "2025-01-27", "Counts": "1", "Territory": ""}]),
            "Territory is '' on line 2",
        ),
        (
            downloads_report([{}], [c for c in STANDARD if c != "Download Type"]),
            "the header lacks 'Download Type'",
        ),
        (sales_report([{}]), "lacks 'Date', 'App Name', 'App Apple Identifier', 'Download Type'"),
    ],
    ids=["date", "negative", "count", "territory", "no-type", "a-sales-report"],
)
def test_a_bad_downloads_report_is_refused_saying_where(report, problem):
    with pytest.raises(RawFileError, match=problem) as refused:
        parse_downloads(batch(raw("ok.csv", FIRST, DOWNLOADS), raw("bad.csv", report, DOWNLOADS)))
    assert refused.value.path.endswith("/bad.csv")


def test_a_downloads_segment_says_its_days_and_territories():
    span = downloads_imports.downloads_span("seg-0.csv.gz", gzip.compress(FIRST.encode()))
    assert span.days == (D1, D2) and span.countries == ("gb", "us")
    assert span.item == "seg-0.csv.gz" and span.supersedes
    with pytest.raises(RawFileError, match=r"starts with '\.'"):
        downloads_imports.downloads_span(".seg.csv", FIRST.encode())


def test_a_day_without_reports_gives_no_rows():
    assert estimates(parse_sales(batch())) == []
    assert estimates(parse_downloads(batch())) == []
