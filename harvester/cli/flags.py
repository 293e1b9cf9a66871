"""The flags of `harvest` and its tools, each declared once, and their argparse types."""

from __future__ import annotations

import argparse
import math
import os
import stat
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import NoReturn, TypeVar, overload

import httpx

from harvester import __version__
from harvester.arxiv.client import (
    DEFAULT_API_URL,
    DEFAULT_PAGE_SIZE,
    DEFAULT_REQUEST_DEADLINE_SECONDS,
    MAX_PAGE_SIZE,
)
from harvester.errors import StoreError, UsageError, one_line
from harvester.net.pacer import DEFAULT_DELAY_SECONDS
from harvester.oai.client import DEFAULT_OAI_URL

# An hour between requests is slower than any use of arXiv needs; past what a sleep takes
# (1e300 s), the pacer would fail with an OverflowError.
MAX_DELAY_SECONDS = 3600.0


class Parser(argparse.ArgumentParser):
    """The parser of `harvest` and of every tool: an argument error is one line, with a
    pointer to the help, and exit code 2.

    argparse prints its usage block (five lines for `harvest`) before the error; an error
    is one line everywhere else, so the block is left to `--help`.
    """

    def error(self, message: str) -> NoReturn:
        """Print `PROG: error: MESSAGE (see PROG --help)` to stderr and exit with 2."""
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


_N = TypeVar("_N")


class DataParser(Parser):
    """The parser of a tool that reads the database (`stats`, `check`, `export`, `search`,
    `site`, `verify`): it refuses a `--data-dir` that does not exist, as an argument error.

    Read, a missing directory is a database of empty topics (`stats` said "0 papers" of
    each, exit 0): a typo shown as a fact. A harvest creates the directory, and `import`
    (which writes), `plan` (which asks only whether a topic's file exists yet, before a
    first harvest) and `job` (which harvests) take one that does not exist yet.
    """

    @overload
    def parse_args(
        self, args: Iterable[str] | None = None, namespace: None = None
    ) -> argparse.Namespace: ...
    @overload
    def parse_args(self, args: Iterable[str] | None, namespace: _N) -> _N: ...
    @overload
    def parse_args(self, *, namespace: _N) -> _N: ...
    def parse_args(
        self, args: Iterable[str] | None = None, namespace: _N | None = None
    ) -> _N | argparse.Namespace:
        """Parse as argparse does, then refuse a data directory that is not there."""
        parsed = super().parse_args(args, namespace)
        values = vars(parsed)
        data_dir: Path = values["data_dir"]
        # `search --db FILE` reads that exported papers.db instead of the data directory.
        # Only nothing there is refused here: a link (in a loop, say) or a file gets the
        # one line of whatever reads it.
        if values.get("db") is None and not (data_dir.is_symlink() or data_dir.exists()):
            self.error(
                f"no data directory {data_dir}; a harvest creates it, "
                "or --data-dir DIR names another"
            )
        return parsed


def shared(
    *, paths: bool = True, topic: str | None = None, lock: bool = False, arxiv: bool = False
) -> argparse.ArgumentParser:
    """A parent parser with the flags commands share, each declared once here.

    Every command gets `-v`; `paths` adds `--config` and `--data-dir`, `topic` (its
    help text) `--topic`, `lock` `--lock-timeout`, `arxiv` `--api-url`, `--oai-url`, `--delay` and
    `--page-size`.
    """
    parser = Parser(add_help=False)
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress (-v) or every request (-vv); show tracebacks",
    )
    if paths:
        _add_paths(parser)
    if topic is not None:
        parser.add_argument("--topic", action="append", metavar="NAME", help=topic)
    if lock:
        parser.add_argument(
            "--lock-timeout",
            type=non_negative,
            default=600.0,
            metavar="SECONDS",
            help="how long to wait for another harvest on the same data directory",
        )
    if arxiv:
        _add_arxiv(parser)
    return parser


def _add_paths(parser: argparse.ArgumentParser) -> None:
    """`--config` and `--data-dir`."""
    parser.add_argument(
        "--config",
        type=a_path,
        default=Path("queries.toml"),
        metavar="PATH",
        help="the topics file (default: queries.toml)",
    )
    parser.add_argument(
        "--data-dir",
        type=a_path,
        default=Path("data"),
        metavar="DIR",
        help="where <topic>.json files live (default: data)",
    )


def _add_arxiv(parser: argparse.ArgumentParser) -> None:
    """`--api-url`, `--oai-url`, `--delay` and `--page-size`."""
    add = parser.add_argument
    api = os.environ.get("ARXIV_API_URL") or DEFAULT_API_URL
    add(
        "--api-url",
        type=api_url,
        default=api,
        metavar="URL",
        help="the arXiv query endpoint (env ARXIV_API_URL)",
    )
    add(
        "--oai-url",
        type=api_url,
        default=os.environ.get("ARXIV_OAI_URL") or DEFAULT_OAI_URL,
        metavar="URL",
        help="the arXiv OAI-PMH endpoint, for the change feed and set topics (env ARXIV_OAI_URL)",
    )
    add(
        "--delay",
        type=delay,
        default=DEFAULT_DELAY_SECONDS,
        metavar="SECONDS",
        help="minimum seconds between request starts (default: 3, arXiv's terms)",
    )
    add(
        "--page-size",
        type=page_size,
        default=DEFAULT_PAGE_SIZE,
        metavar="N",
        help=f"the most results per request, 1-{MAX_PAGE_SIZE} (default: {DEFAULT_PAGE_SIZE})",
    )


def build_parser(epilog: str, tools: Iterable[str]) -> argparse.ArgumentParser:
    """The command line of `harvest [flags]` (DESIGN.md, "Command line"); its usage names
    the `tools` too (`harvest {export,search,...} ...`), whose own flags each one's
    --help lists."""
    parser = Parser(
        prog="harvest",
        usage=f"%(prog)s [flags]\n       %(prog)s {{{','.join(tools)}}} [flags]",
        description="Fetch arXiv papers for the topics in queries.toml into data/<topic>.json.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[
            shared(
                topic="harvest only this topic (repeatable; default: all)", lock=True, arxiv=True
            )
        ],
    )
    _add_run(parser)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _add_run(parser: argparse.ArgumentParser) -> None:
    """The flags of a harvest run alone."""
    add = parser.add_argument
    add(
        "--timeout",
        type=positive,
        default=DEFAULT_REQUEST_DEADLINE_SECONDS,
        metavar="SECONDS",
        help="the most one request may take, connecting and the whole response "
        f"(default: {DEFAULT_REQUEST_DEADLINE_SECONDS:g}); a slower one is retried",
    )
    add(
        "--full",
        action="store_true",
        help="harvest each topic's whole range again, not just what changed",
    )
    add(
        "--since",
        type=_date,
        metavar="YYYY-MM-DD",
        help="fetch papers first submitted from this date on, this run only",
    )
    add("--dry-run", action="store_true", help="fetch and report, write nothing")
    add(
        "--verify",
        action="store_true",
        help="then compare each topic with what arXiv lists and fetch what is missing "
        "(as harvest verify --repair)",
    )
    add(
        "--fail-on-stale",
        action="store_true",
        help="exit 1 when a topic went silent for longer than its history makes plausible",
    )
    _add_run_output(parser)


def _add_run_output(parser: argparse.ArgumentParser) -> None:
    """The flags of what a harvest run says."""
    add = parser.add_argument
    add(
        "--report",
        type=Path,
        metavar="PATH",
        help="also write what the run did as JSON, for scripts and CI",
    )
    add(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing unless something changed or failed",
    )


def a_path(text: str) -> Path:
    """An argparse type: a path, never the empty string (which would mean `.`)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path")
    return Path(text)


def a_text(text: str) -> str:
    """An argparse type: text, refusing bytes that are not UTF-8.

    Python hands such bytes of a command line over as lone surrogates (`\\udcff`),
    which no file, database or terminal can take: refused here, once, rather than a
    traceback wherever the text goes next.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(f"not UTF-8 text: {text!r}") from None
    return text


def a_directory(text: str) -> Path:
    """An argparse type: a directory that exists."""
    path = a_path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"not a directory: {text}")
    return path


def api_url(text: str) -> str:
    """An argparse type: an http(s) URL."""
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


def delay(text: str) -> float:
    """An argparse type: seconds between request starts, 0 to `MAX_DELAY_SECONDS`."""
    value = non_negative(text)
    if value > MAX_DELAY_SECONDS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_DELAY_SECONDS:g}: {text}")
    return value


def positive(text: str) -> float:
    """An argparse type: a finite number of seconds, more than 0."""
    value = non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text}")
    return value


def page_size(text: str) -> int:
    """An argparse type: results per request, 1 to `MAX_PAGE_SIZE`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_PAGE_SIZE}: {text}")
    return value


def whole_positive(text: str) -> int:
    """An argparse type: a whole number, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more: {text}")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2022-01-01: {text!r}") from None


def check_report_path(path: Path, *, data_dir: Path, config: Path) -> None:
    """Refuse a `--report` target that is a file of the database or the topics file, or
    exists and is not a regular file.

    A report in the data directory would replace a topic or state file and be committed
    with the data; a FIFO would block the run at its end; a device would be replaced.

    Raises:
        UsageError: the path is not one a report may be written to.
    """
    target = _resolved(path, "--report")
    if target.is_relative_to(_data(data_dir)) or target == _resolved(config, "--config"):
        raise UsageError(
            f"--report {path} is inside the data directory or the topics file; put it elsewhere"
        )
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"--report {path}: cannot use: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise UsageError(f"--report {path}: not a regular file; give a file path")


def check_out_dir(path: Path, *, data_dir: Path, subdirs: Iterable[str] = ()) -> None:
    """Refuse an output directory that is, or is inside, the data directory, or whose
    `subdirs` (a topic's pages, `parquet/`) would be: an export there would replace topic
    files (a topic named `papers_database`) and be committed with the data, as a
    `--report` there would (`check_report_path`).

    Raises:
        UsageError: the path, or one of its subdirectories, is the data directory or
            inside it.
    """
    data = _data(data_dir)
    if _resolved(path, "--out").is_relative_to(data):
        raise UsageError(f"--out {path} is inside the data directory {data_dir}; put it elsewhere")
    for sub in subdirs:
        if _resolved(path / sub, "--out").is_relative_to(data):
            raise UsageError(
                f"--out {path} would put its {sub}/ in the data directory {data_dir}; "
                "put it elsewhere"
            )


def tool_parser(
    command: str,
    summary: str,
    *,
    paths: bool = True,
    topic: str | None = None,
    lock: bool = False,
    reads: bool = False,
) -> argparse.ArgumentParser:
    """A tool's parser: its one-line summary as description, the shared flags asked for;
    if it `reads` the database, one that refuses a data directory that is not there."""
    flags = shared(paths=paths, topic=topic, lock=lock)
    kind = DataParser if reads else Parser
    return kind(prog=f"harvest {command}", description=summary, parents=[flags])


def _resolved(path: Path, flag: str) -> Path:
    """`path` with its links followed.

    Raises:
        UsageError: its links go round in a loop (or it cannot be looked at).
    """
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python 3.11's `Symlink loop from ...`
        raise UsageError(f"{flag} {path}: symbolic links in a loop; give a real path") from None


def _data(data_dir: Path) -> Path:
    """The data directory with its links followed.

    Raises:
        StoreError: its links go round in a loop: a data directory that is not one.
    """
    try:
        return data_dir.resolve()
    except (RuntimeError, OSError):
        raise StoreError(data_dir, "symbolic links in a loop; not a data directory") from None
