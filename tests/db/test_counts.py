"""Counts: added up with +, what changed, and how they read."""

from __future__ import annotations

import pytest

from harvester.db.counts import NAMED, Change, Counts, plural, requests, total


def test_counts_add_field_by_field_and_keep_the_changes_in_order():
    """Adding two counts adds each number and puts the second's changes after the first's."""
    first = Counts(new=1, unchanged=2, changes=(Change("2401.00001v1", "A", "new"),))
    second = Counts(updated=1, revised=2, changes=(Change("2401.00002v2", "B", "updated"),))
    both = first + second
    assert (both.new, both.updated, both.revised, both.unchanged) == (1, 1, 2, 2)
    assert [c.arxiv_id for c in both.changes] == ["2401.00001v1", "2401.00002v2"]
    assert total([first, second, Counts()]) == both
    assert total([]) == Counts()


@pytest.mark.parametrize(
    ("counts", "changed"),
    [
        pytest.param(Counts(unchanged=5), 0, id="nothing-changed"),
        pytest.param(Counts(new=1, updated=2, revised=3, unchanged=4), 6, id="all-kinds"),
    ],
)
def test_changed_counts_new_updated_and_revised_only(counts: Counts, changed: int):
    """What changed the stored file: new, updated and revised papers, never unchanged ones."""
    assert counts.changed == changed


@pytest.mark.parametrize(
    ("counts", "line"),
    [
        pytest.param(Counts(new=3, unchanged=12), "3 new, 0 updated, 12 unchanged", id="plain"),
        pytest.param(Counts(revised=2), "0 new, 0 updated, 2 revised, 0 unchanged", id="revised"),
    ],
)
def test_describe_shows_revised_only_when_there_are_any(counts: Counts, line: str):
    """A topic's line names revised papers only when a run revised some."""
    assert counts.describe() == line


@pytest.mark.parametrize(
    ("count", "words"),
    [
        pytest.param(1, "1 request", id="one"),
        pytest.param(0, "0 requests", id="none"),
        pytest.param(12_000, "12,000 requests", id="thousands"),
    ],
)
def test_plural(count: int, words: str):
    """A count and its noun agree, with thousands separated."""
    assert plural(count, "request") == words


@pytest.mark.parametrize(
    ("sent", "answered", "words"),
    [
        pytest.param(5, 5, "5 requests", id="all-answered"),
        pytest.param(1, 1, "1 request", id="one"),
        pytest.param(5, 0, "5 requests (none answered)", id="never-connected"),
        pytest.param(5, 3, "5 requests (3 answered)", id="some"),
    ],
)
def test_requests_say_how_many_were_answered(sent: int, answered: int, words: str):
    """Requests a server never answered are not passed off as answered ones (issue 16)."""
    assert requests(sent, answered) == words


def test_changes_are_named_up_to_a_bound_and_the_rest_counted():
    """Past `NAMED`, changes are counted only: a first harvest of millions keeps its
    report small, and `unnamed` says how many were left out."""
    one = Counts(new=1, changes=(Change("2401.00001v1", "t", "new"),))
    summed = total([one] * (NAMED + 5))
    assert summed.new == NAMED + 5
    assert len(summed.changes) == NAMED
    assert summed.unnamed == 5
    assert one.unnamed == 0
