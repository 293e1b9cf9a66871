"""A topic file's records as rows: each record's bytes as the file holds them, and
what placing, ordering and stamping it needs (`store` for the format).

A file merged into is kept as rows while a run works in it: its bytes take about the
file's size, the records they stand for about 1.7 times that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from pydantic import TypeAdapter

from harvester.models import Paper, gc_paused

BETWEEN = b"\n  },\n  {\n"
"""Between two records of a topic file (records hold no nested object, and a raw
newline is never inside a JSON string, so this occurs nowhere else)."""
_RECORDS = TypeAdapter(list[Paper])


class Dated(Protocol):
    """A record or a row: what a file's name and stamp follow from."""

    @property
    def published(self) -> date: ...

    @property
    def updated_day(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class Row:
    """One record as its topic file holds it: its bytes, and what placing, ordering and
    stamping it needs. A file's records are kept so while it is merged into and written:
    their bytes take about what the file does, the records they were made from about
    1.7 times that."""

    key: str
    """The paper's identity (id without version)."""
    version: int
    published: date
    updated_day: date | None
    """The day of `updated`."""
    data: bytes
    """The record's bytes, indented as in the file: from its `  {` to its `  }`."""

    def paper(self) -> Paper:
        """The record (trusted: it was validated before it was made a row)."""
        return Paper.model_validate_json(self.data)


class RowPapers(Mapping[str, Paper]):
    """Rows looked up as records, each made only when asked for (once)."""

    def __init__(self, rows: Mapping[str, Row]) -> None:
        self._rows = rows
        self._made: dict[str, Paper] = {}

    def __getitem__(self, key: str) -> Paper:
        if key not in self._made:
            self._made[key] = self._rows[key].paper()
        return self._made[key]

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def rows(papers: Iterable[Paper], *, records_per_chunk: int = 1000) -> Iterator[Row]:
    """The rows of records, in the order given, serialised a thousand at a time by
    pydantic-core (several times faster than `json.dumps`)."""
    papers = list(papers)
    for start in range(0, len(papers), records_per_chunk):
        chunk = papers[start : start + records_per_chunk]
        with gc_paused():
            raw = _RECORDS.dump_json(chunk, indent=2)
        # `[\n  {\n` ... `\n  }\n]`: the records' bodies, split where one ends and the next
        # begins (records hold no nested object, and a raw newline is never in a string).
        bodies = raw[6:-6].split(BETWEEN)
        for paper, body in zip(chunk, bodies, strict=True):
            data = b"  {\n" + body + b"\n  }"
            yield Row(paper.key, paper.version, paper.published, paper.updated_day, data)


def row_pieces(file_rows: Iterable[Row]) -> list[bytes]:
    """The bytes of a topic file holding these rows, in pieces (the rows' own bytes,
    not copied): those of `dumps` of their records."""
    ordered = sorted(file_rows, key=lambda r: (r.published, r.key), reverse=True)
    if not ordered:
        return [b"[]\n"]
    out = [b"[\n"]
    for row in ordered:
        out += (row.data, b",\n")
    out[-1] = b"\n]\n"
    return out
