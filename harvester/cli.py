"""The `harvest` command: flags in, one line per topic out, errors mapped to exit codes.

Exit codes (DESIGN.md): 0 every requested topic harvested; 1 at least one topic
failed (the others were still written); 2 usage or config error (nothing fetched).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path

import httpx

from harvester import __version__, store
from harvester.client import DEFAULT_API_URL, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ArxivClient
from harvester.config import Config, Topic, load_config
from harvester.errors import ConfigError, HarvestError, UsageError
from harvester.harvest import TopicResult, harvest_topic
from harvester.pacer import DEFAULT_DELAY_SECONDS, Clock, Pacer, Sleep

logger = logging.getLogger("harvester")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    """The command line of DESIGN.md, "Command line"."""
    parser = argparse.ArgumentParser(
        prog="harvest",
        description="Fetch arXiv papers for the topics in queries.toml into data/<topic>.json.",
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
        type=_non_negative,
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
        type=_non_negative,
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


def main(argv: Sequence[str], *, sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> int:
    """Run `harvest` with these arguments and return its exit code.

    Args:
        argv: the arguments, without the program name.
        sleep: how to wait, for pacing and retries (tests inject a recorder).
        clock: the monotonic clock the pacer reads (tests inject a fake one).
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error or the help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    _setup_logging(args.verbose, quiet=args.quiet)
    try:
        with _handle_errors(verbose=args.verbose):
            config = load_config(args.config)
            topics = _select(config, args.topic)
            return _run(args, topics, sleep=sleep, clock=clock)
    except _Exit as exit_:
        return exit_.code


def entrypoint() -> None:
    """The console script `harvest`."""
    sys.exit(main(sys.argv[1:]))


@contextmanager
def _handle_errors(*, verbose: int) -> Iterator[None]:
    try:
        yield
    except (UsageError, ConfigError) as exc:
        _error(str(exc), exc, verbose=verbose)
        raise _Exit(EXIT_USAGE) from None
    except HarvestError as exc:
        _error(str(exc), exc, verbose=verbose)
        raise _Exit(EXIT_FAILED) from None


def _run(args: argparse.Namespace, topics: list[Topic], *, sleep: Sleep, clock: Clock) -> int:
    started = time.monotonic()
    results: list[TopicResult] = []
    failed: list[str] = []
    pacer = Pacer(delay_seconds=args.delay, clock=clock, sleep=sleep)
    lock = (
        nullcontext()
        if args.dry_run
        else store.locked(args.data_dir, timeout_seconds=args.lock_timeout)
    )
    client = ArxivClient(api_url=args.api_url, pacer=pacer, page_size=args.page_size, sleep=sleep)
    with client, lock:
        for topic in topics:
            requests_before = client.requests
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
                failed.append(topic.name)
                _error(f"{topic.name}: {exc}", exc, verbose=args.verbose)
                spent = _n(client.requests - requests_before, "request")
                _out(f"{topic.name}: failed after {spent}")
                continue
            results.append(result)
            if not args.quiet or _changed(result):
                _out(_topic_line(result, dry_run=args.dry_run))
        requests = client.requests
    if not args.quiet or failed or any(map(_changed, results)):
        _out(_summary(results, failed, requests, time.monotonic() - started))
    return EXIT_FAILED if failed else EXIT_OK


def _select(config: Config, names: list[str] | None) -> list[Topic]:
    if not names:
        return list(config.topics.values())
    unknown = [name for name in names if name not in config.topics]
    if unknown:
        raise UsageError(
            f"unknown topic {', '.join(repr(n) for n in unknown)} in {config.path}; "
            f"known topics: {', '.join(config.topics)}"
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


def _out(line: str) -> None:
    print(line, flush=True)


def _error(message: str, exc: BaseException, *, verbose: int) -> None:
    if verbose:
        logger.error("traceback of the error below", exc_info=exc)
    print(f"ERROR {message}", file=sys.stderr, flush=True)


def _setup_logging(verbose: int, *, quiet: bool) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger("harvester")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2022-01-01: {text!r}") from None


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


def _non_negative(text: str) -> float:
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
