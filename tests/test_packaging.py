"""Issue #10: the wheel built from the checkout works on its own, installed non-editable."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.standin import Standin


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
    assert (export.returncode, export.stdout) == (0, f"Exported 2 topics to {out}: 8 files\n")
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
