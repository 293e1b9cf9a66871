"""Counting distinct papers as topics stream (`harvester.outputs.distinct`)."""

from __future__ import annotations

import pytest

from harvester.outputs.distinct import DistinctIds


def test_a_paper_met_in_several_topics_counts_once():
    """Ids added again count once; ids of one block and of other blocks each count."""
    ids = DistinctIds()
    for key in ["2405.01234", "2405.01235", "2405.01234", "2405.02234", "hep-th/9901001"]:
        ids.add(key)
    ids.add("2405.01234")
    assert len(ids) == 4
    assert len(DistinctIds()) == 0


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("0704.0001", "0704.00001", id="four-and-five-digits"),
        pytest.param("hep-th/9901001", "hep-ph/9901001", id="two-archives"),
        pytest.param("2405.00999", "2405.01999", id="neighbouring-blocks"),
        pytest.param("2405.00000", "2405.00008", id="one-byte-apart"),
    ],
)
def test_ids_alike_in_their_digits_are_told_apart(first: str, second: str):
    """Two ids whose last three digits agree (or share a byte of the block) are two papers."""
    ids = DistinctIds()
    ids.add(first)
    ids.add(second)
    assert len(ids) == 2


def test_every_id_of_a_block_is_held():
    """All thousand ids of a block, the first and the last among them, count a thousand."""
    ids = DistinctIds()
    for number in range(1000):
        ids.add(f"2405.01{number:03d}")
    assert len(ids) == 1000
