"""The arXiv client: request parameters, paging, pacing and retries (httpx mocked by respx),
and arXiv's failures injected end to end (issue #3): nothing lost, nothing corrupt."""

from __future__ import annotations

import itertools
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from harvester.arxiv import client as client_module
from harvester.arxiv.client import USER_AGENT, ArxivClient
from harvester.cli import main
from harvester.errors import EmptyPageError, FeedError, FetchError, QueryRejected
from harvester.net.pacer import Pacer
from tests.conftest import ERROR_FEED_2026, HTML, FakeTime, argv, closed_port
from tests.standin import (
    Reply,
    Standin,
    blank,
    empty_page,
    rate_exceeded,
    server_error,
    synthetic_entries,
)

API = "https://export.arxiv.org/api/query"


def _page(request: httpx.Request, data: Standin) -> httpx.Response:
    params = request.url.params
    return httpx.Response(200, content=data.feed(int(params["start"]), int(params["max_results"])))


def make_client(
    time: FakeTime, *, delay: float = 0, page_size: int = 1000, attempts: int = 5
) -> ArxivClient:
    pacer = Pacer(delay_seconds=delay, clock=time.clock, sleep=time.sleep)
    return ArxivClient(pacer=pacer, page_size=page_size, sleep=time.sleep, max_attempts=attempts)


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


@respx.mock
def test_transient_failures_are_retried_with_logged_waits(caplog: pytest.LogCaptureFixture):
    """503 with Retry-After, 429, a reset, an empty page and a truncated body are retried."""
    caplog.set_level(logging.WARNING, logger="harvester.arxiv.client")
    good = Standin().feed(0, 1000)
    route = respx.get(API).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "1"}),
            httpx.Response(429),
            httpx.ConnectError("connection reset by peer"),
            httpx.Response(200, content=empty_page(111).body),
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
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    warnings = [w for w in logged if w.startswith("attempt")]
    assert len(warnings) == 5
    # The 503, the empty page and the truncated body may be the page's size: halved.
    assert [w.rpartition(" ")[2] for w in logged if w.startswith("a page of")] == [
        "500",
        "250",
        "125",
    ]
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
    route = respx.get(API).mock(
        return_value=httpx.Response(400, content=ERROR_FEED_2026.read_bytes())
    )
    with (
        make_client(FakeTime()) as arxiv,
        pytest.raises(QueryRejected, match="incorrect id format for abc") as caught,
    ):
        arxiv.search("id:abc")
    assert route.call_count == 1
    assert "(page at offset 0)" in str(caught.value)
    assert caught.value.url is not None
    assert caught.value.url.startswith(API)


@respx.mock
def test_a_retry_waits_for_the_pacer_too():
    """With a 3 s delay, a retry after `Retry-After: 1` still starts 3 s after the last
    request started: the pacer spaces every request, retries too (issue 12)."""
    time = FakeTime()
    starts: list[float] = []
    answers = iter(
        [
            httpx.Response(503, headers={"Retry-After": "1"}),
            httpx.Response(200, content=Standin().feed(0, 1000)),
        ]
    )

    def answer(request: httpx.Request) -> httpx.Response:
        starts.append(time.now)
        return next(answers)

    respx.get(API).mock(side_effect=answer)
    with make_client(time, delay=3) as arxiv:
        assert len(arxiv.search("q").papers) == 111
    assert len(starts) == 2
    assert starts[1] - starts[0] >= 3
    assert time.sleeps[0] == 1  # the Retry-After, then the pacer's rest of the 3 s


@pytest.mark.parametrize("status", [200, 400])
@respx.mock
def test_error_feed_is_a_rejected_query_whatever_its_status(status: int):
    """arXiv's error feed is a rejected query with arXiv's reason, also when served with
    HTTP 200: never an empty page, never retried (issue 12)."""
    body = ERROR_FEED_2026.read_bytes()
    route = respx.get(API).mock(return_value=httpx.Response(status, content=body))
    with (
        make_client(FakeTime()) as arxiv,
        pytest.raises(QueryRejected, match="incorrect id format for abc"),
    ):
        arxiv.search("id:abc")
    assert route.call_count == 1


def test_error_feed_with_status_200_fails_the_topic_with_arxivs_reason(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str]
):
    """An error feed sent with HTTP 200 fails its topic at once with arXiv's reason (issue 12)."""
    standin.script = [Reply(status=200, body=ERROR_FEED_2026.read_bytes())]
    assert main(argv(standin, config, "--topic", "rlhf_code"), sleep=FakeTime().sleep) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ERROR")]
    assert errors == [
        "ERROR rlhf_code: arXiv rejected the query: incorrect id format for abc (page at offset 0)"
    ]
    assert len(standin.requests) == 1
    assert not (config.parent / "data" / "rlhf_code.json").exists()


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
    respx.get(API).mock(return_value=httpx.Response(200, content=empty_page(50).body))
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
        httpx.Response(200, content=empty_page(0).body),
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


# arXiv's failures end to end, through `harvest` and the stand-in (issue #3).
def test_scripted_faults_end_byte_identical_to_fault_free_run(
    standin: Standin, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """503, 429, a reset, an empty page, truncated bodies and an HTML page change nothing."""
    clean = tmp_path / "clean"
    assert (
        main([*argv(standin, config, "--page-size", "40", data_dir=clean), "--topic", "rlhf_code"])
        == 0
    )
    page_80 = standin.feed(80, 40)
    standin.script = [
        Reply(status=503, headers={"Retry-After": "1"}),
        None,  # page at 0
        Reply(status=429),
        Reply(reset=True),
        None,  # page at 40
        empty_page(111, start=80),  # page at 80 ...
        Reply(body=page_80, truncate_to=len(page_80) // 2),  # connection closed mid-body
        Reply(body=page_80[: len(page_80) // 3]),  # a complete response of a cut document
        Reply(status=200, body=HTML),
        None,
    ]
    standin.requests.clear()
    fake = FakeTime()
    faulty = tmp_path / "faulty"
    code = main(
        [*argv(standin, config, "--page-size", "40", data_dir=faulty), "--topic", "rlhf_code"],
        sleep=fake.sleep,
    )
    assert code == 0
    assert (faulty / "rlhf_code.json").read_bytes() == (clean / "rlhf_code.json").read_bytes()
    assert [r["start"] for r in standin.requests] == ["0"] * 2 + ["40"] * 3 + ["80"] * 5
    assert fake.sleeps[0] == 1.0  # as the Retry-After said
    # Per page: 2 s, doubling, +jitter; a 429 without Retry-After starts at 15 s (+5 s).
    backoff = [(15, 20), (4, 5), (2, 3), (4, 5), (8, 9), (16, 17)]
    assert len(fake.sleeps) == 7
    assert all(lo <= w <= hi for w, (lo, hi) in zip(fake.sleeps[1:], backoff, strict=True))
    err = capsys.readouterr().err
    assert err.count("WARNING") == 7
    for reason in [
        "HTTP 503",
        "HTTP 429",
        "empty page at offset 80",
        "not well-formed XML",
        "not an Atom feed",
        "RemoteProtocolError",
    ]:
        assert reason in err


def test_arxiv_2026_failures_end_byte_identical_to_fault_free_run(
    standin: Standin, config: Path, tmp_path: Path
):
    """`Rate exceeded.` as a 429 and as a 200, blank bodies, an empty page and the generic
    500 error feed on a valid query: retried, and the file is the fault-free run's, for a
    first harvest and an incremental run alike (issue 9, item 6)."""
    args = ["--page-size", "40", "--topic", "rlhf_code"]
    clean, faulty = tmp_path / "clean", tmp_path / "faulty"
    assert main([*argv(standin, config, *args, data_dir=clean)]) == 0
    plan = [
        rate_exceeded(429),
        rate_exceeded(200),
        None,  # page at 0
        blank(),
        empty_page(111, start=40),
        None,  # page at 40
        server_error(),
        None,  # page at 80
    ]
    standin.script = list(plan)
    assert main([*argv(standin, config, *args, data_dir=faulty)], sleep=FakeTime().sleep) == 0
    assert (faulty / "rlhf_code.json").read_bytes() == (clean / "rlhf_code.json").read_bytes()
    bumped = standin.entries[7]
    standin.entries[7] = bumped.new_version(
        bumped.version + 1, title="New", updated=datetime.now(UTC)
    )
    assert main([*argv(standin, config, *args, data_dir=clean)]) == 0
    standin.script = [rate_exceeded(429), blank(), server_error(), rate_exceeded(200), None]
    assert main([*argv(standin, config, *args, data_dir=faulty)], sleep=FakeTime().sleep) == 0
    assert (faulty / "rlhf_code.json").read_bytes() == (clean / "rlhf_code.json").read_bytes()
    assert json.loads((faulty / "rlhf_code.json").read_bytes())[0]["title"] != ""


def test_rate_exceeded_with_status_200_is_throttling(
    standin: Standin, config: Path, tmp_path: Path
):
    """arXiv's `Rate exceeded.` body sent with a 200 is backed off as a 429, then retried."""
    standin.script = [Reply(status=200, body=b"Rate exceeded.\n")]
    fake = FakeTime()
    args = [*argv(standin, config, data_dir=tmp_path / "data"), "--topic", "rlhf_code"]
    assert main(args, sleep=fake.sleep) == 0
    assert 15 <= max(fake.sleeps) <= 20


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        pytest.param("127.0.0.1:{port}", "connection refused", id="refused"),
        pytest.param("export.arxiv.invalid", "name not known", id="no-such-name"),
    ],
)
def test_an_unreachable_host_is_named_plainly_and_nothing_answered(host: str, reason: str):
    """Connecting fails for real: the error names the host and why, and no request counts
    as answered (issue 16)."""
    host = host.replace("{port}", str(closed_port()))
    time = FakeTime()
    pacer = Pacer(delay_seconds=0, clock=time.clock, sleep=time.sleep)
    client = ArxivClient(
        api_url=f"http://{host}/api/query", pacer=pacer, sleep=time.sleep, max_attempts=2
    )
    with client, pytest.raises(FetchError) as caught:
        client.search("all:x")
    assert str(caught.value) == f"cannot reach {host}: {reason}"
    assert (client.requests, client.answered) == (2, 0)


@respx.mock
def test_answered_requests_are_counted_apart_from_attempts():
    """A refused attempt then a page: 2 requests sent, 1 answered."""
    respx.get(API).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, content=empty_page(0).body)]
    )
    with make_client(FakeTime()) as arxiv:
        result = arxiv.search("q")
    assert (result.requests, result.answered) == (2, 1)


@pytest.mark.parametrize(
    ("size", "allowed"),
    [
        pytest.param(1, True, id="1"),
        pytest.param(2000, True, id="2000"),
        pytest.param(0, False, id="0"),
        pytest.param(2001, False, id="2001"),
    ],
)
def test_page_size_is_1_to_2000(size: int, allowed: bool):
    """arXiv serves at most 2,000 results a request: sizes from 1 to 2,000 are taken."""
    if allowed:
        assert make_client(FakeTime(), page_size=size).page_size == size
    else:
        with pytest.raises(ValueError, match="between 1 and 2000"):
            make_client(FakeTime(), page_size=size)


@respx.mock
def test_a_query_of_exactly_the_rows_arxiv_pages_is_fetched_whole():
    """10,000 results fit one query (five pages of 2,000): fetched, not refused as too many."""
    data = Standin(
        entries=synthetic_entries(10_000, first=datetime(2024, 1, 1, tzinfo=UTC), step_seconds=30)
    )
    respx.get(API).mock(side_effect=lambda r: _page(r, data))
    with make_client(FakeTime(), page_size=2000) as arxiv:
        result = arxiv.search("q")
    assert (len(result.papers), result.requests) == (10_000, 5)


@respx.mock
def test_total_results_is_the_largest_count_a_page_gave():
    """A count that shrinks on a later page does not lower what the query was said to match."""
    data = Standin()
    shrunk = data.feed(25, 25).replace(
        b"<opensearch:totalResults>111<", b"<opensearch:totalResults>30<"
    )
    respx.get(API).mock(
        side_effect=[
            httpx.Response(200, content=data.feed(0, 25)),
            httpx.Response(200, content=shrunk),
        ]
    )
    with make_client(FakeTime(), page_size=25) as arxiv:
        result = arxiv.search("q")
    assert (result.total_results, result.requests) == (111, 2)


@respx.mock
def test_a_page_past_the_rows_arxiv_pages_is_refused_unsent():
    """A page that passes arXiv's 10,000 rows is a caller's bug: refused before any request."""
    route = respx.get(API).mock(return_value=httpx.Response(200, content=empty_page(0).body))
    with make_client(FakeTime()) as arxiv, pytest.raises(ValueError, match="passes arXiv's"):
        arxiv.page("q", start=9999, size=2)
    assert route.call_count == 0


@respx.mock
def test_retrying_stops_once_its_time_is_spent():
    """With no time left for retries, a transient failure is not tried again."""
    route = respx.get(API).mock(return_value=httpx.Response(503))
    time = FakeTime()
    pacer = Pacer(delay_seconds=0, clock=time.clock, sleep=time.sleep)
    arxiv = ArxivClient(pacer=pacer, sleep=time.sleep, max_attempts=5, max_retry_seconds=0)
    with arxiv, pytest.raises(FetchError, match="HTTP 503"):
        arxiv.search("q")
    assert route.call_count == 1


@respx.mock
def test_a_query_matching_nothing_is_one_empty_request():
    """No results is an answer, not an empty page to retry: one request, no papers."""
    route = respx.get(API).mock(return_value=httpx.Response(200, content=empty_page(0).body))
    with make_client(FakeTime()) as arxiv:
        result = arxiv.search("q")
    assert (result.papers, result.total_results, route.call_count) == ([], 0, 1)


@respx.mock
def test_an_empty_page_past_the_end_is_not_checked_for_its_offset():
    """An empty page past the results ends them, whatever startIndex it names."""
    route = respx.get(API).mock(return_value=httpx.Response(200, content=empty_page(0).body))
    with make_client(FakeTime()) as arxiv:
        page = arxiv.page("q", start=50, size=25)
    assert (page.entries, route.call_count) == (0, 1)


@respx.mock
def test_a_negative_retry_after_waits_nothing():
    """A Retry-After below zero is no wait at all, not a negative one."""
    respx.get(API).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "-5"}),
            httpx.Response(200, content=Standin().feed(0, 1000)),
        ]
    )
    time = FakeTime()
    with make_client(time) as arxiv:
        arxiv.search("q")
    assert time.sleeps == [0.0]


@respx.mock
def test_a_response_not_in_by_its_deadline_fails_as_a_deadline():
    """A body still being read when the request's deadline has passed fails, and says
    so, even where no socket times out (a mocked transport)."""
    respx.get(API).mock(return_value=httpx.Response(200, content=Standin().feed(0, 10)))
    time = FakeTime()
    pacer = Pacer(delay_seconds=0, clock=time.clock, sleep=time.sleep)
    arxiv = ArxivClient(pacer=pacer, sleep=time.sleep, max_attempts=1, request_deadline_seconds=0)
    with arxiv, pytest.raises(FetchError, match="no complete response within 0 s") as caught:
        arxiv.search("q")
    assert caught.value.failure == "deadline"


@respx.mock
def test_every_page_is_handed_to_on_page():
    """The progress hook sees each page as it arrives."""
    data = Standin()
    respx.get(API).mock(side_effect=lambda r: _page(r, data))
    pages: list[int] = []
    time = FakeTime()
    pacer = Pacer(delay_seconds=0, clock=time.clock, sleep=time.sleep)
    arxiv = ArxivClient(
        pacer=pacer, page_size=25, sleep=time.sleep, on_page=lambda _, p: pages.append(p.entries)
    )
    with arxiv:
        arxiv.search("q")
    assert pages == [25, 25, 25, 25, 11]


@pytest.mark.parametrize(
    ("slack", "refused"),
    [pytest.param(0, False, id="exactly-the-cap"), pytest.param(-1, True, id="a-byte-over")],
)
@respx.mock
def test_a_body_of_exactly_the_cap_is_read(
    monkeypatch: pytest.MonkeyPatch, slack: int, refused: bool
):
    """The size cap is the largest body read: one byte more is refused."""
    body = Standin().feed(0, 10)
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", len(body) + slack)
    respx.get(API).mock(return_value=httpx.Response(200, content=body))
    with make_client(FakeTime()) as arxiv:
        if refused:
            with pytest.raises(FeedError, match="larger than"):
                arxiv.search("q", max_results=10)
        else:
            assert len(arxiv.search("q", max_results=10).papers) == 10
