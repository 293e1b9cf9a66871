"""The record of verifications: a topic's entry replaced by its next, the others kept;
an invalid record refused with the way out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.db import verified
from harvester.errors import StoreError

WHEN = datetime(2026, 4, 3, 12, tzinfo=UTC)


def _found(missing: int) -> verified.Found:
    return verified.Found(
        at=WHEN, method="ids", listed=10, stored=10 - missing, missing=missing, unlisted=0
    )


def test_a_topics_entry_is_replaced_and_the_others_kept(tmp_path: Path):
    """Recording one topic keeps every other topic's last verification."""
    verified.record(tmp_path, {"a": _found(1), "b": _found(0)})
    verified.record(tmp_path, {"a": _found(0)})
    topics = verified.load(tmp_path).topics
    assert topics == {"a": _found(0), "b": _found(0)}


def test_no_record_is_no_verification(tmp_path: Path):
    """Before any verify, there is nothing on record (and no error)."""
    assert verified.load(tmp_path).topics == {}


def test_an_invalid_record_is_refused_with_the_way_out(tmp_path: Path):
    """A damaged record is a StoreError naming the file and what to do."""
    path = verified.path_for(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"topics": {"a": {"at": "never"}}}')
    with pytest.raises(StoreError, match="remove it: the next `harvest verify` writes it again"):
        verified.load(tmp_path)
    assert path.read_text() == '{"topics": {"a": {"at": "never"}}}'


def test_a_linked_record_folder_is_refused_and_its_target_untouched(tmp_path: Path):
    """A `verify/` that is a symbolic link would aim the write elsewhere: refused, and the
    folder it points to gets nothing."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data = tmp_path / "data"
    (data / ".harvest").mkdir(parents=True)
    (data / ".harvest" / "verify").symlink_to(elsewhere)
    with pytest.raises(StoreError):
        verified.record(data, {"a": _found(0)})
    assert list(elsewhere.iterdir()) == []


def test_a_record_naming_what_is_no_paper_id_is_refused(tmp_path: Path):
    """An id with markup or spaces (a hand-edited record) is refused, not shown."""
    path = verified.path_for(tmp_path)
    path.parent.mkdir(parents=True)
    found = _found(1).model_dump(mode="json") | {"missing_ids": ["<script>x</script>"]}
    path.write_text(json.dumps({"topics": {"a": found}}))
    with pytest.raises(StoreError, match="invalid verification record"):
        verified.load(tmp_path)
