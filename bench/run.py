"""Benchmarks: requests, parsing and merging, each side by side with its reference.

    python bench/run.py            # the full run; writes bench/RESULTS.md
    python bench/run.py --quick    # small sizes, a smoke test (the suite runs this)

Times are the best of several runs in this process; memory is the peak RSS of a
fresh subprocess per scenario, less that process's baseline (Linux: VmHWM after a
reset), so C and Rust allocations count too. Ratios compare runs made in this one invocation.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import arxiv._feed  # noqa: E402  (the reference parser)

from harvester.arxiv import feed  # noqa: E402
from harvester.arxiv.client import DEFAULT_PAGE_SIZE  # noqa: E402
from harvester.arxiv.paging import MAX_RESULTS  # noqa: E402
from harvester.db import store  # noqa: E402
from harvester.models import Paper  # noqa: E402
from harvester.net.pacer import DEFAULT_DELAY_SECONDS  # noqa: E402
from tests.standin import Entry, Standin, recorded_entries, synthetic_entries  # noqa: E402

Row = tuple[str, str, str, str]


def best(action: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def page_of(count: int) -> bytes:
    """One response page of `count` entries made from the real recorded ones."""
    return Standin(entries=made(count, start=datetime(2024, 1, 1, tzinfo=UTC))).feed(0, count)


def made(count: int, *, start: datetime, step: timedelta = timedelta(hours=1)) -> list[Entry]:
    """`count` papers from the real recorded entries, new ids, one every `step` from `start`."""
    templates = recorded_entries()
    return [
        templates[i % len(templates)].rewritten(
            f"{start.year % 100 + i // 100_000:02d}{start.month:02d}.{i % 100_000:05d}v1",
            start + i * step,
        )
        for i in range(count)
    ]


def rss_of(scenario: str, *args: str) -> float:
    """Peak RSS (MB) that one scenario adds to a fresh interpreter, and its printed time."""
    out = subprocess.run(
        [sys.executable, __file__, "--scenario", scenario, *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0])


def scenario(name: str, path: Path, extra: Path | None) -> None:
    """Run one merge scenario in this (fresh) process and print the RSS it added."""
    # A child's high-water mark starts at its parent's (it is kept across fork and
    # exec), so reset it before measuring; Linux allows that through clear_refs.
    Path("/proc/self/clear_refs").write_text("5")
    base = _high_water_kb()
    if name == "noop":
        merge_run(path, [])
    elif name == "merge":
        assert extra is not None
        merge_run(path, list(store.load(extra).values()))
    elif name == "reference":
        json_rewrite(path)
    print((_high_water_kb() - base) / 1024)


def _high_water_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def merge_run(path: Path, fetched: list[Paper]) -> int:
    """What `harvest` does to a topic file after fetching: load, merge, write if changed.

    Returns the bytes written.
    """
    merged = store.merge(store.load(path), fetched)
    if not merged.counts.changed:
        return 0
    store.save(path, merged.papers.values())
    return path.stat().st_size


def json_rewrite(path: Path) -> int:
    """The reference: what the one-shot script did every run, load and rewrite it all."""
    records = json.loads(path.read_bytes())
    data = (json.dumps(records, indent=2, ensure_ascii=False) + "\n").encode()
    path.write_bytes(data)
    return len(data)


def bench_parse(entries: int, repeat: int) -> list[Row]:
    body = page_of(entries)
    ours = best(lambda: feed.parse(body), repeat)
    theirs = best(lambda: arxiv._feed.parse(body), repeat)
    assert len(feed.parse(body).papers) == len(arxiv._feed.parse(body).results) == entries
    return [
        (
            "parse: arxiv._feed.parse (reference)",
            f"{entries / theirs:,.0f} entries/s",
            f"{theirs * 1000:.0f} ms for {entries:,} entries",
            "1.00",
        ),
        (
            "parse: harvester.arxiv.feed.parse, validated",
            f"{entries / ours:,.0f} entries/s",
            f"{ours * 1000:.0f} ms for {entries:,} entries",
            f"{theirs / ours:.2f}",
        ),
    ]


def bench_merge(records: int, new: int, repeat: int, workdir: Path) -> list[Row]:
    entries = made(records + new, start=datetime(2020, 1, 1, tzinfo=UTC))
    papers: list[Paper] = []
    for start in range(0, len(entries), 2000):
        papers += feed.parse(Standin(entries=entries[start : start + 2000]).feed(0, 2000)).papers
    base, extra = workdir / "topic.json", workdir / "new.json"
    base.write_bytes(store.dumps(papers[:records]))
    extra.write_bytes(store.dumps(papers[records:]))
    fetched = papers[records:]
    del papers, entries
    gc.collect()
    size = base.stat().st_size
    work = workdir / "work.json"

    def fresh() -> None:
        shutil.copyfile(base, work)

    def timed(action: Callable[[], int]) -> tuple[float, int]:
        results = []
        for _ in range(repeat):
            fresh()
            started = time.perf_counter()
            written = action()
            results.append((time.perf_counter() - started, written))
        return min(results)

    noop, noop_written = timed(lambda: merge_run(work, []))
    merged, merged_written = timed(lambda: merge_run(work, fetched))
    reference, reference_written = timed(lambda: json_rewrite(work))
    fresh()
    rss = {name: rss_of(name, str(work), str(extra)) for name in ("noop", "merge", "reference")}
    mb = size / 1e6
    return [
        (
            f"merge: {records:,} records, nothing new",
            f"{noop:.2f} s, {noop_written:,} bytes written",
            f"peak {rss['noop']:.0f} MB = {rss['noop'] / mb:.1f} x file",
            f"{reference / noop:.2f}",
        ),
        (
            f"merge: {records:,} records + {new:,} new, written",
            f"{merged:.2f} s, {merged_written / 1e6:.0f} MB written",
            f"peak {rss['merge']:.0f} MB = {rss['merge'] / mb:.1f} x file",
            f"{reference / merged:.2f}",
        ),
        (
            "merge: json load + rewrite all (reference)",
            f"{reference:.2f} s, {reference_written / 1e6:.0f} MB written",
            f"peak {rss['reference']:.0f} MB = {rss['reference'] / mb:.1f} x file ({mb:.0f} MB)",
            "1.00",
        ),
    ]


def bench_requests(papers: int, page: int, delay: float, workdir: Path) -> list[Row]:
    """A full then an incremental harvest, at --delay 0 (transfer and work) and at `delay`."""
    # One paper a day: an incremental run's lookback (3 days) then holds a few papers.
    entries = made(papers, start=datetime(2010, 1, 1, tzinfo=UTC), step=timedelta(days=1))
    walls, requests = timed_harvests(entries, page=page, paces=(0.0, delay), workdir=workdir)
    rows = []
    for run in ("full", "incremental"):
        floor_requests = math.ceil(papers / page) if run == "full" else 1
        rows.append(
            (
                f"requests: {run} harvest of {papers:,} papers, page {page:,}",
                f"{len(requests[run])} requests (floor {floor_requests})",
                *against_floor(walls, run, len(requests[run]), delay),
            )
        )
    return rows


def bench_windows(
    papers: int, page: int, delay: float, workdir: Path, *, default_delay: float, full_runs: int
) -> list[Row]:
    """A first harvest of papers submitted 7 s apart, then a no-news incremental run.

    The stand-in answers as arXiv does since Nov 2025 (10,000 rows per query, minute-exact
    date bounds), so the first harvest goes in `submittedDate` windows. Pacing 70,000
    papers at arXiv's 3 s would take about four minutes, so it runs at `delay`, and the figures
    at `default_delay` are computed: the floor as every floor here, and the wall time
    as the one measured plus the extra pacing, `(requests - 1) x (default - delay)`. That
    estimate holds when `delay` already outlasts a page's work (pacing then binds at
    both delays); where it does not, the work it hid is counted twice, so it errs high.
    """
    # Well before the run's lookback: the incremental run that follows finds nothing new.
    first = datetime(2025, 1, 6, tzinfo=UTC)
    entries = synthetic_entries(papers, first=first, step_seconds=7)
    walls, requests = timed_harvests(
        entries, page=page, paces=(0.0, delay), workdir=workdir, expect=papers, full_runs=full_runs
    )
    full = requests["full"]
    assert max(int(r["start"]) + int(r["max_results"]) for r in full) <= MAX_RESULTS
    windows, counts = window_counts(full)
    cases = {
        "full": (
            f"first harvest of {papers:,} papers 7 s apart",
            math.ceil(papers / page),
            f"; windows: {windows}, count requests: {counts}",
        ),
        "incremental": ("no-news incremental run after it", 1, ""),
    }
    rows = []
    for run, (title, floor_requests, shape) in cases.items():
        sent = len(requests[run])
        times, ratio = against_floor(walls, run, sent, delay)
        floor = (sent - 1) * default_delay + walls[run, 0.0]
        estimate = walls[run, delay] + (sent - 1) * (default_delay - delay)
        rows.append(
            (
                f"requests: {title}, page {page:,}",
                f"{sent} requests (floor {floor_requests}{shape}) = {sent / floor_requests:.2f} x floor",
                f"{times}; at --delay {default_delay:g} (computed, not run): {estimate:.1f} s "
                f"= {walls[run, delay]:.1f} s + {sent - 1} x {default_delay - delay:g} s, floor "
                f"{floor:.1f} s = {sent - 1} x {default_delay:g} s + {walls[run, 0.0]:.1f} s, "
                f"{estimate / floor:.2f} x floor",
                ratio,
            )
        )
    return rows


def timed_harvests(
    entries: list[Entry],
    *,
    page: int,
    paces: tuple[float, ...],
    workdir: Path,
    expect: int | None = None,
    full_runs: int = 1,
) -> tuple[dict[tuple[str, float], float], dict[str, list[dict[str, str]]]]:
    """A full harvest (the best of `full_runs`, each from nothing) then incremental runs
    of one topic served `entries`, at each pace.

    Returns the best wall time of each run and pace, and the requests each run sent.
    """
    config = workdir / "queries.toml"
    config.write_text('[topics.bench]\nquery = "cat:cs.LG"\n')
    walls: dict[tuple[str, float], float] = {}
    requests: dict[str, list[dict[str, str]]] = {}
    with Standin(entries=entries) as standin:
        for pace in paces:
            data = workdir / f"data-{len(entries)}-{pace}"
            # A sub-second incremental run is mostly interpreter start-up: take the best of 3.
            for run in ("full",) * full_runs + ("incremental",) * 3:
                if run == "full":
                    shutil.rmtree(data, ignore_errors=True)
                standin.requests.clear()
                started = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "harvester",
                        "--config",
                        str(config),
                        "--data-dir",
                        str(data),
                        "--api-url",
                        standin.url,
                        "--delay",
                        str(pace),
                        "--page-size",
                        str(page),
                        "-q",
                    ],
                    check=True,
                    capture_output=True,
                )
                wall = time.perf_counter() - started
                walls[run, pace] = min(wall, walls.get((run, pace), wall))
                requests[run] = list(standin.requests)
            if expect is not None:  # a fast harvest that lost papers would be no result
                assert len(store.load(data / "bench.json")) == expect
            shutil.rmtree(data)
    return walls, requests


def against_floor(
    walls: dict[tuple[str, float], float], run: str, sent: int, delay: float
) -> tuple[str, str]:
    """A run's wall time at `delay` against its floor: pacing plus the run at --delay 0."""
    floor = (sent - 1) * delay + walls[run, 0.0]
    return (
        f"{walls[run, delay]:.1f} s at --delay {delay:g}; floor {floor:.1f} s = "
        f"{sent - 1} x {delay:g} s + {walls[run, 0.0]:.1f} s at --delay 0",
        f"{walls[run, delay] / floor:.2f} x floor",
    )


def window_counts(sent: list[dict[str, str]]) -> tuple[int, int]:
    """How many `submittedDate` windows a harvest fetched, and how many it only counted
    (asked once, then cut into the windows inside it)."""
    spans = {
        (low, high)
        for request in sent
        for low, high in re.findall(r"submittedDate:\[(\d+) TO (\d+)\]", request["search_query"])
    }
    counted = {s for s in spans if any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in spans)}
    return len(spans) - len(counted), len(counted)


def table(rows: list[Row]) -> str:
    head = ("benchmark", "speed", "time / memory", "ratio")
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---:|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        scenario(args.scenario, args.paths[0], args.paths[1] if len(args.paths) > 1 else None)
        return
    quick = args.quick
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        rows = bench_parse(200 if quick else 2000, 3 if quick else 30)
        rows += bench_merge(
            2_000 if quick else 100_000, 200 if quick else 2000, 1 if quick else 3, workdir
        )
        rows += bench_requests(
            300 if quick else 5000, 100 if quick else 1000, 0.05 if quick else 3.0, workdir
        )
        # 0.5 s outlasts a page's work, so pacing binds as it does at 3 s (see bench_windows).
        rows += bench_windows(
            3_000 if quick else 70_000,
            DEFAULT_PAGE_SIZE,
            0.05 if quick else 0.5,
            workdir,
            default_delay=DEFAULT_DELAY_SECONDS,
            full_runs=1 if quick else 2,
        )
    result = table(rows)
    print(result)
    header = (
        "# Benchmark results\n\n"
        f"`python bench/run.py{' --quick' if quick else ''}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}, "
        f"arxiv {arxiv_version()}.\n\n"
    )
    old = args.out.read_text() if args.out.exists() else ""
    kept = old[old.index("\n## ") :] if "\n## " in old else ""  # other scripts' sections
    args.out.write_text(header + result + "\n" + kept)


def arxiv_version() -> str:
    return version("arxiv")


if __name__ == "__main__":
    main()
