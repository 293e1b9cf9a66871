"""The run report (`harvest --report PATH`): what a run did, for scripts and CI.

The scheduled refresh job turns it into its commit message and into the Markdown
summary of its run: counts per topic, the papers that changed by name, and the
topics that went silent (`harvester.harvest.stale`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harvester import files
from harvester.db.counts import Change, Counts, plural, total
from harvester.errors import StoreError, first_problem
from harvester.harvest.result import TopicResult
from harvester.harvest.stale import Silence
from harvester.models import flat_line

LISTED = 25
"""Changed papers named per topic in a summary or commit message; the rest are counted."""


class TopicReport(BaseModel):
    """One topic of a run; on failure the counts are 0 and `error` says why.

    The staleness figures are those of `harvester.harvest.stale.Silence`; null when not judged.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: str | None = None
    new: int = 0
    updated: int = 0
    revised: int = 0
    unchanged: int = 0
    total: int | None = None
    requests: int = 0
    written: bool = False
    error: str | None = None
    changes: tuple[Change, ...] = ()
    stale: bool = False
    days_silent: int | None = None
    # NaN or infinity would not describe a rate: a report that says so is not ours.
    per_week: float | None = Field(default=None, allow_inf_nan=False)
    stale_after_days: float | None = Field(default=None, allow_inf_nan=False)
    missing: int | None = Field(default=None, ge=0)
    """Papers arXiv lists that the topic lacked, when the run verified it (`--verify`)."""
    repaired: int = Field(default=0, ge=0)
    """Of those, the ones the run fetched and stored."""

    @classmethod
    def of(
        cls, result: TopicResult | None, *, error: str | None = None, requests: int = 0
    ) -> TopicReport:
        """The report of a topic's result; of a failure, with what it did before it."""
        if result is None:
            return cls(requests=requests, error=error)
        counts = result.counts
        return cls(
            mode=result.mode,
            new=counts.new,
            updated=counts.updated,
            revised=counts.revised,
            unchanged=counts.unchanged,
            changes=counts.changes,
            total=result.total,
            requests=result.requests,
            written=result.written,
            error=error,
        )

    @property
    def counts(self) -> Counts:
        """The topic's counts."""
        return Counts(
            new=self.new,
            updated=self.updated,
            revised=self.revised,
            unchanged=self.unchanged,
            changes=self.changes,
        )

    def with_silence(self, silence: Silence) -> TopicReport:
        """This report with the topic's staleness figures."""
        return self.model_copy(
            update={
                "stale": silence.stale,
                "days_silent": silence.days_silent,
                "per_week": silence.per_week,
                "stale_after_days": silence.stale_after_days,
            }
        )

    def silence(self) -> Silence:
        """The staleness figures as a `Silence` (without the newest date)."""
        return Silence(
            days_silent=self.days_silent,
            per_week=self.per_week,
            stale_after_days=self.stale_after_days,
            stale=self.stale,
        )


class Report(BaseModel):
    """A whole run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    started: datetime
    seconds: float = Field(allow_inf_nan=False)
    exit_code: int
    topics: dict[str, TopicReport]

    def dumps(self) -> bytes:
        """The report as JSON (2-space indent, newline at the end)."""
        return (self.model_dump_json(indent=2) + "\n").encode("utf-8")

    def commit_message(self) -> str:
        """The counts as the subject, `data: +12 papers, 3 updated (a, b)`; the papers that
        changed, by topic, in the body (at most `LISTED` per topic). Names, ids and titles
        are made one line each (`flat_line`): a title's line break would forge a line, and
        git refuses a NUL in a message.
        """
        changed = [flat_line(name) for name, t in self.topics.items() if t.written]
        all_ = total(t.counts for t in self.topics.values())
        parts = [f"+{plural(all_.new, 'paper')}"] if all_.new else []
        parts += [f"{all_.updated} updated"] if all_.updated else []
        parts += [f"{all_.revised} revised"] if all_.revised else []
        checked = [t for t in self.topics.values() if t.missing is not None]
        fallback = f"verified {plural(len(checked), 'topic')}" if checked else "harvest state"
        what = ", ".join(parts) or fallback
        subject = f"data: {what} ({', '.join(changed)})" if changed else f"data: {what}"
        body: list[str] = []
        for name, t in self.topics.items():
            if t.changes:
                body += ["", f"{flat_line(name)}:"]
                body += [
                    f"- {flat_line(c.arxiv_id)} {flat_line(c.title)} ({flat_line(c.change)})"
                    for c in t.changes[:LISTED]
                ]
                body += _more(t)
        lacking = [(n, t) for n, t in self.topics.items() if t.missing]
        if lacking:
            body += ["", "verify:"]
            body += [
                f"- {flat_line(n)}: {t.missing:,} missing, {t.repaired:,} repaired"
                for n, t in lacking
            ]
        return "\n".join([subject, *body])

    def markdown(self) -> str:
        """The run as Markdown for a CI job's summary page: a table, then per topic the
        papers that changed (linked, at most `LISTED`) and the topics gone silent.
        """
        lines = [
            "| topic | mode | new | updated | unchanged | total | requests | result |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for name, t in self.topics.items():
            result = f"failed: {t.error}" if t.error else "written" if t.written else "no change"
            result = _cell(result) + (" (stale)" if t.stale else "")
            total = "" if t.total is None else str(t.total)
            lines.append(
                f"| {_cell(name)} | {_cell(t.mode or '')} | {t.new} | {t.updated} "
                f"| {t.unchanged} | {total} | {t.requests} | {result} |"
            )
        failed = sum(1 for t in self.topics.values() if t.error)
        lines += [
            "",
            f"{len(self.topics) - failed} of {plural(len(self.topics), 'topic')} harvested "
            f"in {self.seconds:.1f} s; exit code {self.exit_code}.",
        ]
        lines += [
            f"\n**Stale:** {flat_line(name)}: {t.silence().describe()}: check the query"
            for name, t in self.topics.items()
            if t.stale
        ]
        lines += [
            f"\n**Verified:** {flat_line(name)}: "
            + ("complete" if not t.missing else f"{t.missing:,} missing, {t.repaired:,} repaired")
            for name, t in self.topics.items()
            if t.missing is not None
        ]
        lines += _changed_papers(self.topics)
        return "\n".join(lines) + "\n"


def _changed_papers(topics: dict[str, TopicReport]) -> Iterator[str]:
    for name, t in topics.items():
        if not t.changes:
            continue
        yield f"\n### {flat_line(name)}\n"
        for c in t.changes[:LISTED]:
            link = f"https://arxiv.org/abs/{quote(flat_line(c.arxiv_id), safe='/')}"
            yield f"- [{_escaped(c.title)}]({link}) ({_escaped(c.change)})"
        yield from _more(t)


def _more(report: TopicReport) -> list[str]:
    """The line that counts the changed papers not named (past `LISTED`, or not kept)."""
    shown = min(len(report.changes), LISTED)
    rest = max(report.counts.changed, len(report.changes)) - shown
    return [f"- and {rest:,} more"] if rest > 0 else []


def _cell(text: str) -> str:
    """Text safe inside a Markdown table's cell: one line, no bar that ends the cell."""
    return flat_line(text).replace("|", "\\|")


def _escaped(title: str) -> str:
    """A title safe inside a Markdown link's text: one line, Markdown's marks escaped."""
    title = flat_line(title)
    for char in "\\[]*_`<>":
        title = title.replace(char, "\\" + char)
    return title


def load(path: Path) -> Report:
    """Read a run report.

    Raises:
        StoreError: the file is missing or not a report.
    """
    try:
        return Report.model_validate_json(files.read_bytes(path))
    except FileNotFoundError as exc:
        raise files.unreadable(path, exc) from None
    except ValidationError as exc:
        problem = first_problem(exc, whole="report")
        raise StoreError(path, f"not a harvest report: {problem}") from None
