"""`harvest init`: a new database repository, from which `plan` and a harvest run as they are."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harvester import config as config_module
from harvester.cli import main
from harvester.config import load_config
from harvester.errors import StoreError
from harvester.job import requirement, scaffold
from tests.conftest import ROOT, tree
from tests.standin import Standin

GIT = {"vcs": "git", "commit_id": "0123456789abcdef0123456789abcdef01234567"}
"""What pip records of a git install (PEP 610's `vcs_info`)."""
FILES = [
    ".github/workflows/refresh.yml",
    ".gitignore",
    "README.md",
    "queries.toml",
    "requirements.txt",
]


def test_init_writes_the_repository(tmp_path: Path, capsys, from_an_index: str):
    """queries.toml, the workflow, requirements.txt, .gitignore and README, nothing else."""
    target = tmp_path / "papers"
    assert main(["init", str(target)]) == 0
    assert sorted(tree(target)) == FILES
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"Initialised {target}: 5 files; next: edit queries.toml, then harvest plan"
    )
    config = load_config(target / "queries.toml")
    assert list(config.topics) == ["llm_alignment"]
    assert (target / "requirements.txt").read_text().splitlines()[-1] == from_an_index
    assert {"/export/", "/site/"} <= set((target / ".gitignore").read_text().splitlines())
    assert "harvest plan" in (target / "README.md").read_text()


@pytest.mark.usefixtures("from_an_index")
def test_the_workflow_is_this_repositorys_own_installing_from_requirements(tmp_path: Path):
    """The refresh workflow is ours byte for byte but for its install step, and valid."""
    assert main(["init", str(tmp_path)]) == 0
    ours = (ROOT / ".github" / "workflows" / "refresh.yml").read_text()
    theirs = (tmp_path / ".github" / "workflows" / "refresh.yml").read_text()
    assert "run: pip install .\n" in ours
    assert theirs == ours.replace("run: pip install .\n", "run: pip install -r requirements.txt\n")
    checked = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            str(tmp_path / ".github" / "workflows" / "refresh.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.usefixtures("from_an_index")
def test_init_overwrites_nothing(tmp_path: Path, capsys):
    """With a queries.toml already there, init writes no file and exits 1 naming it."""
    (tmp_path / "queries.toml").write_text("# mine\n")
    assert main(["init", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"ERROR {tmp_path}: already has queries.toml; nothing written\n"
    )
    assert sorted(tree(tmp_path)) == ["queries.toml"]
    assert (tmp_path / "queries.toml").read_text() == "# mine\n"


@pytest.mark.usefixtures("from_an_index")
def test_init_that_cannot_write_every_file_leaves_none(tmp_path: Path, capsys):
    """A `.github` that is a file stops the fifth write: the four written are taken back,
    so the directory is as it was and init runs once the obstacle is gone."""
    (tmp_path / ".github").write_text("mine\n")
    assert main(["init", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"ERROR {tmp_path / '.github/workflows/refresh.yml'}: cannot write: Not a directory; "
        "nothing written\n"
    )
    assert sorted(tree(tmp_path)) == [".github"]
    (tmp_path / ".github").unlink()
    assert main(["init", str(tmp_path)]) == 0
    assert sorted(tree(tmp_path)) == FILES


def test_init_pins_the_commit_a_git_install_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A harvester pip installed from a git URL writes that URL and commit as the job's
    requirement."""
    record = json.dumps({"url": "https://github.com/o/arxiv-harvester", "vcs_info": GIT})
    monkeypatch.setattr(requirement, "installed", lambda: requirement.Installed(record, "0.2"))
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "requirements.txt").read_text().splitlines()[-1] == (
        f"arxiv-harvester @ git+https://github.com/o/arxiv-harvester@{GIT['commit_id']}"
    )


def test_init_refuses_the_harvester_of_a_local_directory(harvest_bin: str, tmp_path: Path):
    """The harvester running these tests, pip's editable install of the checkout, makes
    `harvest init` say in one line how to install one it can name, exit 2, and write
    nothing (issue #26)."""
    made = subprocess.run(
        [harvest_bin, "init", str(tmp_path / "new")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (made.returncode, made.stdout) == (2, "")
    assert made.stderr == (
        f"ERROR this harvester was installed from a local directory ({ROOT}); install it "
        'from a package index or a git URL (pip install "arxiv-harvester @ '
        'git+https://github.com/OWNER/arxiv-harvester") and run init again\n'
    )
    assert not (tmp_path / "new").exists()


def test_a_workflow_without_the_install_step_is_refused(monkeypatch):
    """If our workflow's install step changes, init says so rather than ship it unchanged."""
    real = scaffold.template
    monkeypatch.setattr(
        scaffold, "template", lambda name: real(name).replace("pip install .", "pip install -e .")
    )
    with pytest.raises(StoreError, match=r"no 'run: pip install \.' step"):
        scaffold.contents("arxiv-harvester==1.0")


@pytest.mark.usefixtures("from_an_index")
def test_init_then_plan_and_harvest_work_with_nothing_else(
    tmp_path: Path, standin: Standin, harvest_bin: str, monkeypatch: pytest.MonkeyPatch
):
    """In an empty directory: `harvest init`, then `harvest plan` and `harvest` with their
    defaults (only the stand-in's URL and no delay), then `harvest check`."""
    target = tmp_path / "new"
    target.mkdir()
    api = ["--api-url", standin.url, "--delay", "0"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [harvest_bin, *args],
            cwd=target,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    monkeypatch.chdir(target)
    assert main(["init"]) == 0  # here, not run: the harvester running it is not from an index
    plan = run("plan", *api)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    assert lines[0].startswith("llm_alignment: ")
    assert "no data/llm_alignment.json yet" in lines[0]
    assert len([line for line in lines if line.startswith("  20")]) == 3
    harvested = run(*api)
    assert harvested.returncode == 0, harvested.stderr
    assert harvested.stdout.splitlines()[-1].startswith("Harvested 1 topic: ")
    assert (target / "data" / "llm_alignment.json").is_file()
    check = run("check")
    assert check.returncode == 0, check.stderr


def test_the_new_queries_toml_comments_on_every_key(tmp_path: Path):
    """The README promises comments on every key: each setting a topic or `[defaults]` takes
    (`change_feed` among them) and a set topic's `set` are shown in the new queries.toml,
    and uncommenting them gives a valid file."""
    text = scaffold.template("queries.toml")
    keys = {*config_module._SETTINGS_KEYS, "query", "set"}
    shown = {m.group(1) for m in re.finditer(r"^#? ?([a-z_]+) = ", text, flags=re.MULTILINE)}
    assert keys <= shown, keys - shown
    path = tmp_path / "queries.toml"
    path.write_text(re.sub(r"^# (\[|[a-z_]+ = )", r"\1", text, flags=re.MULTILINE))
    assert len(load_config(path).topics) >= 3


@pytest.mark.usefixtures("from_an_index")
@pytest.mark.parametrize("link", [".github", ".github/workflows"])
def test_init_writes_nothing_through_a_linked_directory(tmp_path: Path, capsys, link: str):
    """A `.github` (or its `workflows`) linked elsewhere is refused in one line, exit 1,
    and no file is written, there or in the target (issue #24: the workflow went through)."""
    target, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (target / link).parent.mkdir(parents=True, exist_ok=True)
    (target / link).symlink_to(elsewhere)
    assert main(["init", str(target)]) == 1
    assert capsys.readouterr().err == (
        f"ERROR {target}: has {link}, a symbolic link; refused (a file would be written "
        "through it); nothing written\n"
    )
    assert list(elsewhere.iterdir()) == []
    assert tree(target) == {}
