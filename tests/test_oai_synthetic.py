"""The synthetic arXiv (`tests/oai_synthetic.py`) served by the OAI-PMH stand-in: the same
for a seed, small in memory, listed as the scripted mode lists the same papers, its sets,
its days of changes, and records the harvester's parser takes."""

from __future__ import annotations

import gc
import re
import time
import tracemalloc
from collections import Counter
from datetime import date

import pytest

from harvester import taxonomy
from harvester.db import store
from harvester.oai import records
from tests.oai_standin import EARLIEST, OaiStandin, in_set, offline
from tests.oai_synthetic import FIVE_DIGITS, NEW_STYLE, SyntheticArxiv

TODAY = date(2026, 4, 3)
LIST = {"verb": "ListRecords", "metadataPrefix": "arXivRaw"}


@pytest.fixture(scope="module")
def arxiv() -> SyntheticArxiv:
    """3,000 synthetic papers, shared by the tests that only read them."""
    return SyntheticArxiv(3000, seed=11, today=TODAY)


def listed(
    standin: OaiStandin, *, from_day: date | None = None, set_spec: str | None = None
) -> list[records.Record]:
    """Every record of a list, through the real client, page after page."""
    pages = offline(standin).list_records(from_day=from_day, set_spec=set_spec)
    return [r for page in pages for r in page.records]


def test_the_same_seed_makes_the_same_arxiv():
    """Two synthetic arXivs of one seed serve the same bytes; another seed, other papers."""
    pages = []
    for seed in (4, 4, 5):
        standin = OaiStandin(today=TODAY, synthetic=SyntheticArxiv(500, seed=seed, today=TODAY))
        pages.append(standin.list_records(LIST | {"from": "2020-01-01"}))
    assert pages[0] == pages[1]
    assert pages[0] != pages[2]


def test_a_paper_costs_a_few_dozen_bytes():
    """At 100,000 papers the synthetic arXiv holds under 400 bytes a paper (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        made = SyntheticArxiv(100_000, seed=1, today=TODAY)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(made) == 100_000
    assert held / len(made) < 400


def test_a_full_list_at_a_small_limit_is_the_scripted_list(arxiv: SyntheticArxiv):
    """Paged by 50, the synthetic arXiv lists every paper exactly once, in the records the
    scripted mode serves for the same papers."""
    synthetic = OaiStandin(today=TODAY, synthetic=arxiv, limit=50)
    scripted = OaiStandin(today=TODAY, limit=50)
    scripted.add(*arxiv.papers())
    served = listed(synthetic)
    keys = [r.paper.key for r in served]
    assert sorted(keys) == sorted(map(arxiv.paper_id, range(len(arxiv))))
    assert len(set(keys)) == len(keys)
    assert served == listed(scripted)
    assert synthetic.requests == scripted.requests  # the same tokens, the same day rewrites


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("cs", id="group"),
        pytest.param("physics:hep-th", id="archive"),
        pytest.param("physics:astro-ph", id="legacy-bare-archive"),
        pytest.param("physics:nlin", id="subsuming-archive"),
        pytest.param("math:math:NA", id="alias"),
        pytest.param("stat:stat:ML", id="category"),
    ],
)
def test_set_filters_match_in_set(arxiv: SyntheticArxiv, spec: str):
    """A set lists the papers `in_set` puts in it, and the scripted mode's pages for them."""
    synthetic = OaiStandin(today=TODAY, synthetic=arxiv, limit=40)
    scripted = OaiStandin(today=TODAY, limit=40)
    scripted.add(*arxiv.papers())
    served = listed(synthetic, set_spec=spec, from_day=date(2010, 1, 1))
    expected = [p for p in arxiv.papers() if in_set(p, spec) and p.modtime.year >= 2010]
    assert expected
    assert sorted(r.paper.key for r in served) == sorted(p.paper_id for p in expected)
    assert served == listed(scripted, set_spec=spec, from_day=date(2010, 1, 1))


def test_a_day_of_changes_lists_exactly_the_changed_papers():
    """After a day of new papers, DOIs added and withdrawals, a list from that day holds
    exactly those, each changed as said and nothing else."""
    arxiv = SyntheticArxiv(3000, seed=12, today=TODAY)
    standin = OaiStandin(today=TODAY, synthetic=arxiv, limit=10)
    last_id = arxiv.paper_id(len(arxiv) - 1)
    before = list(arxiv.papers())
    standin.next_day()
    changes = arxiv.day_of_changes(new=25, dois=12, withdrawals=6)
    assert changes.day == standin.today == arxiv.today == date(2026, 4, 4)
    assert (len(changes.new), len(changes.dois), len(changes.withdrawn)) == (25, 12, 6)
    served = {r.paper.key: r for r in listed(standin, from_day=standin.today)}
    assert set(served) == changes.ids
    assert all(r.datestamp == standin.today for r in served.values())
    for key in changes.dois:
        old, new = before[arxiv.index_of(key)], arxiv.paper(arxiv.index_of(key))
        assert old.doi is None
        assert new.doi
        assert new.changed(old.modtime, doi=None, updated=old.updated) == old
    for key in changes.withdrawn:
        old, record = before[arxiv.index_of(key)], served[key].paper
        assert record.withdrawn
        assert record.versions is not None
        assert record.versions[:-1] == [v.created for v in old.versions]
    assert [arxiv.paper_id(i) for i in range(3000, 3025)] == list(changes.new)
    assert sorted([last_id, *changes.new]) == [last_id, *changes.new]  # numbered on
    assert all(served[k].paper.version == 1 for k in changes.new)


def test_a_day_of_changes_is_the_same_for_the_same_seed():
    """Two synthetic arXivs of one seed change the same papers on the same day."""
    made = []
    for _ in range(2):
        arxiv = SyntheticArxiv(1000, seed=3, today=TODAY)
        arxiv.next_day()
        made.append(arxiv.day_of_changes(new=5, dois=5, withdrawals=5))
    assert made[0] == made[1]


def test_the_records_parse_validate_and_look_like_arxivs(arxiv: SyntheticArxiv):
    """Every record parses and validates, and the papers have arXiv's shape: ids of their
    time, versions in order, a modtime at or after the current version, some at the earliest
    datestamp, DOIs (some two), withdrawals, every group, about 1.9 kB stored."""
    standin = OaiStandin(today=TODAY, synthetic=arxiv)
    pages = [records.parse(standin.list_records(LIST))]
    while pages[-1].token is not None:
        token = pages[-1].token
        pages.append(
            records.parse(standin.list_records({"verb": "ListRecords", "resumptionToken": token}))
        )
    served = [r for page in pages for r in page.records]
    assert sum(p.entries for p in pages) == len(served) == len(arxiv)
    for record in served:
        paper, versions = record.paper, record.paper.versions or []
        first = versions[0]
        if first < NEW_STYLE:
            assert re.fullmatch(r"[a-z-]+(\.[A-Z]{2})?/\d{7}", paper.key), paper.key
        else:
            digits = 4 if first < FIVE_DIGITS else 5
            assert re.fullmatch(rf"{first:%y%m}\.\d{{{digits}}}", paper.key), paper.key
        assert versions == sorted(versions)
        assert 1 <= len(versions) <= 5
        assert record.datestamp >= max(versions[-1].date(), EARLIEST.date())
        assert record.datestamp <= TODAY
    papers = [r.paper for r in served]
    stamps = Counter(r.datestamp for r in served)
    assert 0.01 < stamps[EARLIEST.date()] / len(served) < 0.06
    assert sum(p.published.year >= 2020 for p in papers) > len(papers) / 3  # most are recent
    assert any(p.doi and " " in p.doi for p in papers)
    assert any(p.withdrawn for p in papers)
    assert any(p.journal_ref for p in papers)
    assert any(r.datestamp == TODAY for r in served)
    groups = {taxonomy.group_of_category(c) for p in papers for c in p.categories}
    assert groups >= {"cs", "math", "physics", "q-bio", "q-fin", "stat", "eess", "econ"}
    assert 1500 < len(store.dumps(papers)) / len(papers) < 2500


def test_submissions_grow_over_the_years_up_to_today():
    """Each year has more papers than the one five years before, and some came today."""
    arxiv = SyntheticArxiv(30_000, seed=2, today=TODAY)
    first = [arxiv.paper(i).versions[0].created for i in range(len(arxiv))]
    years = Counter(when.year for when in first)
    assert min(years) == 1991
    assert all(years[y] > years[y - 5] for y in range(1997, 2026))
    assert any(when.date() == TODAY for when in first)
    assert first == sorted(first)  # indexed, and numbered, in submission order


def test_an_id_finds_its_paper(arxiv: SyntheticArxiv):
    """`index_of` is the inverse of `paper_id`, old-style ids included."""
    assert all(arxiv.index_of(arxiv.paper_id(i)) == i for i in range(len(arxiv)))
    with pytest.raises(KeyError):
        arxiv.index_of("2604.99999")


@pytest.mark.slow
def test_a_page_at_a_million_papers_is_quick():
    """A 2,500-record page of a million papers renders in under half a second."""
    standin = OaiStandin(today=TODAY, synthetic=SyntheticArxiv(1_000_000, seed=1, today=TODAY))
    for query in ({}, {"from": "2024-01-01"}, {"set": "physics:hep-th"}):
        started = time.perf_counter()
        body = standin.list_records(LIST | query)
        assert time.perf_counter() - started < 0.5
        assert body.count(b"<record>") == 2500
