"""Issue #10: the wheel built from the checkout works on its own, installed non-editable;
issue #26: installed from a git URL, its `harvest init` makes a repository whose job runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT, git
from tests.oai_standin import OaiStandin
from tests.standin import Standin

COMMITTER = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid"]
"""git's flags for a commit made by a test."""


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, cwd=cwd, timeout=120
    )


@pytest.fixture(scope="module")
def fresh_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin directory of a new virtualenv holding the wheel built from this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    # Built from a copy: a build in the checkout would leave build/ and *.egg-info there.
    source = work / "source"
    source.mkdir()
    for name in ["pyproject.toml", "README.md"]:
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "harvester", source / "harvester", ignore=shutil.ignore_patterns("__pycache__")
    )
    built = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--quiet",
        "--wheel-dir",
        work / "dist",
        source,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("arxiv_harvester-*.whl")

    env = work / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    # By name from a directory, as from a package index (the wheel's own path would be
    # a file only this machine has: pip would record it, and init refuse it).
    installed = _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "--quiet",
        "--find-links",
        wheel.parent,
        "arxiv-harvester",
    )
    assert installed.returncode == 0, installed.stderr
    # The dependencies come from this environment (no network in tests), placed after the
    # new environment's own packages; .pth files are not run from there, so this
    # environment's editable install of harvester stays invisible.
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib.stdout.strip(), "zz_test_dependencies.pth").write_text("\n".join(sorted(deps)))
    return env / "bin"


def test_wheel_holds_every_subpackage(fresh_bin: Path, tmp_path: Path):
    """The installed wheel, not the checkout, provides harvester and harvester.cli."""
    found = _run(
        fresh_bin / "python",
        "-c",
        "import harvester.cli, harvester.cli.tools; print(harvester.cli.__file__)",
        cwd=tmp_path,
    )
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).is_relative_to(fresh_bin.parent)


def test_wheel_runs_harvest_check_and_export(fresh_bin: Path, config: Path, standin: Standin):
    """`harvest`, `harvest check`, `harvest export` and `harvest site` of the wheel work against
    the stand-in (the site's templates and style ship in the wheel)."""
    data, out = config.parent / "data", config.parent / "export"
    harvest = fresh_bin / "harvest"
    run = _run(
        harvest,
        "--config",
        config,
        "--data-dir",
        data,
        "--api-url",
        standin.url,
        "--delay",
        "0",
        cwd=config.parent,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].startswith("Harvested 2 topics: 222 new, 0 updated")

    check = _run(harvest, "check", "--data-dir", data, cwd=config.parent)
    assert (check.returncode, check.stdout) == (0, "2 files, 222 records: all valid\n")

    export = _run(
        harvest, "export", "--config", config, "--data-dir", data, "--out", out, cwd=config.parent
    )
    assert (export.returncode, export.stdout) == (0, f"Exported 2 topics to {out}: 9 files\n")
    assert (out / "papers_database.json").is_file()
    assert (out / "papers.db").is_file()

    built = _run(harvest, "site", "--config", config, "--data-dir", data, cwd=config.parent)
    assert built.returncode == 0, built.stderr
    page = (config.parent / "site" / "rlhf_code" / "index.html").read_text()
    assert '<link rel="stylesheet" href="../style.css">' in page  # the templates shipped
    assert (config.parent / "site" / "filter.js").is_file()


def test_wheel_carries_what_init_writes(fresh_bin: Path, tmp_path: Path):
    """`harvest init` of the wheel writes the refresh workflow and the other templates, and
    a requirements.txt pinning its version (installed by name, as from an index)."""
    made = _run(fresh_bin / "harvest", "init", tmp_path / "new", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    workflow = (tmp_path / "new" / ".github" / "workflows" / "refresh.yml").read_text()
    ours = (ROOT / ".github" / "workflows" / "refresh.yml").read_text()
    assert workflow == ours.replace(
        "run: pip install .\n", "run: pip install -r requirements.txt\n"
    )
    assert (tmp_path / "new" / "queries.toml").read_text().startswith("# The topics of this")
    # Built from files without git metadata: the fallback version, pinned as on an index.
    pinned = (tmp_path / "new" / "requirements.txt").read_text().splitlines()[-1]
    assert pinned == "arxiv-harvester==0.0"


def test_the_wheel_says_its_version(fresh_bin: Path, tmp_path: Path):
    """`harvest --version` and `harvester.__version__` are the version the build gave the
    wheel: from files without git metadata, setuptools-scm's fallback."""
    shown = _run(fresh_bin / "harvest", "--version", cwd=tmp_path)
    assert (shown.returncode, shown.stdout) == (0, "harvest 0.0\n")
    attribute = _run(
        fresh_bin / "python", "-c", "import harvester; print(harvester.__version__)", cwd=tmp_path
    )
    assert attribute.stdout == "0.0\n"


def _repository_of_this_tree(root: Path) -> Path:
    """A git repository at `root` holding this checkout's files as they are on disk (edits
    and new files not yet committed included, ignored ones left out), in one commit,
    without tags."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source, target = ROOT / name, root / name
        if source.is_symlink() or source.exists():  # a file deleted but not yet committed
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", ".")
    git(root, *COMMITTER, "commit", "-qm", "tree")
    return root


def _workflow_step(repository: Path, name: str) -> str:
    """The `run:` of the step `name` of the refresh workflow in `repository`."""
    workflow = YAML(typ="safe").load(repository / ".github" / "workflows" / "refresh.yml")
    (step,) = [s for s in workflow["jobs"]["refresh"]["steps"] if s.get("name") == name]
    run = step["run"]
    assert isinstance(run, str)
    return run


def test_init_of_a_git_install_makes_a_repository_whose_job_installs_and_harvests(
    tmp_path: Path,
):
    """Issue #26: the harvester installed from a git URL writes, with `harvest init`, a
    repository whose workflow's install and harvest steps succeed in a fresh virtualenv
    (the package index for the dependencies, the stand-ins for arXiv)."""
    source = _repository_of_this_tree(tmp_path / "source")
    commit = git(source, "rev-parse", "HEAD").strip()
    # With a host: the pip of a fresh virtualenv here (23.2) takes no `name @ git+file:///`.
    url = f"git+file://localhost{source}"
    first = tmp_path / "first"
    venv.create(first, with_pip=False)
    installed = _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        first / "bin" / "python",
        "install",
        "--quiet",
        f"arxiv-harvester @ {url}",
    )
    assert installed.returncode == 0, installed.stderr

    repository = tmp_path / "papers"
    made = _run(first / "bin" / "harvest", "init", repository, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    written = (repository / "requirements.txt").read_text().splitlines()[-1]
    assert written == f"arxiv-harvester @ {url}@{commit}"

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(repository, "init", "--quiet", "--initial-branch=main")
    git(repository, "add", ".")
    git(repository, *COMMITTER, "commit", "-qm", "new")
    git(repository, "remote", "add", "origin", str(remote))
    git(repository, "push", "--quiet", "origin", "main")

    second, runner = tmp_path / "second", tmp_path / "runner"
    venv.create(second, with_pip=True)
    runner.mkdir()
    with Standin() as api, OaiStandin() as oai:
        env = {
            **os.environ,
            "PATH": f"{second / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "VIRTUAL_ENV": str(second),
            "RUNNER_TEMP": str(runner),
            "GITHUB_REF_NAME": "main",
            "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
            "VERIFY_WEEKLY_ON": "",
            "ARXIV_API_URL": api.url,
            "ARXIV_OAI_URL": oai.url,
        }
        # As GitHub runs a step's `run:`. The harvest step passes no --delay: it needs none,
        # a first harvest of the topic init writes being one request (the pacer waits
        # only between two).
        for name in ["Install", "Harvest, commit and push data/"]:
            step = subprocess.run(
                [
                    "bash",
                    "--noprofile",
                    "--norc",
                    "-eo",
                    "pipefail",
                    "-c",
                    _workflow_step(repository, name),
                ],
                cwd=repository,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )
            assert step.returncode == 0, f"{name}: {step.stdout}{step.stderr}"
        assert api.requests, "the harvest did not ask the stand-in"
    assert step.stdout.splitlines()[-1].startswith("harvest job: ")
    assert git(remote, "rev-list", "--count", "main").strip() == "2"  # init's, then the data
    pushed = git(remote, "log", "--format=%s", "--name-only", "-1", "main")
    assert "data/llm_alignment.json" in pushed.splitlines()


def test_the_release_workflow_publishes_a_tags_build_through_trusted_publishing():
    """On a pushed `v*` tag: the sdist and wheel built from the full history (the version is
    the tag's), then published by PyPI's action with an OIDC token, in the `pypi`
    environment, the only job that may ask for one."""
    workflow = YAML(typ="safe").load(ROOT / ".github" / "workflows" / "release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    assert build["steps"][0]["with"] == {"fetch-depth": 0}
    runs = "".join(step.get("run", "") for step in build["steps"]).splitlines()
    assert "python -m build" in runs
    assert "permissions" not in build
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert publish["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "with" not in publish["steps"][-1]  # no password: trusted publishing
