"""The change feed's sets: the fewest groups covering the stored papers, or none."""

from __future__ import annotations

import pytest

from harvester.harvest import cover
from tests.conftest import paper


@pytest.mark.parametrize(
    ("categories", "sets"),
    [
        pytest.param([["cs.LG", "stat.ML"], ["cs.CL"]], ["cs"], id="cs-topics"),
        pytest.param([["cs.LG"], ["math.OC"]], [""], id="most-of-arxiv"),
        pytest.param([["q-bio.GN"], ["stat.ML", "q-bio.QM"]], ["q-bio"], id="one-covers-both"),
        pytest.param([["cs.LG"], ["xx.YY"]], [""], id="a-category-arxiv-lacks"),
    ],
)
def test_the_fewest_sets_cover_the_stored_papers(categories: list[list[str]], sets: list[str]):
    """Each stored paper is in one chosen group; past half of arXiv, no set at all."""
    papers = [paper(f"2401.0000{i}v1", categories=c) for i, c in enumerate(categories)]
    assert cover.covering_sets(cover.groups_of(p) for p in papers) == sets
