"""Why a connection failed, in words, for both sources' errors."""

from __future__ import annotations

import socket

import httpx
import pytest

from harvester.net import unreachable


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        pytest.param(httpx.ConnectError("x"), "cannot reach h:8: x", id="no-os-error-in-the-chain"),
        pytest.param(
            httpx.ConnectTimeout("slow"),
            "cannot reach h:8: no connection within 10 s",
            id="timeout",
        ),
    ],
)
def test_the_message_names_the_host_and_why(exc: httpx.HTTPError, expected: str):
    """The host with its port, then the reason in words."""
    assert unreachable.message("http://h:8/oai?verb=x", exc, 10.0) == expected


def test_a_lookup_failure_and_an_os_error_read_plainly():
    """getaddrinfo's `Name or service not known` is `name not known`; an OSError's
    strerror is taken, lower-cased."""
    lookup = httpx.ConnectError("lookup")
    lookup.__cause__ = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    refused = httpx.ConnectError("refused")
    refused.__context__ = ConnectionRefusedError(111, "Connection refused")
    assert unreachable.why(lookup, 10.0) == "name not known"
    assert unreachable.why(refused, 10.0) == "connection refused"
    assert unreachable.host(httpx.URL("https://oaipmh.arxiv.org/oai")) == "oaipmh.arxiv.org"
