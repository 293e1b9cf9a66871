"""`harvest [flags]`: harvest the topics, one line per topic, a summary line at the end."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

from harvester import __version__, lock, stale, store
from harvester.cli import EXIT_FAILED, EXIT_OK, error, handle_errors, out, setup_logging
from harvester.cli.progress import Progress
from harvester.client import DEFAULT_API_URL, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ArxivClient
from harvester.config import Config, Topic, closest, load_config
from harvester.errors import HarvestError, UsageError
from harvester.harvest import TopicFailed, TopicResult, harvest_topic
from harvester.pacer import DEFAULT_DELAY_SECONDS, Clock, Pacer, Sleep
from harvester.report import Report, TopicReport

TOOLS_EPILOG = """\
tools around the data (each has --help):
  harvest export [--out DIR]     papers_database.json, Markdown and BibTeX per topic
  harvest import FILE            merge an existing papers_database.json into data/
  harvest stats [--topic NAME]   papers per topic and year, newest paper, harvest state
  harvest check                  validate queries.toml and every data and state file
  harvest plan                   per topic: its size and what harvesting it costs
  harvest commit --report FILE   commit data/ if it changed, with a summary message
  harvest summary FILE           a run report as a Markdown table
"""


def build_parser() -> argparse.ArgumentParser:
    """The command line of DESIGN.md, "Command line"."""
    parser = argparse.ArgumentParser(
        prog="harvest",
        description="Fetch arXiv papers for the topics in queries.toml into data/<topic>.json.",
        epilog=TOOLS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--topic",
        action="append",
        metavar="NAME",
        help="harvest only this topic (repeatable; default: all)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("queries.toml"),
        metavar="PATH",
        help="the topics file (default: queries.toml)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data"),
        metavar="DIR",
        help="where <topic>.json files live (default: data)",
    )
    parser.add_argument(
        "--api-url",
        type=_api_url,
        default=os.environ.get("ARXIV_API_URL") or DEFAULT_API_URL,
        metavar="URL",
        help="the arXiv query endpoint (env ARXIV_API_URL)",
    )
    parser.add_argument(
        "--delay",
        type=non_negative,
        default=DEFAULT_DELAY_SECONDS,
        metavar="SECONDS",
        help="minimum seconds between request starts (default: 3, arXiv's terms)",
    )
    parser.add_argument(
        "--page-size",
        type=_page_size,
        default=DEFAULT_PAGE_SIZE,
        metavar="N",
        help=f"results per request, 1-{MAX_PAGE_SIZE} (default: {DEFAULT_PAGE_SIZE})",
    )
    parser.add_argument(
        "--lock-timeout",
        type=non_negative,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for another harvest on the same data directory",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="harvest each topic's whole range again, not just what changed",
    )
    parser.add_argument(
        "--since",
        type=_date,
        metavar="YYYY-MM-DD",
        help="fetch papers first submitted from this date on, this run only",
    )
    parser.add_argument("--dry-run", action="store_true", help="fetch and report, write nothing")
    parser.add_argument(
        "--fail-on-stale",
        action="store_true",
        help="exit 1 when a topic went silent for longer than its history makes plausible",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="PATH",
        help="also write what the run did as JSON, for scripts and CI",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing unless something changed or failed",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress (-v) or every request (-vv); show tracebacks",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: Sequence[str], *, sleep: Sleep, clock: Clock) -> int:
    """Harvest the requested topics; returns the exit code."""
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose, quiet=args.quiet)
    with handle_errors(verbose=args.verbose):
        config = load_config(args.config)
        topics = select(config, args.topic)
        return _run(args, topics, sleep=sleep, clock=clock)


def _run(args: argparse.Namespace, topics: list[Topic], *, sleep: Sleep, clock: Clock) -> int:
    started, started_at = time.monotonic(), datetime.now(UTC)
    results: list[TopicResult] = []
    reports: dict[str, TopicReport] = {}
    pacer = Pacer(delay_seconds=args.delay, clock=clock, sleep=sleep)
    progress = Progress(
        sys.stderr, live=sys.stderr.isatty() and not args.quiet, page_size=args.page_size
    )
    holding = (
        nullcontext()
        if args.dry_run
        else lock.locked(args.data_dir, timeout_seconds=args.lock_timeout)
    )
    client = ArxivClient(
        api_url=args.api_url,
        pacer=pacer,
        page_size=args.page_size,
        sleep=sleep,
        on_page=progress.page,
    )
    with client, holding:
        for topic in topics:
            requests_before = client.requests
            progress.start(topic.name)
            try:
                result = harvest_topic(
                    topic,
                    client=client,
                    data_dir=args.data_dir,
                    dry_run=args.dry_run,
                    full=args.full,
                    since=args.since,
                )
            except HarvestError as exc:
                progress.finish()
                spent = client.requests - requests_before
                # Finished windows of a failed first harvest stay written: report them.
                partial = exc.result if isinstance(exc, TopicFailed) else None
                reports[topic.name] = _report(partial, error=str(exc), requests=spent)
                error(f"{topic.name}: {exc}", exc, verbose=args.verbose)
                written = (
                    f" ({partial.new} new papers written)" if partial and partial.written else ""
                )
                out(f"{topic.name}: failed after {_n(spent, 'request')}{written}")
                continue
            progress.finish()
            results.append(result)
            silence = stale.of_topic(topic, args.data_dir, now=started_at)
            reports[topic.name] = _report(result).with_silence(silence)
            if not args.quiet or _changed(result):
                out(_topic_line(result, dry_run=args.dry_run))
            if silence.stale:  # shown under -q too: a silent query is what cron should mail
                print(f"WARNING {topic.name}: {silence.describe()}: check the query",
                      file=sys.stderr, flush=True)  # fmt: skip
        requests = client.requests
    failed = [name for name, report in reports.items() if report.error]
    seconds = time.monotonic() - started
    if not args.quiet or failed or any(map(_changed, results)):
        out(_summary(results, failed, requests, seconds))
    silent = args.fail_on_stale and any(report.stale for report in reports.values())
    code = EXIT_FAILED if failed or silent else EXIT_OK
    if args.report:
        report = Report(started=started_at, seconds=seconds, exit_code=code, topics=reports)
        store.write(args.report, report.dumps())
    return code


def _report(
    result: TopicResult | None, *, error: str | None = None, requests: int = 0
) -> TopicReport:
    if result is None:
        return TopicReport(requests=requests, error=error)
    return TopicReport(
        mode=result.mode, new=result.new, updated=result.updated, revised=result.revised,
        unchanged=result.unchanged, total=result.total, requests=result.requests,
        written=result.written, error=error, changes=result.changes,
    )  # fmt: skip


def select(config: Config, names: list[str] | None) -> list[Topic]:
    """The topics named on the command line (all when none), in config order.

    Raises:
        UsageError: a name is not a topic of the config.
    """
    if not names:
        return list(config.topics.values())
    unknown = [name for name in names if name not in config.topics]
    if unknown:
        named = ", ".join(
            repr(n) + (f' (did you mean "{c}"?)' if (c := closest(n, config.topics)) else "")
            for n in unknown
        )
        raise UsageError(
            f"unknown topic {named} in {config.path}; known topics: {', '.join(config.topics)}"
        )
    return [config.topics[name] for name in dict.fromkeys(names)]


def _topic_line(result: TopicResult, *, dry_run: bool) -> str:
    counts = [f"{result.new} new", f"{result.updated} updated"]
    if result.revised:
        counts.append(f"{result.revised} revised")
    counts += [f"{result.unchanged} unchanged", f"{result.total} total"]
    file = "dry run, not written" if dry_run else "written" if result.written else "file unchanged"
    return (
        f"{result.topic}: {', '.join(counts)}; {_n(result.requests, 'request')} in "
        f"{result.seconds:.1f} s ({result.mode}, {file})"
    )


def _summary(results: list[TopicResult], failed: list[str], requests: int, seconds: float) -> str:
    done = len(results)
    new = sum(r.new for r in results)
    updated = sum(r.updated for r in results)
    unchanged = sum(r.unchanged for r in results)
    head = (
        f"Harvested {_n(done, 'topic')}"
        if not failed
        else (
            f"Harvested {done} of {_n(done + len(failed), 'topic')} (failed: {', '.join(failed)})"
        )
    )
    counts = f"{new} new, {updated} updated, {unchanged} unchanged"
    return f"{head}: {counts}; {_n(requests, 'request')} in {seconds:.1f} s"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _changed(result: TopicResult) -> bool:
    return bool(result.new or result.updated or result.revised or result.written)


def _api_url(text: str) -> str:
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise argparse.ArgumentTypeError(f"not a URL: {text!r} ({exc})") from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text


def non_negative(text: str) -> float:
    """An argparse type: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number, 0 or more: {text}")
    return value


def _page_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_PAGE_SIZE}: {text}")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2022-01-01: {text!r}") from None
