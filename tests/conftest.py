"""Shared fixtures: the stand-in arXiv, a topics file, and the installed `harvest`."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harvester.client import ArxivClient
from harvester.pacer import Pacer
from tests.standin import MODES, Standin

FIXTURES = Path(__file__).parent / "fixtures"
REPOSITORY_DATA = Path(__file__).parent.parent / "data"
RLHF_QUERY = (
    '(cat:cs.LG OR cat:cs.AI OR cat:cs.SE) AND (all:"reinforcement learning" AND '
    '(all:"code generation" OR all:"program synthesis" OR all:"RLHF"))'
)


@pytest.fixture(params=MODES)
def standin(request: pytest.FixtureRequest) -> Iterator[Standin]:
    """A stand-in arXiv on 127.0.0.1 serving the recorded entries, answering as arXiv's
    2026 backend does and as its manual says (each test runs against both)."""
    with Standin(mode=request.param) as server:
        yield server


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A topics file with two topics and no date limit (the recordings go back to 1995)."""
    path = tmp_path / "queries.toml"
    path.write_text(
        f"[topics.rlhf_code]\nquery = '{RLHF_QUERY}'\n\n"
        "[topics.llm_alignment]\nquery = 'all:\"preference optimization\"'\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def harvest_bin() -> str:
    """The `harvest` console script of the environment running the tests."""
    candidate = Path(sys.executable).parent / "harvest"
    found = str(candidate) if candidate.exists() else shutil.which("harvest")
    if found is None:
        pytest.fail("the harvest console script is not installed: pip install -e '.[test]'")
    return found


def offline_client(standin: Standin, *, page_size: int = 25) -> ArxivClient:
    """The real client, its requests answered by `standin` in process (no socket, no wait)."""

    def answer(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        standin.requests.append(params)
        reply = standin.reply(params)
        return httpx.Response(reply.status, content=reply.body, headers=reply.headers)

    return ArxivClient(
        api_url="http://127.0.0.1/api/query",
        pacer=Pacer(delay_seconds=0),
        page_size=page_size,
        sleep=lambda _: None,
        transport=httpx.MockTransport(answer),
    )


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not path.name.startswith(".harvest.lock")
    }


@pytest.fixture(autouse=True, scope="session")
def repository_data_untouched() -> Iterator[None]:
    """No test writes into the repository's own data/, the database it ships."""
    before = _files(REPOSITORY_DATA)
    yield
    assert _files(REPOSITORY_DATA) == before, "a test changed the repository's data/"
