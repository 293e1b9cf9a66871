"""The whole range, window by window: cuts, batches, and what a failing page costs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harvester.arxiv.paging import MAX_RESULTS, fits
from harvester.arxiv.windows import FIRST_DAY, Window
from harvester.errors import FetchError
from harvester.harvest.backfill import Backfill, Span
from harvester.models import Paper
from tests.conftest import offline_client
from tests.standin import MODES, Mode, Reply, Standin, server_error, synthetic_entries

WHOLE = Window(FIRST_DAY, datetime(2027, 1, 1, tzinfo=UTC))


class Commits:
    """Records what a backfill commits, and checks each commit's spans as it comes."""

    def __init__(self, standin: Standin) -> None:
        self.standin = standin
        self.papers: dict[str, Paper] = {}
        self.spans: list[Span] = []
        self.calls = 0

    def __call__(self, papers: list[Paper], spans: list[Span], fetched: int = 0) -> None:
        self.calls += 1
        self.papers.update((p.key, p) for p in papers)
        self.spans += spans
        # A span is claimed only once every paper the server puts in it is committed.
        for start, end in self.spans:
            query = f"submittedDate:[{start:%Y%m%d%H%M} TO {end:%Y%m%d%H%M}]"
            inside = {e.key for e in self.standin.matching(query)}
            assert inside <= set(self.papers), f"span {start} to {end} claimed too early"


def sent_fit(standin: Standin) -> bool:
    return all(fits(int(r["start"]), int(r["max_results"])) for r in standin.requests)


@pytest.mark.parametrize("mode", MODES)
def test_a_window_over_the_limit_is_cut_as_its_count_says(mode: Mode):
    """25,000 papers in two days of a range from 1991: the first page's count and density
    cut it at once into 4 windows, 3 of 8,000 and the rest; every paper comes."""
    entries = synthetic_entries(25_000, first=datetime(2024, 1, 1, tzinfo=UTC), step_seconds=7)
    standin = Standin(entries=entries, mode=mode)
    commits = Commits(standin)
    with offline_client(standin, page_size=1000) as client:
        Backfill(client, "cat:cs.LG", commit=commits).run([WHOLE])
    assert len(commits.papers) == 25_000
    assert sent_fit(standin)
    windows = [r["start"] for r in standin.requests].count("0")
    assert windows == 1 + 4
    assert len(standin.requests) <= 1.1 * 25 + windows


@pytest.mark.parametrize("mode", MODES)
def test_papers_are_committed_in_batches_with_the_spans_they_complete(mode: Mode):
    """A batch of 30 commits inside one 111-paper window; each span only once it is whole."""
    standin = Standin(mode=mode)
    commits = Commits(standin)
    with offline_client(standin, page_size=25) as client:
        Backfill(client, "all:x", commit=commits, commit_every=30).run([WHOLE])
    assert len(commits.papers) == 111
    assert commits.calls == 3  # at 50 and 100 papers (pages of 25), then the last 11
    assert commits.spans[-1] == (WHOLE.start, WHOLE.end)


@pytest.mark.parametrize("mode", MODES)
def test_a_deep_page_that_keeps_failing_cuts_the_rest_of_its_window(mode: Mode):
    """HTTP 500s at offset 50 do not fail the harvest: the rest comes in smaller windows."""
    standin = Standin(mode=mode)
    standin.script = [None, None, *[server_error()] * 5]
    commits = Commits(standin)
    with offline_client(standin, page_size=25) as client:
        Backfill(client, "all:x", commit=commits).run([WHOLE])
    assert len(commits.papers) == 111
    assert [r["start"] for r in standin.requests[:7]] == ["0", "25"] + ["50"] * 5
    assert all(
        r["search_query"] != standin.requests[0]["search_query"] for r in standin.requests[7:]
    )


def test_a_first_page_that_keeps_failing_fails_and_claims_nothing():
    """A window whose first page fails for good is an error; nothing is claimed done."""
    standin = Standin()
    standin.script = [Reply(status=503)] * 5
    commits = Commits(standin)
    with offline_client(standin) as client, pytest.raises(FetchError, match="HTTP 503"):
        Backfill(client, "all:x", commit=commits).run([WHOLE])
    assert commits.spans == []


@pytest.mark.parametrize("mode", MODES)
def test_results_out_of_order_are_fetched_again_in_one_page_windows(mode: Mode):
    """A server that ignores sortBy still yields every paper, in windows of one page."""
    standin = Standin(mode=mode, ignore_sort=True)
    commits = Commits(standin)
    with offline_client(standin, page_size=25) as client:
        Backfill(client, "all:x", commit=commits).run([WHOLE])
    assert len(commits.papers) == 111


def test_the_cap_stops_at_the_newest_papers():
    """With a cap of 30, the 30 newest papers are fetched, in two requests."""
    standin = Standin()
    commits = Commits(standin)
    with offline_client(standin, page_size=25) as client:
        backfill = Backfill(client, "all:x", commit=commits, cap=30)
        backfill.run([WHOLE])
    assert backfill.fetched == 30
    assert set(commits.papers) == {e.key for e in standin.entries[:30]}
    assert len(standin.requests) == 2


def test_no_request_asks_past_the_rows_arxiv_pages():
    """Every request of a 10,000-row window stays within arXiv's paging limit."""
    entries = synthetic_entries(
        MAX_RESULTS, first=datetime(2024, 1, 1, tzinfo=UTC), step_seconds=30
    )
    standin = Standin(entries=entries)
    commits = Commits.__new__(Commits)  # this many papers: skip the span check
    commits.papers, commits.spans, commits.calls = {}, [], 0
    with offline_client(standin, page_size=1500) as client:
        Backfill(
            client,
            "all:x",
            commit=lambda papers, *_: commits.papers.update((p.key, p) for p in papers),
        ).run([WHOLE])
    assert len(commits.papers) == MAX_RESULTS
    assert sent_fit(standin)
