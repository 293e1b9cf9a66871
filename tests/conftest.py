"""Shared fixtures and helpers: the stand-in arXiv, a topics file, the installed `harvest`
(and this harvester as if from a package index), the flags of a test run, a fake clock,
records and the files of a directory."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from harvester import __version__
from harvester.arxiv.client import ArxivClient
from harvester.arxiv.feed import Page
from harvester.cli import main
from harvester.job import requirement
from harvester.models import Paper
from harvester.net.pacer import Pacer
from tests.standin import MODES, Standin

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
REPOSITORY_DATA = ROOT / "data"
SEED = FIXTURES / "seed" / "papers_database.rlhf_code.partial.json"
ERROR_FEED_LEGACY = FIXTURES / "arxiv" / "pubs-pubs__idlist_INVALIDID.xml"
"""arXiv's error feed for a bad id, in the legacy format (HTTP 400)."""
ERROR_FEED_2026 = FIXTURES / "arxiv" / "lukasschwab-arxiv.py__id_abc_s0_m100.xml"
"""arXiv's error feed for a bad id, in the 2026 format (HTTP 400)."""
HTML = b"<!DOCTYPE html><html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
"""A proxy's error page where a feed should be."""
TOOLS = [
    "export",
    "search",
    "site",
    "import",
    "stats",
    "check",
    "plan",
    "verify",
    "init",
    "commit",
    "summary",
    "job",
    "keepalive",
]
"""The commands beside `harvest` itself."""
KEYS = [
    "title",
    "authors",
    "summary",
    "arxiv_id",
    "published",
    "categories",
    "url",
    "pdf_url",
    "updated",
    "primary_category",
    "comment",
    "journal_ref",
    "doi",
    "license",
    "withdrawn",
    "versions",
]
"""A record's keys in the contract's order (the last three from OAI-PMH)."""
ORIGINAL_KEYS = KEYS[:8]
"""The keys of the original database's records."""
TWO_DOIS = "10.1103/PhysRevC.76.024606 10.1103/PhysRevC.76.039902"
"""The `doi` field of arXiv 0704.0471 (a paper and its erratum) as OAI-PMH's arXivRaw gives it."""
HOSTILE_DOIS = '10.1000/a"b<c 10.1000/x)y}z'
"""Two DOIs holding what quotes, tags, Markdown links and BibTeX braces must not let through."""
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


@pytest.fixture
def from_an_index(monkeypatch: pytest.MonkeyPatch) -> str:
    """This harvester as if installed from a package index (the tests' own is an editable
    install of the checkout, which `harvest init` refuses); the requirement init writes."""
    monkeypatch.setattr(requirement, "installed", lambda: requirement.Installed(None, __version__))
    return f"arxiv-harvester=={__version__}"


@pytest.fixture(scope="session")
def harvest_bin() -> str:
    """The `harvest` console script of the environment running the tests."""
    candidate = Path(sys.executable).parent / "harvest"
    found = str(candidate) if candidate.exists() else shutil.which("harvest")
    if found is None:
        pytest.fail("the harvest console script is not installed: pip install -e '.[test]'")
    return found


def offline_client(
    standin: Standin, *, page_size: int = 25, on_page: Callable[[str, Page], None] | None = None
) -> ArxivClient:
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
        on_page=on_page,
    )


@pytest.fixture(autouse=True, scope="session")
def repository_data_untouched() -> Iterator[None]:
    """No test writes into the repository's own data/, the database it ships."""
    before = tree(REPOSITORY_DATA)
    yield
    assert tree(REPOSITORY_DATA) == before, "a test changed the repository's data/"


def argv(standin: Standin, config: Path, *extra: str, data_dir: Path | None = None) -> list[str]:
    """The flags of a harvest of `config` from `standin`, unpaced, into `data_dir` (by
    default `data/` beside the config), then `extra`."""
    data = config.parent / "data" if data_dir is None else data_dir
    return [
        "--config",
        str(config),
        "--data-dir",
        str(data),
        "--api-url",
        standin.url,
        "--delay",
        "0",
        *extra,
    ]


def tool(command: str, config: Path, *extra: str) -> int:
    """Run `harvest COMMAND` on `config` and the `data/` beside it; its exit code."""
    return main(
        [command, "--config", str(config), "--data-dir", str(config.parent / "data"), *extra]
    )


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeTime:
    """A clock that only moves when something sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def tree(directory: Path, *, deep: bool = True) -> dict[str, tuple[bytes, int]]:
    """Every file under `directory` (only its own files unless `deep`), lock files aside,
    with its bytes and mtime."""
    found = directory.rglob("*") if deep else directory.iterdir()
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(found)
        if p.is_file() and not p.name.startswith(".harvest.lock")
    }


def records(data_dir: Path, topic: str = "rlhf_code") -> dict[str, dict[str, Any]]:
    """A topic's records (in either layout), by paper (the id without its version)."""
    paths = [data_dir / f"{topic}.json", *sorted((data_dir / topic).glob("*.json"))]
    found = [r for p in paths if p.exists() for r in json.loads(p.read_bytes())]
    if not found and not paths[0].exists():
        raise FileNotFoundError(paths[0])
    return {r["arxiv_id"].rsplit("v", 1)[0]: r for r in found}


def paper(arxiv_id: str, **fields: Any) -> Paper:
    """A valid record of `arxiv_id`, with `fields` in place of the defaults."""
    values: dict[str, Any] = {
        "title": "T",
        "authors": ["Ada Lovelace"],
        "summary": "S",
        "arxiv_id": arxiv_id,
        "published": date(2024, 1, 1),
        "categories": ["cs.LG"],
        "url": f"https://arxiv.org/abs/{arxiv_id}",
        "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}.pdf",
        "updated": datetime(2024, 2, 1, 12, 0, tzinfo=UTC),
        "primary_category": "cs.LG",
    }
    return Paper.model_validate(values | fields)


def git(repo: Path, *args: str) -> str:
    """Run git in `repo`; its stdout."""
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def git_repo(root: Path, queries: str) -> Path:
    """A throw-away git repository at `root` with this queries.toml and a first commit."""
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.invalid")
    (root / ".gitignore").write_text("data/.harvest.lock*\nreport.json\n")
    (root / "queries.toml").write_text(queries)
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "start")
    return root


def one_topic(tmp_path: Path) -> tuple[Path, Path]:
    """A topics file with one topic `t` and an empty data directory beside it."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.t]\nquery = "all:x"\n')
    data = tmp_path / "data"
    data.mkdir()
    return config, data
