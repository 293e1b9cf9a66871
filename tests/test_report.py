"""Issue #11: the run report names the papers that changed; summary and commit show them."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harvester import store
from harvester.cli import main
from harvester.models import Paper
from tests.standin import Standin


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A throw-away git repository with a one-topic queries.toml and a first commit."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "--quiet", "--initial-branch=main")
    _git(root, "config", "user.name", "Test")
    _git(root, "config", "user.email", "test@example.invalid")
    (root / ".gitignore").write_text("data/.harvest.lock*\nreport.json\n")
    (root / "queries.toml").write_text('[topics.rlhf_code]\nquery = "all:rl"\n')
    _git(root, "add", ".")
    _git(root, "commit", "--quiet", "-m", "start")
    return root


def _add_papers(standin: Standin, count: int) -> list[str]:
    """Serve `count` new papers, submitted in the last hours; returns their ids."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    made = []
    for index in range(count):
        entry = standin.entries[index % len(standin.entries)].rewritten(
            f"9912.{index:05d}v1", now - timedelta(minutes=index + 1)
        )
        standin.entries.append(entry)
        made.append(entry.arxiv_id)
    return made


def _harvest_and_commit(standin: Standin) -> int:
    code = main(["--api-url", standin.url, "--delay", "0", "--report", "report.json"])
    assert main(["commit", "--report", "report.json"]) == 0
    return code


def test_report_summary_and_commit_name_what_changed(
    standin: Standin, repo: Path, capsys, monkeypatch
):
    """3 new papers and a new version: the report, summary and commit body name all 4."""
    monkeypatch.chdir(repo)
    assert _harvest_and_commit(standin) == 0
    new_ids = _add_papers(standin, 3)
    old = standin.entries[5]
    version = int(old.arxiv_id.rsplit("v", 1)[1]) + 1
    standin.entries[5] = old.new_version(
        version, title="A [better] title", updated=datetime.now(UTC).replace(microsecond=0)
    )
    assert _harvest_and_commit(standin) == 0

    changes = json.loads((repo / "report.json").read_text())["topics"]["rlhf_code"]["changes"]
    assert sorted((c["arxiv_id"], c["change"]) for c in changes) == sorted(
        [(i, "new") for i in new_ids] + [(f"{old.key}v{version}", "updated")]
    )
    assert all(list(c) == ["arxiv_id", "title", "change"] for c in changes)
    assert {c["title"] for c in changes} >= {"A [better] title"}

    capsys.readouterr()
    assert main(["summary", "report.json"]) == 0
    summary = capsys.readouterr().out
    assert "### rlhf_code" in summary
    assert (
        f"- [A \\[better\\] title](https://arxiv.org/abs/{old.key}v{version}) (updated)" in summary
    )
    for arxiv_id in new_ids:
        assert f"](https://arxiv.org/abs/{arxiv_id}) (new)" in summary

    message = _git(repo, "log", "-1", "--format=%B")
    assert message.startswith("data: +3 papers, 1 updated (rlhf_code)\n\nrlhf_code:\n")
    assert f"- {old.key}v{version} A [better] title (updated)" in message
    assert all(f"- {i} " in message for i in new_ids)


def test_thirty_changes_list_twenty_five_and_the_rest_counted(
    standin: Standin, repo: Path, capsys, monkeypatch
):
    """30 changed papers: summary and commit body name 25, then say "and 5 more"."""
    monkeypatch.chdir(repo)
    assert _harvest_and_commit(standin) == 0
    _add_papers(standin, 30)
    assert _harvest_and_commit(standin) == 0
    capsys.readouterr()
    assert main(["summary", "report.json"]) == 0
    summary = capsys.readouterr().out
    assert summary.count("](https://arxiv.org/abs/") == 25
    assert summary.rstrip().endswith("- and 5 more")
    body = _git(repo, "log", "-1", "--format=%b")
    assert body.count("(new)") == 25
    assert body.rstrip().endswith("- and 5 more")


def _paper(arxiv_id: str, **fields: object) -> Paper:
    values: dict[str, object] = {
        "title": f"Paper {arxiv_id}", "authors": ["A"], "summary": "s", "arxiv_id": arxiv_id,
        "published": "2024-01-01", "categories": ["cs.LG"],
        "url": f"https://arxiv.org/abs/{arxiv_id}", "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}",
    }  # fmt: skip
    return Paper.model_validate(values | fields)


def test_merge_lists_each_change_once_newest_first():
    """A merge names new, updated and revised papers once each, newest first; none unchanged."""
    stored = {p.key: p for p in [_paper("2401.00001v1"), _paper("2401.00002v1"),
                                 _paper("2401.00003v1")]}  # fmt: skip
    fetched = [
        _paper("2401.00001v2"),
        _paper("2401.00002v1", doi="10.1/x"),
        _paper("2401.00003v1"),
        _paper("2402.00004v1", published="2024-02-01"),
        _paper("2402.00004v1", published="2024-02-01"),
    ]
    merged = store.merge(stored, fetched)
    assert [(c.arxiv_id, c.change) for c in merged.counts.changes] == [
        ("2402.00004v1", "new"), ("2401.00002v1", "revised"), ("2401.00001v2", "updated"),
    ]  # fmt: skip
    assert (
        merged.counts.new,
        merged.counts.updated,
        merged.counts.revised,
        merged.counts.unchanged,
    ) == (1, 1, 1, 1)
