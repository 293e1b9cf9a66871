"""`harvest [flags]`: harvest the topics, one line per topic, a summary line at the end.

A fault of the whole run (arXiv unreachable, or still throttling us after the
retries) stops it after the topic that met it: the others are reported as not
tried, since trying them would only repeat it. SIGINT and SIGTERM stop it too, at
once; the summary line and the report are still written, and the exit code is
128 + the signal's number (130, 143), as a shell reports a process a signal ended.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from harvester import files
from harvester.arxiv.client import ArxivClient
from harvester.cli import tools
from harvester.cli import verify as verify_command
from harvester.cli.flags import build_parser, check_report_path
from harvester.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    about,
    error,
    handle_errors,
    out,
    setup_logging,
)
from harvester.cli.progress import Progress
from harvester.cli.signals import interrupting
from harvester.config import Topic, load_config
from harvester.db import lock, verified
from harvester.db.counts import plural, requests, total
from harvester.db.shards import TopicFiles
from harvester.errors import HarvestError, Interrupted, UsageError
from harvester.harvest import changes, verify
from harvester.harvest.result import Mode, TopicFailed, TopicResult
from harvester.harvest.sets import harvest_set
from harvester.harvest.topic import harvest_topic
from harvester.job.report import Report, TopicReport
from harvester.net import retry
from harvester.net.pacer import Clock, Pacer, Sleep
from harvester.oai.client import OaiClient

INTERRUPTED = "interrupted"


@dataclass
class _Tally:
    """What the run has done so far, topic by topic."""

    started: float
    started_at: datetime
    results: list[TopicResult] = field(default_factory=list)
    partial: list[TopicResult] = field(default_factory=list)
    """What failed topics did before they failed (their written papers count too)."""
    reports: dict[str, TopicReport] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    not_tried: list[str] = field(default_factory=list)
    stopped: str | None = None
    """Why the topics still to come are not tried (None: they are)."""
    signal_number: int | None = None
    requests: int = 0
    answered: int = 0
    """Of the requests, those a server answered."""
    silent: bool = False
    """Whether a topic went silent and the run was asked to fail for it."""
    feed: changes.FeedResult | None = None
    """What the change feed did, when it ran."""
    feed_failed: bool = False

    def skip(self, name: str) -> None:
        """Report a topic as not tried, for the reason the run stopped."""
        self.not_tried.append(name)
        self.reports[name] = TopicReport(error=f"not tried: {self.stopped}")
        out(f"{name}: not tried ({self.stopped})")

    def exit_code(self) -> int:
        """128 + the signal that stopped the run; else 1 if a topic failed, else 0."""
        if self.signal_number is not None:
            return 128 + self.signal_number
        failed = self.failed or self.not_tried or self.silent or self.feed_failed
        return EXIT_FAILED if failed else EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The parser of `harvest [flags]`, its help listing the tools."""
    return build_parser(tools.epilog(), tools.TOOLS)


def main(argv: Sequence[str], *, sleep: Sleep, clock: Clock) -> int:
    """Harvest the requested topics; returns the exit code."""
    args = parser().parse_args(argv)
    setup_logging(args.verbose, quiet=args.quiet)
    with handle_errors(verbose=args.verbose):
        config = load_config(args.config)
        topics = config.select(args.topic)
        if args.report is not None:
            check_report_path(args.report, data_dir=args.data_dir, config=args.config)
        if args.verify and (args.dry_run or args.since is not None):
            raise UsageError("--verify repairs what is missing: not with --dry-run or --since")
        if args.verify:
            verified.load(args.data_dir)  # a damaged record costs no request
        return _run(args, topics, sleep=sleep, clock=clock)


def _run(args: argparse.Namespace, topics: list[Topic], *, sleep: Sleep, clock: Clock) -> int:
    tally = _Tally(started=time.monotonic(), started_at=datetime.now(UTC))
    with interrupting() as disarm:
        try:
            _harvest_all(args, topics, tally, sleep=sleep, clock=clock)
        except Interrupted as exc:  # outside a topic: waiting for the lock, say
            tally.signal_number, tally.stopped = exc.signal_number, INTERRUPTED
        disarm()  # from here on, the summary and the report get written whatever comes
        for topic in topics:
            if topic.name not in tally.reports:
                tally.skip(topic.name)
        seconds = time.monotonic() - tally.started
        code = tally.exit_code()
        if not args.quiet or code or any(map(_changed, tally.results)):
            out(_summary(tally, seconds))
        if args.report:
            report = Report(
                started=tally.started_at, seconds=seconds, exit_code=code, topics=tally.reports
            )
            files.write(args.report, report.dumps())
    return code


def _harvest_all(
    args: argparse.Namespace, topics: list[Topic], tally: _Tally, *, sleep: Sleep, clock: Clock
) -> None:
    """Harvest the topics in turn until they are done or the run must stop."""
    progress = Progress(sys.stderr, live=sys.stderr.isatty() and not args.quiet)
    holding = (
        nullcontext()
        if args.dry_run
        else lock.locked(args.data_dir, timeout_seconds=args.lock_timeout)
    )
    # One pacer for both of arXiv's interfaces: its terms count them together.
    pacer = Pacer(delay_seconds=args.delay, clock=clock, sleep=sleep)
    client = ArxivClient(
        api_url=args.api_url,
        pacer=pacer,
        page_size=args.page_size,
        request_deadline_seconds=args.timeout,
        sleep=sleep,
        on_page=progress.page,
    )
    oai = OaiClient(
        oai_url=args.oai_url, pacer=pacer, request_deadline_seconds=args.timeout, sleep=sleep
    )
    try:
        with client, oai, holding:
            if args.since is None and not args.full:  # a one-off range tracks nothing
                _feed(args, topics, oai, tally)
            for topic in topics:
                if tally.stopped is not None:
                    tally.skip(topic.name)
                    continue
                _harvest_one(args, topic, (client, oai), progress, tally)
            if tally.feed is not None and not tally.feed_failed and not args.dry_run:
                changes.settle(tally.feed, topics, args.data_dir)
            if tally.feed is None and not tally.feed_failed and not args.dry_run:
                _begin_feed(args, topics)
            if args.verify:
                _verify(args, topics, (client, oai), tally)
    finally:
        tally.requests = client.requests + oai.requests
        tally.answered = client.answered + oai.answered


def _feed(args: argparse.Namespace, topics: list[Topic], oai: OaiClient, tally: _Tally) -> None:
    """Run the change feed for the topics it serves, before their own harvests.

    A fault of the feed is its failure, not the run's: a cursor or set state that
    cannot be read is named (with the file to remove), and the topics still harvested.
    """
    try:
        fed = changes.fed(topics, args.data_dir)
        if not fed:
            return
        with about("changes"):  # its retry lines named as its ERROR line is
            tally.feed = changes.run_feed(
                fed, client=oai, data_dir=args.data_dir, dry_run=args.dry_run
            )
    except changes.FeedFailed as exc:
        tally.feed, tally.feed_failed = exc.result, True
        error(
            f"changes: {exc}",
            exc,
            verbose=0 if isinstance(exc.cause, Interrupted) else args.verbose,
        )
        if isinstance(exc.cause, Interrupted):
            tally.signal_number, tally.stopped = exc.cause.signal_number, INTERRUPTED
    except HarvestError as exc:  # nothing was listed: its state, or a topic file, is bad
        tally.feed_failed = True
        error(f"changes: {exc}; not listed", exc, verbose=args.verbose)
        return
    if not args.quiet:
        out(changes.describe(tally.feed))


def _harvest_one(
    args: argparse.Namespace,
    topic: Topic,
    clients: tuple[ArxivClient, OaiClient],
    progress: Progress,
    tally: _Tally,
) -> None:
    client, oai = clients
    requests_before = client.requests + oai.requests
    answered_before = client.answered + oai.answered
    progress.start(topic.name)
    try:
        with about(topic.name):
            result = _harvest(args, topic, clients)
    except (HarvestError, Interrupted) as exc:
        progress.finish()
        spent = (
            client.requests + oai.requests - requests_before,
            client.answered + oai.answered - answered_before,
        )
        _failed(args, topic.name, exc, spent, tally)
        return
    progress.finish()
    answered = client.answered + oai.answered - answered_before
    result = _with_feed(result, tally.feed)
    tally.results.append(result)
    silence = result.silence
    tally.reports[topic.name] = TopicReport.of(result).with_silence(silence)
    if not args.quiet or _changed(result):
        out(_topic_line(result, dry_run=args.dry_run, since=args.since, answered=answered))
    tally.silent |= silence.stale and args.fail_on_stale
    if silence.stale:  # shown under -q too: a silent query is what cron should mail
        print(
            f"WARNING {topic.name}: {silence.describe()}: check the query",
            file=sys.stderr,
            flush=True,
        )


def _harvest(
    args: argparse.Namespace, topic: Topic, clients: tuple[ArxivClient, OaiClient]
) -> TopicResult:
    """Harvest one topic: a set through OAI-PMH, a query through the query API."""
    client, oai = clients
    if topic.set_spec is not None:
        return harvest_set(
            topic, client=oai, data_dir=args.data_dir, dry_run=args.dry_run, full=args.full
        )
    return harvest_topic(
        topic,
        client=client,
        data_dir=args.data_dir,
        dry_run=args.dry_run,
        full=args.full,
        since=args.since,
    )


def _failed(
    args: argparse.Namespace,
    name: str,
    exc: HarvestError | Interrupted,
    spent: tuple[int, int],
    tally: _Tally,
) -> None:
    """Report a failed topic (`spent`: its requests sent and answered), and stop the run
    if what failed concerns all of it."""
    cause = exc.cause if isinstance(exc, TopicFailed) else exc
    # Finished windows of a failed first harvest stay written: report them.
    partial = exc.result if isinstance(exc, TopicFailed) else None
    tally.failed.append(name)
    if partial is not None:
        tally.partial.append(partial)
    tally.reports[name] = TopicReport.of(partial, error=str(exc), requests=spent[0])
    url = getattr(cause, "url", None) if args.verbose else None
    where = f" ({url})" if url else ""
    # An interruption is no fault of the code: its traceback would tell nothing.
    error(
        f"{name}: {exc}{where}", exc, verbose=0 if isinstance(cause, Interrupted) else args.verbose
    )
    written = f" ({partial.counts.new} new papers written)" if partial and partial.written else ""
    out(f"{name}: failed after {requests(*spent)}{written}")
    if isinstance(cause, Interrupted):
        tally.signal_number, tally.stopped = cause.signal_number, INTERRUPTED
    elif retry.run_wide(cause):
        tally.stopped = f"{name} met a fault of the whole run: {cause}"


def _begin_feed(args: argparse.Namespace, topics: list[Topic]) -> None:
    """After first harvests: the change feed's cursor, so that it is committed with them
    (a fault is the feed's, named, as when it runs)."""
    if args.since is not None or args.full:
        return
    try:
        changes.begin(changes.fed(topics, args.data_dir), args.data_dir)
    except HarvestError as exc:
        error(f"changes: {exc}; its cursor not written", exc, verbose=args.verbose)


def _verify(
    args: argparse.Namespace,
    topics: list[Topic],
    clients: tuple[ArxivClient, OaiClient],
    tally: _Tally,
) -> None:
    """After the harvests: each topic harvested in full compared with what arXiv lists,
    what is missing fetched and merged (`harvest verify --repair`), and counted in the
    topic's report as its harvest's papers are. A paper still missing fails the topic."""
    done = {r.topic: r for r in tally.results}
    for topic in topics:
        result = done.get(topic.name)
        stored = TopicFiles(args.data_dir, topic.name)
        if tally.stopped is not None or result is None or not verify.harvested(topic, stored):
            continue
        try:
            found = verify_command.recorded(topic, stored, clients, repair=True)
        except (HarvestError, Interrupted) as exc:
            _failed(args, topic.name, exc, (0, 0), tally)
            tally.results.remove(result)
            continue
        out(verify_command.line(found))
        merged = replace(
            result,
            counts=result.counts + found.counts,
            written=result.written or found.repaired > 0,
        )
        tally.results[tally.results.index(result)] = merged
        report = tally.reports[topic.name]
        tally.reports[topic.name] = (
            TopicReport.of(merged)
            .with_silence(report.silence())
            .model_copy(update={"missing": len(found.missing), "repaired": found.repaired})
        )
        if not found.complete:
            tally.failed.append(topic.name)


def _with_feed(result: TopicResult, feed: changes.FeedResult | None) -> TopicResult:
    """A topic's result with what the change feed merged into it this run."""
    if feed is None or result.topic not in feed.counts:
        return result
    return replace(
        result,
        counts=feed.counts[result.topic] + result.counts,
        written=result.written or result.topic in feed.written,
    )


def _topic_line(result: TopicResult, *, dry_run: bool, since: date | None, answered: int) -> str:
    file = "dry run, not written" if dry_run else "written" if result.written else "file unchanged"
    mode = f"since {since}" if result.mode is Mode.SINCE else result.mode
    return (
        f"{result.topic}: {result.counts.describe()}, {result.total} total; "
        f"{requests(result.requests, answered)} in {result.seconds:.1f} s ({mode}, {file})"
    )


def _summary(tally: _Tally, seconds: float) -> str:
    done = len(tally.results)
    head = f"Harvested {plural(done, 'topic')}"
    if tally.failed or tally.not_tried:
        asked = done + len(tally.failed) + len(tally.not_tried)
        why = [f"failed: {', '.join(tally.failed)}"] if tally.failed else []
        why += [f"not tried: {', '.join(tally.not_tried)}"] if tally.not_tried else []
        head = f"Harvested {done} of {plural(asked, 'topic')} ({'; '.join(why)})"
    if tally.signal_number is not None:
        head = f"Interrupted by {signal.Signals(tally.signal_number).name}. {head}"
    counts = total(r.counts for r in [*tally.results, *tally.partial]).describe()
    return f"{head}: {counts}; {requests(tally.requests, tally.answered)} in {seconds:.1f} s"


def _changed(result: TopicResult) -> bool:
    return bool(result.counts.changed or result.written)
