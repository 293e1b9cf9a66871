"""Why a connection failed, in words: `cannot reach export.arxiv.org: name not known`.

Both sources say it alike (issue 16): the host (and its port, when the URL names one)
and the reason, `name not known`, `connection refused`, `no connection within 10 s`,
rather than httpx's `ConnectError: [Errno -2] Name or service not known`.
"""

from __future__ import annotations

import socket

import httpx

# getaddrinfo's failures, in words (the C library's own are "Name or service not known").
_LOOKUP_FAILURES = {
    socket.EAI_NONAME: "name not known",
    socket.EAI_AGAIN: "name lookup failed for now (no DNS answer)",
}
if hasattr(socket, "EAI_NODATA"):  # glibc's; not every platform has it
    _LOOKUP_FAILURES[socket.EAI_NODATA] = "name has no address"


def host(url: httpx.URL) -> str:
    """`export.arxiv.org`, or `127.0.0.1:8765` when the URL names a port."""
    return url.host if url.port is None else f"{url.host}:{url.port}"


def why(exc: httpx.HTTPError, connect_seconds: float) -> str:
    """Why connecting failed, plainly: `name not known`, `connection refused`, ..."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection within {connect_seconds:g} s"
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, socket.gaierror) and cause.errno in _LOOKUP_FAILURES:
        return _LOOKUP_FAILURES[cause.errno]
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror[0].lower() + cause.strerror[1:]
    return str(exc) or type(exc).__name__


def message(url: str, exc: httpx.HTTPError, connect_seconds: float) -> str:
    """`cannot reach HOST: WHY` for a request to `url` that could not connect."""
    return f"cannot reach {host(httpx.URL(url))}: {why(exc, connect_seconds)}"
