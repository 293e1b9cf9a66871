"""`harvest job`'s own flags: checked before anything runs, the summary appended where
GitHub asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.cli import main


def test_attempts_must_be_a_whole_number(tmp_path: Path, capsys):
    """`--attempts 0` is a usage error; nothing is harvested or committed."""
    assert main(["job", "--repo", str(tmp_path), "--attempts", "0"]) == 2
    assert "argument --attempts: must be a whole number, 1 or more: 0" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_summary_is_appended_to_githubs_step_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    """Without --summary the job appends to $GITHUB_STEP_SUMMARY, after what earlier steps wrote."""
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    data = tmp_path / "data"
    code = main(
        [
            "job",
            "--repo",
            str(tmp_path),
            "--data-dir",
            str(data),
            "--report",
            str(data / "report.json"),
        ]
    )
    assert code == 2
    lines = summary.read_text().splitlines()
    assert lines[0] == "earlier step"
    assert lines[1].startswith(f"**Refresh failed**: --report {data / 'report.json'} is inside")
    assert capsys.readouterr().err.startswith("ERROR --report ")


@pytest.mark.parametrize(
    ("summary", "message"),
    [
        pytest.param(".", "--summary {tmp}: a directory; give a file path", id="directory"),
        pytest.param(
            "missing/summary.md",
            "--summary {tmp}/missing/summary.md: no such directory {tmp}/missing",
            id="missing-directory",
        ),
    ],
)
def test_a_summary_that_cannot_be_written_is_refused_first(
    tmp_path: Path, capsys, summary: str, message: str
):
    """--summary at a directory or under a missing one: exit 2 before any git or harvest (#16)."""
    path = str(tmp_path / summary).removesuffix("/.")
    assert main(["job", "--repo", str(tmp_path), "--summary", path]) == 2
    assert capsys.readouterr().err == f"ERROR {message.format(tmp=tmp_path)}\n"
    assert list(tmp_path.iterdir()) == []


def test_harvest_flags_help_is_harvests_help(tmp_path: Path, capfd):
    """`harvest job -- --help` prints harvest's help (the flags `--` passes on), exit 0 (#16)."""
    assert main(["job", "--repo", str(tmp_path), "--", "--help"]) == 0
    captured = capfd.readouterr()
    assert captured.out.startswith("usage: harvest ")
    assert "--api-url URL" in captured.out
    assert captured.err == ""
    assert list(tmp_path.iterdir()) == []
