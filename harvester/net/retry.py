"""What is retried, how long to wait, and which failures concern the whole run.

The decisions live here, at the retry site, in one predicate each (stamina's
`retry_only_on_real_errors`); the errors themselves only carry what happened.
"""

from __future__ import annotations

import logging

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from harvester.errors import (
    CONNECTING,
    FeedError,
    FetchError,
    QueryRejected,
    RefusedBody,
    TooManyResults,
)
from harvester.net.pacer import Sleep

# HTTP statuses that a later request may not get: throttling and server trouble.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
# Failures without a response that asking again cannot mend: how the server is set up.
_PERMANENT_FAILURES = frozenset({"TooManyRedirects", "UnsupportedProtocol", "InvalidURL"})
# Connecting failed (name resolution, refused, TLS): every query would fail so.
_UNREACHABLE = CONNECTING

# 2 s, 4 s, 8 s ... up to 60 s, plus up to 1 s of jitter so that clients that
# failed together do not come back together.
BACKOFF = wait_exponential(multiplier=2, max=60) + wait_random(0, 1)
# A 429 without Retry-After: arXiv's "Rate exceeded." lasts minutes to hours, not
# seconds, so 15 s, 30 s, 60 s ... up to 5 min; asking again sooner only prolongs it.
THROTTLED_BACKOFF = wait_exponential(multiplier=15, max=300) + wait_random(0, 5)


def retryable(exc: BaseException) -> bool:
    """Whether asking for the same page again may get a different answer."""
    if isinstance(exc, FetchError):
        if exc.status is None:
            return exc.failure not in _PERMANENT_FAILURES
        return exc.status in TRANSIENT_STATUSES
    # arXiv means it, or we refuse it, or it is the query's size: the same again.
    if isinstance(exc, QueryRejected | RefusedBody | TooManyResults):
        return False
    # A body cut short or not a feed at all, a page empty too soon: glitches.
    return isinstance(exc, FeedError)


def run_wide(exc: BaseException) -> bool:
    """Whether a failure (once retries are spent) concerns the whole run: arXiv cannot
    be reached, or is still throttling us, so trying further topics would only repeat it."""
    return isinstance(exc, FetchError) and (exc.failure in _UNREACHABLE or exc.status == 429)


def wait_seconds(state: RetryCallState, *, max_retry_after_seconds: float) -> float:
    """How long to wait before the next attempt: the server's `Retry-After` (capped),
    else our own backoff, longer for throttling."""
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, FetchError) and exc.retry_after_seconds is not None:
        return min(exc.retry_after_seconds, max_retry_after_seconds)
    if isinstance(exc, FetchError) and exc.status == 429:
        return float(THROTTLED_BACKOFF(state))
    return float(BACKOFF(state))


def retrying(
    *,
    max_attempts: int,
    max_retry_seconds: float,
    max_retry_after_seconds: float,
    sleep: Sleep,
    logger: logging.Logger,
    what: str = "attempt",
) -> Retrying:
    """The retry loop of one page: what is `retryable`, waited for as `wait_seconds`
    says, up to `max_attempts` or `max_retry_seconds`, the last failure reraised.

    Each retry is a WARNING on `logger` (the client's own): `{what} 2 of 5 failed:
    HTTP 503; retrying in 4.2 s`.
    """

    def wait(state: RetryCallState) -> float:
        return wait_seconds(state, max_retry_after_seconds=max_retry_after_seconds)

    def log(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        waited = state.next_action.sleep if state.next_action else 0.0
        logger.warning(
            "%s %d of %d failed: %s; retrying in %.1f s",
            what,
            state.attempt_number,
            max_attempts,
            exc,
            waited,
        )

    return Retrying(
        stop=stop_after_attempt(max_attempts) | stop_after_delay(max_retry_seconds),
        wait=wait,
        retry=retry_if_exception(retryable),
        reraise=True,
        sleep=sleep,
        before_sleep=log,
    )
