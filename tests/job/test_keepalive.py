"""Issue #11: the scheduled job keeps its schedule alive by re-enabling its own workflow."""

from __future__ import annotations

import http.server
import json
import threading
import time

import httpx
import pytest
import respx

from harvester.cli import main

ENV = {
    "GITHUB_REPOSITORY": "octo/papers",
    "GITHUB_API_URL": "https://api.github.example",
    "GITHUB_WORKFLOW_REF": "octo/papers/.github/workflows/refresh.yml@refs/heads/main",
    "GITHUB_TOKEN": "ghs_secret",
}
ENABLE = "https://api.github.example/repos/octo/papers/actions/workflows/refresh.yml/enable"


@pytest.fixture
def github_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variables GitHub Actions sets in a job (a real job's own are replaced)."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def test_keepalive_enables_its_own_workflow(github_env, respx_mock: respx.MockRouter, capsys):
    """One PUT to the workflow's enable endpoint, with the token and GitHub's API headers."""
    route = respx_mock.put(ENABLE).mock(return_value=httpx.Response(204))
    assert main(["keepalive"]) == 0
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == "PUT"
    assert request.headers["Authorization"] == "Bearer ghs_secret"
    assert request.headers["Accept"] == "application/vnd.github+json"
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert request.headers["User-Agent"].startswith("arxiv-harvester/")
    assert request.content == b""
    assert capsys.readouterr().out == f"keepalive: workflow enabled ({ENABLE})\n"


def test_keepalive_takes_a_workflow_and_the_default_api(
    github_env, respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
):
    """--workflow names another file; without GITHUB_API_URL it is api.github.com."""
    monkeypatch.delenv("GITHUB_API_URL")
    url = "https://api.github.com/repos/octo/papers/actions/workflows/ci.yml/enable"
    route = respx_mock.put(url).mock(return_value=httpx.Response(204))
    assert main(["keepalive", "--workflow", "ci.yml"]) == 0
    assert route.call_count == 1


def test_keepalive_without_the_permission_says_which(github_env, respx_mock, capsys):
    """A 403 (no `actions: write`) is exit 1 with GitHub's message and the permission needed."""
    respx_mock.put(ENABLE).mock(
        return_value=httpx.Response(403, json={"message": "Resource not accessible by integration"})
    )
    assert main(["keepalive"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "ERROR GitHub answered HTTP 403: Resource not accessible by integration; "
        "the job needs `permissions: actions: write` (PUT "
    )
    assert "ghs_secret" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        pytest.param("GITHUB_TOKEN", "", "GITHUB_TOKEN is not set", id="no-token"),
        pytest.param(
            "GITHUB_REPOSITORY",
            "papers",
            "GITHUB_REPOSITORY must be owner/name",
            id="bad-repository",
        ),
        pytest.param(
            "GITHUB_WORKFLOW_REF",
            "octo/papers@main",
            "GITHUB_WORKFLOW_REF does not name a workflow file",
            id="bad-ref",
        ),
    ],
)
def test_keepalive_outside_a_job_is_a_usage_error(
    github_env, respx_mock, monkeypatch: pytest.MonkeyPatch, capsys, variable, value, message
):
    """A missing or malformed variable: exit 2 naming it, and no request."""
    monkeypatch.setenv(variable, value)
    assert main(["keepalive"]) == 2
    assert capsys.readouterr().err.startswith(f"ERROR {message}")
    assert respx_mock.calls.call_count == 0


@pytest.mark.parametrize(
    "repository",
    [
        pytest.param("o/r#frag", id="fragment"),
        pytest.param("o/r?x=1", id="query"),
        pytest.param("../admin", id="climbs"),
        pytest.param("o/..", id="dot-dot-name"),
        pytest.param("o/r/x", id="three-parts"),
        pytest.param("-o/r", id="leading-hyphen"),
        pytest.param("o-/r", id="trailing-hyphen"),
        pytest.param("o--p/r", id="double-hyphen"),
        pytest.param("o/r s", id="space"),
        pytest.param("ö/r", id="non-ascii"),
        pytest.param("o/r%2F..", id="percent"),
        pytest.param("o" * 40 + "/r", id="owner-too-long"),
        pytest.param("o/" + "r" * 101, id="name-too-long"),
    ],
)
def test_keepalive_refuses_a_repository_github_would_not_name(
    github_env, respx_mock, monkeypatch: pytest.MonkeyPatch, capsys, repository: str
):
    """GITHUB_REPOSITORY outside GitHub's owner/name rules: exit 2, one line, no request (#16)."""
    monkeypatch.setenv("GITHUB_REPOSITORY", repository)
    assert main(["keepalive"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ERROR GITHUB_REPOSITORY must be owner/name by GitHub's rules, not ")
    assert err.count("\n") == 1
    assert respx_mock.calls.call_count == 0


@pytest.mark.parametrize(
    "repository",
    [
        pytest.param("octo-org/my.repo_v2", id="dots-hyphens-underscores"),
        pytest.param("a" * 39 + "/" + "b" * 100, id="longest"),
        pytest.param("octo_acme/papers", id="managed-user"),
    ],
)
def test_keepalive_takes_every_repository_github_allows(
    github_env, respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, repository: str
):
    """Names within GitHub's rules reach the URL as they are."""
    monkeypatch.setenv("GITHUB_REPOSITORY", repository)
    url = f"https://api.github.example/repos/{repository}/actions/workflows/refresh.yml/enable"
    route = respx_mock.put(url).mock(return_value=httpx.Response(204))
    assert main(["keepalive"]) == 0
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        pytest.param(
            "GITHUB_TOKEN",
            "ghs_sécret",
            "GITHUB_TOKEN holds characters no token has (only visible ASCII)",
            id="non-ascii-token",
        ),
        pytest.param(
            "GITHUB_TOKEN",
            "ghs_a\nX-Injected: 1",
            "GITHUB_TOKEN holds characters no token has (only visible ASCII)",
            id="header-injection",
        ),
        pytest.param(
            "GITHUB_API_URL",
            "http://[::1",
            "GITHUB_API_URL is not a URL: 'http://[::1' (Invalid port: ':1')",
            id="unclosed-bracket",
        ),
        pytest.param(
            "GITHUB_API_URL",
            "ftp://api.github.example",
            "GITHUB_API_URL must be an http(s) URL without query or fragment, not 'ftp:",
            id="not-http",
        ),
        pytest.param(
            "GITHUB_API_URL",
            "https://api.github.example/?x=#",
            "GITHUB_API_URL must be an http(s) URL without query or fragment",
            id="query",
        ),
        pytest.param(
            "GITHUB_API_URL",
            "https://",
            "GITHUB_API_URL must be an http(s) URL without query or fragment",
            id="no-host",
        ),
    ],
)
def test_keepalive_hostile_variables_are_usage_errors(
    github_env, respx_mock, monkeypatch: pytest.MonkeyPatch, capsys, variable, value, message
):
    """A token or API URL that cannot make a request: exit 2, one line, no traceback (#16)."""
    monkeypatch.setenv(variable, value)
    assert main(["keepalive"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR {message}")
    assert err.count("\n") == 1
    assert "sécret" not in err
    assert respx_mock.calls.call_count == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(
            b"[" * 100_000 + b"]" * 100_000, "GitHub answered HTTP 422 (PUT ", id="nested-100000"
        ),
        pytest.param(b'"just a string"', "GitHub answered HTTP 422 (PUT ", id="not-an-object"),
        pytest.param(b"\xff\xfe", "GitHub answered HTTP 422 (PUT ", id="not-utf-8"),
        pytest.param(
            json.dumps({"message": "Bad\nERROR forged line \x1b[31mred\u202e"}).encode(),
            "GitHub answered HTTP 422: Bad\\nERROR forged line \\x1b[31mred\\u202e (PUT ",
            id="control-characters",
        ),
        pytest.param(
            json.dumps({"message": "x" * 10_000}).encode(),
            "GitHub answered HTTP 422: " + "x" * 300 + "... (PUT ",
            id="long-message",
        ),
    ],
)
def test_keepalive_quotes_githubs_answer_on_one_line(
    github_env, respx_mock: respx.MockRouter, capsys, body: bytes, reason: str
):
    """Whatever GitHub's error body holds: exit 1, one line, control characters escaped (#16)."""
    respx_mock.put(ENABLE).mock(return_value=httpx.Response(422, content=body))
    assert main(["keepalive"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR {reason}")
    assert err.count("\n") == 1
    assert "\x1b" not in err
    assert "Traceback" not in err


class _Trickling(http.server.BaseHTTPRequestHandler):
    """Answers a PUT a byte at a time, 0.05 s apart, for at most 5 s."""

    def do_PUT(self) -> None:
        answer = b"HTTP/1.1 204 No Content\r\nX-Padding: " + b"p" * 100 + b"\r\n\r\n"
        for byte in answer:
            if self.server.stop.wait(0.05):  # type: ignore[attr-defined]
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client went away
                return

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_keepalive_ends_at_its_deadline_against_a_trickling_server(
    github_env, monkeypatch: pytest.MonkeyPatch, capsys
):
    """A server sending a byte every 0.05 s trips no socket timeout but not past --timeout (#16)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickling)
    server.stop = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{server.server_address[1]}")
        started = time.monotonic()
        assert main(["keepalive", "--timeout", "0.5"]) == 1
        elapsed = time.monotonic() - started
    finally:
        server.stop.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
    assert elapsed < 3
    assert capsys.readouterr().err == ("ERROR 127.0.0.1 sent no complete answer within 0.5 s\n")
