"""The retry decisions: what is asked again, how long to wait, what stops the whole run."""

from __future__ import annotations

import logging

import pytest
from tenacity import RetryCallState, Retrying

from harvester.errors import (
    EmptyPageError,
    FeedError,
    FetchError,
    HarvestError,
    QueryRejected,
    RefusedBody,
    StoreError,
    TooManyResults,
)
from harvester.net.retry import retryable, retrying, run_wide, wait_seconds

URL = "https://export.arxiv.org/api/query?start=0"


def fetch(
    status: int | None = None, failure: str | None = None, retry_after_seconds: float | None = None
) -> FetchError:
    return FetchError(
        "x", url=URL, status=status, failure=failure, retry_after_seconds=retry_after_seconds
    )


@pytest.mark.parametrize(
    ("error", "again"),
    [
        pytest.param(fetch(429), True, id="429"),
        pytest.param(fetch(500), True, id="500"),
        pytest.param(fetch(503), True, id="503"),
        pytest.param(fetch(501), False, id="501"),
        pytest.param(fetch(404), False, id="404"),
        pytest.param(fetch(400), False, id="400"),
        pytest.param(fetch(failure="ReadTimeout"), True, id="timeout"),
        pytest.param(fetch(failure="ConnectError"), True, id="refused"),
        pytest.param(fetch(failure="deadline"), True, id="deadline"),
        pytest.param(fetch(failure="TooManyRedirects"), False, id="redirect-loop"),
        pytest.param(FeedError("cut short"), True, id="malformed-body"),
        pytest.param(EmptyPageError("empty"), True, id="empty-page"),
        pytest.param(QueryRejected("bad query"), False, id="error-feed"),
        pytest.param(RefusedBody("entities"), False, id="refused-body"),
        pytest.param(TooManyResults(20_000), False, id="too-many"),
        pytest.param(StoreError(__import__("pathlib").Path("x"), "disk"), False, id="store"),
        pytest.param(ValueError("bug"), False, id="a-bug"),
    ],
)
def test_only_what_may_heal_is_retried(error: BaseException, again: bool):
    """Throttling, 5xx that may pass, transport glitches and bad bodies are asked again;
    what arXiv means, what we refuse and our own bugs are not."""
    assert retryable(error) is again


@pytest.mark.parametrize(
    ("error", "whole_run"),
    [
        pytest.param(fetch(failure="ConnectError"), True, id="unreachable"),
        pytest.param(fetch(failure="ConnectTimeout"), True, id="connect-timeout"),
        pytest.param(fetch(429), True, id="throttled"),
        pytest.param(fetch(503), False, id="503"),
        pytest.param(fetch(failure="ReadTimeout"), False, id="read-timeout"),
        pytest.param(QueryRejected("bad"), False, id="one-query"),
        pytest.param(HarvestError("other"), False, id="other"),
    ],
)
def test_run_wide_failures(error: BaseException, whole_run: bool):
    """Only an arXiv we cannot reach or that keeps throttling us stops the other topics."""
    assert run_wide(error) is whole_run


def _state_after(error: BaseException, attempt: int) -> RetryCallState:
    state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    state.set_exception((type(error), error, None))
    return state


@pytest.mark.parametrize(
    ("error", "attempt", "low", "high"),
    [
        pytest.param(fetch(503), 1, 2, 3, id="503-first"),
        pytest.param(fetch(503), 3, 8, 9, id="503-third"),
        pytest.param(fetch(429), 1, 15, 20, id="429-first"),
        pytest.param(fetch(429), 3, 60, 65, id="429-third"),
        pytest.param(fetch(503, retry_after_seconds=7), 1, 7, 7, id="retry-after"),
        pytest.param(fetch(429, retry_after_seconds=1000), 1, 120, 120, id="retry-after-capped"),
    ],
)
def test_waits(error: FetchError, attempt: int, low: float, high: float):
    """2 s doubling for a glitch, 15 s doubling for throttling, the server's Retry-After
    (capped) when it sends one."""
    wait = wait_seconds(_state_after(error, attempt), max_retry_after_seconds=120)
    assert low <= wait <= high


@pytest.mark.parametrize(
    ("what", "line"),
    [
        pytest.param("attempt", "attempt 1 of 3 failed: x", id="query-api"),
        pytest.param("OAI-PMH attempt", "OAI-PMH attempt 1 of 3 failed: x", id="oai"),
    ],
)
def test_retrying_logs_each_retry_and_reraises_the_last_failure(
    caplog: pytest.LogCaptureFixture, what: str, line: str
):
    """Each retry is a WARNING on the client's logger with the wait; the last failure is
    raised as it is, after `max_attempts` (a 404 would not be retried at all)."""
    log = logging.getLogger("tests.net.retry")
    caplog.set_level(logging.WARNING, logger=log.name)
    sleeps: list[float] = []
    failures = iter([fetch(503, retry_after_seconds=4), fetch(503, retry_after_seconds=9)])
    last = fetch(404)
    attempts: list[int] = []

    def ask() -> None:
        for attempt in loop:
            with attempt:
                attempts.append(attempt.retry_state.attempt_number)
                raise next(failures, last)

    loop = retrying(
        max_attempts=3,
        max_retry_seconds=600,
        max_retry_after_seconds=5,
        sleep=sleeps.append,
        logger=log,
        what=what,
    )
    with pytest.raises(FetchError) as caught:
        ask()
    assert caught.value is last
    assert attempts == [1, 2, 3]
    assert sleeps == [4, 5]
    messages = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert messages == [
        (log.name, logging.WARNING, f"{line} (page at offset 0); retrying in 4.0 s"),
        (
            log.name,
            logging.WARNING,
            f"{line.replace(' 1 ', ' 2 ')} (page at offset 0); retrying in 5.0 s",
        ),
    ]
