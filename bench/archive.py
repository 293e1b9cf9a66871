"""Benchmark: all of arXiv as one topic (`set = "*"`), through OAI-PMH, at growing sizes.

    python bench/archive.py                    # 60,000, 300,000 and 1,000,000 papers
    python bench/archive.py --sizes 60000      # chosen sizes
    python bench/archive.py --quick            # a smoke test (the suite runs this)

Per size, one run each against the synthetic arXiv of the tests' OAI-PMH stand-in
(`tests/oai_synthetic.py`, served on 127.0.0.1 at `--delay 0`): the first harvest; a day
of 500 new papers, 200 DOIs added and 20 withdrawals; a day with no change; `harvest
verify` of the whole archive; then each export format and the site over the harvested
topic. Each command runs in a fresh
interpreter and is measured from inside it: CPU (user + system), the peak RSS it added
(Linux: VmHWM after a reset), the bytes the kernel counted it writing (`/proc/self/io`,
staging and state included) and the data files it read and wrote. Figures go to
`bench/RESULTS.md`, with their extrapolation to all of arXiv.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harvester import files  # noqa: E402
from harvester.cli import main as harvest  # noqa: E402
from harvester.db import rows, store  # noqa: E402
from harvester.db.shards import TopicFiles  # noqa: E402
from harvester.oai.client import IDS_PER_PAGE, RECORDS_PER_PAGE  # noqa: E402
from tests.oai_standin import OaiStandin  # noqa: E402
from tests.oai_synthetic import SyntheticArxiv  # noqa: E402

ARCHIVE = 2_900_000
"""About the records all of arXiv lists (2026)."""
TODAY = datetime.now(UTC).date()
"""The stand-in's day: a harvest's own clock dates its change feed's start."""
OUTPUTS = (
    ("export json", ["export", "--format", "json"]),
    ("export markdown", ["export", "--format", "markdown"]),
    ("export bibtex", ["export", "--format", "bibtex"]),
    ("export csl", ["export", "--format", "csl"]),
    ("export sqlite", ["export", "--format", "sqlite"]),
    ("export parquet", ["export", "--format", "parquet"]),
    ("site", ["site"]),
)


def child(argv: list[str]) -> dict[str, float]:
    """Run `harvest argv` in a fresh interpreter; its figures (see `measure`)."""
    done = subprocess.run(
        [sys.executable, __file__, "--measure", *argv], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"harvest {' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    return {k: float(v) for k, v in json.loads(done.stdout.splitlines()[-1]).items()}


def measure(argv: list[str]) -> None:
    """Run `harvest argv` in this (fresh) process; print its CPU and wall seconds, the peak
    RSS it added, the bytes the kernel counted it writing, and the data files it read and
    wrote (through the writer and the readers)."""
    counted = {"data_bytes": 0.0, "data_writes": 0.0, "data_reads": 0.0}
    real_write, real_rows, real_load = files.write, store.load_rows, store.load
    real_read = files.read_bytes

    def is_data(path: Path) -> bool:
        return ".harvest" not in path.parts and path.suffix == ".json" and "data" in path.parts

    def writing(path: Path, data: bytes | Iterable[bytes]) -> bool:
        pieces = [data] if isinstance(data, bytes) else list(data)
        wrote = real_write(path, pieces)
        if wrote and is_data(path):
            counted["data_bytes"] += sum(map(len, pieces))
            counted["data_writes"] += 1
        return wrote

    def reading_rows(path: Path) -> dict[str, rows.Row]:
        counted["data_reads"] += is_data(path)
        return real_rows(path)

    def reading(path: Path) -> dict[str, object]:
        counted["data_reads"] += is_data(path)
        return real_load(path)  # type: ignore[return-value]

    def reading_bytes(path: Path, *, links: bool = True) -> bytes:
        counted["data_reads"] += is_data(path)
        return real_read(path, links=links)

    files.write = writing  # type: ignore[assignment]
    store.load_rows = reading_rows  # type: ignore[assignment]
    store.load = reading  # type: ignore[assignment]
    files.read_bytes = reading_bytes  # type: ignore[assignment]
    # A child's high-water mark starts at its parent's; Linux resets it through clear_refs.
    Path("/proc/self/clear_refs").write_text("5")
    base, written = _status("VmHWM"), _io("write_bytes")
    cpu = _cpu()
    started = time.perf_counter()
    code = harvest(argv)
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"exit {code}")
    figures = {
        "seconds": seconds,
        "cpu": _cpu() - cpu,
        "peak_mb": (_status("VmHWM") - base) / 1024,
        "rss_mb": _status("VmHWM") / 1024,
        "written": float(_io("write_bytes") - written),
        **counted,
    }
    print(json.dumps(figures))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _io(field: str) -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/io")


def data_files(data: Path) -> list[Path]:
    return [p for p in data.rglob("*.json") if ".harvest" not in p.parts]


def flags(workdir: Path, url: str | None = None) -> list[str]:
    out = ["--config", str(workdir / "queries.toml"), "--data-dir", str(workdir / "data")]
    return out + (["--oai-url", url, "--delay", "0", "-q"] if url else [])


Figures = dict[str, dict[str, float]]


def bench_size(size: int, workdir: Path, *, outputs: bool) -> tuple[Figures, dict[str, float]]:
    """Every run at one size: their figures, and the facts of the topic."""
    (workdir / "queries.toml").write_text('[topics.arxiv]\nset = "*"\n')
    data = workdir / "data"
    made = time.perf_counter()
    arxiv = SyntheticArxiv(size, seed=23, today=TODAY)
    runs: Figures = {}
    facts: dict[str, float] = {"standin_seconds": time.perf_counter() - made}
    with OaiStandin(today=arxiv.today, synthetic=arxiv) as standin:
        runs["first"] = child(flags(workdir, standin.url))
        runs["first"]["requests"] = len(standin.requests)
        stored = TopicFiles(data, "arxiv")
        keys = [p.key for p in stored.each()]
        assert len(keys) == len(set(keys)) == size, (len(keys), len(set(keys)), size)
        facts["final"] = sum(p.stat().st_size for p in data_files(data))
        facts["files"] = len(data_files(data))
        facts["largest"] = max(p.stat().st_size for p in data_files(data))
        standin.next_day()
        day = arxiv.day_of_changes(new=500, dois=200, withdrawals=20)
        before = {p: p.stat().st_mtime_ns for p in data_files(data)}
        standin.requests.clear()
        runs["changes"] = child(flags(workdir, standin.url))
        runs["changes"]["requests"] = len(standin.requests)
        after = TopicFiles(data, "arxiv")
        layout = after.layout
        papers = {p.key: p for p in after.each()}
        assert len(papers) == size + 500
        assert all(papers[k].doi for k in day.dois)
        assert all(papers[k].withdrawn for k in day.withdrawn)
        rewritten = {p for p in data_files(data) if before.get(p) != p.stat().st_mtime_ns}
        holding = {data / layout.target(papers[k]) for k in day.ids}
        assert rewritten == holding, (sorted(rewritten - holding), sorted(holding - rewritten))
        facts["changed_files"] = len(holding)
        facts["changed_bytes"] = sum(p.stat().st_size for p in holding)
        standin.next_day()
        standin.requests.clear()
        runs["quiet"] = child(flags(workdir, standin.url))
        runs["quiet"]["requests"] = len(standin.requests)
        standin.requests.clear()
        runs["verify"] = child(["verify", *flags(workdir, standin.url)[:-1]])  # verify has no -q
        runs["verify"]["requests"] = len(standin.requests)
    facts["final_after"] = sum(p.stat().st_size for p in data_files(data))
    if outputs:
        for name, argv in OUTPUTS:
            out = workdir / "out"
            runs[name] = child([*argv, *flags(workdir), "--out", str(out)])
            runs[name]["out_bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
            shutil.rmtree(out)
    shutil.rmtree(data)
    return runs, facts


def rows_of(size: int, runs: Figures, facts: dict[str, float]) -> list[tuple[str, ...]]:
    """The table rows of one size."""
    first, day, quiet = runs["first"], runs["changes"], runs["quiet"]
    floor = math.ceil(size / RECORDS_PER_PAGE)
    mb = 1e6
    out = [
        (
            f"{size:,}",
            "first harvest",
            f"{first['requests']:.0f} (floor {floor}, bound {1.1 * floor + 2:.0f})",
            f"{first['written'] / mb:,.0f} MB for {facts['final'] / mb:,.0f} MB in "
            f"{facts['files']:.0f} files = {first['written'] / facts['final']:.2f} x",
            f"{first['cpu']:.1f} s = {first['cpu'] / first['requests']:.2f} s a page "
            f"({first['seconds']:.0f} s wall)",
            f"+{first['peak_mb']:.0f} MB (largest file {facts['largest'] / mb:.0f} MB)",
        ),
        (
            f"{size:,}",
            "a day: 500 new, 200 DOIs, 20 withdrawals",
            f"{day['requests']:.0f}",
            f"{day['data_writes']:.0f} files rewritten (the {facts['changed_files']:.0f} holding "
            f"a change, {facts['changed_bytes'] / mb:,.0f} MB): {day['data_bytes'] / mb:,.0f} MB "
            f"through the writer, {day['written'] / mb:,.0f} MB by the kernel's count",
            f"{day['cpu']:.1f} s ({day['seconds']:.1f} s wall)",
            f"+{day['peak_mb']:.0f} MB",
        ),
        (
            f"{size:,}",
            "a day with no change",
            f"{quiet['requests']:.0f}",
            f"{quiet['data_reads']:.0f} data files read, {quiet['data_writes']:.0f} written, "
            f"{quiet['written'] / 1e3:,.0f} kB by the kernel's count",
            f"{quiet['cpu']:.2f} s ({quiet['seconds']:.2f} s wall)",
            f"+{quiet['peak_mb']:.0f} MB",
        ),
    ]
    check = runs["verify"]
    out.append(
        (
            f"{size:,}",
            "verify: every id listed (ListIdentifiers) against every id stored",
            f"{check['requests']:.0f} (floor {math.ceil((size + 500) / IDS_PER_PAGE)})",
            f"{check['data_reads']:.0f} data files read, {check['data_writes']:.0f} written",
            f"{check['cpu']:.1f} s ({check['seconds']:.1f} s wall)",
            f"+{check['peak_mb']:.0f} MB",
        )
    )
    for name, _ in OUTPUTS:
        if name in runs:
            run = runs[name]
            out.append(
                (
                    f"{size:,}",
                    f"harvest {name}",
                    "",
                    f"{run['out_bytes'] / mb:,.0f} MB written",
                    f"{run['cpu']:.1f} s ({run['seconds']:.1f} s wall)",
                    f"+{run['peak_mb']:.0f} MB",
                )
            )
    return out


def extrapolated(results: dict[int, tuple[Figures, dict[str, float]]]) -> list[str]:
    """The largest size's figures carried to all of arXiv: requests at the floor, hours
    at 3 s, disk by bytes a paper, CPU by CPU a page; memory as measured (bounded)."""
    size = max(results)
    runs, facts = results[size]
    first = runs["first"]
    pages = math.ceil(ARCHIVE / RECORDS_PER_PAGE)
    per_paper = facts["final"] / size
    cpu_page = first["cpu"] / first["requests"]
    lines = [
        f"- Requests: {pages:,} pages of {RECORDS_PER_PAGE:,} for {ARCHIVE:,} records; at 3 s "
        f"a request, {pages * 3 / 3600:.1f} h of arXiv's pacing.",
        f"- CPU: {cpu_page:.2f} s a page at {size:,} papers, so about "
        f"{cpu_page * pages / 3600:.1f} h for the whole archive, under the "
        f"{pages * 3 / 3600:.1f} h arXiv's pacing takes: the harvest waits for arXiv.",
        f"- Disk: {per_paper:,.0f} bytes a paper, so about {per_paper * ARCHIVE / 1e9:.1f} GB of "
        f"JSON, and {first['written'] / facts['final'] * per_paper * ARCHIVE / 1e9:.1f} GB "
        "written by the first harvest.",
        f"- Memory: the first harvest's peak was +{first['peak_mb']:.0f} MB at {size:,} papers "
        "(a month's bucket and the file merged into, whatever the archive's size).",
    ]
    check = runs["verify"]
    id_pages = math.ceil(ARCHIVE / IDS_PER_PAGE)
    lines.append(
        f"- `harvest verify`: {id_pages:,} pages of {IDS_PER_PAGE:,} ids ({id_pages * 3 / 60:.0f} "
        f"min at 3 s); CPU {check['cpu']:.0f} s at {size:,}, about "
        f"{check['cpu'] * ARCHIVE / size / 60:.0f} min at {ARCHIVE:,}; +{check['peak_mb']:.0f} MB "
        f"at {size:,} (the ids held, 8 bytes each: {8 * ARCHIVE / 1e6:.0f} MB for the whole "
        "archive, and one file read at a time)."
    )
    for name, _ in OUTPUTS:
        if name in runs:
            run = runs[name]
            lines.append(
                f"- `harvest {name}`: +{run['peak_mb']:.0f} MB, {run['seconds']:.0f} s at "
                f"{size:,}; about {run['seconds'] * ARCHIVE / size / 60:.0f} min at "
                f"{ARCHIVE:,} (time linear in the papers)."
            )
    return lines


def section(results: dict[int, tuple[Figures, dict[str, float]]], command: str) -> str:
    head = ("papers", "run", "requests", "bytes", "CPU", "peak memory added")
    lines = ["| " + " | ".join(head) + " |", "|---:|---|---|---|---|---|"]
    for size, (runs, facts) in sorted(results.items()):
        lines += ["| " + " | ".join(row) + " |" for row in rows_of(size, runs, facts)]
    return (
        "## All of arXiv as one topic\n\n"
        f"`{command}` on {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC: Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}; the "
        "synthetic arXiv of the tests' OAI-PMH stand-in, 2,500-record pages, `--delay 0`.\n\n"
        + "\n".join(lines)
        + "\n\nCarried to all of arXiv:\n\n"
        + "\n".join(extrapolated(results))
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--sizes", help="comma-separated sizes (default 60000,300000,1000000)")
    parser.add_argument("--no-outputs", action="store_true", help="harvests only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2:])
        return
    args = parser.parse_args()
    sizes = [3_000] if args.quick else [60_000, 300_000, 1_000_000]
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
            results[size] = bench_size(size, Path(tmp), outputs=not args.no_outputs)
        print(f"{size:,} papers done", file=sys.stderr, flush=True)
    command = "python bench/archive.py" + (" --quick" if args.quick else "")
    if args.sizes:
        command += f" --sizes {args.sizes}"
    text = section(results, command)
    print(text)
    old = args.out.read_text() if args.out.exists() else "# Benchmark results\n"
    start = old.find("\n## All of arXiv as one topic\n")
    if start >= 0:  # replace this script's section, keep the others
        end = old.find("\n## ", start + 1)
        old = old[:start] + (old[end:] if end >= 0 else "\n")
    args.out.write_text(old.rstrip("\n") + "\n\n" + text)


if __name__ == "__main__":
    main()
