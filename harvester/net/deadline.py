"""An overall deadline for each HTTP request: connecting, the headers, the whole body.

httpx's timeouts bound each socket operation on its own, so a server that sends
one byte a second never trips them and holds the run (and the data directory's
lock) for as long as it likes. Here every socket operation of a request gets at
most the time left until the request's deadline, and none starts after it: the
request then fails with a timeout, which the client retries like any other.
"""

from __future__ import annotations

import ssl
import time
import typing

import httpcore
import httpx

from harvester.net.pacer import Clock


class Deadline:
    """When the request in flight must be over (None: no request in flight)."""

    def __init__(self, *, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self.at: float | None = None

    def start(self, seconds: float) -> None:
        """A request starts now and must be over within `seconds`."""
        self.at = self._clock() + seconds

    def clear(self) -> None:
        """No request in flight: socket operations (closing one, say) are unbounded."""
        self.at = None

    @property
    def passed(self) -> bool:
        """Whether the request in flight has run out of time."""
        return self.at is not None and self._clock() >= self.at

    def bound(self, timeout: float | None, expired: type[Exception]) -> float | None:
        """`timeout` cut to the time left, or `expired` raised when none is left."""
        if self.at is None:
            return timeout
        left = self.at - self._clock()
        if left <= 0:
            raise expired("the request's deadline passed")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, bounded), self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:  # noqa: ANN401  # httpcore's signature
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return _Stream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_unix_socket(path, bounded, socket_options)
        return _Stream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def transport(deadline: Deadline, *, limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's own transport, every socket operation of it bound by `deadline`."""
    made = httpx.HTTPTransport(limits=limits)
    # httpx takes no network backend, but its connection pool (httpcore) does; the
    # pool makes every connection through this attribute. test_client checks it works.
    pool = made._pool
    pool._network_backend = _Backend(pool._network_backend, deadline)
    return made
