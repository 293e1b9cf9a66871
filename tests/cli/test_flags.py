"""The flags every command shares (`--config`, `--data-dir`, `--lock-timeout`), checked and
defaulted alike, and the help that lists the tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.cli import main
from tests.conftest import SEED, TOOLS, argv, one_topic
from tests.standin import Standin


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([], id="harvest"),
        pytest.param(["import", str(SEED)], id="import"),
    ],
)
def test_lock_timeout_is_checked_alike(config: Path, capsys, command: list[str]):
    """`--lock-timeout nan` is a usage error for `harvest import` as it is for `harvest`."""
    assert main([*command, "--config", str(config), "--lock-timeout", "nan"]) == 2
    assert (
        "argument --lock-timeout: must be a finite number, 0 or more: nan"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([], id="harvest"),
        pytest.param(["import", str(SEED)], id="import"),
        pytest.param(["stats"], id="stats"),
        pytest.param(["export"], id="export"),
        pytest.param(["plan"], id="plan"),
        pytest.param(["search", "x"], id="search"),
        pytest.param(["site"], id="site"),
        pytest.param(["verify"], id="verify"),
    ],
)
def test_config_defaults_to_queries_toml_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, command: list[str]
):
    """Without --config every command reads ./queries.toml; missing, it names harvest init (#26)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()  # the tools that read it refuse one that is not there
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert err == (
        "ERROR queries.toml: no such file; harvest init starts a database here, "
        "or --config PATH names the topics file\n"
    )
    assert out == ""
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]
    assert list((tmp_path / "data").iterdir()) == []


READERS = ["stats", "check", "export", "search", "site", "verify"]
"""The tools that read the database."""


@pytest.mark.parametrize("tool", READERS)
def test_a_tool_that_reads_the_database_refuses_a_data_directory_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tool: str
):
    """`harvest stats --data-dir nowhere`: exit 2, one line naming it, nothing made (#26)."""
    config, _ = one_topic(tmp_path)
    nowhere = tmp_path / "nowhere"
    text = ["x"] if tool == "search" else []
    assert main([tool, *text, "--config", str(config), "--data-dir", str(nowhere)]) == 2
    assert capsys.readouterr() == (
        "",
        f"harvest {tool}: error: no data directory {nowhere}; a harvest creates it, "
        f"or --data-dir DIR names another (see harvest {tool} --help)\n",
    )
    assert not nowhere.exists()


def test_search_of_an_exported_database_reads_no_data_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """`harvest search --db FILE` reads only that file: no data directory is asked for."""
    config, _ = one_topic(tmp_path)
    db, nowhere = tmp_path / "papers.db", tmp_path / "nowhere"
    args = ["--config", str(config), "--data-dir", str(nowhere), "--db", str(db)]
    assert main(["search", "x", *args]) == 1
    assert (
        capsys.readouterr().err == f"ERROR {db}: no such papers.db; make it with harvest export\n"
    )


@pytest.mark.parametrize("standin", ["2026"], indirect=True)
@pytest.mark.parametrize(
    ("command", "line"),
    [
        pytest.param([], "Harvested 2 topics: ", id="harvest"),
        pytest.param(["import", str(SEED)], "Imported 1 topic from ", id="import"),
        pytest.param(["plan"], "; no {nowhere}/rlhf_code.json yet\n", id="plan"),
    ],
)
def test_what_writes_the_database_or_plans_it_takes_a_data_directory_not_there(
    standin: Standin,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    line: str,
):
    """A harvest and `import` create the data directory; `plan` says no file is there yet."""
    nowhere = config.parent / "nowhere"
    flags = argv(standin, config, data_dir=nowhere)
    if command[:1] == ["import"]:  # it asks nothing of arXiv
        flags = ["--config", str(config), "--data-dir", str(nowhere)]
    assert main([*command, *flags]) == 0
    assert line.format(nowhere=nowhere) in capsys.readouterr().out
    assert nowhere.is_dir() is (command[:1] != ["plan"])


def test_help_lists_every_tool(capsys):
    """`harvest --help` names each tool, and each tool answers --help with its own usage."""
    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    for name in TOOLS:
        assert f"\n  harvest {name} " in listed
        assert main([name, "--help"]) == 0
        assert capsys.readouterr().out.startswith(f"usage: harvest {name}")


def test_the_harvest_usage_lists_the_tools(capsys):
    """`harvest --help` begins with a usage naming the tools, made from the registry (#26)."""
    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith(
        f"usage: harvest [flags]\n       harvest {{{','.join(TOOLS)}}} [flags]\n\n"
    )


def test_version(capsys):
    """`harvest --version` prints the program and its version."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("harvest 0.")


@pytest.mark.parametrize("flag", ["--config", "--data-dir"])
def test_an_empty_path_is_a_usage_error(flag: str, capsys: pytest.CaptureFixture[str]):
    """`--data-dir ''` would mean the current directory: refused, as argparse refuses."""
    assert main([flag, ""]) == 2
    assert capsys.readouterr().err == (
        f"harvest: error: argument {flag}: an empty path (see harvest --help)\n"
    )
