"""Which file a paper belongs in, and what a shard may hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from harvester.db import layout
from harvester.errors import StoreError
from harvester.models import Paper
from tests.conftest import paper


def on(day: date, number: int) -> Paper:
    """A paper published on `day`."""
    return paper(f"{day:%y%m}.{number:05d}v1", published=day)


@pytest.mark.parametrize(
    ("name", "record", "problem"),
    [
        pytest.param("2024.json", on(date(2023, 5, 1), 1), "misplaced", id="wrong-year"),
        pytest.param("2024-02.json", on(date(2024, 3, 1), 1), "misplaced", id="wrong-month"),
        pytest.param("notes.json", on(date(2024, 3, 1), 1), "not a shard", id="not-a-shard-name"),
    ],
)
def test_check_placement_names_the_misplaced_paper(
    tmp_path: Path, name: str, record: Paper, problem: str
):
    """A shard holding a paper of another period, or a file that is no shard, is an error."""
    with pytest.raises(StoreError, match=problem):
        layout.check_placement(tmp_path / "t" / name, "t", [record])
