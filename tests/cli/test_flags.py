"""The flags every command shares (`--config`, `--data-dir`, `--lock-timeout`), checked and
defaulted alike, and the help that lists the tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.cli import main
from tests.conftest import SEED, TOOLS


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
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert err == (
        "ERROR queries.toml: no such file; harvest init starts a database here, "
        "or --config PATH names the topics file\n"
    )
    assert out == ""
    assert list(tmp_path.iterdir()) == []


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
