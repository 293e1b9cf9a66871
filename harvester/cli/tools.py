"""The tools around the data: `harvest export|search|site|import|stats|check|plan|init|
commit|summary|job|keepalive`, each registered once in `TOOLS` with its one-line summary."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from harvester.cli import job as job_command
from harvester.cli import plan as plan_command
from harvester.cli.flags import a_directory, a_path, a_text, check_out_dir, positive, shared
from harvester.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    error,
    handle_errors,
    out,
    setup_logging,
    shown,
)
from harvester.config import Config, load_config
from harvester.db import lock
from harvester.db.counts import plural
from harvester.errors import StoreError, one_line
from harvester.job import keepalive, publish, report, scaffold
from harvester.net.pacer import Sleep
from harvester.outputs import audit, export, migrate, search, site


def _parser(
    command: str, *, paths: bool = True, topic: str | None = None, lock: bool = False
) -> argparse.ArgumentParser:
    """A tool's parser: its summary from `TOOLS` as description, the shared flags asked for."""
    flags = shared(paths=paths, topic=topic, lock=lock)
    return argparse.ArgumentParser(
        prog=f"harvest {command}", description=TOOLS[command].summary, parents=[flags]
    )


def _export(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("export", topic="export only this topic (repeatable; default: all)")
    parser.add_argument(
        "--out",
        type=a_path,
        default=Path("export"),
        metavar="DIR",
        help="where to write (default: export); never in the data directory",
    )
    described = "; ".join(f"{name}: {what}" for name, what in export.FORMATS.items())
    parser.add_argument(
        "--format",
        action="append",
        choices=list(export.FORMATS),
        metavar="FORMAT",
        help=f"write this format (repeatable; default: all but parquet). {described}",
    )
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        formats = args.format or export.DEFAULT_FORMATS
        subdirs = ["parquet"] if "parquet" in formats else []
        check_out_dir(args.out, data_dir=args.data_dir, subdirs=subdirs)
        config = load_config(args.config)
        only = Config(path=config.path, topics={t.name: t for t in config.select(args.topic)})
        done = export.export(only, args.data_dir, args.out, formats=formats)
        for problem in done.failed:
            error(f"{problem}; not exported", problem, verbose=args.verbose)
        exported = len(only.topics) - len(done.failed)
        where = one_line(str(args.out))
        files = plural(len(done.files), "file")
        if done.failed:
            out(
                f"Exported {exported} of {plural(len(only.topics), 'topic')} to {where}: "
                f"{files} (failed: {', '.join(p.path.stem for p in done.failed)})"
            )
        else:
            out(f"Exported {plural(exported, 'topic')} to {where}: {files}")
    return EXIT_FAILED if done.failed else EXIT_OK


def _search(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("search", topic="search only this topic (repeatable; default: all)")
    parser.add_argument(
        "text", type=a_text, metavar="TEXT", help='words that must all occur ("" for any)'
    )
    parser.add_argument(
        "--author", type=a_text, metavar="NAME", help="only papers by an author named so"
    )
    parser.add_argument(
        "--since", type=date.fromisoformat, metavar="DATE", help="only papers since YYYY-MM-DD"
    )
    parser.add_argument(
        "--db",
        type=a_path,
        metavar="FILE",
        help="search this exported papers.db instead of the data directory (fast; as fresh "
        "as its export)",
    )
    args = parser.parse_args(argv)
    failed: list[StoreError] = []
    with handle_errors(verbose=args.verbose):
        if args.db:
            hits = search.search_file(
                args.db, args.text, author=args.author, since=args.since, topics=args.topic
            )
        else:
            topics, failed = export.load_topics(load_config(args.config), args.data_dir, args.topic)
            for problem in failed:  # the healthy topics are still searched
                error(f"{problem}; not searched", problem, verbose=args.verbose)
            hits = search.search(topics, args.text, author=args.author, since=args.since)
        for hit in hits:
            authors = shown(", ".join(hit.authors[:2])) + (
                " et al." if len(hit.authors) > 2 else ""
            )
            topics_of = ", ".join(hit.topics)
            out(f"{hit.published}  {hit.arxiv_id}  {shown(hit.title)}  ({authors}; {topics_of})")
        # The count goes to stderr: stdout stays one line per paper, for `wc -l` or `head`.
        print(f"{plural(len(hits), 'paper')} found", file=sys.stderr, flush=True)
    return EXIT_FAILED if failed else EXIT_OK


def _site(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("site")
    parser.add_argument(
        "--out",
        type=a_path,
        default=Path("site"),
        metavar="DIR",
        help="where to write (default: site); never in the data directory",
    )
    parser.add_argument(
        "--report",
        type=a_path,
        metavar="FILE",
        help="the last run's --report, to show what it changed",
    )
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        config = load_config(args.config)
        # Pages there would be committed as data; a topic's pages go to `--out/NAME/`.
        check_out_dir(args.out, data_dir=args.data_dir, subdirs=config.topics)
        changes = None
        if args.report:
            changes = {name: t.counts for name, t in report.load(args.report).topics.items()}
        built = site.build(config, args.data_dir, args.out, changes=changes)
        for problem in built.failed:
            error(f"{problem}; not in the site", problem, verbose=args.verbose)
        where = one_line(str(args.out))
        files = plural(len(built.files), "file")
        if built.failed:
            failed = ", ".join(p.path.stem for p in built.failed)
            shown_topics = (
                f"{len(config.topics) - len(built.failed)} of {plural(len(config.topics), 'topic')}"
            )
            out(f"Built the site of {shown_topics} in {where}: {files} (failed: {failed})")
        else:
            out(f"Built the site of {plural(len(config.topics), 'topic')} in {where}: {files}")
    return EXIT_FAILED if built.failed else EXIT_OK


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
    parser = _parser("stats", topic="show only this topic (repeatable)")
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
    parser = _parser("check")
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
        written = scaffold.init(args.directory)
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
    "export": Tool(
        _export,
        "export [--format F]",
        "Write papers_database.json, <topic>.md|.bib|.csl.json, papers.db (and Parquet).",
    ),
    "search": Tool(
        _search,
        "search TEXT",
        "Stored papers matching words of title, abstract or authors, newest first.",
    ),
    "site": Tool(
        _site,
        "site [--out DIR]",
        "Write a static site: an index, a page and an Atom feed per topic.",
    ),
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


def epilog() -> str:
    """The tools, one line each, for `harvest --help`."""
    lines = [f"  harvest {tool.usage:<24} {tool.summary}" for tool in TOOLS.values()]
    return "\n".join(["tools around the data (each has --help):", *lines]) + "\n"


def main(command: str, argv: Sequence[str], *, sleep: Sleep) -> int:
    """Run one tool; returns its exit code."""
    setup_logging(0, quiet=False)
    return TOOLS[command].run(argv, sleep)
