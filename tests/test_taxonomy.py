"""arXiv's sets: the three levels, a category's group, the search for a set."""

from __future__ import annotations

import pytest

from harvester import taxonomy


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("cs", id="group"),
        pytest.param("physics:hep-th", id="archive"),
        pytest.param("cs:cs:LG", id="category"),
        pytest.param("physics:cond-mat:mes-hall", id="physics-category"),
    ],
)
def test_the_three_levels_are_sets(spec: str):
    """A group, a group:archive and a group:archive:category are sets."""
    assert spec in taxonomy.SETS


@pytest.mark.parametrize(
    ("category", "group"),
    [
        pytest.param("cs.CL", "cs", id="cs"),
        pytest.param("hep-th", "physics", id="physics-archive"),
        pytest.param("math.OC", "math", id="math"),
        pytest.param("solv-int", "physics", id="subsumed"),
        pytest.param("xx.YY", None, id="unknown"),
    ],
)
def test_a_category_has_its_group(category: str, group: str | None):
    """A category's broadest set is its archive's group; one arXiv lacks has none."""
    assert taxonomy.group_of_category(category) == group


def test_a_set_has_its_search():
    """A category set is searched as `cat:`, an archive with subjects by a wildcard."""
    assert taxonomy.query_for("cs:cs:CL") == "cat:cs.CL"
    assert taxonomy.query_for("physics:hep-th") == "cat:hep-th"
    assert taxonomy.query_for("physics:astro-ph") == "cat:astro-ph.*"
    assert "cat:quant-ph" in taxonomy.query_for("physics")
