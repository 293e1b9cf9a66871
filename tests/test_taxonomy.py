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


@pytest.mark.parametrize(
    ("spec", "query"),
    [
        pytest.param("cs:cs:LG", "cat:cs.LG", id="category"),
        pytest.param("cs:cs:CL", "cat:cs.CL OR cat:cmp-lg", id="subsuming-category"),
        pytest.param("cs:cs:NA", "cat:cs.NA OR cat:math.NA", id="alias"),
        pytest.param("physics:hep-th", "cat:hep-th", id="archive-as-category"),
        pytest.param("physics:math-ph", "cat:math-ph OR cat:math.MP", id="alias-archive"),
        pytest.param("physics:astro-ph", "cat:astro-ph.* OR cat:astro-ph", id="legacy-bare"),
        pytest.param("stat", "cat:stat.* OR cat:math.ST", id="group-with-alias"),
    ],
)
def test_a_set_has_its_search(spec: str, query: str):
    """A set is searched by every name arXiv's server matches for it (db.py:110-147)."""
    assert taxonomy.query_for(spec) == query


def test_a_group_search_holds_its_archives_and_their_old_names():
    """The physics group is searched through its archives, subsumed ones included."""
    names = taxonomy.query_for("physics").split(" OR ")
    assert {"cat:quant-ph", "cat:cond-mat.*", "cat:solv-int", "cat:math.MP"} <= set(names)
    assert "cat:cond-mat.mtrl-sci" not in names  # within cond-mat.*
    assert len(names) == len(set(names))


# Set specs as arXiv/oaipmh writes them (create_set_list.py:34-44 over arxiv-base's
# definitions.py at 0f94fa0; its own tests/test_record_format.py:10-11 asserts
# `physics:math-ph` and `math:math:MP`), and near misses `_parse_set` refuses.
@pytest.mark.parametrize(
    ("spec", "real"),
    [
        pytest.param("cs:cs:LG", True, id="cs-category"),
        pytest.param("physics:hep-th", True, id="archive-as-category"),
        pytest.param("math:math:AG", True, id="math-category"),
        pytest.param("physics:astro-ph:GA", True, id="physics-archive-category"),
        pytest.param("physics:math-ph", True, id="alias-archive"),
        pytest.param("math:math:MP", True, id="alias-category"),
        pytest.param("q-bio:q-bio:NC", True, id="hyphenated-group"),
        pytest.param("cs:cs", True, id="archive-of-its-own-group"),
        pytest.param("econ", True, id="group"),
        pytest.param("cs:LG", False, id="archive-missing"),
        pytest.param("cs:cs.LG", False, id="dot-not-colon"),
        pytest.param("cs:cs:lg", False, id="lower-case"),
        pytest.param("physics:physics:hep-th", False, id="archive-as-subject"),
        pytest.param("hep-th", False, id="archive-as-group"),
        pytest.param("astro-ph:GA", False, id="group-missing"),
        pytest.param("math:math-ph", False, id="wrong-group"),
        pytest.param("physics:nlin:SI:x", False, id="four-levels"),
        pytest.param("physics:solv-int", False, id="subsumed-archive"),
        pytest.param("physics:astro-ph:XX", False, id="unknown-subject"),
        pytest.param("test:test", False, id="test-archive"),
        pytest.param("grp_cs", False, id="group-id"),
    ],
)
def test_real_set_specs_and_near_misses(spec: str, real: bool):
    """arXiv's own set specs are sets; a spec one slip away from one is not."""
    assert (spec in taxonomy.SETS) is real


def test_there_are_as_many_sets_as_arxiv_lists():
    """8 groups, 20 archives and 146 categories with a subject: 174 sets, as arXiv lists."""
    assert len(taxonomy.SETS) == 174


@pytest.mark.parametrize(
    ("category", "spec", "alt"),
    [
        pytest.param("cs.LG", "cs:cs:LG", None, id="plain"),
        pytest.param("hep-th", "physics:hep-th", None, id="archive-as-category"),
        pytest.param("math.MP", "math:math:MP", "math-ph", id="alias"),
        pytest.param("math-ph", "physics:math-ph", "math.MP", id="canonical"),
        pytest.param("nlin.SI", "physics:nlin:SI", "solv-int", id="subsuming"),
        pytest.param("solv-int", "physics:solv-int", "nlin.SI", id="subsumed"),
        pytest.param("cmp-lg", "cs:cmp-lg", "cs.CL", id="subsumed-into-cs"),
        pytest.param("xx.YY", None, None, id="unknown"),
    ],
)
def test_a_category_has_its_set_and_other_name(category: str, spec: str | None, alt: str | None):
    """A category's set spec and its alias or subsumed name are arXiv's."""
    assert (taxonomy.set_of(category), taxonomy.alt_name(category)) == (spec, alt)
