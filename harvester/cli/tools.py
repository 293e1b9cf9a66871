"""The tools around the data: `harvest export|import|stats|check|commit|summary|plan|job|
keepalive`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from harvester import audit, export, keepalive, lock, migrate, publish, report
from harvester.cli import EXIT_FAILED, EXIT_OK, error, handle_errors, out, setup_logging
from harvester.cli import job as job_command
from harvester.cli.plan import plan_command
from harvester.cli.run import non_negative, select
from harvester.config import Config, load_config
from harvester.counts import plural
from harvester.errors import StoreError


def _parser(command: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"harvest {command}", description=description)
    parser.add_argument("-v", "--verbose", action="count", default=0, help="show tracebacks")
    return parser


def _config_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("queries.toml"), metavar="PATH",
                        help="the topics file (default: queries.toml)")  # fmt: skip
    _data_flag(parser)


def _data_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=Path("data"), metavar="DIR",
                        help="where <topic>.json files live (default: data)")  # fmt: skip


def _topic_flag(parser: argparse.ArgumentParser, help_: str) -> None:
    parser.add_argument("--topic", action="append", metavar="NAME", help=help_)


def _export(argv: Sequence[str]) -> int:
    parser = _parser("export", "Write papers_database.json, <topic>.md and <topic>.bib.")
    _config_flags(parser)
    parser.add_argument("--out", type=Path, default=Path("export"), metavar="DIR",
                        help="where to write (default: export)")  # fmt: skip
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        config = load_config(args.config)
        written = export.export(config, args.data_dir, args.out)
        out(f"Exported {len(config.topics)} topics to {args.out}: {len(written)} files")
    return EXIT_OK


def _import(argv: Sequence[str]) -> int:
    parser = _parser("import", "Merge an existing papers_database.json into data/<topic>.json.")
    parser.add_argument("file", type=Path, help="the papers_database.json to import")
    _config_flags(parser)
    _topic_flag(parser, "import only this topic (repeatable)")
    parser.add_argument("--lock-timeout", type=non_negative, default=600.0, metavar="SECONDS",
                        help="how long to wait for another harvest to finish")  # fmt: skip
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        config = load_config(args.config)
        only = [t.name for t in select(config, args.topic)] if args.topic else None
        with lock.locked(args.data_dir, timeout_seconds=args.lock_timeout):
            merges = migrate.import_database(args.file, config, args.data_dir, only=only)
        for name, merged in merges.items():
            counts = merged.counts
            kept = counts.unchanged + counts.revised
            out(f"{name}: {counts.new} new, {counts.updated} updated, "
                f"{kept} already stored, {len(merged.papers)} total")  # fmt: skip
        out(f"Imported {plural(len(merges), 'topic')} from {args.file}")
    return EXIT_OK


def _stats(argv: Sequence[str]) -> int:
    parser = _parser("stats", "Papers per topic and year, the newest paper, the harvest state.")
    _config_flags(parser)
    _topic_flag(parser, "show only this topic (repeatable)")
    args = parser.parse_args(argv)
    code = EXIT_OK
    with handle_errors(verbose=args.verbose):
        config = load_config(args.config)
        only = Config(path=config.path, topics={t.name: t for t in select(config, args.topic)})
        for s in audit.stats(only, args.data_dir, now=datetime.now(UTC)):
            if isinstance(s, StoreError):  # the healthy topics are still shown
                error(str(s), s, verbose=args.verbose)
                code = EXIT_FAILED
                continue
            years = ", ".join(f"{year}: {n}" for year, n in s.per_year.items()) or "none"
            newest = f"{s.newest.arxiv_id} ({s.newest.published})" if s.newest else "none"
            changed = f"{s.file_changed:%Y-%m-%d %H:%M} UTC" if s.file_changed else "never"
            stale = f"; STALE: {s.silence.describe()}" if s.silence.stale else ""
            out(f"{s.topic}: {s.papers} papers ({years}); newest {newest}; "
                f"harvest {s.harvest}; file changed {changed}{stale}")  # fmt: skip
    return code


def _check(argv: Sequence[str]) -> int:
    parser = _parser("check", "Validate queries.toml and every data and state file.")
    _config_flags(parser)
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


def _commit(argv: Sequence[str]) -> int:
    parser = _parser("commit", "Commit the data directory if it changed, saying what changed.")
    _data_flag(parser)
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="the run's --report, for the commit message")  # fmt: skip
    parser.add_argument("--repo", type=Path, default=Path(), metavar="DIR",
                        help="the git work tree (default: .)")  # fmt: skip
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        message = report.load(args.report).commit_message() if args.report else "data: refresh"
        if publish.commit_data(args.repo, args.data_dir, message):
            out(message.splitlines()[0])  # the subject; the body lists the papers
        else:
            out("nothing to commit")
    return EXIT_OK


def _summary(argv: Sequence[str]) -> int:
    parser = _parser("summary", "Print a run report as a Markdown table.")
    parser.add_argument("file", type=Path, help="the run's --report")
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        out(report.load(args.file).markdown().rstrip("\n"))
    return EXIT_OK


def _keepalive(argv: Sequence[str]) -> int:
    parser = _parser("keepalive", "Re-enable this GitHub Actions workflow, so that 60 days "
                     "without a commit do not disable its schedule.")  # fmt: skip
    parser.add_argument("--workflow", metavar="FILE",
                        help="the workflow file (default: the running one)")  # fmt: skip
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        request = keepalive.enable_request(os.environ, workflow=args.workflow)
        keepalive.enable(request)
        out(f"keepalive: workflow enabled ({request.url})")
    return EXIT_OK


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "export": _export,
    "import": _import,
    "stats": _stats,
    "check": _check,
    "commit": _commit,
    "summary": _summary,
    "job": job_command.main,  # its own module: many flags, and harvest's passed through
    "keepalive": _keepalive,
    "plan": plan_command,
}


def main(command: str, argv: Sequence[str]) -> int:
    """Run one tool; returns its exit code."""
    setup_logging(0, quiet=False)
    return COMMANDS[command](argv)
