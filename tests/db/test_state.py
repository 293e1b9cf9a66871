"""`data/.harvest/<topic>.json`: how far a topic's harvest has got, saved and read back."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from harvester.db import state
from harvester.db.state import TopicState
from harvester.errors import StoreError

UNTIL = datetime(2026, 1, 2, tzinfo=UTC)


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def test_saved_state_reads_back_equal_and_is_not_rewritten(tmp_path: Path):
    """A state saved and loaded is the same state; saving it again leaves the file's mtime."""
    path = state.path_for(tmp_path, "rlhf_code")
    assert path == tmp_path / ".harvest" / "rlhf_code.json"
    assert state.load(path) is None  # no harvest yet
    saved = TopicState(
        query="all:x",
        since=date(2022, 1, 1),
        until=UNTIL,
        complete=True,
        watermark=at(1),
        refreshed=at(1),
    )
    state.save(path, saved)
    assert state.load(path) == saved
    assert path.read_bytes().endswith(b"}\n")
    os.utime(path, (1_000_000, 1_000_000))
    state.save(path, saved)
    assert path.stat().st_mtime == 1_000_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"{", "invalid harvest state: state: Invalid JSON", id="not-json"),
        pytest.param(
            b'{"query": "q"}', "invalid harvest state: since: Field required", id="missing"
        ),
        pytest.param(
            b'{"query": "q", "since": null, "until": "2026-01-02T00:00:00Z", "x": 1}',
            "invalid harvest state: x: Extra inputs are not permitted",
            id="unknown-key",
        ),
        pytest.param(
            b'{"query": "q", "since": null, "until": "0001-01-01T00:00:00Z"}',
            "invalid harvest state: until: Value error, must be a time from the year 1000 to 9000",
            id="until-year-1",
        ),
        pytest.param(
            b'{"query": "q", "since": null, "until": "2026-01-02T00:00:00Z",'
            b' "watermark": "0001-01-01T00:00:00"}',
            "invalid harvest state: watermark: Value error, must be a time from the year 1000",
            id="watermark-year-1",
        ),
        pytest.param(
            b'{"query": "q", "since": null, "until": "2026-01-02T00:00:00Z",'
            b' "done": [["0001-01-01T00:00:00Z", "2025-01-01T00:00:00Z"]]}',
            "invalid harvest state: done.0.0: Value error, must be a time from the year 1000",
            id="done-year-1",
        ),
        pytest.param(
            b'{"query": "q", "since": null, "until": "0001-01-01T00:00:00+01:00"}',
            "invalid harvest state: until: Value error, a time that cannot be expressed in UTC",
            id="until-year-1-offset",
        ),
    ],
)
def test_invalid_state_names_the_file_and_the_problem(tmp_path: Path, content: bytes, message: str):
    """A corrupt state file raises StoreError naming the file and its first problem."""
    path = tmp_path / "t.json"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message) as caught:
        state.load(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_finished_spans_merge_where_they_touch():
    """Finished spans are kept sorted, merged where they overlap or touch, with the count."""
    begun = TopicState(query="q", since=None, until=UNTIL, done=[(at(1, 10), at(1, 12))])
    grown = begun.with_done([(at(1, 0), at(1, 10)), (at(1, 20), at(1, 22))], fetched=30)
    assert grown.done == [(at(1, 0), at(1, 12)), (at(1, 20), at(1, 22))]
    assert grown.fetched == 30
    assert begun.done == [(at(1, 10), at(1, 12))]  # states are frozen: a new one is made


def test_state_is_for_one_query_and_since():
    """A state made for another query or `since` does not match (the topic starts over)."""
    made = TopicState(query="all:x", since=date(2022, 1, 1), until=UNTIL)
    assert made.matches("all:x", date(2022, 1, 1))
    assert not made.matches("all:y", date(2022, 1, 1))
    assert not made.matches("all:x", None)


def test_last_full_harvest_of_an_old_state_is_a_day_before_until():
    """A state written before refreshes existed dates its last full harvest from `until`."""
    assert TopicState(query="q", since=None, until=UNTIL).last_full() == at(1)
    assert TopicState(query="q", since=None, until=UNTIL, refreshed=at(1, 5)).last_full() == at(
        1, 5
    )


def test_an_old_state_s_spans_end_a_minute_earlier(tmp_path: Path):
    """A state written before spans shared their boundary minute has each span's end read a minute earlier."""
    path = state.path_for(tmp_path, "t")
    path.parent.mkdir()
    path.write_text(
        '{"query": "q", "since": null, "until": "2026-01-05T00:00:00Z",'
        ' "done": [["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]]}'
    )
    loaded = state.load(path)
    assert loaded is not None
    assert loaded.done == [(at(1), datetime(2026, 1, 1, 23, 59, tzinfo=UTC))]


def test_a_time_from_the_year_9000_on_is_refused():
    """State times stop just before the year 9000 (a harvest computes a day and years around them)."""
    TopicState(query="q", since=None, until=datetime(8999, 12, 31, tzinfo=UTC))
    with pytest.raises(ValidationError, match="year 1000 to 9000"):
        TopicState(query="q", since=None, until=datetime(9000, 1, 1, tzinfo=UTC))
