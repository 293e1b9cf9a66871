"""The scheduled job (`harvest job`) against a real bare git remote and the stand-in, and the
workflows that run it (issue #10).

Races are real: a `pre-push` hook in the job's clone pushes another clone's commit after
the job has harvested and committed, just before its own push reaches the remote.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from harvester.cli import main
from harvester.job import refresh as job_module
from tests.conftest import RLHF_QUERY, ROOT, git
from tests.oai_standin import OaiStandin, recorded
from tests.standin import Reply, Standin

TOPICS = ["rlhf_code", "llm_alignment"]
RECORDED = 111


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare repository whose main branch holds a topics file and a .gitignore."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = clone(bare, tmp_path / "seed")
    (seed / ".gitignore").write_text("data/.harvest.lock*\nharvest-report.json\n")
    (seed / "queries.toml").write_text(
        f"[topics.rlhf_code]\nquery = '{RLHF_QUERY}'\n\n"
        "[topics.llm_alignment]\nquery = 'all:\"preference optimization\"'\n"
    )
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "start")
    git(seed, "push", "--quiet", "origin", "main")
    return bare


def clone(bare: Path, where: Path) -> Path:
    """A clone of `bare` with a committer identity."""
    git(bare.parent, "clone", "--quiet", str(bare), str(where))
    git(where, "config", "user.name", "Test")
    git(where, "config", "user.email", "test@example.invalid")
    return where


def job(repo: Path, standin: Standin, *extra: str) -> int:
    """`harvest job` in `repo`, its report and summary outside the work tree."""
    outside = repo.parent
    return main(
        [
            "job",
            "--repo",
            str(repo),
            "--config",
            str(repo / "queries.toml"),
            "--data-dir",
            str(repo / "data"),
            "--report",
            str(outside / "report.json"),
            "--summary",
            str(outside / "summary.md"),
            *extra,
            "--",
            "--api-url",
            standin.url,
            "--delay",
            "0",
        ]
    )


def summary(repo: Path) -> str:
    return (repo.parent / "summary.md").read_text()


def remote_ids(bare: Path, topic: str) -> list[str]:
    """The ids (without version) in the remote's data file: valid JSON, each id once."""
    records = json.loads(git(bare, "show", f"main:data/{topic}.json"))
    ids = [r["arxiv_id"].rsplit("v", 1)[0] for r in records]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    return ids


def subjects(bare: Path) -> list[str]:
    return git(bare, "log", "--format=%s", "main").splitlines()


def add_paper(standin: Standin, number: int) -> str:
    """A paper first submitted a minute ago; returns its id without version."""
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    arxiv_id = f"{now:%y%m}.9{number:04d}"
    standin.entries.insert(0, standin.entries[-1].rewritten(f"{arxiv_id}v1", now))
    return arxiv_id


def race_on_push(repo: Path, other: Path) -> None:
    """Make `repo`'s next push lose a race: its pre-push hook pushes `other` first, once."""
    hook = repo / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"git -C '{other}' push --quiet origin main || exit 1\n"
        'rm -f "$0"\n'
    )
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def first(remote: Path, standin: Standin, tmp_path: Path) -> Path:
    """The job's clone after a first run that pushed every recorded paper."""
    repo = clone(remote, tmp_path / "job" / "repo")
    assert job(repo, standin) == 0
    return repo


def test_first_run_then_nothing_new(remote: Path, first: Path, standin: Standin, capsys):
    """A first run pushes one commit with data and state; a run finding nothing commits nothing."""
    assert subjects(remote) == ["data: +222 papers (rlhf_code, llm_alignment)", "start"]
    for topic in TOPICS:
        assert len(remote_ids(remote, topic)) == RECORDED
    tracked = git(remote, "ls-tree", "-r", "--name-only", "main").split()
    assert "data/.harvest/rlhf_code.json" in tracked
    assert not any(name.endswith("report.json") or ".lock" in name for name in tracked)
    text = summary(first)
    assert (
        "Refresh: pushed `data: +222 papers (rlhf_code, llm_alignment)` to origin/main (attempt 1)."
        in text
    )
    assert "| rlhf_code | full | 111 |" in text

    head = git(remote, "rev-parse", "main")
    assert job(first, standin) == 0
    assert git(remote, "rev-parse", "main") == head
    assert capsys.readouterr().out.endswith("harvest job: no change, nothing to commit\n")
    assert git(first, "status", "--porcelain") == ""


def test_race_with_a_data_commit(remote: Path, first: Path, standin: Standin, tmp_path: Path):
    """Another harvest's commit lands first: the job redoes its harvest on it; both stay."""
    other = clone(remote, tmp_path / "other")
    theirs = add_paper(standin, 1)
    assert (
        main(
            [
                "--config",
                str(other / "queries.toml"),
                "--data-dir",
                str(other / "data"),
                "--api-url",
                standin.url,
                "--delay",
                "0",
                "-q",
            ]
        )
        == 0
    )
    git(other, "commit", "--quiet", "--all", "-m", "other harvest")
    ours = add_paper(standin, 2)
    race_on_push(first, other)

    assert job(first, standin) == 0
    assert subjects(remote) == [
        "data: +2 papers (rlhf_code, llm_alignment)",
        "other harvest",
        "data: +222 papers (rlhf_code, llm_alignment)",
        "start",
    ]
    for topic in TOPICS:
        ids = remote_ids(remote, topic)
        assert len(ids) == RECORDED + 2
        assert {theirs, ours} <= set(ids)
    assert "(attempt 2)" in summary(first)


def test_race_with_an_unrelated_commit(remote: Path, first: Path, standin: Standin, tmp_path: Path):
    """An unrelated commit lands first: the job harvests again on top of it; both stay."""
    other = clone(remote, tmp_path / "other")
    (other / "README.md").write_text("papers\n")
    git(other, "add", "README.md")
    git(other, "commit", "--quiet", "-m", "docs")
    new = add_paper(standin, 3)
    race_on_push(first, other)

    assert job(first, standin) == 0
    assert subjects(remote)[:3] == [
        "data: +2 papers (rlhf_code, llm_alignment)",
        "docs",
        "data: +222 papers (rlhf_code, llm_alignment)",
    ]
    assert git(remote, "show", "main:README.md") == "papers\n"
    assert "(attempt 2)" in summary(first)
    for topic in TOPICS:
        ids = remote_ids(remote, topic)
        assert len(ids) == RECORDED + 1
        assert new in ids


def test_a_remote_that_keeps_moving_fails_after_the_attempts(
    remote: Path, first: Path, standin: Standin, tmp_path: Path
):
    """With --attempts 1, one lost race ends the job red, saying so; the other commit stays."""
    other = clone(remote, tmp_path / "other")
    git(other, "commit", "--quiet", "--allow-empty", "-m", "elsewhere")
    add_paper(standin, 4)
    race_on_push(first, other)

    assert job(first, standin, "--attempts", "1") == 1
    assert subjects(remote)[0] == "elsewhere"
    assert "**Refresh failed**: push refused 1 times" in summary(first)


def _edit_queries(repo: Path) -> str:
    (repo / "queries.toml").write_text((repo / "queries.toml").read_text() + "# mine\n")
    return "queries.toml"


def _stage_a_file(repo: Path) -> str:
    (repo / "notes.txt").write_text("staged\n")
    git(repo, "add", "notes.txt")
    return "notes.txt"


def _untracked_file(repo: Path) -> str:
    (repo / "draft.md").write_text("not yet added\n")
    return "draft.md"


def _data_edit(repo: Path) -> str:
    (repo / "data" / "rlhf_code.json").write_text("[]\n")
    return "data/rlhf_code.json"


def _unpushed_commit(repo: Path) -> str:
    (repo / "README.md").write_text("my notes\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "--quiet", "-m", "my unpushed work")
    return "1 local commit that origin/main lacks (newest: "


@pytest.mark.parametrize(
    ("make_work", "said"),
    [
        pytest.param(_edit_queries, "uncommitted changes (queries.toml)", id="edit"),
        pytest.param(_stage_a_file, "uncommitted changes (notes.txt)", id="staged-file"),
        pytest.param(_untracked_file, "uncommitted changes (draft.md)", id="untracked-file"),
        pytest.param(_data_edit, "uncommitted changes (data/rlhf_code.json)", id="data-edit"),
        pytest.param(_unpushed_commit, "1 local commit that origin/main lacks", id="commit"),
    ],
)
def test_the_job_never_discards_work_it_did_not_make(
    remote: Path, first: Path, standin: Standin, tmp_path: Path, capsys, make_work, said: str
):
    """An edit or an unpushed commit, then a lost race: the job refuses at once, exit 2,
    one line saying which; the work, the clone and the remote stay as they were (#16)."""
    other = clone(remote, tmp_path / "other")
    git(other, "commit", "--quiet", "--allow-empty", "-m", "elsewhere")
    add_paper(standin, 5)
    race_on_push(first, other)
    make_work(first)
    status, head = git(first, "status", "--porcelain"), git(first, "rev-parse", "HEAD")
    files = {p: p.read_bytes() for p in first.rglob("*") if p.is_file() and ".git" not in p.parts}
    asked = len(standin.requests)

    assert job(first, standin) == 2
    err = capsys.readouterr().err
    assert err.startswith("ERROR ")
    assert said in err
    assert err.count("\n") == 1
    assert len(standin.requests) == asked
    assert git(first, "status", "--porcelain") == status
    assert git(first, "rev-parse", "HEAD") == head
    assert {
        p: p.read_bytes() for p in first.rglob("*") if p.is_file() and ".git" not in p.parts
    } == files
    assert subjects(remote)[0] == "data: +222 papers (rlhf_code, llm_alignment)"
    assert said in summary(first)


def test_a_runners_shallow_checkout_runs_as_before(remote: Path, standin: Standin, tmp_path):
    """A fresh `actions/checkout` (one commit deep) has nothing at risk: harvest, push (#16)."""
    repo = tmp_path / "job" / "repo"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{remote}", str(repo))
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.invalid")

    assert job(repo, standin) == 0
    assert subjects(remote) == ["data: +222 papers (rlhf_code, llm_alignment)", "start"]


def test_the_jobs_own_report_in_the_work_tree_does_not_count(
    remote: Path, standin: Standin, tmp_path: Path
):
    """A report left by an earlier run inside the work tree (not ignored) is the job's own."""
    repo = clone(remote, tmp_path / "job" / "repo")
    report = repo / "my-report.json"
    report.write_text("{}\n")
    code = main(
        [
            "job",
            "--repo",
            str(repo),
            "--config",
            str(repo / "queries.toml"),
            "--data-dir",
            str(repo / "data"),
            "--report",
            str(report),
            "--summary",
            str(tmp_path / "s.md"),
            "--",
            "--api-url",
            standin.url,
            "--delay",
            "0",
        ]
    )
    assert code == 0
    assert subjects(remote)[0] == "data: +222 papers (rlhf_code, llm_alignment)"


def _pre_receive(bare: Path, script: str) -> None:
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\n" + script)
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        pytest.param(
            "echo 'main is frozen' >&2\nexit 1\n",
            "[remote rejected] (pre-receive hook declined); remote: main is frozen",
            id="hook-declines",
        ),
        pytest.param(
            "printf 'first\\n\\033[31mERROR forged\\033[0m\\n' >&2\nexit 1\n",
            "[remote rejected] (pre-receive hook declined); remote: first; "
            "remote: \\x1b[31mERROR forged\\x1b[0m",
            id="hook-forges-lines",
        ),
    ],
)
def test_a_push_refused_for_another_reason_fails_at_once(
    remote: Path, first: Path, standin: Standin, capsys, script: str, reason: str
):
    """A hook that declines is no race: no second harvest, exit 1, git's reason on one line (#16)."""
    add_paper(standin, 6)
    _pre_receive(remote, script)
    head = git(remote, "rev-parse", "main")
    capsys.readouterr()

    assert job(first, standin) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("ERROR")]
    assert errors == [f"ERROR git push to origin main refused: {reason}"]
    assert "push refused (attempt" not in err
    assert "\x1b" not in err
    assert git(remote, "rev-parse", "main") == head
    assert f"**Refresh failed**: git push to origin main refused: {reason}" in summary(first)


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        pytest.param(
            "--remote",
            "--receive-pack=touch pwned",
            "--remote '--receive-pack=touch pwned': not a remote name or URL",
            id="remote-option",
        ),
        pytest.param("--remote", "", "--remote '': not a remote name or URL", id="remote-empty"),
        pytest.param("--branch", "", "--branch '': not a branch name git takes", id="empty"),
        pytest.param("--branch", "a..b", "--branch 'a..b': not a branch name", id="dot-dot"),
        pytest.param(
            "--branch", "with space", "--branch 'with space': not a branch name", id="space"
        ),
        pytest.param("--branch", "main/", "--branch 'main/': not a branch name", id="slash-end"),
        pytest.param("--branch", "x.lock", "--branch 'x.lock': not a branch name", id="lock"),
        pytest.param("--branch", "-f", "--branch '-f': not a branch name", id="option"),
        pytest.param("--branch", "a\nb", "--branch 'a\\nb': not a branch name", id="newline"),
    ],
)
def test_remote_and_branch_are_checked_before_anything_runs(
    remote: Path, standin: Standin, tmp_path: Path, capsys, flag: str, value: str, message: str
):
    """A --remote git would read as an option, a --branch git refuses: exit 2 before the
    harvest, nothing fetched or committed, the summary saying why (#16)."""
    repo = clone(remote, tmp_path / "job" / "repo")
    head = git(repo, "rev-parse", "HEAD")

    assert job(repo, standin, f"{flag}={value}") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR {message}")
    assert err.count("\n") == 1
    assert standin.requests == []
    assert git(repo, "rev-parse", "HEAD") == head
    assert not (repo / "data").exists()
    assert message in summary(repo)
    assert list(tmp_path.rglob("pwned")) == []


def test_a_summary_on_a_full_device_is_one_error_line_after_the_push(
    remote: Path, standin: Standin, tmp_path: Path, capsys
):
    """--summary /dev/full: the data is pushed, then one error line and exit 1, no traceback."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    repo = clone(remote, tmp_path / "job" / "repo")

    assert job(repo, standin, "--summary", "/dev/full") == 1
    captured = capsys.readouterr()
    assert subjects(remote)[0] == "data: +222 papers (rlhf_code, llm_alignment)"
    assert captured.err.splitlines()[-1] == (
        "ERROR --summary /dev/full: cannot write: No space left on device"
    )
    assert "Traceback" not in captured.err
    assert captured.out.endswith("(attempt 1)\n")


def test_broken_config_goes_red_with_nothing_fetched(remote: Path, standin: Standin, tmp_path):
    """A broken queries.toml: exit 2, the error line in the summary, no request, no push."""
    repo = clone(remote, tmp_path / "job" / "repo")
    (repo / "queries.toml").write_text("[topics.rlhf_code]\nquery = 'x'\nmax_result = 5\n")
    git(repo, "commit", "--quiet", "--all", "-m", "broken")
    git(repo, "push", "--quiet", "origin", "main")
    head = git(remote, "rev-parse", "main")

    assert job(repo, standin) == 2
    assert standin.requests == []
    assert git(remote, "rev-parse", "main") == head
    text = summary(repo)
    assert "**Refresh failed**: harvest stopped (a config or usage error)" in text
    assert 'unknown key "max_result" (did you mean "max_results"?)' in text


def test_a_bad_harvest_flag_is_named_in_the_summary(remote: Path, standin: Standin, tmp_path):
    """A flag the harvest does not take (after `--`): exit 2, argparse's one line in the
    job's summary, nothing asked or pushed."""
    repo = clone(remote, tmp_path / "job" / "repo")
    head = git(remote, "rev-parse", "main")
    assert job(repo, standin, "--", "--bogus") == 2
    assert standin.requests == []
    assert git(remote, "rev-parse", "main") == head
    assert "harvest: error: unrecognized arguments: --bogus" in summary(repo)


def test_report_inside_the_data_directory_is_refused(remote: Path, standin: Standin, tmp_path):
    """A --report under --data-dir would be committed: a usage error before any request."""
    repo = clone(remote, tmp_path / "repo")
    code = main(
        [
            "job",
            "--repo",
            str(repo),
            "--data-dir",
            str(repo / "data"),
            "--report",
            str(repo / "data" / "report.json"),
            "--summary",
            str(tmp_path / "s.md"),
            "--",
            "--api-url",
            standin.url,
        ]
    )
    assert code == 2
    assert standin.requests == []
    assert "inside the data directory" in (tmp_path / "s.md").read_text()


def test_failed_topic_pushes_the_others_then_goes_red(
    remote: Path, standin: Standin, tmp_path: Path
):
    """A topic that fails: the other is committed and pushed, the job exits 1 naming the cause."""
    repo = clone(remote, tmp_path / "job" / "repo")
    standin.script = [Reply(status=404)]

    assert job(repo, standin) == 1
    assert subjects(remote) == ["data: +111 papers (llm_alignment)", "start"]
    assert len(remote_ids(remote, "llm_alignment")) == RECORDED
    text = summary(repo)
    assert "**Refresh failed**: rlhf_code failed; what succeeded: pushed" in text
    assert "- rlhf_code: HTTP 404" in text


def test_a_usage_error_of_the_harvest_stops_the_job_before_committing(remote: Path, tmp_path: Path):
    """Harvest exit 2: one harvest, its error lines in the summary, nothing committed or pushed."""
    repo = clone(remote, tmp_path / "repo")
    calls: list[list[str]] = []

    def harvest(args: Sequence[str]) -> tuple[int, list[str]]:
        calls.append(list(args))
        (repo / "data").mkdir()
        (repo / "data" / "rlhf_code.json").write_text("[]\n")
        return 2, ["ERROR unknown topic 'nope'"]

    head = git(remote, "rev-parse", "main")
    settings = job_module.Job(
        repo=repo,
        data_dir=repo / "data",
        report=tmp_path / "r.json",
        harvest_args=["--topic", "nope"],
    )
    outcome = job_module.run(settings, harvest)
    assert calls == [["--topic", "nope", "--report", str(tmp_path / "r.json")]]
    assert outcome.exit_code == 2
    assert outcome.line == "harvest stopped (a config or usage error): nothing committed or pushed"
    assert "ERROR unknown topic 'nope'" in outcome.summary
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(remote, "rev-parse", "main") == head


def test_workflows_pass_the_github_schema():
    """Every workflow validates against GitHub's workflow schema (offline, built in)."""
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert [Path(p).name for p in workflows] == ["ci.yml", "refresh.yml", "release.yml"]
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *workflows,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _workflow(name: str) -> dict[str, Any]:
    """A workflow file of this repository, parsed as YAML 1.2 (where `on` is a string)."""
    parsed = YAML(typ="safe").load(ROOT / ".github" / "workflows" / name)
    assert isinstance(parsed, dict)
    return parsed


def test_refresh_workflow_keeps_its_promises():
    """The refresh job: scheduled and manual, one at a time, thin (`harvest job`), kept alive."""
    workflow = _workflow("refresh.yml")
    assert workflow["on"] == {"schedule": [{"cron": "17 6 * * *"}], "workflow_dispatch": None}
    assert workflow["permissions"] == {"contents": "write", "actions": "write", "pages": "read"}
    assert workflow["concurrency"] == {"group": "refresh-papers", "cancel-in-progress": False}
    job = workflow["jobs"]["refresh"]
    steps = job["steps"]
    runs = [step.get("run", "") for step in steps]
    harvesting = [step for step in steps if "harvest job" in step.get("run", "")]
    assert len(harvesting) == 1
    assert (
        harvesting[0]["run"]
        .splitlines()[-1]
        .startswith('harvest job --report "$RUNNER_TEMP/harvest-report.json"')
    )
    assert "if" not in harvesting[0]
    keepalive = steps[-1]
    assert keepalive["run"] == "harvest keepalive"
    assert keepalive["if"] == "always()"
    assert keepalive["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    assert steps.index(harvesting[0]) < steps.index(keepalive)
    assert not any("git pull" in run for run in runs)


def test_refresh_workflow_deploys_the_site_to_pages():
    """After the harvest the refresh job builds the site and uploads it for Pages; a second
    job, with only the Pages permissions, deploys it when the first says so."""
    workflow = _workflow("refresh.yml")
    refresh, pages = workflow["jobs"]["refresh"], workflow["jobs"]["pages"]
    steps = refresh["steps"]
    names = [step.get("uses", step.get("run", "")) for step in steps]
    harvest = next(i for i, n in enumerate(names) if "harvest job" in n)
    build = next(i for i, n in enumerate(names) if "harvest site" in n)
    upload = names.index("actions/upload-pages-artifact@v3")
    assert harvest < build < upload < len(steps) - 1
    deciding = next(s for s in steps if s.get("id") == "pages")
    assert refresh["outputs"] == {"deploy": "${{ steps.pages.outputs.deploy }}"}
    for step in [deciding, steps[build], steps[upload]]:
        assert step["if"].startswith("${{ !cancelled()")
    assert steps[upload]["with"] == {"path": "${{ runner.temp }}/site"}
    assert pages["needs"] == "refresh"
    assert pages["if"] == "${{ !cancelled() && needs.refresh.outputs.deploy == 'true' }}"
    assert pages["permissions"] == {"pages": "write", "id-token": "write"}
    assert pages["environment"]["name"] == "github-pages"
    assert [step["uses"] for step in pages["steps"]] == ["actions/deploy-pages@v4"]


WHO = ("-c", "user.name=Test", "-c", "user.email=test@example.invalid")


@pytest.mark.parametrize(
    ("committed", "event", "build_type", "deploy"),
    [
        pytest.param(True, "schedule", "workflow", "true", id="data-commit"),
        pytest.param(False, "schedule", "workflow", "false", id="nothing-new"),
        pytest.param(False, "workflow_dispatch", "workflow", "true", id="by-hand"),
        pytest.param(True, "schedule", "legacy", "false", id="pages-from-a-branch"),
        pytest.param(True, "schedule", None, "false", id="pages-not-enabled"),
    ],
)
def test_the_site_is_deployed_only_after_a_data_commit_where_pages_are_on(
    tmp_path: Path, committed: bool, event: str, build_type: str | None, deploy: str
):
    """The deciding step says deploy after a data commit or a run by hand, and only when the
    repository's Pages are built by workflows; otherwise it leaves a notice."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, *WHO, "commit", "-q", "--allow-empty", "-m", "start")
    sha = git(repo, "rev-parse", "HEAD").strip()
    if committed:
        git(repo, *WHO, "commit", "-q", "--allow-empty", "-m", "data: +1 paper")
    fake = tmp_path / "bin"
    fake.mkdir()
    answer = f"echo {build_type}" if build_type else "echo 'Not Found' >&2; exit 1"
    (fake / "gh").write_text(f"#!/bin/sh\n{answer}\n")
    (fake / "gh").chmod(0o755)
    step = next(
        s for s in _workflow("refresh.yml")["jobs"]["refresh"]["steps"] if s.get("id") == "pages"
    )
    output = tmp_path / "output"
    env = {
        "PATH": f"{fake}:{os.environ['PATH']}",
        "GITHUB_SHA": sha,
        "GITHUB_EVENT_NAME": event,
        "GITHUB_REPOSITORY": "octo/papers",
        "GITHUB_OUTPUT": str(output),
    }
    ran = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert output.read_text() == f"deploy={deploy}\n"
    assert ("::notice::" in ran.stdout) == (
        deploy == "false" and (committed or event != "schedule")
    )


def test_ci_workflow_runs_the_landing_check():
    """CI: on every push and pull request, read-only, it runs `.ci/run` and nothing else."""
    workflow = _workflow("ci.yml")
    assert workflow["on"] == {"push": None, "pull_request": None}
    assert workflow["permissions"] == {"contents": "read"}
    [job] = workflow["jobs"].values()
    assert [step["run"] for step in job["steps"] if "run" in step] == ["bash .ci/run"]


def _harvest_step_args(tmp_path: Path, verify_on: str) -> list[str]:
    """The arguments the workflow's harvest step gives `harvest` (a stand-in on PATH that
    records them) with `VERIFY_WEEKLY_ON` set so."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "harvest").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS"\n')
    (fake / "harvest").chmod(0o755)
    (step,) = (
        s
        for s in _workflow("refresh.yml")["jobs"]["refresh"]["steps"]
        if "harvest job" in s.get("run", "")
    )
    script = "\n".join(line for line in step["run"].splitlines() if not line.startswith("git "))
    args = tmp_path / "args"
    env = {
        "PATH": f"{fake}:{os.environ['PATH']}",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_REF_NAME": "main",
        "VERIFY_WEEKLY_ON": verify_on,
        "ARGS": str(args),
    }
    subprocess.run(["bash", "-e", "-c", script], env=env, check=True)
    return args.read_text().splitlines()


def test_the_weekly_verify_is_off_until_a_day_is_set(tmp_path: Path):
    """The workflow verifies nothing by default; set to today's weekday, its harvest step
    passes `--verify` to the harvest (after `--`); set to another day, it does not."""
    assert _workflow("refresh.yml")["env"] == {"VERIFY_WEEKLY_ON": ""}
    plain = ["job", "--report", f"{tmp_path}/harvest-report.json", "--branch", "main"]
    assert _harvest_step_args(tmp_path, "") == plain
    today = datetime.now(UTC)
    assert _harvest_step_args(tmp_path, f"{today:%a}") == [*plain, "--", "--verify"]
    assert _harvest_step_args(tmp_path, f"{today + timedelta(days=1):%a}") == plain


def test_a_verifying_job_commits_the_missing_papers_it_stored(
    remote: Path, first: Path, standin: Standin, tmp_path: Path
):
    """Papers lost from the database (a commit took them out) come back in the next job run
    with `-- --verify`: one commit naming them, and its body saying what verify found."""
    path = first / "data" / "rlhf_code.json"
    records = json.loads(path.read_bytes())
    lost = sorted(r["arxiv_id"].rsplit("v", 1)[0] for r in records[3:6])
    del records[3:6]
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    git(first, "commit", "--quiet", "-am", "lose three papers")
    git(first, "push", "--quiet", "origin", "main")
    outside = first.parent
    flags = ["--repo", str(first), "--config", str(first / "queries.toml")]
    flags += ["--data-dir", str(first / "data"), "--report", str(outside / "report.json")]
    flags += ["--summary", str(outside / "summary.md")]
    assert main(["job", *flags, "--", "--api-url", standin.url, "--delay", "0", "--verify"]) == 0
    assert subjects(remote)[0] == "data: +3 papers (rlhf_code)"
    body = git(remote, "log", "-1", "--format=%b", "main")
    assert "verify:\n- rlhf_code: 3 missing, 3 repaired" in body
    assert set(lost) <= set(remote_ids(remote, "rlhf_code"))
    assert "**Verified:** rlhf_code: 3 missing, 3 repaired" in summary(first)
    assert "**Verified:** llm_alignment: complete" in summary(first)


def test_with_the_change_feed_the_first_day_commits_once_and_a_quiet_day_never(
    tmp_path: Path, standin: Standin
):
    """Topics with the change feed on (as `harvest init` writes them): the first run pushes
    one commit, the cursor in it; the next run, the feed's first day with no news, commits
    nothing (issue 26)."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = clone(bare, tmp_path / "seed")
    (seed / ".gitignore").write_text("data/.harvest.lock*\nharvest-report.json\n")
    (seed / "queries.toml").write_text(
        f"[defaults]\nchange_feed = true\n\n[topics.rlhf_code]\nquery = '{RLHF_QUERY}'\n"
    )
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "start")
    git(seed, "push", "--quiet", "origin", "main")
    repo = clone(bare, tmp_path / "job" / "repo")
    flags = ["--repo", str(repo), "--config", str(repo / "queries.toml")]
    flags += ["--data-dir", str(repo / "data"), "--report", str(tmp_path / "report.json")]
    flags += ["--summary", str(tmp_path / "summary.md"), "--"]
    with OaiStandin(today=datetime.now(UTC).date()) as oai:
        oai.add(*recorded())
        flags += ["--api-url", standin.url, "--oai-url", oai.url, "--delay", "0"]
        runs = [main(["job", *flags]) for _ in range(2)]
        asked = [r.get("verb") for r in oai.requests]
    assert runs == [0, 0]
    assert subjects(bare) == ["data: +111 papers (rlhf_code)", "start"]
    tracked = git(bare, "ls-tree", "-r", "--name-only", "main").split()
    assert "data/.harvest/oai/changes.json" in tracked
    assert asked == ["ListRecords"]  # the second run's feed listed, and found nothing new
    assert git(repo, "status", "--porcelain") == ""
