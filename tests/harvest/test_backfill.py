"""The whole range, window by window: cuts, batches, and what a failing page costs."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import pytest

from harvester.arxiv.paging import MAX_RESULTS, fits
from harvester.arxiv.windows import FIRST_DAY, MINUTE, Window
from harvester.errors import FetchError
from harvester.harvest.backfill import Backfill, Span
from harvester.harvest.plan import windows_needed
from harvester.models import Paper
from tests.conftest import offline_client
from tests.standin import (
    FEED_HEAD,
    MODES,
    Entry,
    Mode,
    Reply,
    Scripted,
    Standin,
    server_error,
    synthetic_entries,
)

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


def window_counts(standin: Standin) -> tuple[int, int]:
    """The windows a harvest fetched, and those it only counted (asked once, then cut)."""
    spans = {
        span
        for request in standin.requests
        for span in re.findall(r"submittedDate:\[(\d+) TO (\d+)\]", request["search_query"])
    }
    counted = {s for s in spans if any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in spans)}
    return len(spans) - len(counted), len(counted)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("step", [7, 4208], ids=["one-every-7s", "four-years"])
def test_a_first_harvest_of_30000_costs_its_pages_and_the_count(mode: Mode, step: int):
    """30,000 papers at pages of 2,000, dense or over four years: every paper once, the
    windows the plan counts, and at most 1.1 x ceil(30,000 / 2,000) requests besides
    the count (a window a few rows over its whole pages would cost one more each)."""
    entries = synthetic_entries(
        30_000, first=datetime(2022, 1, 1, 0, 0, 13, tzinfo=UTC), step_seconds=step
    )
    standin = Standin(entries=entries, mode=mode)
    commits = Commits(standin)
    with offline_client(standin, page_size=2000) as client:
        Backfill(client, "cat:cs.CL", commit=commits).run([WHOLE])
    assert len(commits.papers) == 30_000
    assert sent_fit(standin)
    fetched, counted = window_counts(standin)
    assert (fetched, counted) == (windows_needed(30_000, page_size=2000), 1)
    assert len(standin.requests) <= math.ceil(30_000 / 2000) * 1.1 + counted


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


def test_the_rest_of_a_failing_window_includes_the_oldest_papers_minute():
    """After a deep page fails, the rest starts with the whole minute of the oldest paper
    fetched: papers earlier in that minute are fetched too."""
    first = datetime(2024, 1, 1, 0, 0, 5, tzinfo=UTC)  # no paper at a minute's :00
    standin = Standin(entries=synthetic_entries(111, first=first, step_seconds=7))
    standin.script = [None, None, *[server_error()] * 5]
    commits = Commits(standin)
    with offline_client(standin, page_size=25) as client:
        Backfill(client, "all:x", commit=commits).run([WHOLE])
    assert set(commits.papers) == {e.key for e in standin.entries}


def _served(entries: list[Entry], *, total: int, start: int) -> Reply:
    """A page holding `entries`, whatever the query asked."""
    head = FEED_HEAD.format(per_page=len(entries), total=total, start=start)
    return Reply(body=head.encode() + b"".join(e.xml for e in entries) + b"</feed>\n")


def _late_paper(standin: Standin) -> list[Scripted]:
    """Two pages, each newest first, but the 11th newest paper comes on the second page,
    below the first page's oldest: out of order across the pages only."""
    served = standin.matching()
    first = served[:10] + served[11:26]
    second = [served[10], *served[26:50]]
    return [
        _served(first, total=len(served), start=0),
        _served(second, total=len(served), start=25),
    ]


def test_a_page_newer_than_the_last_pages_oldest_paper_is_out_of_order(
    caplog: pytest.LogCaptureFixture,
):
    """A second page that starts above the first page's oldest paper is out of order
    (each page alone is sorted), so the window is fetched again in one-page windows."""
    standin = Standin()
    standin.script = _late_paper(standin)
    commits = Commits(standin)
    with offline_client(standin, page_size=25) as client:
        Backfill(client, "all:x", commit=commits).run([WHOLE])
    assert "out of order" in caplog.text
    assert len(commits.papers) == 111


def test_a_window_found_out_of_order_claims_nothing_its_pages_seemed_to_finish():
    """A window found out of order on its second page, whose refetch then fails, claims no
    span: the first page's span is not trusted (a paper in it came on the second page)."""
    standin = Standin()
    standin.script = [*_late_paper(standin), *[Reply(status=503)] * 5]
    commits = Commits(standin)  # checks every span it is given
    with offline_client(standin, page_size=25) as client, pytest.raises(FetchError):
        Backfill(client, "all:x", commit=commits).run([WHOLE])
    assert commits.spans == []
    assert len(commits.papers) == 25


def test_a_window_of_exactly_the_rows_arxiv_pages_is_paged_not_cut():
    """10,000 results in pages of 1,000 fit one query: ten requests, no cut."""
    entries = synthetic_entries(
        MAX_RESULTS, first=datetime(2024, 1, 1, tzinfo=UTC), step_seconds=30
    )
    standin = Standin(entries=entries)
    fetched: set[str] = set()
    with offline_client(standin, page_size=1000) as client:
        Backfill(
            client, "all:x", commit=lambda papers, *_: fetched.update(p.key for p in papers)
        ).run([WHOLE])
    assert len(fetched) == MAX_RESULTS
    assert [r["start"] for r in standin.requests] == [str(i * 1000) for i in range(10)]


def test_a_cap_within_the_first_rows_pages_a_large_window_without_cutting_it():
    """A cap of 30 on a window over the limit takes its 30 newest papers in two requests,
    without cutting it into windows first."""
    entries = synthetic_entries(
        MAX_RESULTS + 500, first=datetime(2024, 1, 1, tzinfo=UTC), step_seconds=30
    )
    standin = Standin(entries=entries)
    commits = Commits.__new__(Commits)  # this many papers: skip the span check
    commits.papers, commits.spans, commits.calls = {}, [], 0
    with offline_client(standin, page_size=25) as client:
        backfill = Backfill(
            client,
            "all:x",
            commit=lambda papers, *_: commits.papers.update((p.key, p) for p in papers),
            cap=30,
        )
        backfill.run([WHOLE])
    assert backfill.fetched == 30
    assert set(commits.papers) == {e.key for e in standin.matching()[:30]}
    assert [r["start"] for r in standin.requests] == ["0", "25"]


def test_the_rest_of_a_failing_window_is_cut_so_its_pages_stay_shallower():
    """130 papers left below a failure at offset 50 come in 3 windows (130 / 50, rounded
    up) that need no page at offset 50: the deep page fails once for good, not again."""
    first = datetime(2024, 1, 1, tzinfo=UTC)
    standin = Standin(entries=synthetic_entries(180, first=first, step_minutes=1))

    def deep_fails(params: dict[str, str]) -> Reply:
        if int(params["start"]) >= 50:
            return server_error()
        return Reply(body=standin.feed(int(params["start"]), 25, params["search_query"]))

    standin.script = [deep_fails] * 100
    commits = Commits(standin)
    window = Window(first, first + 180 * MINUTE)
    with offline_client(standin, page_size=25) as client:
        Backfill(client, "all:x", commit=commits).run([window])
    assert len(commits.papers) == 180
    assert sum(int(r["start"]) >= 50 for r in standin.requests) == 5  # one page's retries


def test_papers_of_one_second_are_in_order_and_fetched_once():
    """Papers sharing a timestamp are not out of order: 60 of them in pairs take three
    requests, with no refetch."""
    first = datetime(2024, 1, 1, tzinfo=UTC)
    entries = [
        e.rewritten(f"2401.{i:05d}v1", first + (i // 2) * MINUTE)
        for i, e in enumerate(synthetic_entries(60, first=first, step_minutes=1))
    ]
    standin = Standin(entries=entries)
    commits = Commits(standin)
    with offline_client(standin, page_size=25) as client:
        Backfill(client, "all:x", commit=commits).run([WHOLE])
    assert len(commits.papers) == 60
    assert len(standin.requests) == 3


def test_a_deep_page_refused_with_a_4xx_fails_and_is_not_cut():
    """A 4xx at a deep offset is no failure its depth may cause: the harvest fails, no window is cut."""
    standin = Standin()
    standin.script = [None, None, Reply(status=404)]
    commits = Commits(standin)
    with (
        offline_client(standin, page_size=25) as client,
        pytest.raises(FetchError, match="HTTP 404"),
    ):
        Backfill(client, "all:x", commit=commits).run([WHOLE])
    assert [r["start"] for r in standin.requests] == ["0", "25", "50"]
