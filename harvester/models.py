"""The record shape: one `Paper` per arXiv paper, as stored in `data/<topic>.json`.

The field order is the file's key order (DESIGN.md, "data/NAME.json"): the original
database's eight keys, then five more, then the three that only arXiv's OAI-PMH
interface says (`license`, `withdrawn`, `versions`: null until it has).
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# New-style ids (YYMM.NNNN or YYMM.NNNNN, since April 2007) and old-style ids
# (archive or archive.SUBJ, then YYMMNNN), each with its version. No paper has more
# than a few dozen versions; four digits keep int() of one cheap (5,000 would raise).
# ASCII only: `\d` would match every Unicode digit (fullwidth `2501.12345v1`), and int() reads them.
ARXIV_ID = re.compile(
    r"(?P<key>\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})v(?P<v>\d{1,4})", re.ASCII
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while records are built or written in bulk.

    Building 100,000 records would run the collector hundreds of times for nothing:
    records hold no reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_id(value: str) -> str:
    if ARXIV_ID.fullmatch(value) is None:
        raise ValueError(f"not a versioned arXiv id: {value!r}")
    return value


def as_utc(value: datetime | None) -> datetime | None:
    """`value` in UTC: converted when it has an offset, taken as UTC when it has none.

    Raises:
        ValueError: UTC cannot hold it (year 1 or 9999 with an offset that moves it out).
    """
    if value is None or value.tzinfo is UTC:
        return value
    if value.tzinfo is None:  # our files always say Z; read a bare time as UTC, never as local
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 moved past the range; a ValueError pydantic reports
        raise ValueError("a time that cannot be expressed in UTC") from None


def flat_line(text: str) -> str:
    """`text` as one line: whitespace runs (line breaks among them) become one space, and
    every other control character its escape (`\\x00`), so that text stored or received
    as it came cannot break or forge the lines of a digest or a commit message."""
    if text.isprintable():  # the common case, and quick: no line break, no control
        return text
    collapsed = " ".join(text.split())
    return "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in collapsed)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
"""A timestamp read as UTC: converted when it has an offset, taken as UTC when it has none."""


class Paper(BaseModel):
    """One arXiv paper at one version, normalised from the API's Atom entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    """The title, whitespace runs collapsed to one space, stripped."""
    authors: list[str]
    """Author names in feed order."""
    summary: str
    """The abstract, whitespace runs collapsed to one space, stripped."""
    arxiv_id: Annotated[str, AfterValidator(_check_id)]
    """Short id with version: `2301.13816v4`, `hep-th/9901001v2`."""
    published: date
    """Date (UTC) of version 1."""
    categories: list[str]
    """Category terms in feed order, the primary one included."""
    url: str
    """The abstract page of this version."""
    pdf_url: str
    """The PDF of this version."""
    updated: Annotated[datetime | None, AfterValidator(as_utc)] = Field(default=None)
    """When this version appeared (UTC, written `2023-06-02T17:01:05Z`); None only for
    records imported without it."""
    primary_category: str | None = None
    """The primary category; None only for records imported without it."""
    comment: str | None = None
    """The authors' comment, whitespace collapsed, or None."""
    journal_ref: str | None = None
    """The journal reference, whitespace collapsed, or None."""
    doi: str | None = None
    """arXiv's `doi` field as arXiv gives it, whitespace collapsed, or None: one DOI, or
    several separated by a space (a paper and its erratum: `10.1103/PhysRevC.76.024606
    10.1103/PhysRevC.76.039902`). Read it as a list with `dois`."""
    license: str | None = None
    """The license's URL; None when arXiv has none on record or has not said (OAI-PMH)."""
    withdrawn: bool | None = None
    """True when the current version is a withdrawal; None until OAI-PMH has said."""
    versions: list[UtcDatetime] | None = None
    """Each version's submission time (UTC), oldest first; None until OAI-PMH has said."""

    @property
    def key(self) -> str:
        """The paper's identity: its id without the version (the dedupe key)."""
        return self.arxiv_id.rpartition("v")[0]  # the id is validated: its last "v" is the version

    @property
    def version(self) -> int:
        """The version number of this record."""
        return int(self.arxiv_id.rpartition("v")[2])

    @property
    def dois(self) -> list[str]:
        """The DOIs of `doi`, in arXiv's order: empty when it is None.

        arXiv separates several DOIs with whitespace and splits the field so itself
        (arXiv/arxiv-search `search/process/transform.py`, `_constructDOI`): every output
        reads the DOIs here, never from the string.
        """
        return self.doi.split() if self.doi else []

    @property
    def updated_day(self) -> date | None:
        """The day (UTC) of `updated`."""
        return self.updated.date() if self.updated is not None else None

    def keeping_oai(self, stored: Paper) -> Paper:
        """This record with what only OAI-PMH says carried over from `stored` where this
        one does not say it (a query API record never does).

        At the same version all three carry; at a newer one only the license does, since
        the versions and whether the current one is withdrawn are then out of date.
        """
        if self.license is not None or self.versions is not None:
            return self
        carried: dict[str, object] = {"license": stored.license}
        if self.version == stored.version:
            carried |= {"withdrawn": stored.withdrawn, "versions": stored.versions}
        if all(value is None for value in carried.values()):
            return self
        return self.model_copy(update=carried)

    def sort_key(self) -> tuple[date, str]:
        """The file order key: `published`, then id (both sorted descending)."""
        return (self.published, self.key)
