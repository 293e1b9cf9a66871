"""Paper ids held compactly: each id back as it went in, marks, and the month an id names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.harvest.ids import IdIndex, month_of

NEW = st.builds(
    lambda m, n: f"{m:04d}.{n:05d}" if m >= 1501 else f"{m:04d}.{n % 10_000:04d}",
    st.sampled_from([704, 912, 1412, 1501, 2405, 9912]),
    st.integers(1, 99_999),
)
OLD = st.builds(
    lambda a, d: f"{a}/{d:07d}",
    st.sampled_from(["hep-th", "math", "cond-mat", "q-alg", "solv-int", "math.GT"]),
    st.integers(9_108_001, 9_912_999) | st.integers(1_001, 703_999),
)


@pytest.mark.parametrize(
    ("key", "month"),
    [
        pytest.param("2405.01234", "2024-05", id="new-five-digits"),
        pytest.param("0704.0001", "2007-04", id="new-four-digits"),
        pytest.param("hep-th/9901001", "1999-01", id="old-1990s"),
        pytest.param("math/0703001", "2007-03", id="old-2000s"),
        pytest.param("math.GT/0309136", "2003-09", id="old-with-subject"),
    ],
)
def test_an_id_names_the_month_it_was_given_in(key: str, month: str):
    """New-style ids say YYMM before the dot, old-style ones after the slash."""
    assert month_of(key) == month


@given(st.lists(NEW | OLD, max_size=60), st.lists(NEW | OLD, max_size=20))
def test_an_index_holds_exactly_its_ids_and_gives_back_the_unmarked(
    held: list[str], asked: list[str]
):
    """Every id held is found and comes back as it went in; an id not held is not found;
    marking leaves exactly the others unmarked."""
    index = IdIndex(held)
    assert len(index) == len(set(held))
    for key in asked:
        assert (key in index) == (key in held)
        assert index.mark(key) == (key in held)
    assert sorted(index.unmarked()) == sorted(set(held) - set(asked))


def test_an_id_of_an_archive_the_index_never_saw_is_not_found():
    """Looking up an old-style id of an unknown archive finds nothing and adds nothing."""
    index = IdIndex(["hep-th/9901001"])
    assert "hep-ph/9901001" not in index
    assert index.unmarked() == ["hep-th/9901001"]
