"""Storage by URI: where CHARTWATCH_DATA_DIR puts the raw archive, the lake, the
quarantine and the reports.

A local folder (the default, ``data``) is a ``pathlib.Path`` and everything works
as it always has. ``s3://bucket/prefix`` is a ``upath.UPath`` over s3fs, with the
same path operations (``/``, ``exists``, ``read_bytes``, ``glob``), configured by the
standard AWS variables (``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``): any S3-compatible store (AWS, MinIO, R2,
moto) works.

What differs on an object store, and where it is handled:

- there are no folders, renames or locks. One PUT replaces an object atomically, so
  a lake partition (one object) is replaced in one step, and a create-only PUT
  (``If-None-Match: *``) keeps the raw archive append-only however many workers write
  it (``assets/storage.py``);
- listings are never cached (``use_listings_cache=False``): a worker must see the
  objects another worker wrote a moment ago;
- one request costs milliseconds, not microseconds: a day's files are listed with one
  recursive listing (``files_under``) and read concurrently (``read_all``).

Polars reads ``s3://`` with its own client; ``polars_options`` hands it the same
settings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from warehouse.errors import InvalidSetting

REMOTE_SCHEMES = ("s3",)
# An object store's lake also keeps, per dataset, one object per day with every
# storefront of the day: ``lake/<dataset>/_days/date=YYYY-MM-DD.parquet``, written
# after the day's partitions. It is the day's publish made atomic (one PUT) and the
# warehouse's read path (one request a day, not one per storefront). Hive readers
# skip folders that start with an underscore, as they skip Spark's ``_SUCCESS``.
DAY_SNAPSHOTS = "_days"
# A bucket name as S3 allows it (3-63 characters of lower-case letters, digits, dots, dashes).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def is_remote(path: object) -> bool:
    """True for a location on an object store (anything but a local path)."""
    return str(path).startswith(tuple(f"{scheme}://" for scheme in REMOTE_SCHEMES))


def data_root(uri: str) -> Path:
    """The root a CHARTWATCH_DATA_DIR names: a local Path, or a UPath for ``s3://``
    (typed as Path: it has the same operations)."""
    if "://" not in uri:
        return Path(uri)
    scheme, _, rest = uri.partition("://")
    if scheme not in REMOTE_SCHEMES:
        raise InvalidSetting(
            f"CHARTWATCH_DATA_DIR={uri!r}: the scheme {scheme!r} is not supported; give a local"
            " folder or s3://bucket/prefix"
        )
    bucket = rest.split("/", 1)[0]
    if not _BUCKET.fullmatch(bucket):
        raise InvalidSetting(
            f"CHARTWATCH_DATA_DIR={uri!r}: {bucket!r} is not an S3 bucket name (3-63 lower-case"
            " letters, digits, dots and dashes); give s3://bucket/prefix"
        )
    from upath import UPath

    return UPath(uri.rstrip("/"), use_listings_cache=False)  # type: ignore[return-value]


def check_reachable(root: Path) -> None:
    """For an object store: the bucket exists and answers, else a clear error."""
    if not is_remote(root):
        return
    bucket = str(root).removeprefix("s3://").split("/", 1)[0]
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    where = f" at {endpoint}" if endpoint else " (AWS; set AWS_ENDPOINT_URL for another store)"
    import s3fs

    # One attempt with short timeouts: a wrong endpoint is said in seconds, not after
    # the minute of retries a running pipeline rightly makes.
    quick = s3fs.S3FileSystem(
        skip_instance_cache=True,
        config_kwargs={"connect_timeout": 5, "read_timeout": 20, "retries": {"max_attempts": 1}},
    )
    try:
        quick.call_s3("head_bucket", Bucket=bucket)
    except FileNotFoundError as error:
        raise InvalidSetting(
            f"CHARTWATCH_DATA_DIR={root}: the bucket {bucket!r} does not exist{where}; create it"
            f" (e.g. `aws s3 mb s3://{bucket}`) or name another"
        ) from error
    except Exception as error:  # the store's client raises its own errors
        raise InvalidSetting(
            f"CHARTWATCH_DATA_DIR={root}: the object store{where} did not answer as expected"
            f" ({type(error).__name__}: {error}); check AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID and"
            " AWS_SECRET_ACCESS_KEY"
        ) from error


def uri(path: Path) -> str:
    """The text Polars and the error messages take for a path (local or remote)."""
    return str(path)


def polars_options(path: Path) -> dict[str, Any] | None:
    """Polars' storage_options for a path: None locally; for S3 the endpoint, region
    and keys of the environment, and plain HTTP allowed where the endpoint is http://
    (a local store), so users set only the standard AWS variables."""
    if not is_remote(path):
        return None
    options: dict[str, Any] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["aws_endpoint_url"] = endpoint
        if endpoint.startswith("http://"):
            options["aws_allow_http"] = "true"
    for variable, option in (
        ("AWS_ACCESS_KEY_ID", "aws_access_key_id"),
        ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
        ("AWS_SESSION_TOKEN", "aws_session_token"),
    ):
        if os.environ.get(variable):
            options[option] = os.environ[variable]
    options["aws_region"] = (
        os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    )
    return options


def read_parquet_files(
    files: list[Path], columns: list[str] | None = None, union: bool = False
) -> pl.DataFrame:
    """Parquet files (local or on an object store: read concurrently) as one frame, in
    order. ``union``: files may lack columns of the first file (given nulls) or have
    columns it lacks (dropped): put the file with the newest columns first."""
    remote = is_remote(files[0])
    if not union:
        return pl.read_parquet(
            [uri(path) for path in files] if remote else files,
            columns=columns,
            hive_partitioning=False,
            storage_options=polars_options(files[0]),
        )
    frame = pl.scan_parquet(
        [uri(path) for path in files] if remote else files,
        hive_partitioning=False,
        storage_options=polars_options(files[0]),
        missing_columns="insert",
        extra_columns="ignore",
    )
    return (frame.select(columns) if columns else frame).collect()


def files_under(folder: Path) -> list[Path]:
    """Every file below ``folder`` (recursively), sorted; none if it does not exist.
    On an object store: one listing of the prefix, whatever the depth."""
    if not is_remote(folder):
        if not folder.is_dir():
            return []
        return sorted(Path(top, name) for top, _, names in os.walk(folder) for name in names)
    fs = folder.fs  # type: ignore[attr-defined]
    prefix = folder.path  # type: ignore[attr-defined]
    return sorted(
        folder / key[len(prefix) :].lstrip("/")
        for key in fs.find(prefix, detail=False)
        if key.startswith(prefix + "/")
    )


def subfolders(folder: Path) -> list[Path]:
    """The folders directly below ``folder``, sorted; none if it does not exist (on an
    object store: the common prefixes of one delimited listing)."""
    if not is_remote(folder):
        return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    fs = folder.fs  # type: ignore[attr-defined]
    try:
        entries = fs.ls(folder.path, detail=True)  # type: ignore[attr-defined]
    except FileNotFoundError:
        return []
    return sorted(
        folder / entry["name"].rstrip("/").rsplit("/", 1)[-1]
        for entry in entries
        if entry["type"] == "directory"
    )


def read_all(paths: Iterable[Path]) -> list[bytes]:
    """The bytes of each file, in order; an object store's are fetched concurrently."""
    paths = list(paths)
    if not paths or not is_remote(paths[0]):
        return [path.read_bytes() for path in paths]
    fs = paths[0].fs  # type: ignore[attr-defined]
    keys = [path.path for path in paths]  # type: ignore[attr-defined]
    bodies = fs.cat(keys, on_error="raise")
    return [bodies[key] for key in keys]


def write_all(files: dict[Path, bytes], create_only: bool = False) -> list[bool]:
    """PUT many objects concurrently (each replaced atomically; ``create_only``: an
    object that exists is left as it is). Returns, per file in order, whether it was
    written. For object stores only."""
    if not files:
        return []
    first = next(iter(files))
    fs = first.fs  # type: ignore[attr-defined]
    from fsspec.asyn import sync

    async def put(path: Path, data: bytes) -> bool:
        try:
            await fs._pipe_file(path.path, data, mode="create" if create_only else "overwrite")  # type: ignore[attr-defined]
        except FileExistsError:
            return False
        return True

    async def put_all() -> list[bool]:
        import asyncio

        limit = asyncio.Semaphore(32)

        async def bounded(path: Path, data: bytes) -> bool:
            async with limit:
                return await put(path, data)

        return list(await asyncio.gather(*(bounded(p, d) for p, d in files.items())))

    return sync(fs.loop, put_all)
