"""The benchmark script runs (its numbers are read from bench/RESULTS.md, never asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_quick_benchmark_runs_and_writes_its_table(tmp_path: Path):
    """`bench/run.py --quick` completes and writes every row with the machine's facts,
    keeping the sections other scripts wrote."""
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\nold table\n\n## papers.db\n\nkept\n")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = out.read_text()
    assert "old table" not in text
    assert text.endswith("\n## papers.db\n\nkept\n")
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


def test_quick_outputs_benchmark_writes_its_section(tmp_path: Path):
    """`bench/outputs.py --quick` adds its papers.db, site and outputs-at-scale sections and
    leaves the others as they were."""
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\n| a table |\n\n## other\n\nother rows\n")
    for _ in range(2):  # a second run replaces its section, not adds another
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "outputs.py"), "--quick", "--out", str(out)],
            check=True,
            capture_output=True,
            timeout=120,
        )
    text = out.read_text()
    assert text.startswith(
        "# Benchmark results\n\n| a table |\n\n## other\n\nother rows\n\n## papers.db\n"
    )
    assert text.count("## papers.db") == text.count("## site") == 1
    assert text.count("## outputs at scale") == 1
    assert text.index("## papers.db") < text.index("## site") < text.index("## outputs at scale")
    for row in [
        "read the JSON once: json.loads (reference)",
        "harvest export --format sqlite: load + write papers.db",
        "harvest search: load + index in memory + query",
        "harvest search --db papers.db: query the export",
        "harvest site: load + write every page, filter file and feed",
        "harvest site again over it, nothing changed",
        "| sqlite | ",
        "| parquet | ",
        "| site | ",
        "peak MB at 2,000 / 6,000 / 12,000",
    ]:
        assert row in text


def test_change_feed_benchmark_runs_and_writes_its_section(tmp_path: Path):
    """`bench/changes.py --quick` completes and writes its section with both strategies."""
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "changes.py"), "--quick", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = out.read_text()
    assert "## Change feed against weekly refresh" in text
    assert "| weekly refresh (refresh_days = 7) |" in text


def test_quick_archive_benchmark_writes_its_section(tmp_path: Path):
    """`bench/archive.py --quick` harvests all of a small synthetic arXiv, a day of changes
    and a quiet day, then every output, and replaces only its own section."""
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\n| a table |\n\n## other\n\nother rows\n")
    for _ in range(2):  # a second run replaces its section, not adds another
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "archive.py"), "--quick", "--out", str(out)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    text = out.read_text()
    assert text.startswith("# Benchmark results\n\n| a table |\n\n## other\n\nother rows\n\n")
    assert text.count("## All of arXiv as one topic") == 1
    for row in [
        "| 3,000 | first harvest |",
        "| 3,000 | a day: 500 new, 200 DOIs, 20 withdrawals |",
        "| 3,000 | a day with no change | 1 | 0 data files read, 0 written",
        "| 3,000 | harvest export parquet |",
        "| 3,000 | harvest site |",
        "Carried to all of arXiv:",
    ]:
        assert row in text
