"""Issue #11: the scheduled job keeps its schedule alive by re-enabling its own workflow."""

from __future__ import annotations

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
