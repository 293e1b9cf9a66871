"""Date windows: query terms, cuts that touch, and the gaps an interrupted backfill left."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.arxiv.windows import (
    MINUTE,
    Window,
    count,
    floor_minute,
    gaps,
    held,
    parts_needed,
)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


def test_clause_names_both_bounds_as_given():
    """Both bounds are sent as they are: arXiv includes both, at :00 of the minute."""
    window = Window(at(1), at(3, 12, 30))
    assert window.clause() == "submittedDate:[202401010000 TO 202401031230]"


def test_split_cuts_into_parts_that_share_their_boundary_minute():
    """Three parts, newest first, each starting at the minute the next ends."""
    parts = Window(at(1), at(1, 0, 31)).split(3)
    assert [(p.start, p.end) for p in parts] == [
        (at(1, 0, 20), at(1, 0, 31)),
        (at(1, 0, 10), at(1, 0, 20)),
        (at(1), at(1, 0, 10)),
    ]


def test_split_stops_at_minutes():
    """A window of one minute cannot be cut; one of three minutes gives three parts at most."""
    assert Window(at(1), at(1, 0, 1)).split(2) == []
    assert len(Window(at(1), at(1, 0, 3)).split(10)) == 3


@given(
    minutes=st.integers(min_value=2, max_value=10**6),
    parts=st.integers(min_value=2, max_value=500),
    second=st.integers(min_value=0, max_value=10**8),
)
def test_every_second_of_a_split_window_is_in_some_part(minutes: int, parts: int, second: int):
    """No moment between the bounds falls between two parts (arXiv's bounds are minute-exact)."""
    window = Window(at(1), at(1) + minutes * MINUTE)
    moment = window.start + timedelta(seconds=second % (minutes * 60 + 1))
    cut = window.split(parts)
    assert cut[0].end == window.end
    assert cut[-1].start == window.start
    assert all(newer.start == older.end for newer, older in itertools.pairwise(cut))
    assert any(p.start <= moment <= p.end for p in cut)


def test_parts_needed_fills_each_window_to_80_percent():
    """70,000 results in windows of at most 8,000 expected: 9 of them; never fewer than 2."""
    assert parts_needed(70_000, 10_000) == 9
    assert parts_needed(10_001, 10_000) == 2


@pytest.mark.parametrize(
    ("rows", "size", "expected"),
    [(10_000, 2_000, 8_000), (10_000, 1_000, 8_000), (9_000, 1_500, 6_000), (10, 9, 9)],
    ids=["page-2000", "page-1000", "page-1500", "one-page"],
)
def test_a_window_is_meant_to_hold_whole_pages(rows: int, size: int, expected: int):
    """A cut window is meant to hold whole pages within 80 % of what a query pages."""
    assert held(rows, size) == expected


def test_count_cuts_in_windows_of_whole_pages():
    """30,000 results at pages of 1,500 need 5 windows of 6,000, not 4 of 7,200 (each 5
    pages); results that one query pages take 1 window."""
    assert count(30_000, 9_000, 1_500) == 5
    assert count(30_000, 10_000, 2_000) == 4
    assert count(10_000, 10_000, 2_000) == 1
    assert count(10_001, 10_000, 2_000) == 2


def test_floor_minute_converts_to_utc():
    """An aware time in another zone floors to its UTC minute."""
    moment = datetime.fromisoformat("2024-01-01T10:30:59-05:00")
    assert floor_minute(moment) == at(1, 15, 30)


def test_a_cut_whose_first_bound_is_the_start_still_cuts_the_window():
    """When the density puts the first cut on the window's start, the window is split
    evenly instead, never handed back whole (it would be cut again forever)."""
    window = Window(at(1, 0, 40), at(1, 1, 0))
    newest = [at(1, 0, 50) - timedelta(seconds=600 * i // 7) for i in range(8)]  # to 00:40
    cut = window.cut(20, 10, 9, newest)
    assert cut == window.split(count(20, 10, 9))
    assert window not in cut


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        pytest.param([], [(at(1), at(9))], id="nothing-done"),
        pytest.param([(at(5), at(9))], [(at(1), at(5))], id="newest-done"),
        pytest.param([(at(5), at(9)), (at(3), at(5))], [(at(1), at(3))], id="two-done"),
        pytest.param([(at(3), at(5))], [(at(5), at(9)), (at(1), at(3))], id="middle-done"),
        pytest.param([(at(1), at(9))], [], id="all-done"),
        pytest.param([(at(4), at(9)), (at(5), at(9))], [(at(1), at(4))], id="overlapping"),
        pytest.param(
            [(at(2), at(4)), (at(6), at(7))],
            [(at(7), at(9)), (at(4), at(6)), (at(1), at(2))],
            id="holes",
        ),
    ],
)
def test_gaps_are_what_is_left_newest_first(done, expected):
    """Only the parts not yet finished are fetched again, newest first, sharing boundaries."""
    whole = Window(at(1), at(9))
    assert [(w.start, w.end) for w in gaps(whole, done)] == expected


def test_a_density_cut_that_lands_on_the_start_falls_back_to_an_even_split():
    """A density cut whose bound falls exactly on the window's start would make a window
    of no minutes; the cut is even instead, and every part spans a minute or more."""
    start, end = datetime(2024, 1, 1, 9, 53, tzinfo=UTC), datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    newest = [datetime(2024, 1, 1, 9, 59, tzinfo=UTC) - timedelta(minutes=i) for i in range(11)]
    parts = Window(start, end).cut(12, 10, 1, newest)
    assert parts == Window(start, end).split(2)
    assert all(part.start < part.end for part in parts)
