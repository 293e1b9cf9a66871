"""Benchmarks of what is made from the database, each against reading the JSON once.

    python bench/outputs.py site            # the site of 100,000 papers; its section of RESULTS.md
    python bench/outputs.py site --papers 2000 --out /tmp/R.md   # a smoke test (the suite runs this)

Each output is built in a fresh interpreter that reports its time and the peak RSS the
build added (Linux: VmHWM after a reset), beside the same for `json.loads` of the topic
file. Each output writes its own section (`## site`) of RESULTS.md and leaves the others.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harvester.config import load_config  # noqa: E402
from harvester.outputs import site  # noqa: E402
from tests import synthetic  # noqa: E402


def _high_water_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(name: str, work: Path) -> None:
    """Run one build in this (fresh) process; print its seconds and the MB of RSS it added."""
    Path("/proc/self/clear_refs").write_text("5")  # a child's high-water mark is its parent's
    base = _high_water_kb()
    started = time.perf_counter()
    if name == "json":
        json.loads((work / "data" / "big.json").read_bytes())
    elif name == "site":
        site.build(load_config(work / "queries.toml"), work / "data", work / "site")
    print(time.perf_counter() - started, (_high_water_kb() - base) / 1024)


def run(name: str, work: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", name, str(work)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def bench_site(papers: int, work: Path) -> str:
    """The site of one topic of `papers` papers, against reading its JSON once."""
    synthetic.database(work / "data", {"big": papers})
    size = (work / "data" / "big.json").stat().st_size / 1e6
    json_s, json_mb = run("json", work)
    site_s, site_mb = run("site", work)
    rebuild_s, _ = run("site", work)  # over the first: no byte changes, no file rewritten
    built = [p for p in (work / "site").rglob("*") if p.is_file()]
    first = (work / "site" / "big" / "index.html").stat().st_size / 1e3
    chunks = sorted((work / "site" / "big").glob("filter-*.json"))
    chunk_mb = sum(p.stat().st_size for p in chunks) / 1e6
    rows = [
        f"| json.loads of the topic file (reference) | {json_s:.2f} s | {json_mb:,.0f} MB | 1.00 |",
        f"| harvest site | {site_s:.2f} s | {site_mb:,.0f} MB | "
        f"{site_s / json_s:.1f} x time, {site_mb / json_mb:.1f} x memory |",
        f"| harvest site again, nothing changed | {rebuild_s:.2f} s | | {rebuild_s / json_s:.1f} x time |",
    ]
    return "\n".join(
        [
            f"`python bench/outputs.py site --papers {papers}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs. One topic of {papers:,} papers "
            f"({size:,.0f} MB of JSON); the site: {len(built):,} files, "
            f"{sum(p.stat().st_size for p in built) / 1e6:,.0f} MB; a topic's first page {first:,.0f} kB "
            f"({site.PAGE_SIZE} papers), its filter {len(chunks)} files of {chunk_mb:,.1f} MB in all.",
            "",
            "| build | time | peak memory added | against the reference |",
            "|---|---:|---:|---|",
            *rows,
        ]
    )


BENCHES = {"site": bench_site}


def write_section(path: Path, name: str, body: str) -> None:
    """Put `## name` and `body` into `path`, replacing that section and keeping the others."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    head = f"\n## {name}\n"
    before, found, rest = text.partition(head)
    after = rest[rest.index("\n## ") :] if found and "\n## " in rest else ""
    path.write_text(f"{before.rstrip(chr(10))}\n{head}\n{body}\n{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"what to measure: {', '.join(BENCHES)} (all)")
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure[0], Path(args.measure[1]))
        return
    if set(args.names) - set(BENCHES):
        parser.error(f"unknown: {', '.join(sorted(set(args.names) - set(BENCHES)))}")
    for name in args.names or list(BENCHES):
        with tempfile.TemporaryDirectory() as tmp:
            body = BENCHES[name](args.papers, Path(tmp))
        print(f"## {name}\n\n{body}\n")
        write_section(args.out, name, body)


if __name__ == "__main__":
    main()
