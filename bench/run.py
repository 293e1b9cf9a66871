"""Benchmarks: parsing, daily runs and merges at every size, first harvests' requests,
bytes written and memory (issue 17), side by side in one run.

    python bench/run.py            # the full run; writes bench/RESULTS.md
    python bench/run.py --quick    # small sizes, a smoke test (the suite runs this)

Each harvest runs in a fresh interpreter: its time is that of `harvest` in it (and the
wall time with start-up), its memory the peak RSS it added to that interpreter (Linux:
VmHWM after a reset), so C and Rust allocations count too, and its bytes those handed
to the writer. Ratios compare runs made in this one invocation.
"""

from __future__ import annotations

import argparse
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
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import arxiv._feed  # noqa: E402  (the reference parser)

from harvester import files  # noqa: E402
from harvester.arxiv import feed  # noqa: E402
from harvester.arxiv.client import DEFAULT_PAGE_SIZE  # noqa: E402
from harvester.arxiv.paging import MAX_RESULTS  # noqa: E402
from harvester.arxiv.windows import floor_minute  # noqa: E402
from harvester.cli import main as harvest  # noqa: E402
from harvester.config import load_config  # noqa: E402
from harvester.db import state  # noqa: E402
from harvester.db.shards import TopicFiles  # noqa: E402
from harvester.models import Paper  # noqa: E402
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


def child(*args: str) -> dict[str, float]:
    """Run one scenario in a fresh interpreter; its figures (see `scenario`)."""
    out = subprocess.run(
        [sys.executable, __file__, "--scenario", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {k: float(v) for k, v in json.loads(out.splitlines()[-1]).items()}


def scenario(argv: list[str]) -> None:
    """Run `harvest argv` in this (fresh) process; print its time, the peak RSS it added,
    and the bytes and files of data it wrote, counted through the writer."""
    real = files.write
    written = {"bytes": 0, "files": 0, "largest": 0}

    def counting(path: Path, data: bytes | Iterable[bytes]) -> bool:
        pieces = [data] if isinstance(data, bytes) else list(data)  # not joined: no copy
        done = real(path, pieces)
        if done and ".harvest" not in path.parts:
            size = sum(map(len, pieces))
            written["bytes"] += size
            written["files"] += 1
            written["largest"] = max(written["largest"], size)  # the largest file it held
        return done

    files.write = counting  # type: ignore[assignment]
    # A child's high-water mark starts at its parent's (it is kept across fork and
    # exec), so reset it before measuring; Linux allows that through clear_refs.
    Path("/proc/self/clear_refs").write_text("5")
    base = _high_water_kb()
    started = time.perf_counter()
    code = harvest(argv)
    seconds = time.perf_counter() - started
    assert code == 0, code
    peak = (_high_water_kb() - base) / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, **written}))


def _high_water_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


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


QUERY = "cat:cs.CL"
SPAN = timedelta(days=4 * 365)
"""A category-sized topic's papers spread over four years (cs.CL since 2022)."""


def spread(count: int, *, end: datetime) -> list[Entry]:
    """`count` papers submitted evenly over `SPAN` up to `end`."""
    step = SPAN.total_seconds() / count
    return synthetic_entries(count, first=end - SPAN, step_seconds=step)


def harvest_args(config: Path, data: Path, url: str) -> list[str]:
    return [
        "--config",
        str(config),
        "--data-dir",
        str(data),
        "--api-url",
        url,
        "--delay",
        "0",
        "-q",
    ]


def data_files(data: Path) -> list[Path]:
    return [p for p in data.rglob("*.json") if ".harvest" not in p.parts]


def build_topic(data: Path, entries: list[Entry], config: Path) -> None:
    """A topic as a complete first harvest on this machine leaves it: its files (sharded as
    the harvest would), their stat record, and a complete state stamping them."""
    stored = TopicFiles(data, "bench")
    batch: list[Paper] = []
    for start in range(0, len(entries), 2000):
        chunk = entries[start : start + 2000]
        batch += feed.parse(Standin(entries=chunk).feed(0, len(chunk))).papers
        if len(batch) >= 20_000:
            stored.commit(batch)
            batch = []
    stored.commit(batch)
    topic = load_config(config).topics["bench"]
    now = floor_minute(datetime.now(UTC))
    done = state.TopicState(
        query=topic.query,
        since=topic.since,
        until=now + timedelta(days=1),
        complete=True,
        watermark=now,
        refreshed=now,
    )
    state.save(state.path_for(data, "bench"), done.with_files(stored.stamps))


def bench_no_news(
    sizes: list[int], new: int, workdir: Path, config: Path, *, tries: int = 7
) -> list[Row]:
    """A daily run that finds nothing, at each size (the best of `tries`, sub-second runs
    on a shared machine); then `new` papers into the largest."""
    end = datetime.now(UTC) - timedelta(days=60)  # long before any run's lookback
    rows: list[Row] = []
    runs: dict[int, dict[str, float]] = {}
    for size in sizes:
        data = workdir / f"nonews-{size}"
        entries = spread(size, end=end)
        build_topic(data, entries, config)
        with Standin(entries=entries[-50:]) as standin:
            made: list[dict[str, float]] = []
            for _ in range(tries):
                started = time.perf_counter()
                figures = child("harvest", *harvest_args(config, data, standin.url))
                figures["wall"] = time.perf_counter() - started
                assert len(standin.requests) == 1
                standin.requests.clear()
                made.append(figures)
        runs[size] = min(made, key=lambda f: f["wall"])
        mb = sum(p.stat().st_size for p in data_files(data)) / 1e6
        first = runs[sizes[0]]
        rows.append(
            (
                f"no-news run: {size:,} papers ({mb:,.0f} MB in {len(data_files(data))} files)",
                f"{runs[size]['wall']:.2f} s wall, {runs[size]['seconds']:.3f} s in harvest, "
                f"{runs[size]['bytes']:.0f} bytes written",
                f"peak +{runs[size]['peak_mb']:.1f} MB",
                f"time {runs[size]['wall'] / first['wall']:.2f} x, "
                f"memory {max(runs[size]['peak_mb'], 0.1) / max(first['peak_mb'], 0.1):.2f} x "
                f"the {sizes[0]:,}-paper run",
            )
        )
        if size != sizes[-1]:
            shutil.rmtree(data)
    data = workdir / f"nonews-{sizes[-1]}"
    before = {p: p.stat().st_mtime_ns for p in data_files(data)}
    fresh = synthetic_entries(new, first=datetime.now(UTC) - timedelta(days=1), step_seconds=30)
    with Standin(entries=fresh) as standin:
        figures = child("harvest", *harvest_args(config, data, standin.url))
        sent = len(standin.requests)
    changed = [p for p in data_files(data) if before.get(p) != p.stat().st_mtime_ns]
    largest = max(p.stat().st_size for p in data_files(data)) / 1e6
    rows.append(
        (
            f"merge: {new:,} new papers into {sizes[-1]:,}",
            f"{figures['seconds']:.2f} s in harvest, {sent} requests; {figures['files']:.0f} of "
            f"{len(data_files(data))} files written ({', '.join(p.name for p in changed)}), "
            f"{figures['bytes'] / 1e6:.1f} MB",
            f"peak +{figures['peak_mb']:.0f} MB; largest file {largest:.1f} MB",
            f"{figures['peak_mb'] / largest:.1f} x largest file",
        )
    )
    shutil.rmtree(data)
    return rows


def bench_first_harvests(sizes: list[int], workdir: Path, config: Path) -> list[Row]:
    """First harvests at the default page size: requests, bytes written, peak memory."""
    rows: list[Row] = []
    for size in sizes:
        data = workdir / f"first-{size}"
        with Standin(entries=spread(size, end=datetime.now(UTC) - timedelta(days=60))) as standin:
            figures = child("harvest", *harvest_args(config, data, standin.url))
            sent = list(standin.requests)
        assert (
            len(TopicFiles(data, "bench").load()) == size
        )  # a fast harvest losing papers is no result
        final = sum(p.stat().st_size for p in data_files(data))
        largest = max(p.stat().st_size for p in data_files(data))
        assert max(int(r["start"]) + int(r["max_results"]) for r in sent) <= MAX_RESULTS
        windows, counts = window_counts(sent)
        floor = math.ceil(size / DEFAULT_PAGE_SIZE)
        rows.append(
            (
                f"first harvest: {size:,} papers, page {DEFAULT_PAGE_SIZE:,}",
                f"{len(sent)} requests (floor {floor}; windows {windows}, count requests {counts})"
                f" = {len(sent) / floor:.2f} x floor, {(len(sent) - counts) / floor:.2f} x without"
                f" the counts; {figures['seconds']:.0f} s at --delay 0",
                f"{figures['bytes'] / 1e6:,.0f} MB written for {final / 1e6:,.0f} MB in "
                f"{len(data_files(data))} files = {figures['bytes'] / final:.2f} x final; peak "
                f"+{figures['peak_mb']:.0f} MB, largest file {largest / 1e6:.1f} MB at the end, "
                f"{figures['largest'] / 1e6:.1f} MB during the run",
                f"{figures['bytes'] / final:.2f} x final size, "
                f"{figures['peak_mb'] / (largest / 1e6):.1f} x largest file at the end, "
                f"{figures['peak_mb'] / (figures['largest'] / 1e6):.1f} x during the run",
            )
        )
        shutil.rmtree(data)
    return rows


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
    if sys.argv[1:2] == ["--scenario"]:
        scenario(sys.argv[3:])
        return
    args = parser.parse_args()
    quick = args.quick
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config = workdir / "queries.toml"
        config.write_text(f'[topics.bench]\nquery = "{QUERY}"\n')
        rows = bench_parse(200 if quick else 2000, 3 if quick else 30)
        rows += bench_no_news(
            [200, 2_000, 6_000] if quick else [1_000, 100_000, 300_000],
            200 if quick else 2_000,
            workdir,
            config,
            tries=3 if quick else 7,
        )
        rows += bench_first_harvests(
            [500, 3_000] if quick else [5_000, 30_000, 70_000, 100_000, 250_000], workdir, config
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
