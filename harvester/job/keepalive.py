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

import json
import logging
import re
from collections.abc import Mapping
from urllib.parse import quote

import httpx

from harvester import __version__
from harvester.errors import HarvestError, UsageError, one_line
from harvester.net import deadline as net_deadline

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
ENABLED = 204
DEFAULT_DEADLINE_SECONDS = 60.0
"""The most the request may take, connecting and the whole answer: a server sending a
byte now and then trips no socket timeout, and would hold the job's last step."""
MAX_ANSWER_BYTES = 64 * 1024
"""Of an error answer, read this much for GitHub's `message`; the rest is not read."""
QUOTED_CHARS = 300
"""GitHub's `message` is quoted up to this many characters."""

# GitHub's rules: an owner (user or organization) is 1-39 alphanumerics or single
# hyphens, neither first nor last; an enterprise-managed user adds `_shortcode`. A
# repository name is 1-100 of letters, digits, `.`, `-` and `_`, and not `.` or `..`.
# Nothing else may reach the URL: `o/r#x` would send `PUT /repos/o/r`, `../x` climb.
_OWNER = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9])*(?:_[A-Za-z0-9]+)?")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_TOKEN = re.compile(r"[!-~]+")  # visible ASCII: a token goes into a header as it is


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
    repository = _repository(_required(env, "GITHUB_REPOSITORY"))
    token = _required(env, "GITHUB_TOKEN")
    if not _TOKEN.fullmatch(token):
        # Never quoted: it is a secret, even when it is a wrong one.
        raise UsageError("GITHUB_TOKEN holds characters no token has (only visible ASCII)")
    name = workflow or _workflow_file(_required(env, "GITHUB_WORKFLOW_REF"))
    api = _api_url(env.get("GITHUB_API_URL") or DEFAULT_API_URL)
    url = f"{api}/repos/{repository}/actions/workflows/{quote(name, safe='')}/enable"
    headers = {
        "Accept": "application/vnd.github+json",
        # Read as sent: the error answer is read only in part, never inflated.
        "Accept-Encoding": "identity",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": API_VERSION,
        "User-Agent": f"arxiv-harvester/{__version__}",
    }
    return httpx.Request("PUT", url, headers=headers)


def enable(
    request: httpx.Request,
    *,
    timeout_seconds: float = 30.0,
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
) -> None:
    """Send the request built by `enable_request`.

    Args:
        request: the request.
        timeout_seconds: the most one socket operation may wait.
        deadline_seconds: the most the whole request may take.

    Raises:
        KeepAliveError: no answer, no complete one within `deadline_seconds`, or an
            answer other than 204 No Content.
    """
    deadline = net_deadline.Deadline()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=0)
    transport = net_deadline.transport(deadline, limits=limits)
    try:
        with httpx.Client(timeout=timeout_seconds, transport=transport) as client:
            deadline.start(deadline_seconds)
            response = client.send(request, stream=True)
            try:
                answer = b"" if response.status_code == ENABLED else _head(response)
            finally:
                response.close()
                deadline.clear()
    except httpx.HTTPError as exc:
        host = request.url.host
        if deadline.passed:
            raise KeepAliveError(
                f"{host} sent no complete answer within {deadline_seconds:g} s"
            ) from None
        raise KeepAliveError(f"cannot reach {host}: {one_line(str(exc))}") from None
    if response.status_code != ENABLED:
        reason = _reason(response.status_code, answer)
        raise KeepAliveError(f"{reason} ({request.method} {request.url})")
    logger.info("workflow re-enabled: %s", request.url)


def _head(response: httpx.Response) -> bytes:
    """The first `MAX_ANSWER_BYTES` of the answer's body."""
    taken = b""
    for chunk in response.iter_raw():
        taken += chunk
        if len(taken) >= MAX_ANSWER_BYTES:
            break
    return taken[:MAX_ANSWER_BYTES]


def _reason(status: int, answer: bytes) -> str:
    try:
        message = str(json.loads(answer).get("message", ""))
    except (ValueError, AttributeError, RecursionError):
        # Not JSON, not an object, or nested deeper than Python parses: no message.
        message = ""
    if len(message) > QUOTED_CHARS:
        message = message[:QUOTED_CHARS] + "..."
    reason = f"GitHub answered HTTP {status}" + (f": {one_line(message)}" if message else "")
    if status in {401, 403, 404}:
        # What a missing permission looks like from inside a workflow.
        reason += "; the job needs `permissions: actions: write`"
    return reason


def _repository(value: str) -> str:
    owner, slash, name = value.partition("/")
    if not (
        slash
        and len(owner) <= 39
        and _OWNER.fullmatch(owner)
        and _NAME.fullmatch(name)
        and name not in {".", ".."}
    ):
        raise UsageError(f"GITHUB_REPOSITORY must be owner/name by GitHub's rules, not {value!r}")
    return value


def _api_url(value: str) -> str:
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise UsageError(f"GITHUB_API_URL is not a URL: {value!r} ({exc})") from None
    if url.scheme not in {"http", "https"} or not url.host or url.query or url.fragment:
        raise UsageError(
            f"GITHUB_API_URL must be an http(s) URL without query or fragment, not {value!r}"
        )
    return value.rstrip("/")


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
