"""Hostile input through every door a person has (make variables, settings, the products
file, imports): each is refused with a message that says what is allowed, without a
traceback, before a run is recorded or a file written where it should not be; and
afterwards a plain `make backfill` converges to a clean run's data, as if nothing had
happened."""

from __future__ import annotations

import pytest

from tests.faults.workspace import END, START, differences, fingerprints

DOOR_KNOCKS = [
    # (make arguments, environment, what the refusal says)
    (["backfill", "START=2025-01-20; touch PWNED", f"END={END}"], {}, "is not a date"),
    (["backfill", "START=$(shell touch PWNED)", f"END={END}"], {}, "is not a date"),
    (["backfill", f"START={START}", "END=`touch PWNED`"], {}, "is not a date"),
    (["backfill", f"START={START}", f"END={END}", "FAILED=yes please"], {}, "yes/no value"),
    (["backfill", f"START={START}", f"END={END}"], {"CHARTWATCH_COUNTRIES": "us,zz"}, "zz"),
    (["backfill", "START=2024-12-30", f"END={END}"], {}, "covers 2025-01-01..2025-02-09"),
    (["backfill", "START=2024-12-30", f"END={END}"], {"CHARTWATCH_SOURCE": "live"}, "before CHARTWATCH_FIRST_DAY"),
    (["backfill", "START=2025-02-08", "END=2025-02-10"], {}, "sample market covers"),
    (["backfill", f"START={START}", f"END={END}"], {"CHARTWATCH_ESTIMATES": "vendor'"}, "not known"),
    (["report", "PRODUCT=../../../PWNED", "DATE=2025-01-23"], {}, "is not a product key"),
    (["report", "PRODUCT=deepseek", "VS=a b", "DATE=2025-01-23"], {}, "is not a product key"),
    (["import", "SOURCE=apple_rss; touch PWNED", "DATE=2025-01-23", "COUNTRY=us", "FILES=x"], {}, "is not importable"),
    (["import", "SOURCE=apple_rss", "DATE=2025-01-23", "COUNTRY=us", "FILES=nowhere.json"], {}, "is not a file"),
]  # fmt: skip


def _no_traceback(output: str) -> None:
    assert "Traceback" not in output and "Stack Trace" not in output, output


@pytest.mark.parametrize("knock", range(len(DOOR_KNOCKS)))
def test_a_hostile_value_is_refused_before_anything_runs(workspace, knock):
    arguments, env, said = DOOR_KNOCKS[knock]

    refused = workspace.make(*arguments, **env)

    assert refused.returncode != 0
    assert said in refused.stderr, refused.stderr
    _no_traceback(refused.output)
    assert not list(workspace.root.rglob("PWNED")) and not list(workspace.data.parent.glob("PWNED"))
    assert workspace.runs() == []
    assert not workspace.data.exists()


def test_after_every_hostile_input_a_plain_backfill_converges(workspace, clean, tmp_path):
    # A products file whose key would write outside data/reports/.
    products = tmp_path / "products.toml"
    products.write_text('[products."../../../PWNED"]\nname = "x"\n')
    bad_products = workspace.backfill(CHARTWATCH_PRODUCTS=str(products))
    assert bad_products.returncode != 0 and "is not allowed" in bad_products.stderr
    _no_traceback(bad_products.output)
    assert workspace.runs() == []

    # Imports a person gets wrong: nested for ever, named for another storefront.
    deep = tmp_path / "top-free.json"
    deep.write_text('{"feed": {"results": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    nested = workspace.make(
        "import", "SOURCE=apple_rss", "DATE=2025-01-23", "COUNTRY=us", f"FILES={deep}"
    )
    assert nested.returncode != 0 and "nested too deeply" in nested.stderr
    other = tmp_path / "other.json"
    other.write_text(
        '{"feed": {"country": "gb", "updated": "Thu, 23 Jan 2025 06:00:00 +0000",'
        ' "results": [{"id": "1", "name": "x", "artistName": "y"}]}}'
    )
    misfiled = workspace.make(
        "import", "SOURCE=apple_rss", "DATE=2025-01-23", "COUNTRY=us", f"FILES={other}"
    )
    assert misfiled.returncode != 0 and "COUNTRY=gb" in misfiled.stderr
    for done in (nested, misfiled):
        _no_traceback(done.output)
        assert "nothing was archived" in done.stderr
    assert not list(tmp_path.rglob("PWNED")) and not (workspace.data / "raw").exists()

    again = workspace.backfill()

    assert again.returncode == 0, again.output
    got = fingerprints(workspace.data)
    want = {part: clean[part] for part in got}
    assert got == want, differences(got, want)
