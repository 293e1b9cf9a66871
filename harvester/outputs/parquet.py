"""Parquet, partitioned by topic and year, for analysis on DuckDB, Polars, Spark, pandas.

A Hive-style directory (`parquet/topic=NAME/year=YYYY/part-0.parquet`, then `part-1`,
... for a year of more than `FILE_ROWS` papers), so every engine reads `topic` and `year`
back as columns and skips the partitions a query does not touch; within a file the rows
are newest first in row groups of `ROW_GROUP_ROWS`, with statistics, so a reader skips
the groups outside the dates it asks for. A paper in two topics is a row in each (one
per topic, as the JSON files have it). Written with pyarrow, the optional extra
`arxiv-harvester[parquet]`: the rest of the harvester does not need it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
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
        "dois": (texts, [p.dois for p in ordered]),  # `doi`'s DOIs: [] for none
        "url": (text, [p.url for p in ordered]),
        "pdf_url": (text, [p.pdf_url for p in ordered]),
        "topic": (text, [topic] * len(ordered)),
        "year": (pa.int32(), [p.published.year for p in ordered]),
    }
    return pa.table({k: pa.array(values, type=kind) for k, (kind, values) in columns.items()})


ROW_GROUP_ROWS = 10_000
"""Rows per row group (about 20 MB of text): each group's statistics (`published`'s
least and greatest, say) let a reader skip it, and a writer holds one group at a time."""
FILE_ROWS = 200_000
"""Rows per file at most (a few hundred MB); a partition with more is cut into
`part-0.parquet`, `part-1.parquet`, ..., newest first, as datasets on object storage are."""
PARTITIONS = ("topic", "year")


class Dataset:
    """The partitioned dataset, written a paper at a time in bounded memory.

    Built in a temp directory beside `out`, then swapped in by `commit`, so a failed
    export leaves the old dataset whole. `add` each topic's papers newest first (as
    `reading.TopicReader.papers` gives them), topic after topic: a year's rows then
    come together, and are written a row group at a time, ordered by `published` within
    each file.

    Raises:
        MissingExtra: pyarrow is not installed.
        StoreError: the directory could not be written, or holds what no export wrote.
    """

    def __init__(self, out: Path) -> None:
        self._pa = _pyarrow()
        _check_replaceable(out)
        self.out = out
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
        except OSError as exc:
            raise StoreError(out, f"cannot write: {exc.strerror}") from None
        self._tmp: Path | None = tmp
        self._partition: tuple[str, int] | None = None
        self._done: set[tuple[str, int]] = set()
        self._rows: list[Paper] = []
        self._writer: Any = None
        self._parts = 0
        self._file_rows = 0

    def add(self, topic: str, paper: Paper) -> None:
        """Add a paper of `topic` (the papers of a topic newest first, topic after topic).

        Raises:
            ValueError: a partition comes again after another one.
        """
        partition = (topic, paper.published.year)
        if partition != self._partition:
            with self._failing():
                self._close()
            if partition in self._done:
                raise ValueError(f"{topic}: papers of {partition[1]} out of order")
            self._partition, self._parts, self._file_rows = partition, 0, 0
            self._done.add(partition)
        self._rows.append(paper)
        if len(self._rows) >= ROW_GROUP_ROWS:
            with self._failing():
                self._flush()

    def _flush(self) -> None:
        """Write the rows held as one row group of the partition's current file."""
        if not self._rows or self._partition is None or self._tmp is None:
            return
        pa = self._pa
        topic, year = self._partition
        data = table(topic, self._rows).drop_columns(list(PARTITIONS))
        if self._writer is None:
            where = self._tmp / f"topic={topic}" / f"year={year}"
            where.mkdir(parents=True, exist_ok=True)
            path = where / f"part-{self._parts}.parquet"
            self._writer = pa.parquet.ParquetWriter(path, data.schema)
        self._writer.write_table(data, row_group_size=ROW_GROUP_ROWS)
        self._file_rows += len(self._rows)
        self._rows = []
        if self._file_rows >= FILE_ROWS:
            self._writer.close()
            self._writer, self._parts, self._file_rows = None, self._parts + 1, 0

    def _close(self) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def finish(self) -> None:
        """Write what is held and close the last file."""
        with self._failing():
            self._close()

    def commit(self) -> list[Path]:
        """Swap the new dataset in for the old (`finish`ing it first); the files written."""
        self.finish()
        tmp = self._tmp
        if tmp is None:
            raise ValueError(f"{self.out}: already committed or discarded")
        with self._failing():
            old = self.out.with_name(f".{self.out.name}.old")
            if self.out.exists():
                self.out.rename(old)
            tmp.rename(self.out)
            self._tmp = None
            shutil.rmtree(old, ignore_errors=True)
        return sorted(self.out.rglob("*.parquet"))

    def discard(self) -> None:
        """Remove the temp directory, leaving the old dataset as it was."""
        if self._tmp is None:
            return
        if self._writer is not None:
            with suppress(Exception):
                self._writer.close()
            self._writer = None
        shutil.rmtree(self._tmp, ignore_errors=True)
        self._tmp = None

    def __enter__(self) -> Dataset:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    @contextmanager
    def _failing(self) -> Iterator[None]:
        """On any failure, discard the temp directory; an OSError or Arrow's own error
        becomes a StoreError."""
        try:
            yield
        except BaseException as exc:
            self.discard()
            if isinstance(exc, OSError | self._pa.ArrowException):
                raise StoreError(self.out, f"cannot write: {exc}") from None
            raise


def write(out: Path, topics: Mapping[str, Iterable[Paper]]) -> list[Path]:
    """Write the partitioned dataset of `topics` to the directory `out`, replacing what
    was there (see `Dataset`).

    Returns:
        The files written.

    Raises:
        MissingExtra: pyarrow is not installed.
        StoreError: the directory could not be written, or holds what no export wrote.
    """
    with Dataset(out) as dataset:
        for topic, papers in topics.items():
            for paper in sorted(papers, key=Paper.sort_key, reverse=True):
                dataset.add(topic, paper)
        return dataset.commit()


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
    if out.is_symlink():  # replaced whole, it would put a directory where the link was
        raise StoreError(out, "a symbolic link, not a dataset an export wrote; refused")
    if not out.is_dir():
        raise StoreError(out, "not a directory; refused")
    for path in sorted(out.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue  # the files say whose a directory is
        name = path.relative_to(out).as_posix()
        if not _OURS.fullmatch(name):
            why = "which no export wrote; refused (move it, or choose another --out)"
            raise StoreError(out, f"holds {name}, {why}")
