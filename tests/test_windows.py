"""Date windows: query terms, halving, and the gaps an interrupted backfill left."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harvester.windows import Window, floor_minute, gaps


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


def test_clause_includes_both_ends_at_minute_resolution():
    """[start, end) becomes arXiv's inclusive range ending one minute before `end`."""
    window = Window("submittedDate", at(1), at(3))
    assert window.clause() == "submittedDate:[202401010000 TO 202401022359]"


def test_halves_split_on_whole_minutes_newest_first():
    """A window halves into a newer and an older half that meet exactly; a minute cannot."""
    window = Window("lastUpdatedDate", at(1), at(2, 0, 3))
    newer, older = window.halves() or pytest.fail("should split")
    assert (older.start, older.end, newer.start, newer.end) == (
        at(1),
        at(1, 12, 1),
        at(1, 12, 1),
        at(2, 0, 3),
    )
    assert Window("submittedDate", at(1), at(1, 0, 1)).halves() is None


def test_floor_minute_converts_to_utc():
    """An aware time in another zone floors to its UTC minute."""
    moment = datetime.fromisoformat("2024-01-01T10:30:59-05:00")
    assert floor_minute(moment) == at(1, 15, 30)


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        pytest.param([], [(at(1), at(9))], id="nothing-done"),
        pytest.param([(at(5), at(9))], [(at(1), at(5))], id="newest-done"),
        pytest.param([(at(5), at(9)), (at(3), at(5))], [(at(1), at(3))], id="two-done"),
        pytest.param([(at(3), at(5))], [(at(5), at(9)), (at(1), at(3))], id="middle-done"),
        pytest.param([(at(1), at(9))], [], id="all-done"),
        pytest.param(
            [(at(2), at(4)), (at(6), at(7))],
            [(at(7), at(9)), (at(4), at(6)), (at(1), at(2))],
            id="holes",
        ),
    ],
)
def test_gaps_are_what_is_left_newest_first(done, expected):
    """Only the parts not yet finished are fetched again, newest first."""
    whole = Window("submittedDate", at(1), at(9))
    assert [(w.start, w.end) for w in gaps(whole, done)] == expected
