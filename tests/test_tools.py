"""Issue #5: the tools around the data: import, export, check, stats, commit, report, progress."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string

from harvester.cli import main
from harvester.export import bibtex
from harvester.models import Paper
from tests.conftest import FIXTURES
from tests.standin import Reply, Standin

SEED = FIXTURES / "seed" / "papers_database.rlhf_code.partial.json"
ROOT = Path(__file__).parent.parent
ORIGINAL_KEYS = [
    "title",
    "authors",
    "summary",
    "arxiv_id",
    "published",
    "categories",
    "url",
    "pdf_url",
]


def harvest(standin: Standin, config: Path, *extra: str) -> int:
    return main([
        "--config", str(config), "--data-dir", str(config.parent / "data"),
        "--api-url", standin.url, "--delay", "0", *extra,
    ])  # fmt: skip


def tool(command: str, config: Path, *extra: str) -> int:
    return main(
        [command, "--config", str(config), "--data-dir", str(config.parent / "data"), *extra]
    )


def test_workflows_pass_the_github_schema():
    """Both workflows validate against GitHub's workflow schema (offline, built in)."""
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert [Path(p).name for p in workflows] == ["ci.yml", "refresh.yml"]
    result = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"),
         "--builtin-schema", "vendor.github-workflows", *workflows],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_refresh_workflow_keeps_its_promises():
    """The refresh job: scheduled and manual, one at a time, thin (`harvest job`), kept alive."""
    text = (ROOT / ".github" / "workflows" / "refresh.yml").read_text()
    for needle in ["schedule:", "workflow_dispatch:", "concurrency:",
                   'harvest job --report "$RUNNER_TEMP/harvest-report.json"',
                   "if: always()\n        run: harvest keepalive"]:  # fmt: skip
        assert needle in text
    assert "git pull" not in text
    permissions = text.split("permissions:\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split("#")[0].strip() for line in permissions.splitlines()] == [
        "contents: write", "actions: write",
    ]  # fmt: skip


def test_import_then_export_reproduces_the_original(config: Path, capsys):
    """49 seed records import with their eight keys intact and export in the original shape."""
    config.write_text(config.read_text())
    assert main(["import", str(SEED), "--config", str(config),
                 "--data-dir", str(config.parent / "data")]) == 0  # fmt: skip
    assert "rlhf_code: 49 new, 0 updated, 0 already stored, 49 total" in capsys.readouterr().out
    original = json.loads(SEED.read_bytes())["rlhf_code"]
    stored = json.loads((config.parent / "data" / "rlhf_code.json").read_bytes())
    assert len(stored) == 49
    by_id = {r["arxiv_id"]: r for r in stored}
    for record in original:
        mine = by_id[record["arxiv_id"]]
        assert {k: mine[k] for k in ORIGINAL_KEYS} == record
        assert [
            mine[k] for k in ["updated", "primary_category", "comment", "journal_ref", "doi"]
        ] == [None] * 5
    assert main(["check", "--data-dir", str(config.parent / "data")]) == 0

    assert tool("export", config, "--out", str(config.parent / "export")) == 0
    exported = json.loads((config.parent / "export" / "papers_database.json").read_bytes())
    assert list(exported) == ["rlhf_code", "llm_alignment"]  # config order
    assert exported["llm_alignment"] == []
    assert all(list(r) == ORIGINAL_KEYS for r in exported["rlhf_code"])
    assert sorted(exported["rlhf_code"], key=lambda r: r["arxiv_id"]) == sorted(
        original, key=lambda r: r["arxiv_id"]
    )


def test_import_keeps_what_a_harvest_knows_and_harvest_fills_nulls(standin: Standin, config: Path):
    """An import never replaces a harvested record of the same version; a harvest fills nulls."""
    assert harvest(standin, config, "--topic", "rlhf_code") == 0
    harvested = json.loads((config.parent / "data" / "rlhf_code.json").read_bytes())
    first = harvested[0]
    seed = config.parent / "seed.json"
    stripped = {k: first[k] for k in ORIGINAL_KEYS}
    seed.write_text(json.dumps({"rlhf_code": [stripped, stripped]}))
    assert main(["import", str(seed), "--config", str(config),
                 "--data-dir", str(config.parent / "data")]) == 0  # fmt: skip
    assert json.loads((config.parent / "data" / "rlhf_code.json").read_bytes()) == harvested


def test_import_rejects_unknown_topics(config: Path, capsys):
    """A topic the config lacks is a usage error naming it; nothing is written."""
    database = config.parent / "db.json"
    database.write_text(json.dumps({"rlhf_code": [], "quantum": []}))
    assert main(["import", str(database), "--config", str(config),
                 "--data-dir", str(config.parent / "data")]) == 2  # fmt: skip
    assert f"ERROR {database} has topics that {config} lacks: quantum" in capsys.readouterr().err
    assert not (config.parent / "data" / "rlhf_code.json").exists()


def test_exports_are_byte_identical_and_bibtex_parses(standin: Standin, config: Path):
    """Two exports of the same data are identical; the BibTeX has one entry per paper."""
    assert harvest(standin, config) == 0
    first, second = config.parent / "one", config.parent / "two"
    assert tool("export", config, "--out", str(first)) == 0
    assert tool("export", config, "--out", str(second)) == 0
    files = sorted(p.name for p in first.iterdir())
    assert files == ["llm_alignment.bib", "llm_alignment.md", "papers_database.json",
                     "rlhf_code.bib", "rlhf_code.md"]  # fmt: skip
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    library = parse_string((first / "rlhf_code.bib").read_text())
    assert library.failed_blocks == []
    assert len(library.entries) == 111
    keys = {e.key for e in library.entries}
    assert len(keys) == 111
    assert "arXiv:astro-ph/9812133" in keys
    markdown = (first / "rlhf_code.md").read_text()
    years = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert years == sorted(years, reverse=True)
    assert markdown.count("\n- **") == 111


def _valid(config: Path) -> bytes:
    return (config.parent / "data" / "rlhf_code.json").read_bytes()


BROKEN = [
    pytest.param(lambda b: b[:-1], "not in the file format (2-space JSON, UTF-8, final newline)", id="no-final-newline"),
    pytest.param(lambda b: b.replace(b'  {\n    "title"', b'  {\n  "title"', 1), "line 3: not in the file format", id="indent"),
    pytest.param(lambda b: b[:1000], "not valid JSON at line", id="truncated"),
    pytest.param(lambda b: b"{}\n", "expected a JSON array of records, found dict", id="object"),
    pytest.param(lambda b: _edit(b, 0, pop="doi"), "record 0: missing key 'doi'", id="missing-key"),
    pytest.param(lambda b: _edit(b, 2, move="title"), "record 2: keys out of the contract's order", id="key-order"),
    pytest.param(lambda b: _edit(b, 1, set_={"published": "2099-01-01"}), "record 1: out of order", id="order"),
    pytest.param(lambda b: _edit(b, 3, set_={"arxiv_id": "2401.1"}), "record 3: arxiv_id: Value error", id="bad-id"),
    pytest.param(lambda b: _edit(b, 4, set_={"authors": "one"}), "record 4: authors: Input should be a valid list", id="authors"),
    pytest.param(lambda b: _edit(b, 5, dup=0), "record 1: paper", id="duplicate"),
]  # fmt: skip


def _edit(data: bytes, index: int, *, pop: str = "", move: str = "",
          set_: dict[str, object] | None = None, dup: int | None = None) -> bytes:  # fmt: skip
    records = json.loads(data)
    if pop:
        records[index].pop(pop)
    if move:
        records[index][move] = records[index].pop(move)
    if set_:
        records[index].update(set_)
    if dup is not None:
        records.insert(1, records[dup])
    return (json.dumps(records, indent=2, ensure_ascii=False) + "\n").encode()


def test_check_accepts_everything_the_tool_writes(standin: Standin, config: Path, capsys):
    """Harvested, imported and state-carrying data directories all pass the check."""
    assert harvest(standin, config, "--page-size", "40") == 0
    assert main(["import", str(SEED), "--config", str(config), "--topic", "rlhf_code",
                 "--data-dir", str(config.parent / "data")]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["check", "--data-dir", str(config.parent / "data")]) == 0
    assert capsys.readouterr().out == "2 files, 271 records: all valid\n"


@pytest.mark.parametrize(("breakage", "message"), BROKEN)
def test_check_rejects_broken_files_with_position(
    standin: Standin, config: Path, capsys, breakage, message
):
    """Each broken file makes check exit 1 naming the file and where the problem is."""
    assert harvest(standin, config, "--topic", "rlhf_code") == 0
    path = config.parent / "data" / "rlhf_code.json"
    path.write_bytes(breakage(_valid(config)))
    capsys.readouterr()
    assert main(["check", "--data-dir", str(config.parent / "data")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR {path}: ")
    assert message in err
    assert err.count("\n") == 1


def test_stats_per_topic(standin: Standin, config: Path, capsys):
    """stats gives papers, per-year counts, the newest paper and the harvest state."""
    assert harvest(standin, config, "--topic", "rlhf_code") == 0
    capsys.readouterr()
    assert tool("stats", config) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("rlhf_code: 111 papers (2026: ")
    assert "newest 2604.03438v1 (2026-04-03); harvest complete, last finding something " in lines[0]
    assert (
        lines[1] == "llm_alignment: 0 papers (none); newest none; harvest never; file changed never"
    )


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A throw-away git repository with a queries.toml and a first commit."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "--quiet", "--initial-branch=main")
    _git(root, "config", "user.name", "Test")
    _git(root, "config", "user.email", "test@example.invalid")
    (root / ".gitignore").write_text("data/.harvest.lock*\nreport.json\n")
    (root / "queries.toml").write_text(
        '[topics.rlhf_code]\nquery = "all:rl"\n[topics.llm_alignment]\nquery = "all:dpo"\n'
    )
    _git(root, "add", ".")
    _git(root, "commit", "--quiet", "-m", "start")
    return root


def test_commit_only_when_data_changed(standin: Standin, repo: Path, capsys, monkeypatch):
    """No change, no commit; a change, exactly one commit whose message carries the counts."""
    monkeypatch.chdir(repo)
    args = ["--api-url", standin.url, "--delay", "0", "--report", "report.json"]
    assert main(args) == 0
    assert main(["commit", "--report", "report.json"]) == 0
    assert capsys.readouterr().out.endswith("data: +222 papers (rlhf_code, llm_alignment)\n")
    assert _git(repo, "log", "--format=%s").splitlines() == [
        "data: +222 papers (rlhf_code, llm_alignment)", "start",
    ]  # fmt: skip
    assert "data/.harvest/rlhf_code.json" in _git(repo, "show", "--name-only", "--format=")
    assert _git(repo, "status", "--porcelain") == ""

    assert main(args) == 0
    assert main(["commit", "--report", "report.json"]) == 0
    assert capsys.readouterr().out.endswith("nothing to commit\n")
    assert len(_git(repo, "log", "--format=%s").splitlines()) == 2

    entry = standin.entries[3]
    version = int(entry.arxiv_id.rsplit("v", 1)[1]) + 1
    standin.entries[3] = entry.new_version(
        version, title="New", updated=datetime.now(UTC).replace(microsecond=0)
    )
    assert main(args) == 0
    assert main(["commit", "--report", "report.json"]) == 0
    assert _git(repo, "log", "-1", "--format=%s") == "data: 2 updated (rlhf_code, llm_alignment)\n"


def test_report_and_its_summary_for_a_failed_topic(standin: Standin, config: Path, capsys):
    """--report records counts per topic and the error of a failed one; summary makes a table."""
    standin.script = [Reply(status=404)]
    report = config.parent / "report.json"
    assert harvest(standin, config, "--report", str(report)) == 1
    data = json.loads(report.read_text())
    assert data["exit_code"] == 1
    assert data["topics"]["rlhf_code"]["error"] == "HTTP 404 (page at offset 0)"
    counts = {k: v for k, v in data["topics"]["llm_alignment"].items() if k != "changes"}
    assert counts == {
        "mode": "full", "new": 111, "updated": 0, "revised": 0, "unchanged": 0, "total": 111,
        "requests": 1, "written": True, "error": None, "per_week": 0.2, "stale_after_days": 277.1,
        # These depend on today's date; the recordings end on 2026-04-03.
        "stale": counts["stale"], "days_silent": counts["days_silent"],
    }  # fmt: skip
    assert len(data["topics"]["llm_alignment"]["changes"]) == 111
    capsys.readouterr()
    assert main(["summary", str(report)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "| topic | mode | new | updated | unchanged | total | requests | result |"
    assert table[2].startswith("| rlhf_code | full | 0 | 0 | 0 | 0 | 1 | failed: HTTP 404")
    assert table[3] == "| llm_alignment | full | 111 | 0 | 0 | 111 | 1 | written |"
    assert table[5].startswith("1 of 2 topics harvested in ")


def _run_with_stderr_on_a_terminal(args: list[str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.communicate(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_progress_shows_only_on_a_terminal(standin: Standin, config: Path, harvest_bin: str):
    """Pages and papers are drawn live on a terminal, and not at all in a pipe (cron, CI)."""
    args = [harvest_bin, "--config", str(config), "--data-dir", str(config.parent / "data"),
            "--api-url", standin.url, "--delay", "0", "--page-size", "50", "--topic", "rlhf_code"]  # fmt: skip
    on_terminal = _run_with_stderr_on_a_terminal(args)
    assert "\rrlhf_code: page 1 of 3, 50 papers" in on_terminal
    assert "\rrlhf_code: page 3 of 3, 111 papers" in on_terminal
    piped = subprocess.run([*args, "--full"], capture_output=True, text=True, check=True)
    assert "page 1" not in piped.stderr
    # Nothing but, once the recordings are old enough, the warning that the topic is silent.
    assert all("nothing new for" in line for line in piped.stderr.splitlines())
    verbose = subprocess.run([*args, "--full", "-v"], capture_output=True, text=True, check=True)
    assert "INFO rlhf_code: page 3 of 3, 111 papers" in verbose.stderr


def test_bibtex_survives_unbalanced_braces_and_collaborations():
    """Unbalanced braces become LaTeX commands; a collaboration stays one author."""
    paper = Paper(
        title="Closing } the {gap", authors=["ATLAS and CMS Collaborations", "X { Y"],
        summary="s", arxiv_id="2401.00001v1", published=date(2024, 1, 1), categories=["hep-ex"],
        url="https://arxiv.org/abs/2401.00001v1", pdf_url="https://arxiv.org/pdf/2401.00001v1.pdf",
    )  # fmt: skip
    text = bibtex([paper])
    assert text.count("{") == text.count("}")
    assert r"title = {{Closing \textbraceright{} the \textbraceleft{}gap}}" in text
    assert r"author = {{ATLAS and CMS Collaborations} and X \textbraceleft{} Y}" in text
    library = parse_string(text)
    assert library.failed_blocks == []
    assert len(library.entries) == 1


def test_import_lock_timeout_is_checked_like_harvest(config: Path, capsys):
    """`harvest import --lock-timeout nan` is a usage error, as it is for `harvest`."""
    assert main(["import", str(SEED), "--config", str(config), "--lock-timeout", "nan"]) == 2
    assert (
        "argument --lock-timeout: must be a finite number, 0 or more: nan"
        in capsys.readouterr().err
    )
