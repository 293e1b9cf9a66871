"""What merging changed, counted and named: one type for a merge, a topic's run and a
whole run, added up with `+`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

ChangeKind = Literal["new", "updated", "revised", "withdrawn"]
NAMED = 1_000
"""Changed papers named per count (a topic's run, a whole run); the rest are counted
only, so a first harvest of millions keeps a report (and its memory) small."""


@dataclass(frozen=True)
class Change:
    """One paper a merge changed: what a run report and a commit message name."""

    arxiv_id: str
    """The id with the version now stored."""
    title: str
    """The title now stored."""
    change: ChangeKind
    """new: not stored before; updated: a newer version; revised: same version, new metadata;
    withdrawn: a newer version that withdraws the paper (counted as updated)."""


@dataclass(frozen=True)
class Counts:
    """Fetched papers by what merging them did.

    Attributes:
        new: papers not stored before.
        updated: stored papers replaced by a newer version.
        revised: stored papers whose record changed at the same version (arXiv adds a
            DOI or journal reference without a new version).
        unchanged: fetched papers already stored exactly so.
        changes: the new, updated and revised papers by name, newest first: the first
            `NAMED` of them (`unnamed` counts the rest).
    """

    new: int = 0
    updated: int = 0
    revised: int = 0
    unchanged: int = 0
    changes: tuple[Change, ...] = ()

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            new=self.new + other.new,
            updated=self.updated + other.updated,
            revised=self.revised + other.revised,
            unchanged=self.unchanged + other.unchanged,
            changes=_named(self.changes, other.changes),
        )

    @property
    def unnamed(self) -> int:
        """Changed papers counted but not in `changes` (past `NAMED`)."""
        return max(0, self.changed - len(self.changes))

    @property
    def changed(self) -> int:
        """How many papers changed what is stored: new, updated or revised."""
        return self.new + self.updated + self.revised

    def describe(self) -> str:
        """`3 new, 1 updated, 12 unchanged` (revised only when there are any)."""
        parts = [f"{self.new} new", f"{self.updated} updated"]
        parts += [f"{self.revised} revised"] if self.revised else []
        return ", ".join([*parts, f"{self.unchanged} unchanged"])


def _named(first: tuple[Change, ...], then: tuple[Change, ...]) -> tuple[Change, ...]:
    """The changes of two counts, as many as `NAMED` allows (none copied once full)."""
    if len(first) >= NAMED or not then:
        return first
    return first + then[: NAMED - len(first)]


def total(counts: Iterable[Counts]) -> Counts:
    """All of `counts` added up."""
    return sum(counts, Counts())


def requests(sent: int, answered: int) -> str:
    """`5 requests`, or when not all were answered `5 requests (none answered)`,
    `5 requests (3 answered)`: a run that never connected sent requests, but no server
    answered them."""
    if answered >= sent:
        return plural(sent, "request")
    return f"{plural(sent, 'request')} ({'none' if answered == 0 else f'{answered:,}'} answered)"


def plural(count: int, noun: str) -> str:
    """`1 request`, `2 requests`, `12,000 papers`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
