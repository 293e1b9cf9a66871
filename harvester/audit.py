"""`harvest check` and `harvest stats`: what is in the data directory, and whether
every topic file keeps the contract of DESIGN.md ("data/NAME.json").
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from harvester import state, store
from harvester.config import Config
from harvester.errors import StoreError
from harvester.models import Paper

CONTRACT_KEYS = list(Paper.model_fields)


def check_file(path: Path) -> int:
    """Check one topic file against the contract; returns its record count.

    Raises:
        StoreError: the first problem, with the record or line where it is.
    """
    papers = store.load(path)  # JSON, an array, valid records, one per paper
    records = json.loads(path.read_bytes())
    previous: Paper | None = None
    for index, record in enumerate(records):
        if list(record) != CONTRACT_KEYS:
            missing = [k for k in CONTRACT_KEYS if k not in record]
            problem = (
                f"missing key {missing[0]!r}" if missing else "keys out of the contract's order"
            )
            raise StoreError(path, f"record {index}: {problem}")
        paper = Paper.model_validate(record)
        if previous is not None and paper.sort_key() > previous.sort_key():
            raise StoreError(path, f"record {index}: out of order (newest first, then id)")
        previous = paper
    expected = store.dumps(papers.values())
    data = path.read_bytes()
    if data != expected:
        line = next(
            (
                n
                for n, (a, b) in enumerate(
                    zip(data.splitlines(), expected.splitlines(), strict=False), 1
                )
                if a != b
            ),
            min(len(data.splitlines()), len(expected.splitlines())) + 1,
        )
        raise StoreError(
            path, f"line {line}: not in the file format (2-space JSON, UTF-8, final newline)"
        )
    return len(records)


def check(data_dir: Path) -> dict[Path, int]:
    """Check every topic file in `data_dir`; returns record counts by file.

    Raises:
        StoreError: the first problem found.
    """
    if not data_dir.is_dir():
        raise StoreError(data_dir, "no such data directory")
    return {path: check_file(path) for path in sorted(data_dir.glob("*.json"))}


@dataclass(frozen=True)
class TopicStats:
    """One topic at a glance."""

    topic: str
    papers: int
    per_year: dict[int, int]
    newest: Paper | None
    harvest: str
    file_changed: datetime | None


def stats(config: Config, data_dir: Path) -> list[TopicStats]:
    """Summaries of the configured topics, in config order.

    Raises:
        StoreError: a topic or state file is invalid.
    """
    result = []
    for name in config.topics:
        path = data_dir / f"{name}.json"
        papers = list(store.load(path).values())
        saved = state.load(state.path_for(data_dir, name))
        if saved is None:
            harvest = "never"
        elif not saved.complete:
            harvest = f"first harvest in progress ({len(saved.done)} windows done)"
        elif saved.watermark is not None:
            # The watermark moves only when a run finds something: a run that finds
            # nothing changes no byte, so its time is kept nowhere.
            harvest = f"complete, last finding something {saved.watermark:%Y-%m-%d %H:%M} UTC"
        else:
            harvest = "complete"
        result.append(
            TopicStats(
                topic=name,
                papers=len(papers),
                per_year=dict(
                    sorted(Counter(p.published.year for p in papers).items(), reverse=True)
                ),
                newest=max(papers, key=Paper.sort_key, default=None),
                harvest=harvest,
                file_changed=datetime.fromtimestamp(path.stat().st_mtime, UTC)
                if path.exists()
                else None,
            )
        )
    return result
