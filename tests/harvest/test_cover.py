"""The change feed's sets: the fewest groups covering the stored papers, or none."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.config import load_config
from harvester.db import state
from harvester.harvest import cover
from tests.conftest import RLHF_QUERY, paper


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


def test_the_stamps_the_sets_follow_from(tmp_path: Path):
    """A set topic gives its set, read from no file; a query topic whose state keeps no
    stamps gives none (the sets are then computed anew)."""
    config = tmp_path / "queries.toml"
    config.write_text(f"[topics.lg]\nset = 'cs:cs:LG'\n\n[topics.t]\nquery = '{RLHF_QUERY}'\n")
    topics = load_config(config).topics
    data = tmp_path / "data"
    assert cover.stamps_of([topics["lg"]], data) == {"lg": "cs:cs:LG"}
    assert cover.stamps_of([topics["lg"], topics["t"]], data) is None


def test_the_digest_follows_each_blob_and_not_the_order():
    """The same stamps in another order give the same digest; another blob, another."""
    one: cover.Stamps = {"t": {"t/2023.json": "a", "t/2024.json": "b"}, "lg": "cs:cs:LG"}
    same: cover.Stamps = {"lg": "cs:cs:LG", "t": {"t/2024.json": "b", "t/2023.json": "a"}}
    other: cover.Stamps = {"t": {"t/2023.json": "a", "t/2024.json": "c"}, "lg": "cs:cs:LG"}
    assert cover.digest(one) == cover.digest(same) != cover.digest(other)
    assert cover.digest(None) is None


def test_exactly_half_of_arxiv_is_still_listed_by_its_groups():
    """Groups making exactly half of arXiv are listed as sets; only past half is all of arXiv listed."""
    papers = [
        paper(f"2401.0000{i}v1", categories=[c])
        for i, c in enumerate(["hep-th", "math.AG", "stat.ME"])
    ]
    assert cover.covering_sets(cover.groups_of(p) for p in papers) == ["math", "physics", "stat"]


def test_a_state_without_file_stamps_gives_no_stamps(tmp_path: Path):
    """A query topic whose state keeps no file stamps makes the sets be computed anew."""
    config = tmp_path / "queries.toml"
    config.write_text(f"[topics.t]\nquery = '{RLHF_QUERY}'\n")
    topic = load_config(config).topics["t"]
    data = tmp_path / "data"
    until = datetime(2026, 1, 1, tzinfo=UTC)
    state.save(
        state.path_for(data, "t"),
        state.TopicState(query=topic.query, since=None, until=until, complete=True),
    )
    assert cover.stamps_of([topic], data) is None
