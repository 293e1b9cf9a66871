"""Property tests (hypothesis) of the merge: idempotent, lossless, order-free, byte-stable."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given
from hypothesis import strategies as st

from harvester import store
from harvester.models import Paper

KEYS = ["2401.00001", "2401.00002", "2312.11456", "hep-th/9901001", "math.GT/0309136"]
VERSIONS = range(1, 5)
text = st.text(st.characters(codec="utf-8"), max_size=40)


def record(key: str, version: int, title: str = "") -> Paper:
    """The one record arXiv would give for this paper at this version."""
    arxiv_id = f"{key}v{version}"
    return Paper(
        title=title or f"{key} at v{version}",
        authors=["A. Author"],
        summary="An abstract.",
        arxiv_id=arxiv_id,
        published=date(2024, 1, 1 + KEYS.index(key)),
        categories=["cs.LG"],
        url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}.pdf",
        updated=datetime(2024, 2, version, tzinfo=UTC),
        primary_category="cs.LG",
    )


papers = st.builds(record, st.sampled_from(KEYS), st.sampled_from(VERSIONS))
batches = st.lists(papers, max_size=20)
stored_sets = batches.map(lambda b: store.merge({}, b).papers)


@given(stored_sets, batches)
def test_merging_a_batch_twice_equals_merging_it_once(stored: dict[str, Paper], batch: list[Paper]):
    """Merging the same batch again changes nothing."""
    once = store.merge(stored, batch).papers
    assert store.merge(once, batch).papers == once


@given(stored_sets, batches)
def test_no_stored_paper_is_ever_dropped(stored: dict[str, Paper], batch: list[Paper]):
    """Every stored paper is still there after a merge, at the same or a newer version."""
    merged = store.merge(stored, batch).papers
    for key, paper in stored.items():
        assert merged[key].version >= paper.version


@given(batches, st.randoms(use_true_random=False))
def test_newest_version_wins_whatever_the_order(batch: list[Paper], rng):
    """The result is the newest version of each paper, in whatever order they arrive."""
    shuffled = list(batch)
    rng.shuffle(shuffled)
    one, other = store.merge({}, batch).papers, store.merge({}, shuffled).papers
    assert one == other
    for paper in batch:
        assert one[paper.key].version == max(p.version for p in batch if p.key == paper.key)


@given(batches, batches)
def test_arrival_split_across_runs_gives_the_same_file(first: list[Paper], second: list[Paper]):
    """Two runs in either order end with the same bytes as one run with everything."""
    together = store.dumps(store.merge({}, first + second).papers.values())
    a_then_b = store.merge(store.merge({}, first).papers, second).papers
    b_then_a = store.merge(store.merge({}, second).papers, first).papers
    assert store.dumps(a_then_b.values()) == together == store.dumps(b_then_a.values())


@given(st.lists(st.tuples(st.sampled_from(KEYS), text), max_size=5, unique_by=lambda t: t[0]))
def test_serialise_load_serialise_is_byte_stable(titles: list[tuple[str, str]]):
    """Any records, any Unicode: dump, load and dump again give the same bytes."""
    data = store.dumps(record(key, 1, title) for key, title in titles)
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.json"
        path.write_bytes(data)
        assert store.dumps(store.load(path).values()) == data


@given(stored_sets, st.sampled_from(KEYS), text)
def test_same_version_arriving_later_wins(stored: dict[str, Paper], key: str, title: str):
    """arXiv's latest word on a version replaces the stored record of that version."""
    version = stored[key].version if key in stored else 1
    fresh = record(key, version, title)
    merged = store.merge(stored, [fresh])
    assert merged.papers[key] == fresh
    changed = key in stored and stored[key] != fresh
    assert merged.counts.revised == int(changed)


@given(
    st.lists(st.tuples(st.sampled_from(KEYS), text), max_size=5, unique_by=lambda t: t[0]),
    st.integers(1, 3),
)
def test_file_bytes_are_json_dumps_with_two_space_indent(
    titles: list[tuple[str, str]], per_piece: int
):
    """The file is exactly json.dumps(indent=2, ensure_ascii=False) plus a newline, in any pieces."""
    papers = [record(key, 1, title) for key, title in titles]
    ordered = sorted(papers, key=Paper.sort_key, reverse=True)
    expected = json.dumps(
        [p.model_dump(mode="json") for p in ordered], indent=2, ensure_ascii=False
    )
    assert b"".join(store.pieces(papers, records_per_piece=per_piece)) == expected.encode() + b"\n"
