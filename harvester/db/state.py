"""`data/.harvest/<topic>.json`: how far a topic's harvest has got.

A first harvest (a backfill) records each finished `submittedDate` span, so an
interrupted one resumes where it stopped; once it is complete, later runs are
incremental from its watermark, which moves only when a run finds something, and
the topic is harvested in full again every `refresh_days` (`refreshed`). The
state names the query and `since` it was made for: change either and the topic is
harvested in full again (keeping every paper already stored).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from harvester import files
from harvester.models import UtcDatetime

STATE_DIR = ".harvest"

# A harvest computes with these times (a lookback of up to ten years, a day ahead): one
# near year 1 or 9999 would overflow there. No arXiv harvest is near either.
_EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _plausible(value: datetime) -> datetime:
    if not _EARLIEST <= value < _LATEST:
        raise ValueError("must be a time from the year 1000 to 9000")
    return value


StateTime = Annotated[UtcDatetime, AfterValidator(_plausible)]
"""A timestamp of a state: UTC (see `UtcDatetime`), within years the harvest can compute in."""


def _plausible_day(value: date) -> date:
    if not _EARLIEST.date() <= value < _LATEST.date():
        raise ValueError("must be a day from the year 1000 to 9000")
    return value


StateDay = Annotated[date, AfterValidator(_plausible_day)]
"""A day of a state (the change feed's cursor, a set topic's start), within years the
harvest can compute in (it lists from the day before)."""


class FileStamp(BaseModel):
    """What one data file of a topic held when this tool last wrote or read it: enough to
    trust it unread (`blob`) and to summarise the topic without reading it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bytes: int
    """Its size."""
    blob: str
    """Its git blob id (sha1 of `blob <size>\\0` and the bytes), as `git ls-files -s` shows."""
    papers: int
    """Its records."""
    published: dict[date, int]
    """Its records per `published` day."""
    updated: dict[date, int]
    """Its records per day of `updated` (the current version's submission)."""


class TopicState(BaseModel):
    """What is known to be harvested for one topic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    query: str
    """The topic's query this state is for."""
    since: date | None
    """The topic's `since` this state is for."""
    # Timestamps are read as UTC (a naive one too), so they compare with the run's clock.
    until: StateTime
    """The upper bound of the first harvest's `submittedDate` range."""
    complete: bool = False
    """Whether every window up to `until` is harvested."""
    done: list[tuple[StateTime, StateTime]] = []
    """Finished `[start, end]` spans (whole minutes, both included) of an unfinished
    harvest of the whole range."""
    fetched: int = 0
    """Results an unfinished first harvest has fetched so far (counted against a cap)."""
    watermark: StateTime | None = None
    """Every update before this time is harvested: when the first harvest began, then
    the start of the last run that found something. The next run asks for updates
    from here, less the lookback. Only complete runs move it; a run that finds
    nothing leaves it, so that run changes no byte."""
    refreshed: StateTime | None = None
    """When the last harvest of the whole range that completed began (a first harvest,
    `--full` or a refresh); None in states written before refreshes existed."""

    files: dict[str, FileStamp] = {}
    """The topic's data files (paths relative to the data directory) as last written or
    read; a run trusts a file that still matches and reads it only when it must."""

    def last_full(self) -> datetime:
        """When the last complete harvest of the whole range began."""
        # Older states lack `refreshed`; their first harvest set `until` a day ahead.
        return self.refreshed or self.until - timedelta(days=1)

    def with_files(self, stamps: dict[str, FileStamp]) -> TopicState:
        """This state with the topic's file stamps (sorted, so the bytes are stable)."""
        return self.model_copy(update={"files": dict(sorted(stamps.items()))})

    def with_done(self, spans: list[tuple[datetime, datetime]], fetched: int) -> TopicState:
        """This state with more finished spans (merged where they touch), and `fetched`."""
        merged: list[tuple[datetime, datetime]] = []
        for start, end in sorted([*self.done, *spans]):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return self.model_copy(update={"done": merged, "fetched": fetched})

    def matches(self, query: str, since: date | None) -> bool:
        """Whether this state was made for this query and `since`."""
        return self.query == query and self.since == since


def path_for(data_dir: Path, topic: str) -> Path:
    """Where a topic's state lives."""
    return data_dir / STATE_DIR / f"{topic}.json"


def load(path: Path) -> TopicState | None:
    """Read a topic's state; None when there is none yet.

    Raises:
        StoreError: the file is unreadable or invalid.
    """
    saved = files.read_model(
        path, TopicState, what="invalid harvest state", whole="state", links=False
    )
    if saved is None:
        return None
    if saved.refreshed is None and saved.done:
        # Written before spans shared their boundary minute (every state since records
        # `refreshed`): a span `[start, end)` was asked as `[start TO end - 1 minute]`,
        # so only up to that minute's :00 is done; what followed it is fetched again.
        done = [(start, end - timedelta(minutes=1)) for start, end in saved.done]
        saved = saved.model_copy(update={"done": [(s, e) for s, e in done if s < e]})
    return saved


def save(path: Path, state: TopicState) -> None:
    """Write a topic's state atomically (unchanged bytes are not rewritten)."""
    files.write(path, (state.model_dump_json(indent=2) + "\n").encode("utf-8"))
