"""The run report (`harvest --report PATH`): what a run did, for scripts and CI.

The scheduled refresh job turns it into its commit message and into the Markdown
table of its run summary.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from harvester.errors import StoreError, first_problem


class TopicReport(BaseModel):
    """One topic of a run; on failure the counts are 0 and `error` says why."""

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


class Report(BaseModel):
    """A whole run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    started: datetime
    seconds: float
    exit_code: int
    topics: dict[str, TopicReport]

    def dumps(self) -> bytes:
        """The report as JSON (2-space indent, newline at the end)."""
        return (self.model_dump_json(indent=2) + "\n").encode("utf-8")

    def commit_message(self) -> str:
        """What changed, as a commit subject: `data: +12 papers, 3 updated (a, b)`."""
        changed = [name for name, t in self.topics.items() if t.written]
        new = sum(t.new for t in self.topics.values())
        updated = sum(t.updated for t in self.topics.values())
        revised = sum(t.revised for t in self.topics.values())
        parts = [f"+{new} paper{'' if new == 1 else 's'}"] if new else []
        parts += [f"{updated} updated"] if updated else []
        parts += [f"{revised} revised"] if revised else []
        what = ", ".join(parts) or "harvest state"
        return f"data: {what} ({', '.join(changed)})" if changed else f"data: {what}"

    def markdown(self) -> str:
        """The run as a Markdown table, for a CI job's summary page."""
        lines = [
            "| topic | mode | new | updated | unchanged | total | requests | result |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for name, t in self.topics.items():
            result = f"failed: {t.error}" if t.error else "written" if t.written else "no change"
            result = result.replace("|", "\\|")
            total = "" if t.total is None else str(t.total)
            lines.append(
                f"| {name} | {t.mode or ''} | {t.new} | {t.updated} | {t.unchanged} | {total} "
                f"| {t.requests} | {result} |"
            )
        failed = sum(1 for t in self.topics.values() if t.error)
        lines += ["", f"{len(self.topics) - failed} of {len(self.topics)} topics harvested "
                  f"in {self.seconds:.1f} s; exit code {self.exit_code}."]  # fmt: skip
        return "\n".join(lines) + "\n"


def load(path: Path) -> Report:
    """Read a run report.

    Raises:
        StoreError: the file is missing or not a report.
    """
    try:
        return Report.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise StoreError(path, f"cannot read: {exc.strerror}") from None
    except ValidationError as exc:
        problem = first_problem(exc, whole="report")
        raise StoreError(path, f"not a harvest report: {problem}") from None
