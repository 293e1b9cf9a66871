"""Benchmarks of what is made from the database, each against reading the JSON once.

    python bench/outputs.py            # 100,000 papers; writes its sections of bench/RESULTS.md
                                       # (papers.db and search; site)
    python bench/outputs.py --only site  # one section
    python bench/outputs.py --quick    # 2,000 papers, a smoke test (the suite runs this)
    python bench/outputs.py --only scale  # every export format and the site at 60,000,
                                          # 300,000 and 1,000,000 papers of one sharded topic

Each scenario runs in a fresh interpreter; its time is wall time in that process and its
memory the peak RSS it adds to the interpreter's baseline (Linux VmHWM after a reset), so
SQLite's own allocations count. Each benchmark is one function returning its section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harvester.arxiv import feed  # noqa: E402
from harvester.config import load_config  # noqa: E402
from harvester.db import seen, state, store  # noqa: E402
from harvester.models import Paper  # noqa: E402
from harvester.outputs import export, search, site, sqlite  # noqa: E402
from tests.standin import Standin, recorded_entries  # noqa: E402

TOPIC = "bench"


def papers(count: int) -> list[Paper]:
    """`count` papers made from the real recorded ones (see `made`)."""
    return list(made(count))


def made(count: int) -> Iterator[Paper]:
    """`count` papers made from the real recorded ones, newest first: new ids, 300 a day
    back from 2026, the last author varied so the authors table grows as a real
    database's would."""
    entries = recorded_entries()
    templates = feed.parse(Standin(entries=entries).feed(0, len(entries))).papers
    start = date(2026, 1, 1)
    for i in range(count):
        t = templates[i % len(templates)]
        day = start - timedelta(days=i // 300)
        arxiv_id = f"{day:%y%m}.{i % 100_000:05d}v1"
        yield (
            t.model_copy(
                update={
                    "arxiv_id": arxiv_id,
                    "url": f"https://arxiv.org/abs/{arxiv_id}",
                    "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}.pdf",
                    "published": day,
                    "authors": [*t.authors[:-1], f"Author {i % 40_000}"],
                }
            )
        )


SCENARIOS: dict[str, Callable[[Path, Path], str]] = {}


def scenario(action: Callable[[Path, Path], str]) -> Callable[[Path, Path], str]:
    """Register a scenario: given the topic file and a work directory, do it; a note back."""
    SCENARIOS[action.__name__] = action
    return action


@scenario
def json_once(path: Path, work: Path) -> str:
    """The reference: read the JSON once, as any tool of the records must."""
    return f"{len(json.loads(path.read_bytes())):,} records"


@scenario
def export_db(path: Path, work: Path) -> str:
    """`harvest export --format sqlite`: load the topic file, write papers.db."""
    loaded = {TOPIC: list(store.load(path).values())}
    sqlite.write(work / "papers.db", loaded, {TOPIC: "all:x"})
    return f"{(work / 'papers.db').stat().st_size / 1e6:,.0f} MB file"


@scenario
def search_cli(path: Path, work: Path) -> str:
    """`harvest search`: load the topic file, index it in memory, one query."""
    hits = search.search({TOPIC: list(store.load(path).values())}, "reinforcement learning")
    return f"{len(hits):,} hits"


@scenario
def search_db(path: Path, work: Path) -> str:
    """`harvest search --db`: the same query on the papers.db already written."""
    hits = search.search_file(work / "papers.db", "reinforcement learning")
    return f"{len(hits):,} hits"


@scenario
def site_build(path: Path, work: Path) -> str:
    """`harvest site`: load the topic file, write the site over the one already there, if any."""
    written = site.build(load_config(work / "queries.toml"), path.parent, work / "site").files
    size_mb = sum(p.stat().st_size for p in written) / 1e6
    return f"{len(written):,} files, {size_mb:,.0f} MB"


def _export(fmt: str) -> Callable[[Path, Path], str]:
    def action(path: Path, work: Path) -> str:
        done = export.export(load_config(work / "queries.toml"), path, work / "out", formats=[fmt])
        size = sum(p.stat().st_size for p in done.files)
        return f"{len(done.files):,} files, {size / 1e6:,.0f} MB"

    action.__name__ = f"export_{fmt}"
    return action


for _fmt in export.FORMATS:
    scenario(_export(_fmt))


@scenario
def site_scale(path: Path, work: Path) -> str:
    """`harvest site` of the data directory `path` into `work/out`."""
    written = site.build(load_config(work / "queries.toml"), path, work / "out").files
    return f"{len(written):,} files, {sum(p.stat().st_size for p in written) / 1e6:,.0f} MB"


def run_scenario(name: str, path: Path, work: Path) -> None:
    """In this fresh process: reset the RSS high-water mark, run, print seconds, MB, note."""
    Path("/proc/self/clear_refs").write_text("5")
    base = _high_water_kb()
    started, cpu = time.perf_counter(), time.process_time()
    note = SCENARIOS[name](path, work)
    seconds = time.perf_counter() - started
    print(json.dumps([seconds, (_high_water_kb() - base) / 1024, note, time.process_time() - cpu]))


def _high_water_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def measured(name: str, path: Path, work: Path) -> tuple[float, float, str]:
    """Seconds, peak MB added, and note of one scenario, run in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, __file__, "--scenario", name, str(path), str(work)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seconds, mb, note, _ = json.loads(out)
    return seconds, mb, note


def measured_cpu(name: str, path: Path, work: Path) -> tuple[float, float, str, float]:
    """Wall seconds, peak MB added, note and CPU seconds of one scenario, in a fresh
    interpreter."""
    out = subprocess.run(
        [sys.executable, __file__, "--scenario", name, str(path), str(work)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seconds, mb, note, cpu = json.loads(out)
    return seconds, mb, note, cpu


def papers_db(count: int, work: Path) -> str:
    """The `papers.db` section: exporting and searching `count` papers, against reading
    their JSON once."""
    path = work / f"{TOPIC}.json"
    store.save(path, papers(count))
    size_mb = path.stat().st_size / 1e6
    rows = [
        ("read the JSON once: json.loads (reference)", "json_once"),
        ("harvest export --format sqlite: load + write papers.db", "export_db"),
        ("harvest search: load + index in memory + query", "search_cli"),
        ("harvest search --db papers.db: query the export", "search_db"),
    ]
    results = {name: measured(name, path, work) for _, name in rows}
    reference_s, reference_mb, _ = results["json_once"]
    lines = [
        "## papers.db",
        "",
        f"`python bench/outputs.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"{count:,} papers in one topic file of {size_mb:,.0f} MB; SQLite "
        f"{sqlite3.sqlite_version}, Python {platform.python_version()}, {os.cpu_count()} CPUs.",
        "",
        "| benchmark | time | peak memory added | result | time, memory vs reference |",
        "|---|---:|---:|---|---:|",
    ]
    for label, name in rows:
        seconds, mb, note = results[name]
        lines.append(
            f"| {label} | {_seconds(seconds)} | {mb:,.0f} MB | {note} | "
            f"{seconds / reference_s:.2f} x, {mb / max(reference_mb, 1):.2f} x |"
        )
    return "\n".join(lines) + "\n"


def site_section(count: int, work: Path) -> str:
    """The `site` section: the site of one topic of `count` papers, built, then built again
    over itself (nothing changed), against reading the JSON once."""
    path = work / f"{TOPIC}.json"
    if not path.exists():
        store.save(path, papers(count))
    (work / "queries.toml").write_text(f"[topics.{TOPIC}]\nquery = 'all:x'\n")
    runs = [
        ("read the JSON once: json.loads (reference)", measured("json_once", path, work)),
        (
            "harvest site: load + write every page, filter file and feed",
            measured("site_build", path, work),
        ),
        ("harvest site again over it, nothing changed", measured("site_build", path, work)),
    ]
    reference_s, reference_mb, _ = runs[0][1]
    first_kb = (work / "site" / TOPIC / "index.html").stat().st_size / 1e3
    chunks = list((work / "site" / TOPIC).glob("filter-*.json"))
    lines = [
        "## site",
        "",
        f"`python bench/outputs.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"{count:,} papers in one topic file of {path.stat().st_size / 1e6:,.0f} MB; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs. A topic's first page is "
        f"{first_kb:,.0f} kB ({site.PAGE_SIZE} papers); its filter {len(chunks)} files of "
        f"{sum(p.stat().st_size for p in chunks) / 1e6:,.1f} MB in all.",
        "",
        "| benchmark | time | peak memory added | result | time, memory vs reference |",
        "|---|---:|---:|---|---:|",
    ]
    for label, (seconds, mb, note) in runs:
        lines.append(
            f"| {label} | {_seconds(seconds)} | {mb:,.0f} MB | {note} | "
            f"{seconds / reference_s:.2f} x, {mb / max(reference_mb, 1):.2f} x |"
        )
    return "\n".join(lines) + "\n"


SCALE_SIZES = (60_000, 300_000, 1_000_000)
QUICK_SCALE_SIZES = (2_000, 6_000, 12_000)
BEFORE = {
    "parquet": "330 / 590 / 1,242 MB at 20,000 / 100,000 / 300,000",
    "sqlite": "161 / 331 / 867 MB",
    "site": "161 / 316 / 819 MB",
}
"""Peak memory when every output loaded whole topics (at 20,000 / 100,000 / 300,000
papers), for comparison."""
OUTPUTS = [*(f"export_{f}" for f in export.FORMATS), "site_scale"]


def sharded_topic(count: int, data: Path) -> tuple[int, float]:
    """Write a topic of `count` papers as a harvest past 40 MB a year leaves it: a file a
    month (about 9,000 papers, 17 MB), with the state stamping the files and this
    machine's record of them, so outputs trust them unread. Its files and largest MB."""
    stamps, saw = {}, {}
    for month, group in groupby(made(count), key=lambda p: f"{p.published:%Y-%m}"):
        name = f"{TOPIC}/{month}.json"
        records = list(group)
        data_bytes = store.dumps(records)
        (data / TOPIC).mkdir(parents=True, exist_ok=True)
        (data / name).write_bytes(data_bytes)
        stamps[name] = seen.stamp(data_bytes, records)
        saw[name] = [*seen.stat_of(data / name), stamps[name].blob]
    seen.save(seen.path_for(data, TOPIC), saw)
    done = state.TopicState(
        query="all:x", since=None, until=datetime(2026, 1, 2, tzinfo=UTC), complete=True
    )
    state.save(state.path_for(data, TOPIC), done.with_files(stamps))
    return len(stamps), max(s.bytes for s in stamps.values()) / 1e6


def scale_section(sizes: tuple[int, ...], work: Path) -> str:
    """The `outputs at scale` section: each export format and the site of one sharded
    topic at each size, each in a fresh interpreter."""
    results: dict[str, dict[int, tuple[float, float, str, float]]] = {n: {} for n in OUTPUTS}
    facts = []
    for count in sizes:
        data = work / f"data-{count}"
        files_made, largest = sharded_topic(count, data)
        size_mb = sum(p.stat().st_size for p in (data / TOPIC).iterdir()) / 1e6
        facts.append(
            f"{count:,} papers: {files_made} files, {size_mb:,.0f} MB, largest {largest:.0f} MB"
        )
        (work / "queries.toml").write_text(f"[topics.{TOPIC}]\nquery = 'all:x'\n")
        for name in OUTPUTS:
            results[name][count] = measured_cpu(name, data, work)
            print(name, count, results[name][count], file=sys.stderr, flush=True)
            shutil.rmtree(work / "out", ignore_errors=True)
        shutil.rmtree(data)
    small, middle, large = sizes
    lines = [
        "## outputs at scale",
        "",
        f"`python bench/outputs.py --only scale` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"one topic, a file a month ({'; '.join(facts)}); SQLite {sqlite3.sqlite_version}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs. Each output is "
        "`harvest export --format F` (or `harvest site`) in a fresh interpreter: its peak "
        "RSS added (VmHWM), wall and CPU time. 2,900,000 is extrapolated: memory as at the "
        f"largest size times its growth from {middle:,}, time along the line through "
        f"{middle:,} and {large:,}.",
        "",
        f"| output | peak MB at {small:,} / {middle:,} / {large:,} | {middle:,} vs {small:,} "
        f"| wall s (CPU s) | result at {large:,} | 2,900,000, extrapolated | before |",
        "|---|---:|---:|---:|---|---:|---|",
    ]
    for name in OUTPUTS:
        runs = results[name]
        mbs = [runs[c][1] for c in sizes]
        walls = [runs[c][0] for c in sizes]
        growth = (mbs[2] - mbs[1]) / (large - middle)
        mb_2900 = mbs[2] + max(growth, 0) * (2_900_000 - large)
        slope = (walls[2] - walls[1]) / (large - middle)
        s_2900 = walls[2] + slope * (2_900_000 - large)
        label = name.removeprefix("export_").replace("site_scale", "site")
        lines.append(
            f"| {label} | {' / '.join(f'{m:,.0f}' for m in mbs)} | {mbs[1] / max(mbs[0], 1):.2f} x | "
            + " / ".join(f"{runs[c][0]:,.1f} ({runs[c][3]:,.1f})" for c in sizes)
            + f" | {runs[large][2]} | {mb_2900:,.0f} MB, {s_2900 / 60:,.1f} min | "
            f"{BEFORE.get(label, '')} |"
        )
    return "\n".join(lines) + "\n"


def _seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def replace_section(text: str, section: str) -> str:
    """`text` with the `## ` section of the same heading replaced by `section` (or added)."""
    heading = section.splitlines()[0]
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(lambda _: section + "\n", text).rstrip("\n") + "\n"
    return text.rstrip("\n") + "\n\n" + section


SECTIONS = {"papers.db": papers_db, "site": site_section}
SCALE = "scale"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--only", choices=[*SECTIONS, SCALE], help="just this section")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        run_scenario(args.scenario, args.paths[0], args.paths[1])
        return
    count = 2_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        chosen = [args.only] if args.only else [*SECTIONS, SCALE]
        sizes = QUICK_SCALE_SIZES if args.quick else SCALE_SIZES
        sections = [
            scale_section(sizes, Path(tmp)) if name == SCALE else SECTIONS[name](count, Path(tmp))
            for name in chosen
        ]
    text = args.out.read_text() if args.out.exists() else "# Benchmark results\n"
    for section in sections:
        print(section)
        text = replace_section(text, section)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
