"""The change feed's cursor (`data/.harvest/oai/changes.json`): how far the feed has got,
and how a committed page and a complete pass move it. It is moved only after a complete
list, so a failed or interrupted list is asked again from its last committed page."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from harvester import files
from harvester.db.state import StateDay
from harvester.errors import StoreError
from harvester.oai.client import MAX_TOKEN_CHARS
from harvester.oai.records import Record

# A cursor that no change moved is moved anyway once this far behind, so that a quiet
# database's daily list stays a few days long.
MAX_LAG_DAYS = 3

WAY_OUT = "remove this file and the next run lists again from the topics' first harvests"
"""What to do about a cursor that cannot work (the feed would fail with it every day)."""

Token = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TOKEN_CHARS)]
"""A resumption token as the client takes one (a longer one could not be sent back)."""


class Cursor(BaseModel):
    """How far the change feed has got."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last: StateDay
    """The newest datestamp of the last complete list (or the day feeding began); the
    next list starts a day before it."""
    done: list[str] = []
    """Sets the pass in progress has listed completely (`""`: all of arXiv)."""
    tokens: dict[str, Token] = {}
    """The resumption token after the last committed page of each set cut short."""
    newest: StateDay | None = None
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
    return files.read_model(
        path, Cursor, what="invalid change feed cursor", whole="cursor", way_out=WAY_OUT
    )


def save_cursor(path: Path, cursor: Cursor) -> None:
    """Write the cursor atomically (its directory made if need be).

    Raises:
        StoreError: it cannot be written.
    """
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


# -- what the last passes merged ------------------------------------------------------
#
# A list starts a day before the cursor, so each day lists again the changes of the day
# before, already merged: remembered here (this machine's, beside the `.seen` records and
# ignored by git as they are), they are passed over without reading the files they land
# in, and a day without news reads no data file.

Merged = dict[str, tuple[str, date]]
"""Per paper, the digest of the record last merged and its datestamp."""


def merged_path(cursor_path: Path) -> Path:
    """Where the records the last passes merged are remembered (`changes.seen`)."""
    return cursor_path.with_suffix(".seen")


def record_digest(record: Record) -> str:
    """A digest of a listed record as merged: the same record listed again has it."""
    data = record.paper.model_dump_json().encode("utf-8")
    return hashlib.blake2b(data, digest_size=10).hexdigest()


def load_merged(path: Path, served: str) -> Merged:
    """The records remembered as merged for the fed topics `served` stands for (their
    names, sets, queries and `since`); none when the file is missing, unreadable or of
    other topics (it only saves reading)."""
    try:
        raw = json.loads(files.read_bytes(path))
        if not isinstance(raw, dict) or raw.get("served") != served:
            return {}
        return {
            str(key): (str(value[0]), date.fromisoformat(value[1]))
            for key, value in raw["records"].items()
        }
    except (OSError, ValueError, StoreError, KeyError, TypeError, IndexError, AttributeError):
        return {}


def save_merged(path: Path, served: str, merged: Merged, *, from_day: date) -> None:
    """Remember the records merged whose datestamp a list from `from_day` brings again."""
    kept = {k: [d, day.isoformat()] for k, (d, day) in sorted(merged.items()) if day >= from_day}
    document = {"served": served, "records": kept}
    files.write(path, (json.dumps(document, indent=0) + "\n").encode("utf-8"))
