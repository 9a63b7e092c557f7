"""Files that hold many days (a user's reports): archived once, under their last day,
with a ref from each other day; a month imported again as it grows adds only the
days the archive lacks; bodies read as text whether gzipped or UTF-16."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from assets.raw import (
    RawArchiveConflict,
    RawFileError,
    RawResponse,
    archive_span,
    decode_body,
    list_files,
    read_batch,
)

JAN = [dt.date(2025, 1, d) for d in range(1, 32)]


def _month(last: int, text: str = "v") -> RawResponse:
    return RawResponse("plays", JAN[last - 1], "ww", "installs_x_202501_country.csv", text.encode())


def _read(raw, day):
    return read_batch("plays", list_files(raw, "plays", [day], ""))


def test_a_file_of_many_days_is_archived_once_and_each_day_reads_it(tmp_path):
    written, days = archive_span(tmp_path, _month(10, "through 10"), JAN[:10])

    assert written and days == JAN[:10]
    archived = list(tmp_path.rglob("installs_x_202501_country.csv"))
    assert len(archived) == 1 and "date=2025-01-10" in str(archived[0])
    for day in (JAN[0], JAN[9]):
        (row,) = _read(tmp_path, day).iter_rows(named=True)
        assert row["body"] == "through 10" and row["date"] == day
        assert row["path"] == str(archived[0])
    assert _read(tmp_path, JAN[10]).is_empty()


def test_a_growing_month_adds_only_the_days_the_archive_lacks(tmp_path):
    archive_span(tmp_path, _month(10, "through 10"), JAN[:10], supersedes=False)
    written, days = archive_span(tmp_path, _month(20, "through 20"), JAN[:20], supersedes=False)

    assert written and days == JAN[10:20]
    assert [r["body"] for r in _read(tmp_path, JAN[4]).iter_rows(named=True)] == ["through 10"]
    assert [r["body"] for r in _read(tmp_path, JAN[14]).iter_rows(named=True)] == ["through 20"]
    # The same copy again changes nothing; an older copy after a newer one adds nothing.
    assert archive_span(tmp_path, _month(20, "through 20"), JAN[:20], False) == (False, JAN[19:20])
    assert archive_span(tmp_path, _month(5, "through 5"), JAN[:5], supersedes=False) == (False, [])
    assert (
        not (tmp_path / "plays" / "date=2025-01-05" / "country=ww")
        .joinpath("installs_x_202501_country.csv")
        .exists()
    )


def test_corrections_give_a_day_every_file_that_has_it(tmp_path):
    first = RawResponse("asc", JAN[2], "ww", "seg-a.txt", b"a")
    second = RawResponse("asc", JAN[3], "ww", "seg-b.txt", b"b")
    archive_span(tmp_path, first, JAN[:3])
    archive_span(tmp_path, second, JAN[1:4])

    batch = read_batch("asc", list_files(tmp_path, "asc", [JAN[2]], ""))
    assert sorted(batch["body"]) == ["a", "b"]


def test_a_different_copy_of_the_same_day_is_refused(tmp_path):
    archive_span(tmp_path, _month(10, "one"), JAN[:10])
    with pytest.raises(RawArchiveConflict, match="never rewritten"):
        archive_span(tmp_path, _month(10, "another"), JAN[:10])


def test_a_broken_ref_is_named(tmp_path):
    archive_span(tmp_path, _month(3), JAN[:3])
    (
        tmp_path / "plays" / "date=2025-01-03" / "country=ww" / "installs_x_202501_country.csv"
    ).unlink()
    with pytest.raises(RawFileError, match="not an archived file"):
        list_files(tmp_path, "plays", [JAN[0]], "")


def test_bodies_are_read_as_text_whatever_their_encoding():
    text = "Date,Country\n2025-01-01,US\n"
    assert decode_body(gzip.compress(text.encode()), "s", None, None, "f") == text
    assert decode_body(text.encode("utf-16"), "s", None, None, "f") == text
    assert decode_body(gzip.compress(text.encode("utf-16")), "s", None, None, "f") == text
    with pytest.raises(RawFileError, match="gzip file that cannot be unpacked"):
        decode_body(gzip.compress(text.encode())[:-9], "s", None, None, "f")
    with pytest.raises(RawFileError, match="not UTF-8"):
        decode_body(b"\xc3(", "s", None, None, "f")
