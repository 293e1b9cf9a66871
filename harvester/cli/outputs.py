"""The tools that make things from the database: `harvest export`, `search` and `site`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from harvester.cli.flags import a_path, a_text, check_out_dir, tool_parser
from harvester.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    error,
    handle_errors,
    out,
    shown,
)
from harvester.config import Config, load_config
from harvester.db.counts import plural
from harvester.errors import StoreError, one_line
from harvester.job import report
from harvester.net.pacer import Sleep
from harvester.outputs import export as export_formats
from harvester.outputs import search as search_index
from harvester.outputs import site as site_pages

SUMMARIES = {
    "export": "Write papers_database.json, <topic>.md|.bib|.csl.json, papers.db (and Parquet).",
    "search": "Stored papers matching words of title, abstract or authors, newest first.",
    "site": "Write a static site: an index, a page and an Atom feed per topic.",
}
"""Each tool's one line, for its --help and `harvest --help`."""


def _parser(command: str, *, topic: str | None = None) -> argparse.ArgumentParser:
    """Each reads the database: a data directory that is not there is refused."""
    return tool_parser(command, SUMMARIES[command], topic=topic, reads=True)


def export(argv: Sequence[str], sleep: Sleep) -> int:
    parser = _parser("export", topic="export only this topic (repeatable; default: all)")
    parser.add_argument(
        "--out",
        type=a_path,
        default=Path("export"),
        metavar="DIR",
        help="where to write (default: export); never in the data directory",
    )
    described = "; ".join(f"{name}: {what}" for name, what in export_formats.FORMATS.items())
    parser.add_argument(
        "--format",
        action="append",
        choices=list(export_formats.FORMATS),
        metavar="FORMAT",
        help=f"write this format (repeatable; default: all but parquet). {described}",
    )
    args = parser.parse_args(argv)
    with handle_errors(verbose=args.verbose):
        formats = args.format or export_formats.DEFAULT_FORMATS
        subdirs = ["parquet"] if "parquet" in formats else []
        check_out_dir(args.out, data_dir=args.data_dir, subdirs=subdirs)
        config = load_config(args.config)
        only = Config(path=config.path, topics={t.name: t for t in config.select(args.topic)})
        done = export_formats.export(only, args.data_dir, args.out, formats=formats)
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


def search(argv: Sequence[str], sleep: Sleep) -> int:
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
            hits = search_index.search_file(
                args.db, args.text, author=args.author, since=args.since, topics=args.topic
            )
        else:
            topics, failed = export_formats.load_topics(
                load_config(args.config), args.data_dir, args.topic
            )
            for problem in failed:  # the healthy topics are still searched
                error(f"{problem}; not searched", problem, verbose=args.verbose)
            hits = search_index.search(topics, args.text, author=args.author, since=args.since)
        for hit in hits:
            authors = shown(", ".join(hit.authors[:2])) + (
                " et al." if len(hit.authors) > 2 else ""
            )
            topics_of = ", ".join(hit.topics)
            out(f"{hit.published}  {hit.arxiv_id}  {shown(hit.title)}  ({authors}; {topics_of})")
        # The count goes to stderr: stdout stays one line per paper, for `wc -l` or `head`.
        print(f"{plural(len(hits), 'paper')} found", file=sys.stderr, flush=True)
    return EXIT_FAILED if failed else EXIT_OK


def site(argv: Sequence[str], sleep: Sleep) -> int:
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
        built = site_pages.build(config, args.data_dir, args.out, changes=changes)
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
