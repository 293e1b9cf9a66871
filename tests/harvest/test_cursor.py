"""The change feed's cursor: read and written as it was, moved by pages and passes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from harvester.errors import StoreError
from harvester.harvest.cursor import (
    MAX_LAG_DAYS,
    Cursor,
    advance,
    load_cursor,
    load_merged,
    moved,
    save_cursor,
    save_merged,
)


def test_a_cursor_reads_back_and_an_old_shape_still_reads(tmp_path: Path):
    """A saved cursor reads back equal; one holding only `last` (an older file) reads with
    its covering sets unknown."""
    path = tmp_path / "oai" / "changes.json"
    assert load_cursor(path) is None
    cursor = Cursor(last=date(2026, 4, 1), done=["cs"], tokens={"math": "t"})
    save_cursor(path, cursor)
    assert load_cursor(path) == cursor
    path.write_text('{"last": "2026-04-01"}\n')
    old = load_cursor(path)
    assert old is not None
    assert (old.covering, old.covered) == (None, None)
    path.write_text('{"last": "soon"}\n')
    with pytest.raises(StoreError, match="invalid change feed cursor"):
        load_cursor(path)


def test_a_page_keeps_its_token_and_the_last_page_marks_its_set_done():
    """A page with a token keeps it for its set; the page without one marks the set done."""
    start = Cursor(last=date(2026, 4, 1))
    middle = advance(start, "cs", [], "token-2")
    assert (middle.tokens, middle.done) == ({"cs": "token-2"}, [])
    end = advance(middle, "cs", [], None)
    assert (end.tokens, end.done) == ({}, ["cs"])


@pytest.mark.parametrize(
    ("newest", "changed", "expected"),
    [
        pytest.param(date(2026, 4, 2), True, date(2026, 4, 2), id="changed-moves"),
        pytest.param(date(2026, 4, 2), False, date(2026, 4, 1), id="quiet-stays"),
        pytest.param(
            date(2026, 4, 1 + MAX_LAG_DAYS), False, date(2026, 4, 1 + MAX_LAG_DAYS), id="lagging"
        ),
    ],
)
def test_a_pass_moves_the_cursor_only_when_it_changed_something_or_lags(
    newest: date, changed: bool, expected: date
):
    """A complete pass moves the cursor to its newest datestamp when it changed a topic or
    the cursor lags `MAX_LAG_DAYS` behind; otherwise it stays (no byte changes)."""
    cursor = Cursor(last=date(2026, 4, 1), newest=newest)
    assert moved(cursor, changed=changed) == expected


def test_a_pass_never_moves_the_cursor_back():
    """A pass that changed something but listed only older datestamps leaves the cursor where it was."""
    cursor = Cursor(last=date(2026, 4, 2), newest=date(2026, 4, 1))
    assert moved(cursor, changed=True) == date(2026, 4, 2)


def test_the_merged_records_kept_are_those_a_list_from_that_day_brings_again(tmp_path: Path):
    """Records of the list's first day and after are remembered, older ones dropped; a record of other topics is none."""
    path = tmp_path / "changes.seen"
    day = date(2026, 4, 1)
    save_merged(path, "s1", {"a": ("x", day), "b": ("y", date(2026, 3, 31))}, from_day=day)
    assert load_merged(path, "s1") == {"a": ("x", day)}
    assert load_merged(path, "s2") == {}
