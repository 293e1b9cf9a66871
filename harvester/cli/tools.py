"""The tools around the data: `harvest export|search|site|import|stats|check|plan|init|
commit|summary|job|keepalive`, each registered once in `TOOLS` with its one-line summary."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from harvester.cli import job as job_command
from harvester.cli import outputs
from harvester.cli import plan as plan_command
from harvester.cli import verify as verify_command
from harvester.cli.flags import a_directory, a_path, positive, tool_parser
from harvester.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    error,
    handle_errors,
    out,
    setup_logging,
)
from harvester.config import Config, load_config
from harvester.config_words import closest
from harvester.db import lock
from harvester.db.counts import plural
from harvester.errors import StoreError, one_line
from harvester.job import keepalive, publish, report, requirement, scaffold
from harvester.net.pacer import Sleep
from harvester.outputs import audit, migrate


def _parser(
    command: str,
    *,
    paths: bool = True,
    topic: str | None = None,
    lock: bool = False,
    reads: bool = False,
) -> argparse.ArgumentParser:
    """A tool's parser: its summary from `TOOLS` as description, the shared flags asked for
    (`reads`: it reads the database, see `flags.DataParser`)."""
    return tool_parser(
        command, TOOLS[command].summary, paths=paths, topic=topic, lock=lock, reads=reads
    )


def _import(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("import", topic="import only this topic (repeatable)", lock=True)
    parser.add_argument("file", type=Path, help="the papers_database.json to import")
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        config = load_config(args.config)
        only = [t.name for t in config.select(args.topic)] if args.topic else None
        with lock.locked(args.data_dir, timeout_seconds=args.lock_timeout):
            merges = migrate.import_database(args.file, config, args.data_dir, only=only)
        for name, merged in merges.items():
            counts = merged.counts
            kept = counts.unchanged + counts.revised
            out(
                f"{name}: {counts.new} new, {counts.updated} updated, "
                f"{kept} already stored, {merged.total} total"
            )
        out(f"Imported {plural(len(merges), 'topic')} from {args.file}")
    return EXIT_OK


def _stats(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("stats", topic="show only this topic (repeatable)", reads=True)
    args = parser.parse_args(argv)
    code = EXIT_OK
    with handle_errors(verbose=args.verbose):
        config = load_config(args.config)
        only = Config(path=config.path, topics={t.name: t for t in config.select(args.topic)})
        for s in audit.stats(only, args.data_dir, now=datetime.now(UTC)):
            if isinstance(s, StoreError):  # the healthy topics are still shown
                error(str(s), s, verbose=args.verbose)
                code = EXIT_FAILED
                continue
            years = ", ".join(f"{year}: {n}" for year, n in s.per_year.items()) or "none"
            newest = f"{s.newest.arxiv_id} ({s.newest.published})" if s.newest else "none"
            changed = f"{s.file_changed:%Y-%m-%d %H:%M} UTC" if s.file_changed else "never"
            stale = f"; STALE: {s.silence.describe()}" if s.silence.stale else ""
            out(
                f"{s.topic}: {s.papers} papers ({years}); newest {newest}; "
                f"harvest {s.harvest}; file changed {changed}{stale}"
            )
    return code


def _check(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("check", reads=True)
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        counts, problems = audit.check(args.config, args.data_dir)
        for problem in problems:
            error(str(problem), problem, verbose=args.verbose)
        files = plural(len(counts), "file")
        if problems:
            valid = plural(len(problems), "problem")
            out(f"{files} valid ({sum(counts.values())} records); {valid}")
        else:
            out(f"{files}, {sum(counts.values())} records: all valid")
    return EXIT_FAILED if problems else EXIT_OK


def _init(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("init", paths=False)
    parser.add_argument(
        "directory", nargs="?", type=a_path, default=Path(), metavar="DIR", help="default: ."
    )
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        written = scaffold.init(args.directory, requirement=requirement.of_this_harvester())
        for path in written:
            out(f"wrote {one_line(str(path))}")
        out(
            f"Initialised {one_line(str(args.directory))}: {plural(len(written), 'file')}; "
            f"next: edit queries.toml, then harvest plan"
        )
    return EXIT_OK


def _commit(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("commit")
    parser.add_argument(
        "--report", type=Path, metavar="FILE", help="the run's --report, for the commit message"
    )
    parser.add_argument(
        "--repo",
        type=a_directory,
        default=Path(),
        metavar="DIR",
        help="the git work tree (default: .)",
    )
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        message = report.load(args.report).commit_message() if args.report else "data: refresh"
        if publish.commit_data(args.repo, args.data_dir, message):
            out(message.splitlines()[0])  # the subject; the body lists the papers
        else:
            out("nothing to commit")
    return EXIT_OK


def _summary(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("summary", paths=False)
    parser.add_argument("file", type=Path, help="the run's --report")
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        out(report.load(args.file).markdown().rstrip("\n"))
    return EXIT_OK


def _keepalive(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("keepalive", paths=False)
    parser.add_argument(
        "--workflow", metavar="FILE", help="the workflow file (default: the running one)"
    )
    parser.add_argument(
        "--timeout",
        type=positive,
        default=keepalive.DEFAULT_DEADLINE_SECONDS,
        metavar="SECONDS",
        help="the most the request may take, connecting and the whole answer "
        f"(default: {keepalive.DEFAULT_DEADLINE_SECONDS:g})",
    )
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        request = keepalive.enable_request(os.environ, workflow=args.workflow)
        keepalive.enable(request, deadline_seconds=args.timeout)
        out(f"keepalive: workflow enabled ({request.url})")
    return EXIT_OK


class Tool(NamedTuple):
    """A tool around the data: how to run it, and what it does in one line."""

    run: Callable[[Sequence[str], Sleep], int]
    usage: str
    summary: str


TOOLS: dict[str, Tool] = {
    "export": Tool(outputs.export, "export [--format F]", outputs.SUMMARIES["export"]),
    "search": Tool(outputs.search, "search TEXT", outputs.SUMMARIES["search"]),
    "site": Tool(outputs.site, "site [--out DIR]", outputs.SUMMARIES["site"]),
    "import": Tool(
        _import, "import FILE", "Merge an existing papers_database.json into data/<topic>.json."
    ),
    "stats": Tool(
        _stats,
        "stats [--topic NAME]",
        "Papers per topic and year, the newest paper, the harvest state.",
    ),
    "check": Tool(_check, "check", "Validate queries.toml and every data and state file."),
    "plan": Tool(
        plan_command.main,
        "plan [--json]",
        "Per topic: its size and what harvesting it costs, asked of arXiv.",
    ),
    "verify": Tool(
        verify_command.main,
        "verify [--repair]",
        "Compare each topic with what arXiv lists, month by month; fetch what is missing.",
    ),
    "init": Tool(
        _init,
        "init [DIR]",
        "A new database repository: queries.toml, the workflow, README, .gitignore.",
    ),
    "commit": Tool(
        _commit,
        "commit --report FILE",
        "Commit the data directory if it changed, saying what changed.",
    ),
    "summary": Tool(_summary, "summary FILE", "Print a run report as Markdown."),
    "job": Tool(
        job_command.main,
        "job [-- FLAGS]",
        "The scheduled job: harvest, commit, push; on a race, again.",
    ),
    "keepalive": Tool(
        _keepalive,
        "keepalive",
        "Re-enable this GitHub Actions workflow, so "
        "that 60 days without a commit do not disable its schedule.",
    ),
}


def unknown(name: str) -> str:
    """The error for a first argument that is neither a flag nor a tool: the tool it is
    most likely a typo of, or else the tools (the harvest itself takes only flags)."""
    close = closest(name, TOOLS)
    hint = f' (did you mean "{close}"?)' if close else f"; the tools: {', '.join(TOOLS)}"
    return f"unknown tool {name!r}{hint}"


def epilog() -> str:
    """The tools, one line each, for `harvest --help`."""
    lines = [f"  harvest {tool.usage:<24} {tool.summary}" for tool in TOOLS.values()]
    return "\n".join(["tools around the data (each has --help):", *lines]) + "\n"


def main(command: str, argv: Sequence[str], *, sleep: Sleep) -> int:
    """Run one tool; returns its exit code."""
    setup_logging(0, quiet=False)
    return TOOLS[command].run(argv, sleep)
