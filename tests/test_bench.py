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
        "no-news run: 200 papers",
        "no-news run: 6,000 papers",
        "merge: 200 new papers into 6,000",
        "first harvest: 500 papers",
        "first harvest: 3,000 papers",
    ]:
        assert row in text
