"""The flags of `harvest [flags]` (DESIGN.md, "Command line") and their argparse types."""

from __future__ import annotations

import argparse
import math
import os
from datetime import date
from pathlib import Path

import httpx

from harvester import __version__
from harvester.client import (
    DEFAULT_API_URL,
    DEFAULT_PAGE_SIZE,
    DEFAULT_REQUEST_DEADLINE_SECONDS,
    MAX_PAGE_SIZE,
)
from harvester.pacer import DEFAULT_DELAY_SECONDS

TOOLS_EPILOG = """\
tools around the data (each has --help):
  harvest export [--out DIR]     papers_database.json, Markdown and BibTeX per topic
  harvest import FILE            merge an existing papers_database.json into data/
  harvest stats [--topic NAME]   papers per topic and year, newest paper, harvest state
  harvest check                  validate queries.toml and every data and state file
  harvest plan                   per topic: its size and what harvesting it costs
  harvest commit --report FILE   commit data/ if it changed, with a summary message
  harvest summary FILE           a run report as a Markdown table
  harvest job                    the scheduled job: harvest, commit, push, retry a race
  harvest keepalive              keep the scheduled workflow enabled (GitHub Actions)
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
        type=api_url,
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
        type=page_size,
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
        "--timeout",
        type=positive,
        default=DEFAULT_REQUEST_DEADLINE_SECONDS,
        metavar="SECONDS",
        help="the most one request may take, connecting and the whole response "
        f"(default: {DEFAULT_REQUEST_DEADLINE_SECONDS:g}); a slower one is retried",
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


def api_url(text: str) -> str:
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


def positive(text: str) -> float:
    """An argparse type: a finite number of seconds, more than 0."""
    value = non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text}")
    return value


def page_size(text: str) -> int:
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
