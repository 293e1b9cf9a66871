"""`harvest plan`: per topic, its size and what its harvests will cost, before fetching."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from harvester.arxiv.client import ArxivClient
from harvester.cli.flags import Parser, shared
from harvester.cli.output import EXIT_FAILED, EXIT_OK, about, handle_errors, out, shown
from harvester.config import load_config
from harvester.db.counts import plural
from harvester.harvest import plan
from harvester.net.pacer import Pacer, Sleep


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="harvest plan",
        description="Ask arXiv once per topic how many results it has and what harvesting "
        "it will cost; validates queries.toml first.",
        parents=[shared(topic="plan only this topic (repeatable; default: all)", arxiv=True)],
    )
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    return parser


def main(argv: Sequence[str], sleep: Sleep) -> int:
    """Plan the requested topics; exit 1 if arXiv rejected a query, 2 on a config error."""
    args = _parser().parse_args(argv)
    with handle_errors(verbose=args.verbose):
        topics = load_config(args.config).select(args.topic)
        now = datetime.now(UTC)
        pacer = Pacer(delay_seconds=args.delay, sleep=sleep)
        client = ArxivClient(
            api_url=args.api_url, pacer=pacer, page_size=args.page_size, sleep=sleep
        )
        with client:
            plans = plan.plan_topics(
                topics, client, args.data_dir, delay_seconds=args.delay, now=now, within=about
            )
    code = EXIT_FAILED if any(p.error for p in plans) else EXIT_OK
    if args.json:
        document = {"topics": [dataclasses.asdict(p) for p in plans], "exit_code": code}
        out(json.dumps(document, indent=2, ensure_ascii=False))
        return code
    for topic, p in zip(topics, plans, strict=True):
        if not p.tried:  # a result, as a harvest says it: the ERROR was the cause's
            out(f"{p.topic}: {p.error}")
        elif p.error:
            print(f"ERROR {p.topic}: {p.error}", file=sys.stderr, flush=True)
        else:
            out(_line(p, since=topic.since, delay=args.delay))
            for paper in p.newest:
                out(f"  {paper.published}  {paper.arxiv_id}  {shown(paper.title)}")
    out(_total(plans, delay=args.delay))
    return code


def _line(p: plan.TopicPlan, *, since: date | None, delay: float) -> str:
    first, daily = p.first_harvest, p.daily_run
    if first is None or daily is None:  # not planned: callers print the error instead
        return f"{p.topic}: {p.error}"
    scope = f"since {since}" if since else "all time"
    if p.estimated:  # all of arXiv: nothing counts it before a list
        scope += "; about, as of 2026: arXiv counts no list before it is made"
    kept = f", keeping the newest {p.kept:,}" if p.kept != p.results else ""
    split = f" in {first.windows} windows" if first.windows > 1 else ""
    via = "OAI-PMH " if p.source == "oai" else ""
    data = Path(p.data_file)
    exists = f"{data} exists" if p.data_file_exists else f"no {data} yet"
    checks = f"; verify {plural(p.verify.requests, 'request')}" if p.verify else ""
    return (
        f"{p.topic}: {p.results:,} results ({scope}){kept}; first harvest "
        f"{plural(first.requests, via + 'request')}{split}, at least {_duration(first.seconds)} at "
        f"{delay:g} s apart; daily run {plural(daily.requests, 'request')}{checks}; {exists}"
    )


def _total(plans: list[plan.TopicPlan], *, delay: float) -> str:
    done = [p for p in plans if p.first_harvest is not None]
    first = sum(p.first_harvest.requests for p in done if p.first_harvest)
    daily = sum(p.daily_run.requests for p in done if p.daily_run)
    checks = sum(p.verify.requests for p in done if p.verify)
    head = f"Planned {len(done)} of {plural(len(plans), 'topic')}"
    failed = [p.topic for p in plans if p.error and p.tried]
    not_tried = [p.topic for p in plans if not p.tried]
    why = [f"failed: {', '.join(failed)}"] if failed else []
    why += [f"not tried: {', '.join(not_tried)}"] if not_tried else []
    head += f" ({'; '.join(why)})" if why else ""
    if not done:  # no cost to add up: the line must not read as a plan of nothing
        return head
    return (
        f"{head}: first harvests {plural(first, 'request')} (at least "
        f"{_duration(max(0, first - 1) * delay)}); daily runs {plural(daily, 'request')}; "
        f"verify {plural(checks, 'request')} (at least {_duration(max(0, checks - 1) * delay)})"
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
