"""The change feed's cursor (`data/.harvest/oai/changes.json`): how far the feed has got,
and how a committed page and a complete pass move it. It is moved only after a complete
list, so a failed or interrupted list is asked again from its last committed page."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from harvester import files
from harvester.oai.records import Record

# A cursor that no change moved is moved anyway once this far behind, so that a quiet
# database's daily list stays a few days long.
MAX_LAG_DAYS = 3


class Cursor(BaseModel):
    """How far the change feed has got."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last: date
    """The newest datestamp of the last complete list (or the day feeding began); the
    next list starts a day before it."""
    done: list[str] = []
    """Sets the pass in progress has listed completely (`""`: all of arXiv)."""
    tokens: dict[str, str] = {}
    """The resumption token after the last committed page of each set cut short."""
    newest: date | None = None
    """The newest datestamp the pass in progress has listed."""
    covering: list[str] | None = None
    """The sets that cover the stored papers (None: not computed yet)."""
    covered: str | None = None
    """What `covering` was computed from: a digest of the fed topics' stamps (`_digest`)."""


def load_cursor(path: Path) -> Cursor | None:
    """Read the cursor; None when there is none yet.

    Raises:
        StoreError: the file is unreadable or invalid.
    """
    return files.read_model(path, Cursor, what="invalid change feed cursor", whole="cursor")


def save_cursor(path: Path, cursor: Cursor) -> None:
    """Write the cursor atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write(path, (cursor.model_dump_json(indent=2) + "\n").encode("utf-8"))


def advance(cursor: Cursor, set_spec: str, listed: list[Record], token: str | None) -> Cursor:
    """The cursor after a committed page of `set_spec`'s list, `token` asking the rest."""
    page_newest = max((r.datestamp for r in listed), default=None)
    newest = max((d for d in (page_newest, cursor.newest) if d), default=None)
    tokens = {s: t for s, t in cursor.tokens.items() if s != set_spec}
    if token is not None:
        tokens[set_spec] = token
    done = cursor.done if token is not None else [*cursor.done, set_spec]
    return cursor.model_copy(update={"tokens": tokens, "done": done, "newest": newest})


def moved(cursor: Cursor, *, changed: bool) -> date:
    """Where a complete pass leaves the cursor: at the newest datestamp listed when the
    pass changed a topic, or when the cursor is `MAX_LAG_DAYS` behind it; else where it
    was, so that a run that finds nothing changes no byte (the next list is a day longer)."""
    newest = cursor.newest or cursor.last
    if changed or newest - cursor.last >= timedelta(days=MAX_LAG_DAYS):
        return max(cursor.last, newest)
    return cursor.last
