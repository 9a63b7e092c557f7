"""Parse archived iTunes Lookup API responses into app metadata. Each file is one
call ``GET https://itunes.apple.com/lookup?id=<id>,<id>,...&country=<cc>&entity=software``
for up to 100 App Store ids in the storefront of its partition's country, archived
as ``lookup-<NNN>.json`` (see docs/raw-formats.md). Every software result becomes
one APP_METADATA row of the partition's date and country; ids the store does not
know are simply absent from ``results`` and give no row. A whole batch is decoded
at once; a file that cannot be read completely (not JSON, an HTML page, no
``results``, a ``resultCount`` that does not match them, a result without
``trackId`` or ``trackName``) raises RawFileError naming it, and nothing partial is
returned.

Also the two pure helpers of the fetch: ``lookup_batches`` splits the ids to look
up into calls, ``lookup_item`` names each call's file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from assets.parsing import FILE, conform, decode_json, failing, number_files, raise_first_problem
from assets.schemas import APP_METADATA

SOURCE = "itunes_lookup"
LOOKUP_URL = "https://itunes.apple.com/lookup"
# Ids per call: many fit in one call, and the commonly quoted limit is ~20 calls a minute.
BATCH_SIZE = 100
# The file of the n-th call of a day and storefront: lookup-001, lookup-002, ...
LOOKUP_ITEM = r"^lookup-\d{3,}$"
SOFTWARE = "software"  # the wrapperType of an app; other wrappers (an artist) are not apps

_APP_ID = re.compile(r"[0-9]+")

_LOOKUP = pl.Struct(
    {
        "resultCount": pl.Int64,
        "results": pl.List(
            pl.Struct(
                {
                    "wrapperType": pl.String,
                    "trackId": pl.Int64,
                    "trackName": pl.String,
                    "bundleId": pl.String,
                    "sellerName": pl.String,
                    "artistName": pl.String,
                    "primaryGenreName": pl.String,
                    "primaryGenreId": pl.Int64,
                    "price": pl.Float64,
                    "currency": pl.String,
                    "averageUserRating": pl.Float64,
                    "userRatingCount": pl.Int64,
                    "releaseDate": pl.String,
                    "version": pl.String,
                }
            )
        ),
        # Set instead of results when the API refused the request.
        "errorMessage": pl.String,
    }
)


def lookup_batches(app_ids: Iterable[str], size: int = BATCH_SIZE) -> list[list[str]]:
    """The App Store ids to look up, split into calls of at most ``size`` ids.

    Ids are deduplicated and sorted numerically, so the same set of ids always gives
    the same calls (and the same archived files). An id that is not all digits (a
    Play package name, an empty string) raises ValueError naming it.
    """
    if isinstance(app_ids, str):
        raise TypeError("app_ids must be a collection of ids, not one string")
    if size < 1:
        raise ValueError(f"a lookup needs at least one id per call, got size={size}")
    unique = set()
    for app_id in app_ids:
        if not isinstance(app_id, str) or not _APP_ID.fullmatch(app_id):
            raise ValueError(
                f"app id {app_id!r} is not a numeric App Store id: the iTunes Lookup API"
                " takes App Store track ids (digits, as text), not Play package names"
            )
        unique.add(app_id)
    ordered = sorted(unique, key=lambda app_id: (int(app_id), app_id))
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def lookup_item(batch_number: int) -> str:
    """The archived file name of a day's ``batch_number``-th call (1-based): lookup-001.json."""
    if isinstance(batch_number, bool) or not isinstance(batch_number, int) or batch_number < 1:
        raise ValueError(f"lookup batches are numbered from 1, got {batch_number!r}")
    return f"lookup-{batch_number:03d}.json"


def parse_lookup(batch: pl.DataFrame) -> pl.DataFrame:
    """App metadata of archived iTunes Lookup responses (``itunes_lookup``).

    ``batch`` is a RAW_BATCH of ``lookup-<NNN>`` files. One row per software result:
    app_id is ``trackId`` as text, developer ``sellerName`` (else ``artistName``),
    release_date the calendar day of ``releaseDate``; optional fields Apple leaves
    out are null. An app found in several files of one date and country (two calls
    that both asked for it) keeps the row of the file whose path sorts first.
    """
    files = number_files(batch)
    docs, undecodable = decode_json(files, _LOOKUP)
    doc = docs["doc"]
    responses = files.with_columns(
        results=doc.struct.field("results"),
        result_count=doc.struct.field("resultCount"),
        api_error=doc.struct.field("errorMessage"),
    )
    results = pl.col("results")
    entries = (
        responses.filter(results.list.len() > 0)
        .select(
            FILE,
            "date",
            "country",
            "path",
            result=results,
            index=pl.int_ranges(results.list.len(), dtype=pl.Int32),
        )
        .explode("result", "index")
    )
    result = pl.col("result")
    wrapper = result.struct.field("wrapperType")
    apps = entries.filter(wrapper.is_null() | (wrapper == SOFTWARE)).with_columns(
        track_id=result.struct.field("trackId"),
        app_id=result.struct.field("trackId").cast(pl.String),
        name=result.struct.field("trackName"),
        released=result.struct.field("releaseDate"),
    )
    at = pl.format("results[{}]", "index")
    app = pl.format("app {} ({}", "app_id", at)
    release_date = (
        pl.when(pl.col("released").str.contains(r"^\d{4}-\d{2}-\d{2}(T|$)"))
        .then(pl.col("released").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        .alias("release_date")
    )
    apps = apps.with_columns(release_date)
    raise_first_problem(
        SOURCE,
        files,
        [
            failing(
                responses,
                ~pl.col("item").str.contains(LOOKUP_ITEM),
                pl.format(
                    "unexpected item '{}': itunes_lookup files are named lookup-<NNN>"
                    " (lookup-001.json, lookup-002.json, ...)",
                    "item",
                ),
            ),
            undecodable,
            failing(
                responses,
                results.is_null(),
                pl.concat_str(
                    pl.lit("missing field results"),
                    pl.format(" (the file is an API error: {})", "api_error"),
                    ignore_nulls=True,
                ),
            ),
            failing(
                responses,
                pl.col("result_count") != results.list.len(),
                pl.format(
                    "resultCount is {} but results holds {}: the response is incomplete",
                    "result_count",
                    results.list.len(),
                ),
            ),
            failing(entries, result.is_null(), pl.format("{} is null", at)),
            failing(apps, pl.col("track_id").is_null(), pl.format("missing trackId at {}", at)),
            failing(
                apps,
                pl.col("track_id") <= 0,
                pl.format("trackId {} at {} is not an App Store id", "track_id", at),
            ),
            failing(
                apps,
                pl.col("name").is_null(),
                pl.format("missing trackName for {}.trackName)", app),
            ),
            failing(
                apps,
                pl.col("released").is_not_null() & pl.col("release_date").is_null(),
                pl.format(
                    "releaseDate '{}' of {}.releaseDate) is not a date-time like"
                    " 2025-01-10T08:00:00Z",
                    "released",
                    app,
                ),
            ),
        ],
    )
    field = result.struct.field
    metadata = (
        apps.sort("date", "country", "path", "index")
        .unique(["date", "country", "app_id"], keep="first", maintain_order=True)
        .with_columns(
            store=pl.lit("app_store"),
            developer=pl.coalesce(field("sellerName"), field("artistName")),
            bundle_id=field("bundleId"),
            genre=field("primaryGenreName"),
            genre_id=field("primaryGenreId").cast(pl.String),
            price=field("price"),
            currency=field("currency"),
            rating_count=field("userRatingCount"),
            average_rating=field("averageUserRating"),
            version=field("version"),
            source=pl.lit(SOURCE),
        )
    )
    return conform(metadata, APP_METADATA)
