"""The shared connection: paced requests counted sent and answered, failures named with
the host, bodies capped, and `Retry-After` read."""

from __future__ import annotations

import logging

import httpx
import pytest

from harvester.errors import FetchError, RefusedBody
from harvester.net.connection import Client, Connection, retry_after
from harvester.net.pacer import Pacer
from tests.conftest import FakeTime, closed_port

URL = "http://source.example/list"
LOG = logging.getLogger("tests.net.connection")


def connect(
    time: FakeTime,
    *,
    answer: httpx.Response | Exception | None = None,
    delay: float = 0,
    connect_seconds: float = 10,
) -> Connection:
    """A connection whose transport answers `answer` (a real socket when None)."""
    transport = None
    if answer is not None:

        def reply(request: httpx.Request) -> httpx.Response:
            if isinstance(answer, Exception):
                raise answer
            return answer

        transport = httpx.MockTransport(reply)
    return Connection(
        pacer=Pacer(delay_seconds=delay, clock=time.clock, sleep=time.sleep),
        user_agent="tests/1",
        connect_timeout_seconds=connect_seconds,
        read_timeout_seconds=60,
        request_deadline_seconds=120,
        transport=transport,
        logger=LOG,
    )


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        pytest.param("127.0.0.1:{port}", "connection refused", id="refused"),
        pytest.param("source.invalid", "name not known", id="no-such-name"),
    ],
)
def test_an_unreachable_host_is_named_with_why_and_nothing_answered(host: str, reason: str):
    """Connecting fails for real: the message names the host (and port) and why."""
    host = host.replace("{port}", str(closed_port()))
    connection = connect(FakeTime())
    with pytest.raises(FetchError) as caught:
        connection.get(f"http://{host}/list", {}, attempt=3, max_body_bytes=100)
    connection.close()
    assert str(caught.value) == f"cannot reach {host}: {reason}"
    assert (caught.value.attempt, caught.value.failure) == (3, "ConnectError")
    assert (connection.requests, connection.answered) == (1, 0)


@pytest.mark.parametrize(
    ("error", "message", "failure"),
    [
        pytest.param(
            httpx.ConnectTimeout("timed out"),
            "cannot reach source.example: no connection within 7 s",
            "ConnectTimeout",
            id="connect-timeout",
        ),
        pytest.param(
            httpx.ReadTimeout("timed out"), "ReadTimeout: timed out", "ReadTimeout", id="read"
        ),
    ],
)
def test_a_failure_without_a_response_says_what_failed(
    error: Exception, message: str, failure: str
):
    """A timeout is named by what timed out; only connecting names the host."""
    with pytest.raises(FetchError) as caught:
        connect(FakeTime(), answer=error, connect_seconds=7).get(
            URL, {}, attempt=1, max_body_bytes=100
        )
    assert caught.value.message == message
    assert caught.value.failure == failure


def test_any_status_counts_as_answered_and_the_url_carries_the_params():
    """A 503 is an answer: counted, its body read, the URL sent given back."""
    connection = connect(FakeTime(), answer=httpx.Response(503, content=b"busy"))
    answer = connection.get(URL, {"verb": "ListRecords"}, attempt=1, max_body_bytes=100)
    assert (answer.response.status_code, answer.body) == (503, b"busy")
    assert answer.url == f"{URL}?verb=ListRecords"
    assert (connection.requests, connection.answered) == (1, 1)


def test_each_request_waits_for_the_pacer_and_is_logged(caplog: pytest.LogCaptureFixture):
    """Two requests 3 s apart by the pacer, each URL at DEBUG on the client's logger."""
    caplog.set_level(logging.DEBUG, logger=LOG.name)
    time = FakeTime()
    connection = connect(time, answer=httpx.Response(200), delay=3)
    connection.get(URL, {"n": "1"}, attempt=1, max_body_bytes=100)
    connection.get(URL, {"n": "2"}, attempt=1, max_body_bytes=100)
    assert time.sleeps == [3]
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        (LOG.name, f"GET {URL}?n=1"),
        (LOG.name, f"GET {URL}?n=2"),
    ]


@pytest.mark.parametrize(
    ("size", "refused"),
    [pytest.param(100, False, id="at-the-cap"), pytest.param(101, True, id="past-the-cap")],
)
def test_a_body_past_the_cap_is_refused(size: int, refused: bool):
    """A body of the cap's size is read whole; one byte more is refused, not retried."""
    connection = connect(FakeTime(), answer=httpx.Response(200, content=b"x" * size))
    if refused:
        with pytest.raises(RefusedBody, match="larger than 100 bytes"):
            connection.get(URL, {}, attempt=1, max_body_bytes=100)
    else:
        assert len(connection.get(URL, {}, attempt=1, max_body_bytes=100).body) == size
    assert connection.answered == 1


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        pytest.param({"Retry-After": "7"}, 7.0, id="seconds"),
        pytest.param({"Retry-After": "1.5"}, 1.5, id="fraction"),
        pytest.param({"Retry-After": "-3"}, 0.0, id="negative"),
        pytest.param({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, None, id="http-date"),
        pytest.param({}, None, id="absent"),
    ],
)
def test_retry_after_is_read_in_seconds(header: dict[str, str], seconds: float | None):
    """`Retry-After` in seconds is taken (never below 0); a date or none gives None."""
    assert retry_after(httpx.Response(503, headers=header)) == seconds


def test_a_client_counts_through_its_connection_and_closes_it_on_leaving():
    """A `Client` reads its counts off its connection, and leaving `with` closes it."""
    time = FakeTime()
    client = Client(
        pacer=Pacer(delay_seconds=0, clock=time.clock, sleep=time.sleep),
        user_agent="tests/1",
        connect_timeout_seconds=10,
        read_timeout_seconds=60,
        request_deadline_seconds=120,
        max_attempts=2,
        max_retry_seconds=600,
        max_retry_after_seconds=120,
        sleep=time.sleep,
        transport=httpx.MockTransport(lambda _: httpx.Response(204)),
        logger=LOG,
    )
    with client:
        client._connection.get(URL, {}, attempt=1, max_body_bytes=100)
        assert (client.requests, client.answered) == (1, 1)
    assert client._http.is_closed
