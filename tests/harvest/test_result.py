"""A topic's records as a harvest merges into them, and what the harvest reports."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

from harvester.config import Topic
from harvester.db.shards import TopicFiles
from harvester.errors import FetchError
from harvester.harvest.result import Mode, TopicFailed, TopicRecords
from tests.conftest import paper

NOW = datetime(2024, 3, 1, tzinfo=UTC)


def test_a_commit_keeps_since_and_counts_what_changed(tmp_path: Path):
    """Papers before `since` are dropped; a new one is counted and written; the same
    papers again change nothing."""
    records = TopicRecords(TopicFiles(tmp_path, "t"), date(2024, 1, 1), dry_run=False)
    old = paper("2312.00001v1", published=date(2023, 12, 31))
    new = paper("2401.00001v1", published=date(2024, 1, 2))
    assert records.commit([old, new]) is True
    assert (records.counts.new, records.total) == (1, 1)
    assert records.commit([new]) is False
    result = records.result(
        Topic(name="t", query="all:x"), Mode.FULL, requests=2, now=NOW, started=time.monotonic()
    )
    assert (result.topic, result.total, result.requests, result.written) == ("t", 1, 2, True)


def test_a_dry_run_counts_but_writes_nothing(tmp_path: Path):
    """A dry run's total counts the stored and the new papers; no file is written."""
    records = TopicRecords(TopicFiles(tmp_path, "t", dry_run=True), None, dry_run=True)
    assert records.commit([paper("2401.00001v1")]) is True
    assert records.total == 1
    assert list(tmp_path.iterdir()) == []


def test_a_failure_carries_its_cause_and_what_was_done():
    """TopicFailed says its cause and keeps the result of what was committed before."""
    cause = FetchError("HTTP 503", url="http://x", attempt=5, status=503)
    records = TopicRecords(TopicFiles(Path("/nonexistent"), "t"), None, dry_run=True)
    result = records.result(
        Topic(name="t", query="all:x"), Mode.FULL, requests=5, now=NOW, started=time.monotonic()
    )
    failed = TopicFailed(cause, result)
    assert (failed.cause, failed.result.requests, str(failed)) == (cause, 5, str(cause))
