"""The benchmark script runs (its numbers are read from bench/RESULTS.md, never asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_quick_benchmark_runs_and_writes_its_table(tmp_path: Path):
    """`bench/run.py --quick` completes and writes every row with the machine's facts."""
    out = tmp_path / "RESULTS.md"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = out.read_text()
    assert "Python 3." in text
    assert "CPUs" in text
    for row in [
        "parse: arxiv._feed.parse (reference)",
        "parse: harvester.arxiv.feed.parse",
        "merge: 2,000 records, nothing new",
        "merge: json load + rewrite all",
        "requests: full harvest",
        "requests: incremental harvest",
        "requests: first harvest of 3,000 papers",
        "requests: no-news incremental run",
    ]:
        assert row in text


def test_outputs_benchmark_writes_its_own_section(tmp_path: Path):
    """`bench/outputs.py site` on a small database writes its `## site` section once, keeping
    the rest of the results file."""
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\n| table |\n\n## papers.db\n\nkept\n")
    for _ in range(2):
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "outputs.py"),
                "site",
                "--papers",
                "300",
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    text = out.read_text()
    assert text.count("## site") == 1
    assert text.startswith("# Benchmark results\n\n| table |\n")
    assert "\n## papers.db\n\nkept\n" in text
    for row in ["json.loads of the topic file (reference)", "| harvest site |", "nothing changed"]:
        assert row in text
