"""`harvest keepalive`: keep GitHub from disabling the scheduled refresh of a quiet repository.

GitHub disables a public repository's scheduled workflows after 60 days without
repository activity, which a database of quiet topics reaches. Instead of committing
noise, the job re-enables its own workflow through the REST API
(https://docs.github.com/en/rest/actions/workflows#enable-a-workflow), which marks the
workflow active again; it needs the workflow permission `actions: write`.

Everything comes from the variables GitHub Actions sets in every job:
`GITHUB_REPOSITORY`, `GITHUB_API_URL`, `GITHUB_WORKFLOW_REF` (which names the
workflow file) and the token, passed as `GITHUB_TOKEN`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import quote

import httpx

from harvester import __version__
from harvester.errors import HarvestError, UsageError

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
ENABLED = 204


class KeepAliveError(HarvestError):
    """GitHub did not re-enable the workflow."""


def enable_request(env: Mapping[str, str], *, workflow: str | None = None) -> httpx.Request:
    """The `PUT .../actions/workflows/{workflow}/enable` request for the running workflow.

    Args:
        env: the environment (GitHub Actions' variables, see the module docstring).
        workflow: the workflow file name; by default the one `GITHUB_WORKFLOW_REF` names.

    Raises:
        UsageError: a variable it needs is missing or malformed.
    """
    repository = _required(env, "GITHUB_REPOSITORY")
    if repository.count("/") != 1:
        raise UsageError(f"GITHUB_REPOSITORY must be owner/name, not {repository!r}")
    token = _required(env, "GITHUB_TOKEN")
    name = workflow or _workflow_file(_required(env, "GITHUB_WORKFLOW_REF"))
    api = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    url = f"{api}/repos/{repository}/actions/workflows/{quote(name, safe='')}/enable"
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": API_VERSION,
        "User-Agent": f"arxiv-harvester/{__version__}",
    }
    return httpx.Request("PUT", url, headers=headers)


def enable(request: httpx.Request, *, timeout_seconds: float = 30.0) -> None:
    """Send the request built by `enable_request`.

    Raises:
        KeepAliveError: no answer, or an answer other than 204 No Content.
    """
    try:
        with httpx.Client(timeout=timeout_seconds) as client:
            response = client.send(request)
    except httpx.HTTPError as exc:
        raise KeepAliveError(f"cannot reach {request.url.host}: {exc}") from None
    if response.status_code != ENABLED:
        raise KeepAliveError(f"{_reason(response)} ({request.method} {request.url})")
    logger.info("workflow re-enabled: %s", request.url)


def _reason(response: httpx.Response) -> str:
    try:
        message = str(response.json().get("message", ""))
    except (ValueError, AttributeError):
        message = ""
    reason = f"GitHub answered HTTP {response.status_code}" + (f": {message}" if message else "")
    if response.status_code in {401, 403, 404}:
        # What a missing permission looks like from inside a workflow.
        reason += "; the job needs `permissions: actions: write`"
    return reason


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise UsageError(f"{name} is not set: run this in a GitHub Actions job")
    return value


def _workflow_file(ref: str) -> str:
    # "owner/repo/.github/workflows/refresh.yml@refs/heads/main" -> "refresh.yml"
    path = ref.split("@", 1)[0]
    folder, _, name = path.rpartition("/")
    if not folder.endswith(".github/workflows") or not name:
        raise UsageError(f"GITHUB_WORKFLOW_REF does not name a workflow file: {ref!r}")
    return name
