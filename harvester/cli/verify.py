"""`harvest verify`: per topic, whether it holds every paper arXiv lists; `--repair` fetches
what is missing."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from harvester import files
from harvester.arxiv.client import ArxivClient
from harvester.cli.flags import DataParser, a_path, check_report_path, shared
from harvester.cli.output import EXIT_FAILED, EXIT_OK, about, handle_errors, out
from harvester.config import Topic, load_config
from harvester.db import lock, verified
from harvester.db.counts import plural
from harvester.db.shards import TopicFiles
from harvester.errors import HarvestError
from harvester.harvest import verify
from harvester.net import retry
from harvester.net.pacer import Pacer, Sleep
from harvester.oai.client import OaiClient

SUMMARY = (
    "Compare each topic with what arXiv lists, month by month; --repair fetches what is missing."
)
SHOWN = 10
"""The most missing ids a topic's line names (`--json` has them all)."""


def _parser() -> argparse.ArgumentParser:
    parser = DataParser(
        prog="harvest verify",
        description=SUMMARY,
        parents=[
            shared(topic="verify only this topic (repeatable; default: all)", lock=True, arxiv=True)
        ],
    )
    add = parser.add_argument
    add("--repair", action="store_true", help="fetch the missing papers and merge them")
    add("--json", action="store_true", help="print the verification as JSON")
    add("--report", type=a_path, metavar="FILE", help="also write the JSON to FILE")
    return parser


def main(argv: Sequence[str], sleep: Sleep) -> int:
    """Verify the requested topics; exit 1 when a paper is missing (and not repaired) or a
    topic could not be verified, 2 on a usage or config error."""
    args = _parser().parse_args(argv)
    started = time.monotonic()
    with handle_errors(verbose=args.verbose):
        topics = load_config(args.config).select(args.topic)
        if args.report is not None:
            check_report_path(args.report, data_dir=args.data_dir, config=args.config)
        verified.load(args.data_dir)  # a damaged record costs no request
        pacer = Pacer(delay_seconds=args.delay, sleep=sleep)  # one for both interfaces
        client = ArxivClient(
            api_url=args.api_url, pacer=pacer, page_size=args.page_size, sleep=sleep
        )
        oai = OaiClient(oai_url=args.oai_url, pacer=pacer, sleep=sleep)
        with client, oai, lock.locked(args.data_dir, timeout_seconds=args.lock_timeout):
            results = _verify_all(args, topics, client, oai)
        requests = client.requests + oai.requests
    code = EXIT_OK if all(e is None and v.complete for v, e in results) else EXIT_FAILED
    document = _document(results, code)
    if args.report is not None:
        with handle_errors(verbose=args.verbose):
            files.write(args.report, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    if args.json:
        out(json.dumps(document, indent=2, ensure_ascii=False))
        return code
    for found, failure in results:
        if failure is None:
            out(line(found))
        else:
            print(f"ERROR {found.topic}: {failure}", file=sys.stderr, flush=True)
    out(_summary(results, requests, time.monotonic() - started))
    return code


def _verify_all(
    args: argparse.Namespace, topics: list[Topic], client: ArxivClient, oai: OaiClient
) -> list[tuple[verify.Verification, str | None]]:
    """Each topic verified in turn (and its finding recorded); a fault of the whole run
    (arXiv unreachable) leaves the rest not tried."""
    results: list[tuple[verify.Verification, str | None]] = []
    stopped: str | None = None
    for topic in topics:
        method: verify.Method = "ids" if topic.set_spec is not None else "counts"
        blank = verify.Verification(topic.name, method)
        if stopped is not None:
            results.append((blank, f"not tried: {stopped}"))
            continue
        stored = TopicFiles(args.data_dir, topic.name)
        if not verify.harvested(topic, stored):
            results.append((blank, "not verified: its first harvest is not complete"))
            continue
        try:
            result = recorded(topic, stored, (client, oai), repair=args.repair)
        except HarvestError as exc:
            results.append((blank, str(exc)))
            if retry.run_wide(exc):
                stopped = f"{topic.name} met a fault of the whole run: {exc}"
            continue
        results.append((result, None))
    return results


def recorded(
    topic: Topic, stored: TopicFiles, clients: tuple[ArxivClient, OaiClient], *, repair: bool
) -> verify.Verification:
    """One topic verified (its log lines naming it), and what was found kept on record.

    Raises:
        HarvestError: a request failed for good, or a file is invalid or cannot be written.
    """
    client, oai = clients
    with about(topic.name):
        result = verify.verify_topic(topic, client=client, oai=oai, stored=stored, repair=repair)
    verified.record(stored.data_dir, {topic.name: found(result)})
    return result


def found(v: verify.Verification) -> verified.Found:
    """What is kept on record of a verification."""
    return verified.Found(
        at=v.at,
        method=v.method,
        listed=v.listed,
        stored=v.stored,
        missing=len(v.missing),
        unlisted=len(v.unlisted),
        repaired=v.repaired,
        missing_ids=v.missing[: verified.NAMED],
        unlisted_ids=v.unlisted[: verified.NAMED],
    )


def line(v: verify.Verification) -> str:
    """A topic's result line: `rlhf: complete, 98 of 98 papers arXiv lists`, or what
    is missing month by month."""
    listed = plural(v.listed, "paper")
    missing = v.missing
    if not missing:
        head = f"{v.topic}: complete, {v.listed:,} of {listed} arXiv lists"
    else:
        shown, months = 0, []
        for gap in v.gaps:
            if gap.missing and shown < SHOWN:
                named = gap.missing[: SHOWN - shown]
                shown += len(named)
                more = len(gap.missing) - len(named)
                months.append(
                    f"in {gap.month}: {', '.join(named)}" + (f" and {more:,} more" if more else "")
                )
        rest = len([g for g in v.gaps if g.missing]) - len(months)
        where = "; ".join(months) + (f"; and in {plural(rest, 'month')} more" if rest else "")
        head = f"{v.topic}: {len(missing):,} missing of {listed} arXiv lists, {where}"
        if v.repaired == len(missing):
            head += f"; repaired: {v.repaired:,} stored"
        elif v.repaired:
            head += f"; repaired {v.repaired:,} of {len(missing):,}"
    unlisted = v.unlisted
    if unlisted:
        gone = ", ".join(unlisted[:SHOWN]) + (
            f" and {len(unlisted) - SHOWN:,} more" if len(unlisted) > SHOWN else ""
        )
        head += f"; {len(unlisted):,} stored that arXiv no longer lists: {gone}"
    return head


def _summary(
    results: list[tuple[verify.Verification, str | None]], requests: int, seconds: float
) -> str:
    complete = sum(1 for v, e in results if e is None and v.complete)
    lacking = [v for v, e in results if e is None and not v.complete]
    failed = sum(1 for _, e in results if e is not None)
    parts = [f"{complete:,} complete"]
    if lacking:
        parts.append(f"{plural(len(lacking), 'topic')} missing papers")
    if failed:
        parts.append(f"{failed:,} not verified")
    return (
        f"Verified {plural(len(results), 'topic')}: {', '.join(parts)}; "
        f"{plural(requests, 'request')} in {seconds:.1f} s"
    )


def _document(results: list[tuple[verify.Verification, str | None]], code: int) -> dict[str, Any]:
    topics = []
    for v, failure in results:
        topics.append(
            {
                "topic": v.topic,
                "method": v.method,
                "complete": failure is None and v.complete,
                "listed": v.listed,
                "stored": v.stored,
                "missing": v.missing,
                "unlisted": v.unlisted,
                "months": [
                    {"month": g.month, "missing": list(g.missing), "unlisted": list(g.unlisted)}
                    for g in v.gaps
                ],
                "repaired": v.repaired,
                "requests": v.requests,
                "at": v.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "error": failure,
            }
        )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"verified": now, "topics": topics, "exit_code": code}
