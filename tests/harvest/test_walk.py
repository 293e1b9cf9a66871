"""The incremental walk: newest update first, down to the cutoff, trusted only when sorted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harvester.arxiv import feed
from harvester.arxiv.paging import fits
from harvester.harvest.walk import MIN_WALK_PAGE, page_size, size_for, walk
from tests.conftest import offline_client
from tests.standin import MODES, Mode, Standin, synthetic_entries

CUTOFF = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("mode", MODES)
def test_walk_stops_at_the_first_entry_older_than_the_cutoff(mode: Mode):
    """One request returns every paper updated since the cutoff, new versions of old ones too."""
    standin = Standin(mode=mode)
    old = standin.entries[80]
    standin.entries[80] = old.new_version(
        old.version + 1, title="v+1", updated=CUTOFF + timedelta(days=1)
    )
    with offline_client(standin, page_size=100) as client:
        found = walk(client, "all:x", cutoff=CUTOFF, size=100)
    assert found.untrusted is None
    expected = {e.arxiv_id for e in standin.entries if e.updated >= CUTOFF}
    assert {p.arxiv_id for p in found.papers} == expected
    assert f"{old.key}v{old.version + 1}" in expected
    assert len(standin.requests) == 1


def test_a_paper_updated_exactly_at_the_cutoff_is_walked():
    """The cutoff is included: a new version stamped at that very second is returned."""
    standin = Standin()
    old = standin.entries[80]
    standin.entries[80] = old.new_version(old.version + 1, title="v+1", updated=CUTOFF)
    with offline_client(standin, page_size=100) as client:
        found = walk(client, "all:x", cutoff=CUTOFF, size=100)
    assert found.untrusted is None
    assert f"{old.key}v{old.version + 1}" in {p.arxiv_id for p in found.papers}


def test_walk_query_has_no_date_filter():
    """The walk sends the topic's query as it is, sorted by lastUpdatedDate (issue 9, item 7)."""
    standin = Standin()
    with offline_client(standin) as client:
        walk(client, "cat:cs.LG", cutoff=CUTOFF, size=100)
    (request,) = standin.requests
    assert "lastUpdatedDate:[" not in request["search_query"]
    assert request["search_query"] == "cat:cs.LG"
    assert (request["sortBy"], request["sortOrder"]) == ("lastUpdatedDate", "descending")


@pytest.mark.parametrize("mode", MODES)
def test_walk_out_of_order_is_untrusted(mode: Mode):
    """A server that ignores sortBy is caught on the first page, even if it starts with an old entry."""
    standin = Standin(mode=mode, ignore_sort=True)
    with offline_client(standin, page_size=100) as client:
        found = walk(client, "all:x", cutoff=CUTOFF, size=100)
    assert found.untrusted == "arXiv returned the walk's results out of order"
    assert len(standin.requests) == 1


def test_walk_past_the_paging_limit_is_untrusted_and_pages_grow():
    """12,000 updates since the cutoff: pages double, none asks past 10,000 rows, then it gives up."""
    entries = synthetic_entries(12_000, first=CUTOFF + timedelta(days=1), step_seconds=60)
    standin = Standin(entries=entries)
    with offline_client(standin, page_size=2000) as client:
        found = walk(client, "all:x", cutoff=CUTOFF, size=100)
    assert found.untrusted == "the walk would page past the 10000 rows arXiv serves"
    assert all(fits(int(r["start"]), int(r["max_results"])) for r in standin.requests)
    assert [r["max_results"] for r in standin.requests[:6]] == [
        "100",
        "200",
        "400",
        "800",
        "1600",
        "2000",
    ]
    assert len(standin.requests) <= 12


def test_page_size_follows_the_topic_history():
    """Twice the updates of a span as long as the walk's, rounded up to a hundred, within bounds."""
    body = Standin().feed(0, 111)
    papers = feed.parse(body).papers
    now = max(p.updated for p in papers if p.updated) + timedelta(days=1)
    assert page_size(papers, cutoff=now - timedelta(days=3), now=now, largest=1000) == MIN_WALK_PAGE
    assert page_size(papers, cutoff=now - timedelta(days=20000), now=now, largest=1000) == 200
    assert page_size(papers, cutoff=now - timedelta(days=20000), now=now, largest=25) == 25


def test_papers_updated_at_the_same_second_are_in_order():
    """Entries sharing one `updated` second are in the order asked for: the walk is trusted."""
    entries = synthetic_entries(5, first=CUTOFF + timedelta(days=1))  # all at one second
    standin = Standin(entries=entries)
    with offline_client(standin, page_size=100) as client:
        found = walk(client, "all:x", cutoff=CUTOFF, size=100)
    assert found.untrusted is None
    assert len(found.papers) == 5


def test_a_walk_that_reads_every_result_asks_no_further():
    """A walk that reaches the last result before the cutoff ends there, without a page past the total."""
    entries = synthetic_entries(150, first=CUTOFF + timedelta(days=1), step_seconds=60)
    standin = Standin(entries=entries)
    with offline_client(standin, page_size=100) as client:
        found = walk(client, "all:x", cutoff=CUTOFF, size=100)
    assert (found.untrusted, len(found.papers)) == (None, 150)
    assert [r["start"] for r in standin.requests] == ["0", "100"]


def test_the_page_size_counts_the_updates_of_twice_the_walks_span():
    """The stored papers counted are those updated since twice the walk's span before now."""
    asked: list[datetime] = []

    def updated_since(since: datetime) -> int:
        asked.append(since)
        return 250

    now = CUTOFF + timedelta(days=3)
    assert size_for(updated_since, cutoff=CUTOFF, now=now, largest=1000) == 300
    assert asked == [CUTOFF - timedelta(days=3)]
