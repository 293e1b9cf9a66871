"""The arXiv client: request parameters, paging, pacing and retries (httpx mocked by respx)."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import httpx
import pytest
import respx

from harvester import client as client_module
from harvester.client import USER_AGENT, ArxivClient
from harvester.errors import EmptyPageError, FeedError, FetchError, QueryRejected
from harvester.pacer import Pacer
from tests.standin import Standin

API = "https://export.arxiv.org/api/query"
ERROR_FEED = Path(__file__).parent / "fixtures/arxiv/lukasschwab-arxiv.py__id_abc_s0_m100.xml"


class FakeTime:
    """A clock that only moves when something sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _page(request: httpx.Request, data: Standin) -> httpx.Response:
    params = request.url.params
    return httpx.Response(200, content=data.feed(int(params["start"]), int(params["max_results"])))


def make_client(
    time: FakeTime, *, delay: float = 0, page_size: int = 1000, attempts: int = 5
) -> ArxivClient:
    pacer = Pacer(delay_seconds=delay, clock=time.clock, sleep=time.sleep)
    return ArxivClient(pacer=pacer, page_size=page_size, sleep=time.sleep, max_attempts=attempts)


def empty_page(total: int) -> bytes:
    """A page with no entries although totalResults says `total`."""
    return (
        Standin(entries=[])
        .feed(0, 1000)
        .replace(b"<opensearch:totalResults>0<", f"<opensearch:totalResults>{total}<".encode())
    )


@respx.mock
def test_pages_until_total_results_with_explicit_sort():
    """Pages of page_size are asked for, sorted explicitly, until totalResults is reached."""
    data = Standin()
    route = respx.get(API).mock(side_effect=lambda r: _page(r, data))
    with make_client(FakeTime(), page_size=25) as arxiv:
        result = arxiv.search("all:testing")
    assert result.requests == 5  # 111 papers / 25 per page
    assert len({p.key for p in result.papers}) == len(data.entries) == 111
    params = [dict(call.request.url.params) for call in route.calls]
    assert [p["start"] for p in params] == ["0", "25", "50", "75", "100"]
    assert all(p["max_results"] == "25" for p in params)
    assert all(p["sortBy"] == "submittedDate" and p["sortOrder"] == "descending" for p in params)
    assert params[0]["search_query"] == "all:testing"
    assert route.calls[0].request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("arxiv-harvester/")


@respx.mock
def test_max_results_caps_the_fetch():
    """A topic's cap stops paging and shrinks the last request."""
    data = Standin()
    route = respx.get(API).mock(side_effect=lambda r: _page(r, data))
    with make_client(FakeTime(), page_size=25) as arxiv:
        result = arxiv.search("q", max_results=30)
    assert len(result.papers) == 30
    assert [c.request.url.params["max_results"] for c in route.calls] == ["25", "5"]


@respx.mock
def test_pacer_spaces_request_starts_across_topics():
    """With a 3 s delay no two request starts are closer than 3 s, across two topics too."""
    time = FakeTime()
    data = Standin()
    starts: list[float] = []

    def record(request: httpx.Request) -> httpx.Response:
        starts.append(time.now)
        return _page(request, data)

    respx.get(API).mock(side_effect=record)
    with make_client(time, delay=3, page_size=40) as arxiv:
        arxiv.search("topic one")
        arxiv.search("topic two")
    assert len(starts) == 6
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 3
    assert time.sleeps == [3] * 5


def test_pacer_does_not_sleep_when_enough_time_passed():
    """A request that starts long after the previous one does not wait at all."""
    time = FakeTime()
    pacer = Pacer(delay_seconds=3, clock=time.clock, sleep=time.sleep)
    pacer.wait()
    time.now += 10
    pacer.wait()
    time.now += 1
    pacer.wait()
    assert time.sleeps == [2]


@respx.mock
def test_transient_failures_are_retried_with_logged_waits(caplog: pytest.LogCaptureFixture):
    """503 with Retry-After, 429, a reset, an empty page and a truncated body are retried."""
    caplog.set_level(logging.WARNING, logger="harvester.client")
    good = Standin().feed(0, 1000)
    route = respx.get(API).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "1"}),
            httpx.Response(429),
            httpx.ConnectError("connection reset by peer"),
            httpx.Response(200, content=empty_page(111)),
            httpx.Response(200, content=good[:5000]),
            httpx.Response(200, content=good),
        ]
    )
    time = FakeTime()
    with make_client(time, attempts=6) as arxiv:
        result = arxiv.search("q")
    assert len(result.papers) == 111
    assert result.requests == route.call_count == 6
    assert time.sleeps[0] == 1  # Retry-After honoured
    # A 429 without Retry-After: 15 s after attempt 1, doubling, up to 5 s of jitter.
    assert 30 <= time.sleeps[1] <= 35
    # Anything else: 2 s after attempt 1, doubling, up to 1 s of jitter.
    assert 8 <= time.sleeps[2] <= 9
    assert 16 <= time.sleeps[3] <= 17
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 5
    assert "HTTP 503" in warnings[0]
    assert "retrying in 1.0 s" in warnings[0]
    assert "HTTP 429" in warnings[1]
    assert "connection reset by peer" in warnings[2]
    assert "empty page at offset 0 of 111" in warnings[3]
    assert "not well-formed XML" in warnings[4]


@respx.mock
def test_retry_after_is_capped():
    """A huge Retry-After is capped, so one answer cannot stall cron for hours."""
    respx.get(API).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "86400"}),
            httpx.Response(200, content=Standin().feed(0, 1000)),
        ]
    )
    time = FakeTime()
    with make_client(time) as arxiv:
        arxiv.search("q")
    assert time.sleeps == [120]


@respx.mock
def test_error_feed_is_never_retried():
    """HTTP 400 with arXiv's error feed is reported at once with arXiv's reason."""
    route = respx.get(API).mock(return_value=httpx.Response(400, content=ERROR_FEED.read_bytes()))
    with (
        make_client(FakeTime()) as arxiv,
        pytest.raises(QueryRejected, match="incorrect id format for abc") as caught,
    ):
        arxiv.search("id:abc")
    assert route.call_count == 1
    assert "(page at offset 0)" in str(caught.value)
    assert caught.value.url is not None
    assert caught.value.url.startswith(API)


@pytest.mark.parametrize(
    ("response", "error", "message"),
    [
        pytest.param(httpx.Response(404), FetchError, "HTTP 404", id="404"),
        pytest.param(httpx.Response(400, content=b"bad"), FetchError, "HTTP 400", id="400-no-feed"),
    ],
)
@respx.mock
def test_other_client_errors_are_not_retried(response: httpx.Response, error: type, message: str):
    """4xx other than 429 is permanent: one request, then the error."""
    route = respx.get(API).mock(return_value=response)
    with make_client(FakeTime()) as arxiv, pytest.raises(error, match=message):
        arxiv.search("q")
    assert route.call_count == 1


@respx.mock
def test_retries_are_bounded():
    """A fault that outlasts the attempts is raised as the real error, with its status."""
    route = respx.get(API).mock(return_value=httpx.Response(503))
    time = FakeTime()
    with make_client(time, attempts=3) as arxiv, pytest.raises(FetchError) as caught:
        arxiv.search("q")
    assert caught.value.status == 503
    assert route.call_count == 3
    assert len(time.sleeps) == 2


@respx.mock
def test_empty_page_that_persists_fails():
    """An empty page mid-result-set that keeps coming back fails instead of ending early."""
    respx.get(API).mock(return_value=httpx.Response(200, content=empty_page(50)))
    with make_client(FakeTime(), attempts=2) as arxiv, pytest.raises(EmptyPageError):
        arxiv.search("q")


@respx.mock
def test_oversized_body_is_refused(monkeypatch: pytest.MonkeyPatch):
    """A body above the size cap is refused without being parsed or retried."""
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", 1000)
    route = respx.get(API).mock(return_value=httpx.Response(200, content=Standin().feed(0, 10)))
    with make_client(FakeTime()) as arxiv, pytest.raises(FeedError, match="larger than 1000"):
        arxiv.search("q")
    assert route.call_count == 1


@respx.mock
def test_query_past_the_30000_cap_is_an_error():
    """A query matching more than arXiv serves is reported, not silently cut short."""
    big = (
        Standin()
        .feed(0, 10)
        .replace(b"<opensearch:totalResults>111<", b"<opensearch:totalResults>45000<")
    )
    respx.get(API).mock(return_value=httpx.Response(200, content=big))
    with make_client(FakeTime()) as arxiv, pytest.raises(FeedError, match="matches 45000 results"):
        arxiv.search("q")


def test_one_connection_and_explicit_timeouts():
    """The pool holds one connection; connect and read timeouts are set explicitly."""
    with make_client(FakeTime()) as arxiv:
        http = arxiv._http
        assert http.timeout.connect == 10
        assert http.timeout.read == 60
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == 1


@respx.mock
def test_timeouts_and_refused_connections_are_retried():
    """A read timeout and a refused connection are transient: retried, then the page arrives."""
    route = respx.get(API).mock(
        side_effect=[
            httpx.ReadTimeout("timed out"),
            httpx.ConnectError("[Errno 111] Connection refused"),
            httpx.Response(200, content=Standin().feed(0, 1000)),
        ]
    )
    with make_client(FakeTime()) as arxiv:
        assert len(arxiv.search("q").papers) == 111
    assert route.call_count == 3


@respx.mock
def test_empty_page_after_the_total_shrank_is_retried():
    """An empty later page is a glitch even if that page's own total dropped to 0."""
    data = Standin()
    pages = [
        httpx.Response(200, content=data.feed(0, 25)),
        httpx.Response(200, content=empty_page(0)),
        *[httpx.Response(200, content=data.feed(s, 25)) for s in range(25, 111, 25)],
    ]
    respx.get(API).mock(side_effect=pages)
    with make_client(FakeTime(), page_size=25) as arxiv:
        result = arxiv.search("q")
    assert len({p.key for p in result.papers}) == 111
    assert result.requests == 6


@respx.mock
def test_page_at_the_wrong_offset_is_retried():
    """A page whose startIndex is not the offset asked for is not taken for it."""
    data = Standin()
    respx.get(API).mock(
        side_effect=[
            httpx.Response(200, content=data.feed(0, 60)),
            httpx.Response(200, content=data.feed(0, 60)),  # start ignored
            httpx.Response(200, content=data.feed(60, 60)),
        ]
    )
    with make_client(FakeTime(), page_size=60) as arxiv:
        result = arxiv.search("q")
    assert len({p.key for p in result.papers}) == 111
    assert result.requests == 3


@respx.mock
def test_more_results_than_asked_are_cut_to_the_cap():
    """A server that serves more than max_results does not push the topic past its cap."""
    respx.get(API).mock(return_value=httpx.Response(200, content=Standin().feed(0, 100)))
    with make_client(FakeTime()) as arxiv:
        assert len(arxiv.search("q", max_results=30).papers) == 30


@respx.mock
def test_final_error_carries_its_attempt():
    """The error that ends the retries says which attempt it was."""
    respx.get(API).mock(return_value=httpx.Response(502))
    with make_client(FakeTime(), attempts=3) as arxiv, pytest.raises(FetchError) as caught:
        arxiv.search("q")
    assert caught.value.attempt == 3


@pytest.mark.parametrize("status", [501, 505])
@respx.mock
def test_only_the_listed_5xx_are_transient(status: int):
    """501 and 505 say the request can never work: not retried."""
    route = respx.get(API).mock(return_value=httpx.Response(status))
    with make_client(FakeTime()) as arxiv, pytest.raises(FetchError):
        arxiv.search("q")
    assert route.call_count == 1
