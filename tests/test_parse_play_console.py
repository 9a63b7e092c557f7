"""Google Play Console installs reports (by country) into app estimates: every
documented column set, UTF-16 with a BOM or UTF-8, and what a report says of itself
(its app, month, days and countries) when it is imported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from assets.raw import RawFileError
from assets.schemas import APP_ESTIMATES
from assets.sources.importing import Span
from assets.sources.play_console_installs.imports import installs_span
from assets.sources.play_console_installs.parse import parse_installs
from assets.sources.source import Day
from tests.raw_batches import raw_batch, raw_file

DEEPSEEK = "com.deepseek.chat"
NAME = f"installs_{DEEPSEEK}_202501_country.csv"

# The country report's header as Google writes it now (13 columns) ...
CURRENT = (
    "Date,Package Name,Country,Daily Device Installs,Daily Device Uninstalls,"
    "Daily Device Upgrades,Total User Installs,Daily User Installs,Daily User Uninstalls,"
    "Active Device Installs,Install events,Update events,Uninstall events"
)
# ... before 2016-09: Current Device/User Installs, no Active Device Installs, no events.
BEFORE_2016_09 = (
    "Date,Package Name,Country,Current Device Installs,Daily Device Installs,"
    "Daily Device Uninstalls,Daily Device Upgrades,Current User Installs,"
    "Total User Installs,Daily User Installs,Daily User Uninstalls"
)
# ... from 2016-12 to 2017-10: no events yet; some files spell "Package name".
BEFORE_2017_11 = (
    "Date,Package name,Country,Daily Device Installs,Daily Device Uninstalls,"
    "Daily Device Upgrades,Total User Installs,Daily User Installs,Daily User Uninstalls,"
    "Active Device Installs"
)


def report(header: str, *rows: tuple[str, str, object], package: str = DEEPSEEK) -> str:
    """A country report: (Date, Country, Daily User Installs) per row, the other
    columns filled with counts that are not downloads."""
    names = header.split(",")
    lines = [header]
    for index, (date, country, installs) in enumerate(rows):
        values = {"Date": date, "Package Name": package, "Package name": package}
        values |= {"Country": country, "Daily User Installs": str(installs)}
        lines.append(",".join(values.get(name, str(900 + index)) for name in names))
    return "\n".join(lines) + "\n"


JANUARY = report(
    CURRENT,
    ("2025-01-01", "US", 1200),
    ("2025-01-01", "GB", 300),
    ("2025-01-02", "US", 1350),
    ("2025-01-02", "XK", 4),
)


def as_archived(text: str, item: str = NAME, date: dt.date = dt.date(2025, 1, 2)) -> dict:
    """The file as the archive hands it to the parser: its text, under country=ww."""
    return raw_file(
        item.removesuffix(".csv"), text, source="play_console_installs", date=date, country="ww"
    ) | {"path": f"data/raw/play_console_installs/date={date}/country=ww/{item}"}


def rows(*expected: tuple[dt.date, str, str, int]) -> list[dict]:
    return [
        {
            "date": date,
            "country": country,
            "store": "google_play",
            "app_id": app,
            "app_name": None,
            "downloads": downloads,
            "dau": None,
            "source": "play_console_installs",
        }
        for date, country, app, downloads in expected
    ]


JAN_1, JAN_2 = dt.date(2025, 1, 1), dt.date(2025, 1, 2)
JANUARY_ROWS = rows(
    (JAN_1, "us", DEEPSEEK, 1200),
    (JAN_1, "gb", DEEPSEEK, 300),
    (JAN_2, "us", DEEPSEEK, 1350),
    (JAN_2, "xk", DEEPSEEK, 4),
)


def problem_of(text: str, item: str = NAME) -> str:
    with pytest.raises(RawFileError) as caught:
        parse_installs(raw_batch(as_archived(text, item)))
    return caught.value.problem


def span_problem(name: str, body: bytes) -> RawFileError:
    with pytest.raises(RawFileError) as caught:
        installs_span(name, body)
    return caught.value


def test_a_current_utf16_report_gives_daily_user_installs_of_every_day():
    body = JANUARY.encode("utf-16")  # as Google writes it: UTF-16 with a BOM
    assert body[:2] == b"\xff\xfe"

    assert installs_span(NAME, body) == Span(
        days=(JAN_1, JAN_2), countries=("gb", "us", "xk"), item=NAME, supersedes=False
    )
    estimates = parse_installs(raw_batch(as_archived(body.decode("utf-16"))))
    assert estimates.schema == APP_ESTIMATES
    assert estimates.to_dicts() == JANUARY_ROWS


def test_a_utf8_report_with_or_without_its_bom_reads_the_same():
    for body in (JANUARY.encode("utf-8"), JANUARY.encode("utf-8-sig")):
        assert installs_span(NAME, body).days == (JAN_1, JAN_2)
        text = body.decode("utf-8")  # the archive keeps a UTF-8 BOM as "\ufeff"
        assert parse_installs(raw_batch(as_archived(text))).to_dicts() == JANUARY_ROWS
    # Line ends of Windows and quoted fields change nothing.
    quoted = JANUARY.replace(",US,", ',"US",').replace("\n", "\r\n")
    assert parse_installs(raw_batch(as_archived(quoted))).to_dicts() == JANUARY_ROWS


def test_older_column_sets_are_read_by_name():
    old = report(BEFORE_2016_09, ("2016-05-01", "DE", 40), ("2016-05-02", "DE", 0))
    lower = report(BEFORE_2017_11, ("2017-03-31", "JP", 7), package="com.example.app")
    estimates = parse_installs(
        raw_batch(
            as_archived(old, f"installs_{DEEPSEEK}_201605_country.csv"),
            as_archived(lower, "installs_com.example.app_201703_country.csv"),
        )
    )
    assert estimates.to_dicts() == rows(
        (dt.date(2016, 5, 1), "de", DEEPSEEK, 40),
        (dt.date(2016, 5, 2), "de", DEEPSEEK, 0),
        (dt.date(2017, 3, 31), "jp", "com.example.app", 7),
    )
    assert installs_span("my export.csv", lower.encode("utf-16")) == Span(
        days=(dt.date(2017, 3, 31),),
        countries=("jp",),
        item="installs_com.example.app_201703_country.csv",
        supersedes=False,
    )


def test_a_day_keeps_its_own_rows_of_configured_storefronts(tmp_path: Path):
    estimates = parse_installs(raw_batch(as_archived(JANUARY)))
    day = Day(
        date=JAN_2,
        raw_dir=tmp_path,
        countries=lambda store: ("gb", "us"),
        products=None,
        imported_as="import",
    )
    # XK (Kosovo, a code Play uses) is no storefront: left out with the other day.
    assert day.own(estimates, "google_play").to_dicts() == JANUARY_ROWS[2:3]


@pytest.mark.parametrize(
    ("installs", "problem"),
    [
        ("-3", "Daily User Installs is negative (-3) on line 3"),
        ("12.5", "Daily User Installs is not a whole number ('12.5') on line 3"),
        ("", "Daily User Installs is empty on line 3"),
    ],
)
def test_a_count_that_is_not_a_whole_number_is_refused(installs, problem):
    text = report(CURRENT, ("2025-01-01", "US", 5), ("2025-01-01", "GB", installs))
    assert problem_of(text) == problem
    assert span_problem(NAME, text.encode("utf-16")).problem == problem


def test_rows_that_are_not_one_month_of_one_app_are_refused():
    february = report(CURRENT, ("2025-01-31", "US", 5), ("2025-02-01", "US", 6))
    assert problem_of(february) == (
        "Date is 2025-02-01 on line 3, but line 2 is of 2025-01: a report is one month's"
    )
    two_apps = (
        report(CURRENT, ("2025-01-01", "US", 5))
        + report(CURRENT, ("2025-01-02", "US", 6), package="com.openai.chatgpt").split("\n", 1)[1]
    )
    assert problem_of(two_apps) == (
        "Package Name is 'com.openai.chatgpt' on line 3, but 'com.deepseek.chat' on line 2:"
        " a report is one app's"
    )
    twice = report(CURRENT, ("2025-01-01", "US", 5), ("2025-01-01", "US", 6))
    assert problem_of(twice) == "line 3 repeats Date 2025-01-01 and Country US of line 2"
    assert problem_of(report(CURRENT, ("01/01/2025", "US", 5))) == (
        "Date is '01/01/2025' on line 2, expected YYYY-MM-DD"
    )
    assert problem_of(report(CURRENT, ("2025-01-01", "USA", 5))) == (
        "Country is 'USA' on line 2, expected a two-letter code"
    )
    ragged = JANUARY.replace("2025-01-02,com.deepseek.chat,US,", "2025-01-02,US,")
    assert problem_of(ragged) == "line 4 has 12 fields, expected 13 (one per column of the header)"


def test_the_overview_and_other_dimensions_are_refused_naming_the_country_file():
    overview = report(CURRENT.replace("Country,", ""), ("2025-01-01", "", 5))
    problem = span_problem(f"installs_{DEEPSEEK}_202501_overview.csv", overview.encode("utf-16"))
    assert problem.problem == (
        f"this is the overview installs report; Chartwatch reads the one by country: import {NAME}"
    )
    assert problem.date is None and "nothing was archived" in problem.hint
    assert problem_of(overview, "exported.csv") == (
        "no Country column: this is the overview report (or another dimension's), not the"
        f" installs report by country; import {NAME} (beside it in the bucket's"
        " stats/installs/ folder)"
    )
    device = span_problem(f"installs_{DEEPSEEK}_202501_device.csv", b"Date,Device\n")
    assert device.problem.endswith(f"import {NAME}")
    assert "lacks Daily User Installs" in problem_of("Date,Package Name,Country\n2025-01-01,x,US\n")
    assert problem_of("") == "empty file: no header"


def test_a_name_must_agree_with_the_content():
    body = JANUARY.encode("utf-16")
    wrong_month = span_problem(f"installs_{DEEPSEEK}_202502_country.csv", body)
    assert wrong_month.problem == (
        f"the file is named for {DEEPSEEK} in 202502, but holds {DEEPSEEK}'s installs of"
        f" 2025-01 (it would be {NAME})"
    )
    assert "com.openai.chatgpt in 202501" in (
        span_problem("installs_com.openai.chatgpt_202501_country.csv", body).problem
    )
    # Any other name: the item is the content's.
    assert installs_span("Downloads/deepseek.csv", body).item == NAME
    header_only = span_problem(NAME, (CURRENT + "\n").encode("utf-16"))
    assert header_only.problem == "the report has a header but no rows: it holds no day"
    assert "UTF-16 without a byte order mark" in (
        span_problem(NAME, JANUARY.encode("utf-16-le")).problem
    )


def test_a_batch_of_several_reports_is_one_frame():
    other = report(CURRENT, ("2025-01-02", "US", 9), package="com.openai.chatgpt")
    estimates = parse_installs(
        raw_batch(
            as_archived(JANUARY),
            as_archived(other, "installs_com.openai.chatgpt_202501_country.csv"),
        )
    )
    assert estimates.height == 5
    assert estimates.filter(pl.col("app_id") == "com.openai.chatgpt").to_dicts() == rows(
        (JAN_2, "us", "com.openai.chatgpt", 9)
    )


# --- imported through make import's code, read back by the lake --------------------

SOURCE_DIR = "play_console_installs"


def january_through(last: int, revised: int = 0) -> str:
    """The month as the bucket holds it after ``last`` days; ``revised`` is added to
    every count (Google may restate past days in a newer copy)."""
    return report(
        CURRENT,
        *(
            (f"2025-01-{d:02d}", country, 100 * d + offset + revised)
            for d in range(1, last + 1)
            for country, offset in (("US", 1), ("GB", 2), ("XK", 3))
        ),
    )


def _day(raw: Path, date: dt.date) -> Day:
    return Day(
        date=date,
        raw_dir=raw,
        countries=lambda store: ("gb", "us"),
        products=None,
        imported_as="import",
    )


def test_a_growing_month_imported_again_adds_only_the_days_the_archive_lacks(tmp_path: Path):
    from assets.imports import import_files
    from assets.sources.play_console_installs import SOURCE

    raw = tmp_path / "raw"
    copy = tmp_path / NAME
    copy.write_bytes(january_through(10).encode("utf-16"))
    (first,) = import_files(SOURCE_DIR, None, None, [copy], raw)
    folder = raw / SOURCE_DIR
    assert first.path == folder / "date=2025-01-10" / "country=ww" / NAME
    assert first.written and first.days == tuple(dt.date(2025, 1, d) for d in range(1, 11))
    first_bytes = first.path.read_bytes()

    # Ten days later the bucket's copy has days 1-20, days 1-10 restated.
    copy.write_bytes(january_through(20, revised=7).encode("utf-16"))
    (second,) = import_files(SOURCE_DIR, dt.date(2025, 1, 15), "us", [copy], raw)
    assert second.path == folder / "date=2025-01-20" / "country=ww" / NAME
    assert second.days == tuple(dt.date(2025, 1, d) for d in range(11, 21))

    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == sorted(
        [f"date=2025-01-10/country=ww/{NAME}", f"date=2025-01-20/country=ww/{NAME}"]
        + [f"date=2025-01-{d:02d}/country=ww/{NAME}.ref" for d in range(1, 21) if d not in (10, 20)]
    )
    assert first.path.read_bytes() == first_bytes  # never rewritten
    for d in (1, 9):
        ref = folder / f"date=2025-01-{d:02d}" / "country=ww" / f"{NAME}.ref"
        assert ref.read_text() == f"date=2025-01-10/country=ww/{NAME}"
    for d in (11, 19):
        ref = folder / f"date=2025-01-{d:02d}" / "country=ww" / f"{NAME}.ref"
        assert ref.read_text() == f"date=2025-01-20/country=ww/{NAME}"

    read = SOURCE.feeds["app_estimates"].read
    # Days 1-10 keep the first copy's counts, once each; 11-20 are the second's.
    assert read(_day(raw, dt.date(2025, 1, 5))).to_dicts() == rows(
        (dt.date(2025, 1, 5), "us", DEEPSEEK, 501), (dt.date(2025, 1, 5), "gb", DEEPSEEK, 502)
    )
    assert read(_day(raw, dt.date(2025, 1, 10))).to_dicts() == rows(
        (dt.date(2025, 1, 10), "us", DEEPSEEK, 1001), (dt.date(2025, 1, 10), "gb", DEEPSEEK, 1002)
    )
    assert read(_day(raw, dt.date(2025, 1, 11))).to_dicts() == rows(
        (dt.date(2025, 1, 11), "us", DEEPSEEK, 1108), (dt.date(2025, 1, 11), "gb", DEEPSEEK, 1109)
    )
    assert read(_day(raw, dt.date(2025, 1, 21))).is_empty()

    # The same copy again adds nothing; DATE and COUNTRY must be ones the file holds.
    (again,) = import_files(SOURCE_DIR, None, None, [copy], raw)
    assert not again.written
    with pytest.raises(RawFileError, match="holds 2025-01-01 to 2025-01-20, not 2025-01-21"):
        import_files(SOURCE_DIR, dt.date(2025, 1, 21), None, [copy], raw)
    with pytest.raises(RawFileError, match="no rows for country fr"):
        import_files(SOURCE_DIR, None, "fr", [copy], raw)


def test_an_overview_report_is_not_imported(tmp_path: Path):
    from assets.imports import import_files

    overview = tmp_path / f"installs_{DEEPSEEK}_202501_overview.csv"
    overview.write_bytes(report(CURRENT.replace("Country,", ""), ("2025-01-01", "", 5)).encode())
    with pytest.raises(RawFileError, match=f"import {NAME}"):
        import_files(SOURCE_DIR, None, None, [overview], tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


def test_a_live_run_brings_imports_of_both_sources_to_the_lake(tmp_path: Path):
    """One Dagster run of the raw and lake assets on a day: a Play Console month and a
    google-play-scraper list reach app_estimates and chart_entries with their labels."""
    import json

    import dagster as dg

    from assets.imports import import_files
    from assets.resources import ChartwatchConfig
    from pipelines.definitions import build_definitions
    from tests.conftest import REPO

    config = ChartwatchConfig(
        source="live",
        countries="us,gb",
        data_dir=str(tmp_path / "data"),
        products_file=str(REPO / "products.toml"),
        contact="tests@example.org",
    )
    day = dt.date(2025, 1, 3)
    month = tmp_path / NAME
    month.write_bytes(january_through(5).encode("utf-16"))
    import_files(SOURCE_DIR, None, None, [month], config.raw_dir)
    scraped = tmp_path / "topselling_free.json"
    apps = [
        {"title": "DeepSeek - AI Assistant", "appId": DEEPSEEK, "developer": "DeepSeek"},
        {"title": "ChatGPT", "appId": "com.openai.chatgpt", "developer": "OpenAI"},
    ]
    scraped.write_text(json.dumps(apps), encoding="utf-8")
    import_files("google_play_scraper", day, "gb", [scraped], config.raw_dir)

    keys = [
        "raw/play_console_installs",
        "raw/google_play_scraper",
        "lake/app_estimates",
        "lake/chart_entries",
    ]
    job = build_definitions(config).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        partition_key=day.isoformat(),
        asset_selection=[dg.AssetKey.from_user_string(k) for k in keys],
        raise_on_error=False,
    )

    assert result.success
    lake = Path(config.data_dir) / "lake"
    estimates = pl.read_parquet(
        lake / "app_estimates" / "**" / "*.parquet", hive_partitioning=False
    )
    assert estimates.sort("country").to_dicts() == rows(
        (day, "gb", DEEPSEEK, 302), (day, "us", DEEPSEEK, 301)
    )
    charts = pl.read_parquet(lake / "chart_entries" / "**" / "*.parquet", hive_partitioning=False)
    assert charts.select("country", "chart", "rank", "app_id", "source").rows() == [
        ("gb", "top_free", 1, DEEPSEEK, "google_play_scraper"),
        ("gb", "top_free", 2, "com.openai.chatgpt", "google_play_scraper"),
    ]
