"""The scheduled job at scale (issue 17): a 70,000-paper topic pushed through `harvest job`
to a bare remote that refuses any file over 100 MB, as GitHub does."""

from __future__ import annotations

import json
import stat
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import git
from tests.job.test_refresh import clone, job
from tests.standin import Standin, synthetic_entries

GITHUB_LIMIT_BYTES = 100 * 1024 * 1024


def refuse_files_over(bare: Path, limit_bytes: int) -> None:
    """A pre-receive hook refusing a push that adds a file over `limit_bytes` (GitHub: 100 MB)."""
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        "zero=0000000000000000000000000000000000000000\n"
        "while read old new ref; do\n"
        '  if [ "$old" = "$zero" ]; then range="$new --not --all"; else range="$old..$new"; fi\n'
        "  git rev-list --objects $range |\n"
        "    git cat-file --batch-check='%(objecttype) %(objectsize) %(rest)' |\n"
        f'    awk -v limit={limit_bytes} \'$1 == "blob" && $2 > limit {{\n'
        '      print "error: File " $3 " is " $2 " bytes; this exceeds the file size limit"; bad = 1\n'
        "    } END { exit bad }' || exit 1\n"
        "done\n"
    )
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)


def seeded(tmp_path: Path, limit_bytes: int) -> Path:
    """A bare remote with one topic `t` and the size hook."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = clone(bare, tmp_path / "seed")
    (seed / ".gitignore").write_text("data/.harvest.lock*\nharvest-report.json\n")
    (seed / "queries.toml").write_text("[topics.t]\nquery = 'cat:cs.CL'\n")
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "start")
    git(seed, "push", "--quiet", "origin", "main")
    refuse_files_over(bare, limit_bytes)
    return bare


def remote_files(bare: Path) -> dict[str, int]:
    """Every data file on the remote's main, with its size."""
    listing = git(bare, "ls-tree", "-r", "-l", "main", "data").splitlines()
    return {line.split("\t")[1]: int(line.split()[3]) for line in listing}


@pytest.mark.parametrize(
    ("limit_bytes", "pushed"),
    [pytest.param(50_000, False, id="file-over-limit"), pytest.param(1_000_000, True, id="under")],
)
def test_the_hook_refuses_a_file_over_its_limit(tmp_path: Path, limit_bytes: int, pushed: bool):
    """The size hook is real: the job's push of a 200 kB topic file fails past a 50 kB limit
    and goes through under 1 MB."""
    bare = seeded(tmp_path, limit_bytes)
    repo = clone(bare, tmp_path / "job" / "repo")
    with Standin() as standin:
        assert (job(repo, standin) == 0) is pushed
    assert len(git(bare, "log", "--format=%s", "main").splitlines()) == (2 if pushed else 1)


@pytest.mark.parametrize(
    "papers",
    [
        pytest.param(25_000, id="25000-ci"),  # 48 MB: past 40 MB, so sharded too
        pytest.param(70_000, marks=pytest.mark.slow, id="70000"),
    ],
)
@pytest.mark.timeout(900)  # minutes on a loaded 2-core machine
def test_a_dense_topic_is_pushed_in_files_under_40_mb(tmp_path: Path, papers: int):
    """70,000 papers 7 s apart (2026 mode; 25,000 in CI) through `harvest job`: pushed past
    the 100 MB hook, no file over 40 MB, every paper once, and a re-run changes no byte."""
    entries = synthetic_entries(papers, first=datetime(2026, 1, 5, tzinfo=UTC), step_seconds=7)
    bare = seeded(tmp_path, GITHUB_LIMIT_BYTES)
    repo = clone(bare, tmp_path / "job" / "repo")
    with Standin(entries=entries) as standin:
        assert job(repo, standin) == 0
        pushed = remote_files(bare)
        shards = {n: s for n, s in pushed.items() if n.startswith("data/t/")}
        assert len(shards) > 1
        assert "data/t.json" not in pushed
        assert max(pushed.values()) < 40_000_000
        ids = [
            r["arxiv_id"] for name in shards for r in json.loads(git(bare, "show", f"main:{name}"))
        ]
        assert len(ids) == papers
        assert [i for i, n in Counter(ids).items() if n > 1] == []
        assert set(ids) == {e.arxiv_id for e in entries}
        head = git(bare, "rev-parse", "main")
        assert job(repo, standin) == 0
    assert git(bare, "rev-parse", "main") == head
    assert git(repo, "status", "--porcelain") == ""
