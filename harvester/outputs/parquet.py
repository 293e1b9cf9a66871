"""Parquet, partitioned by topic and year, for analysis on DuckDB, Polars, Spark, pandas.

A Hive-style directory (`parquet/topic=NAME/year=YYYY/part-0.parquet`), so every
engine reads `topic` and `year` back as columns and skips the partitions a query does
not touch. A paper in two topics is a row in each (one per topic, as the JSON files
have it). Written with pyarrow, the optional extra `arxiv-harvester[parquet]`: the
rest of the harvester does not need it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harvester.errors import MissingExtra, StoreError
from harvester.models import Paper

if TYPE_CHECKING:
    import pyarrow

INSTALL = 'pip install "arxiv-harvester[parquet]"'


def _pyarrow() -> Any:  # noqa: ANN401 - the module, imported only when asked for
    try:
        import pyarrow  # noqa: PLC0415 - an optional extra
        import pyarrow.dataset  # noqa: PLC0415
        import pyarrow.parquet  # noqa: PLC0415
    except ImportError:
        raise MissingExtra(f"the Parquet export needs pyarrow: {INSTALL}") from None
    return pyarrow


def table(topic: str, papers: Iterable[Paper]) -> pyarrow.Table:
    """One topic's papers as an Arrow table, newest first, with `topic` and `year` columns.

    Raises:
        MissingExtra: pyarrow is not installed.
    """
    pa = _pyarrow()
    ordered = sorted(papers, key=Paper.sort_key, reverse=True)
    text, texts = pa.string(), pa.list_(pa.string())
    columns: dict[str, tuple[Any, list[Any]]] = {
        "id": (text, [p.key for p in ordered]),
        "arxiv_id": (text, [p.arxiv_id for p in ordered]),
        "version": (pa.int32(), [p.version for p in ordered]),
        "title": (text, [p.title for p in ordered]),
        "authors": (texts, [p.authors for p in ordered]),
        "summary": (text, [p.summary for p in ordered]),
        "published": (pa.date32(), [p.published for p in ordered]),
        "updated": (pa.timestamp("us", tz="UTC"), [p.updated for p in ordered]),
        "categories": (texts, [p.categories for p in ordered]),
        "primary_category": (text, [p.primary_category for p in ordered]),
        "comment": (text, [p.comment for p in ordered]),
        "journal_ref": (text, [p.journal_ref for p in ordered]),
        "doi": (text, [p.doi for p in ordered]),
        "url": (text, [p.url for p in ordered]),
        "pdf_url": (text, [p.pdf_url for p in ordered]),
        "topic": (text, [topic] * len(ordered)),
        "year": (pa.int32(), [p.published.year for p in ordered]),
    }
    return pa.table({k: pa.array(values, type=kind) for k, (kind, values) in columns.items()})


def write(out: Path, topics: Mapping[str, Iterable[Paper]]) -> list[Path]:
    """Write the partitioned dataset to the directory `out`, replacing what was there.

    Built in a temp directory beside `out`, then swapped in, so a failed export leaves
    the old dataset whole.

    Returns:
        The files written.

    Raises:
        MissingExtra: pyarrow is not installed.
        StoreError: the directory could not be written, or holds what no export wrote.
    """
    pa = _pyarrow()
    _check_replaceable(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    except OSError as exc:
        raise StoreError(out, f"cannot write: {exc.strerror}") from None
    try:
        for topic, papers in topics.items():
            data = table(topic, papers)
            pa.dataset.write_dataset(
                data,
                tmp,
                format="parquet",
                partitioning=pa.dataset.partitioning(
                    pa.schema([("topic", pa.string()), ("year", pa.int32())]), flavor="hive"
                ),
                basename_template="part-{i}.parquet",
                existing_data_behavior="overwrite_or_ignore",
                preserve_order=True,  # newest first within a file, as in the JSON
            )
        old = out.with_name(f".{out.name}.old")
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError | pa.ArrowException):
            raise StoreError(out, f"cannot write: {exc}") from None
        raise
    return sorted(out.rglob("*.parquet"))


# What an export leaves in `parquet/`: Hive partitions of part files, nothing else.
_OURS = re.compile(r"topic=[a-z0-9_]+/year=-?\d+/part-\d+\.parquet")


def _check_replaceable(out: Path) -> None:
    """Refuse to replace an `out` that is not an earlier export: a file, or a directory
    holding anything an export does not write (it is replaced whole, so a user's own
    files there would be deleted).

    Raises:
        StoreError: `out` is not a directory, or holds a file no export wrote.
    """
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise StoreError(out, "not a directory; refused")
    for path in sorted(out.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue  # the files say whose a directory is
        name = path.relative_to(out).as_posix()
        if not _OURS.fullmatch(name):
            why = "which no export wrote; refused (move it, or choose another --out)"
            raise StoreError(out, f"holds {name}, {why}")
