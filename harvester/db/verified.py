"""What the last `harvest verify` of each topic found: `data/.harvest/verify/found.json`.

Kept with the data (and committed with it), so that the site can say when each topic
was last compared with arXiv and what was missing. A topic's entry is replaced by its
next verification; the others stay. It has a folder of its own: `.harvest/NAME.json`
is the state of a topic NAME, whatever NAME is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from harvester import files
from harvester.db.state import STATE_DIR
from harvester.models import UtcDatetime

FOLDER, FILE = "verify", "found.json"
NAMED = 1000
"""The most ids of a kind (missing, no longer listed) an entry names; the rest are counted."""
# A paper id without version (`2405.01234`, `hep-th/9901001`): what the site may show.
Key = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9./-]{1,40}$")]


class Found(BaseModel):
    """One topic's last verification."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: UtcDatetime
    """When it ran."""
    method: str
    """`ids` (a set topic, compared id by id) or `counts` (a query topic, month by month)."""
    listed: int = Field(ge=0)
    """The papers arXiv lists in the topic's range."""
    stored: int = Field(ge=0)
    """The papers the topic stores in that range."""
    missing: int = Field(ge=0)
    """Listed papers not stored (before a repair)."""
    unlisted: int = Field(ge=0)
    """Stored papers arXiv no longer lists (kept: nothing stored is ever lost)."""
    repaired: int = Field(default=0, ge=0)
    """Missing papers the verification fetched and stored."""
    missing_ids: list[Key] = Field(default_factory=list, max_length=NAMED)
    """The first missing ids, by month."""
    unlisted_ids: list[Key] = Field(default_factory=list, max_length=NAMED)
    """The first ids no longer listed."""


class Verified(BaseModel):
    """Every topic's last verification, by topic name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topics: dict[str, Found] = Field(default_factory=dict)


def path_for(data_dir: Path) -> Path:
    """Where the verifications are kept."""
    return data_dir / STATE_DIR / FOLDER / FILE


def load(data_dir: Path) -> Verified:
    """The verifications on record (none when there is no file).

    Raises:
        StoreError: the file is unreadable or invalid.
    """
    found = files.read_model(
        path_for(data_dir),
        Verified,
        what="invalid verification record",
        whole="record",
        links=False,
        way_out="remove it: the next `harvest verify` writes it again",
    )
    return found or Verified()


def record(data_dir: Path, found: dict[str, Found]) -> None:
    """Keep `found` (by topic) in place of those topics' earlier entries.

    Raises:
        StoreError: the file is invalid, or cannot be written.
    """
    topics = load(data_dir).topics | found
    kept = Verified(topics=dict(sorted(topics.items())))
    files.check_not_linked(path_for(data_dir).parent)  # a linked folder would aim the write
    files.write(path_for(data_dir), (kept.model_dump_json(indent=2) + "\n").encode("utf-8"))
