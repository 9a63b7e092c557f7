"""The reported figures of DeepSeek's launch, reproduced by the pipeline from the
sample market (raw responses -> lake -> warehouse -> launch_report), and the
README's example queries answered by the sample warehouse."""

from __future__ import annotations

import re

import duckdb
import pytest

from tests.conftest import REPO
from warehouse.report import launch_report
from warehouse.reported import compare


@pytest.fixture(scope="module")
def warehouse(sample_window):
    con = duckdb.connect(str(sample_window / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def test_every_reported_figure_within_tolerance(warehouse):
    rows = launch_report(warehouse, "deepseek", "2025-01-27", "perplexity")
    results = compare(rows)
    assert [r.id for r in results] == [f"F{i}" for i in range(1, 13)]
    failed = [
        f"{r.id} {r.description}: computed {r.computed}, reported {r.reported}"
        for r in results
        if not r.within_tolerance
    ]
    assert not failed, "\n".join(failed)


def test_us_chart_on_breakout_day_is_the_hand_checked_one(warehouse):
    names = [
        row[0]
        for row in warehouse.execute(
            "SELECT c.app_name FROM chart_entries AS c"
            " WHERE c.date = DATE '2025-01-27' AND c.country = 'us' AND c.store = 'app_store'"
            " AND c.chart = 'top_free' AND c.rank <= 14 ORDER BY c.rank"
        ).fetchall()
    ]
    assert names[:10] == [
        "DeepSeek - AI Assistant",
        "ChatGPT",
        "Paramount+",
        "Temu: Shop Like a Billionaire",
        "FOX Sports: Watch Live",
        "Bluesky Social",
        "ReelShort - Stream Drama & TV",
        "VPN - Super Unlimited Proxy",
        "Threads",
        "Google",
    ]
    assert names[13] == "Google Gemini"


def test_contract_grains_hold(warehouse):
    grains = {
        "chart_entries": "date, country, store, device, chart, genre_id, rank",
        "app_chart_coverage": "date, store, device, chart, app_id",
        "app_rank_history": "date, country, store, device, chart, app_id",
        "product_downloads_daily": "date, product",
        "product_country_share": "date, product, country",
        "product_dau_daily": "date, product",
        "search_interest_daily": "date, product, source",
        "apps": "store, app_id",
    }
    for table, grain in grains.items():
        duplicates = warehouse.execute(
            f"SELECT count(*) FROM (SELECT {grain} FROM {table} GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
        assert duplicates == 0, f"{table} has duplicate rows at grain ({grain})"


def test_readme_queries_answer(warehouse):
    readme = (REPO / "README.md").read_text()
    queries = re.findall(r"```sql\n(.*?)```", readme, re.DOTALL)
    assert len(queries) >= 6
    for sql in queries:
        rows = warehouse.execute(sql).fetchall()
        assert rows, f"README query returned nothing:\n{sql}"
