"""Git for the data: a commit only when the data changed, its message carrying the counts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.cli import main
from harvester.job import publish
from tests.conftest import git, git_repo
from tests.standin import Standin


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A throw-away git repository with a two-topic queries.toml and a first commit."""
    queries = '[topics.rlhf_code]\nquery = "all:rl"\n[topics.llm_alignment]\nquery = "all:dpo"\n'
    return git_repo(tmp_path / "repo", queries)


def test_commit_only_when_data_changed(standin: Standin, repo: Path, capsys, monkeypatch):
    """No change, no commit; a change, exactly one commit whose message carries the counts."""
    monkeypatch.chdir(repo)
    args = ["--api-url", standin.url, "--delay", "0", "--report", "report.json"]
    assert main(args) == 0
    assert main(["commit", "--report", "report.json"]) == 0
    assert capsys.readouterr().out.endswith("data: +222 papers (rlhf_code, llm_alignment)\n")
    assert git(repo, "log", "--format=%s").splitlines() == [
        "data: +222 papers (rlhf_code, llm_alignment)",
        "start",
    ]
    assert "data/.harvest/rlhf_code.json" in git(repo, "show", "--name-only", "--format=")
    assert git(repo, "status", "--porcelain") == ""

    assert main(args) == 0
    assert main(["commit", "--report", "report.json"]) == 0
    assert capsys.readouterr().out.endswith("nothing to commit\n")
    assert len(git(repo, "log", "--format=%s").splitlines()) == 2

    entry = standin.entries[3]
    version = int(entry.arxiv_id.rsplit("v", 1)[1]) + 1
    standin.entries[3] = entry.new_version(
        version, title="New", updated=datetime.now(UTC).replace(microsecond=0)
    )
    assert main(args) == 0
    assert main(["commit", "--report", "report.json"]) == 0
    assert git(repo, "log", "-1", "--format=%s") == "data: 2 updated (rlhf_code, llm_alignment)\n"


def test_commit_data_commits_only_the_data_directory(repo: Path):
    """A change under data/ is committed alone; other changes stay; no change, no commit."""
    data = repo / "data"
    data.mkdir()
    (data / "rlhf_code.json").write_text("[]\n")
    (repo / "notes.txt").write_text("not data\n")
    assert publish.commit_data(repo, data, "data: first") is True
    assert git(repo, "log", "-1", "--format=%s") == "data: first\n"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["data/rlhf_code.json"]
    assert git(repo, "status", "--porcelain") == "?? notes.txt\n"
    assert publish.commit_data(repo, data, "data: again") is False
    assert len(git(repo, "log", "--format=%s").splitlines()) == 2


def test_git_failures_say_what_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A missing work tree is named as such; "git is not installed" only when git is missing."""
    data = tmp_path / "gone" / "data"
    with pytest.raises(
        publish.GitError, match=r"cannot run git in .*gone: No such file or directory$"
    ):
        publish.commit_data(tmp_path / "gone", data, "data: x")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(publish.GitError, match=r"^git is not installed$"):
        publish.commit_data(tmp_path, data, "data: x")
    with pytest.raises(publish.GitError, match=r"^git is not installed$"):
        publish.valid_branch("main")


def test_commit_data_leaves_out_a_file_staged_elsewhere(repo: Path):
    """A file the user staged outside data/ stays staged and out of the data commit."""
    data = repo / "data"
    data.mkdir()
    (data / "rlhf_code.json").write_text("[]\n")
    (repo / "notes.txt").write_text("mine\n")
    git(repo, "add", "notes.txt")
    assert publish.commit_data(repo, data, "data: first") is True
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["data/rlhf_code.json"]
    assert git(repo, "status", "--porcelain") == "A  notes.txt\n"
