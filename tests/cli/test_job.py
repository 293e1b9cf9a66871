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
