"""A set topic's first harvest: the whole OAI-PMH set, listed page by page.

No 10,000-row limit and no windows: arXiv's OAI-PMH pages a list to its end with
stateless resumption tokens (`arXiv/oaipmh`, `processors/resume.py`), 2,500 records a
page. Each page is staged, then the token after it (`harvester.db.staging`), so an
interrupted listing resumes there; the complete list is merged into the topic's files,
each written about once. Once complete, the topic's later runs are the change feed
(`harvester.harvest.changes`).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from harvester import files
from harvester.config import Topic
from harvester.db import state
from harvester.db.shards import TopicFiles
from harvester.db.staging import Manifest, Staging, merge_into
from harvester.db.state import FileStamp
from harvester.errors import HarvestError, Interrupted
from harvester.harvest.cursor import Token
from harvester.harvest.result import Mode, TopicFailed, TopicRecords, TopicResult
from harvester.oai.client import OaiClient

OAI_DIR = "oai"


class SetState(BaseModel):
    """How far a set topic's first harvest has got."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    set_spec: str
    """The set this state is for."""
    since: date | None
    """The topic's `since` this state is for."""
    started: state.StateDay
    """The day the listing began (the change feed starts a day before it)."""
    complete: bool = False
    """Whether the whole set is listed."""
    token: Token | None = None
    """The resumption token after the last committed page of an unfinished listing."""
    files: dict[str, FileStamp] = {}
    """A stamp per data file of the topic as this tool last left it (as a query topic's
    state keeps them), so that a run trusts them unread."""

    def matches(self, topic: Topic) -> bool:
        """Whether this state was made for this topic's set and `since`."""
        return self.set_spec == topic.set_spec and self.since == topic.since


def oai_dir(data_dir: Path) -> Path:
    """Where the OAI-PMH lists keep their progress (beside the topics' states)."""
    return data_dir / state.STATE_DIR / OAI_DIR


def state_path(data_dir: Path, topic: str) -> Path:
    """Where a set topic's listing keeps its progress."""
    return oai_dir(data_dir) / f"{topic}.json"


def load_state(path: Path) -> SetState | None:
    """Read a set topic's state; None when there is none yet.

    Raises:
        StoreError: the file is unreadable or invalid.
    """
    return files.read_model(
        path,
        SetState,
        what="invalid set harvest state",
        whole="state",
        way_out="remove this file to list the set again",
    )


def _save(path: Path, saved: SetState, stamps: dict[str, FileStamp]) -> None:
    """Save the state with the stamps of the files as they are now."""
    saved = saved.model_copy(update={"files": dict(sorted(stamps.items()))})
    files.write(path, (saved.model_dump_json(indent=2) + "\n").encode("utf-8"))


def restamp(topic: Topic, data_dir: Path, stored: TopicFiles) -> None:
    """After the change feed wrote some of a complete set topic's files: keep their new
    stamps in its state, so that its next harvest trusts them unread (it would hash, and
    parse, every file the feed wrote). Left as it is when a file has no stamp at hand."""
    path = state_path(data_dir, topic.name)
    saved = load_state(path)
    if saved is None or not saved.complete or not saved.matches(topic):
        return
    stamps = {n: stored.stamps.get(n) or saved.files.get(n) for n in stored.names()}
    known = {n: s for n, s in stamps.items() if s is not None}
    if len(known) == len(stamps):
        _save(path, saved, known)


def completed_day(topic: Topic, data_dir: Path) -> date | None:
    """The day a set topic's complete listing began; None while it has none."""
    saved = load_state(state_path(data_dir, topic.name))
    if saved is None or not saved.complete or not saved.matches(topic):
        return None
    return saved.started


def harvest_set(
    topic: Topic,
    *,
    client: OaiClient,
    data_dir: Path,
    dry_run: bool = False,
    full: bool = False,
    now: datetime | None = None,
) -> TopicResult:
    """List a set topic's whole set into its files, unless that is done (then the change
    feed keeps it current and this costs nothing).

    The list is staged page by page (`harvester.db.staging`), then merged into the
    topic's files, each written about once; an interrupted list resumes at its last
    staged page, an interrupted merge merges again (what is written stays).

    Raises:
        HarvestError: the topic file or state is invalid (nothing was fetched).
        TopicFailed: a list failed or was interrupted; what was staged stays staged.
    """
    if topic.set_spec is None:
        raise ValueError(f"{topic.name} is not a set topic")
    started, requests_before = time.monotonic(), client.requests
    now = (now or datetime.now(UTC)).astimezone(UTC)
    stored = TopicFiles(data_dir, topic.name, dry_run=dry_run)
    progress_path = state_path(data_dir, topic.name)
    recorded = load_state(progress_path)
    # Files as the last run left them are trusted unread; any other is read (and
    # validated) now, so a corrupt one costs no request.
    remade = stored.verify(recorded.files if recorded is not None else {})
    file = TopicRecords(stored, topic.since, dry_run, total=stored.total())
    saved = recorded if recorded is not None and recorded.matches(topic) else None
    if saved is not None and saved.complete and not full:
        if remade and not dry_run:  # files read anew (edited, pulled): keep their stamps
            _save(progress_path, saved, stored.stamps)
        if not dry_run:  # a staging left by a crash after the state was saved
            Staging(data_dir, topic.name).remove()
        return file.result(topic, Mode.INCREMENTAL, requests=0, now=now, started=started)

    mode = Mode.FULL
    try:
        if dry_run:
            _list_in_memory(topic, client, file)
        else:
            staging = Staging(data_dir, topic.name)
            manifest, mode = _begin(staging, topic, saved, full=full, today=now.date())
            if not manifest.complete:
                _stage(topic, client, staging, manifest.token)
            merge_into(staging, stored, lambda papers: file.commit(papers, write=False), file.flush)
            done = SetState(
                set_spec=topic.set_spec, since=topic.since, started=manifest.began, complete=True
            )
            _save(progress_path, done, stored.stamps)  # after the data: done once written
            staging.remove()
    except (HarvestError, Interrupted) as exc:
        spent = client.requests - requests_before
        result = file.result(topic, mode, requests=spent, now=now, started=started)
        raise TopicFailed(exc, result) from exc
    spent = client.requests - requests_before
    return file.result(topic, mode, requests=spent, now=now, started=started)


def listing_of(topic: Topic) -> str:
    """What a staging lists, so that one of another set or `since` is not resumed."""
    return f"set {topic.set_spec} since {topic.since or 'the start'}"


def _begin(
    staging: Staging, topic: Topic, saved: SetState | None, *, full: bool, today: date
) -> tuple[Manifest, Mode]:
    """The staging to list into and the run's mode: the one on disk, resumed; or a new
    one, resuming the token of a list that committed its pages to the files (as this
    tool once did), or from the start.

    Raises:
        StoreError: the staging cannot be read or written.
    """
    listing = listing_of(topic)
    manifest = None if full else staging.open(listing)
    if manifest is not None:
        return manifest, Mode.RESUMED
    if saved is not None and saved.token and not full:
        return staging.begin(listing, saved.started, token=saved.token), Mode.RESUMED
    return staging.begin(listing, today), Mode.FULL


def _stage(topic: Topic, client: OaiClient, staging: Staging, token: str | None) -> None:
    """List the set from `token` (from its start, without one) to its end, staging each
    page as it comes.

    Raises:
        HarvestError: a list or a staging write failed; what was staged stays.
    """
    # modtime >= published: a paper first published from `since` on changed since then.
    for page in client.list_records(
        from_day=None if token else topic.since,
        set_spec=None if token else topic.oai_set,
        token=token,
    ):
        kept = (r.paper for r in page.records)
        staging.append(
            (p for p in kept if topic.since is None or p.published >= topic.since), page.token
        )


def _list_in_memory(topic: Topic, client: OaiClient, file: TopicRecords) -> None:
    """A dry run's list: each page merged in memory and counted, nothing written."""
    for page in client.list_records(from_day=topic.since, set_spec=topic.oai_set):
        file.commit([record.paper for record in page.records])
