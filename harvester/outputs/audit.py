"""`harvest check` and `harvest stats`: what is in the data directory, and whether
the topics file, every topic file and every state file keep their contracts
(DESIGN.md, "queries.toml" and "data/NAME.json").
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from harvester import files
from harvester.config import Config, Topic, load_config
from harvester.db import layout, shards, state, store, verified
from harvester.db.staging import Staging
from harvester.errors import ConfigError, StoreError
from harvester.harvest import sets, stale
from harvester.harvest.cursor import Cursor
from harvester.harvest.stale import Silence
from harvester.models import Paper

CONTRACT_KEYS = list(Paper.model_fields)


def check_file(path: Path, *, topic: str | None = None, keys: set[str] | None = None) -> int:
    """Check one topic file (or, for `topic`, one of its shards) against the contract;
    returns its record count. `keys` collects the topic's papers across its files.

    Raises:
        StoreError: the first problem, with the record or line where it is.
    """
    if topic is not None and not layout.is_shard(path.name):  # the name says it first
        raise StoreError(path, layout.NOT_A_SHARD.format(topic=topic))
    data = files.read_bytes(path, links=False)
    papers = store.parse(path, data)  # JSON, an array, valid records, one per paper
    if topic is not None:
        layout.check_placement(path, topic, papers.values())
    if keys is not None:
        twice = next((k for k in papers if k in keys), None)
        if twice is not None:
            raise StoreError(path, f"paper {twice} is also in another file of the topic")
        keys.update(papers)
    records = json.loads(data)
    previous: Paper | None = None
    for index, record in enumerate(records):
        if list(record) != CONTRACT_KEYS:
            missing = [k for k in CONTRACT_KEYS if k not in record]
            problem = (
                f"missing key {missing[0]!r}" if missing else "keys out of the contract's order"
            )
            raise StoreError(path, f"record {index}: {problem}")
        paper = Paper.model_validate(record)
        if previous is not None and paper.sort_key() > previous.sort_key():
            raise StoreError(path, f"record {index}: out of order (newest first, then id)")
        previous = paper
    expected = store.dumps(papers.values())
    if data != expected:
        line = next(
            (
                n
                for n, (a, b) in enumerate(
                    zip(data.splitlines(), expected.splitlines(), strict=False), 1
                )
                if a != b
            ),
            min(len(data.splitlines()), len(expected.splitlines())) + 1,
        )
        raise StoreError(
            path, f"line {line}: not in the file format (2-space JSON, UTF-8, final newline)"
        )
    return len(records)


def check(
    config_path: Path, data_dir: Path
) -> tuple[dict[Path, int], list[StoreError | ConfigError]]:
    """Check the topics file, every topic file and every state file (the change feed's
    cursor and the set topics' states too).

    Returns:
        Record counts of the valid topic files, and every problem found (one per
        file: the first in it).
    """
    problems: list[StoreError | ConfigError] = []
    try:
        load_config(config_path)
    except ConfigError as exc:
        problems.append(exc)
    if not data_dir.is_dir():
        return {}, [*problems, StoreError(data_dir, "no such data directory")]
    counts: dict[Path, int] = {}
    for path in _json_files(data_dir):
        if path.suffix != ".json":  # never read: a topic's file is NAME.json
            problems.append(StoreError(path, "not a topic file (NAME.json, in lower case)"))
            continue
        try:
            counts[path] = check_file(path)
        except StoreError as exc:
            problems.append(exc)
    # A sharded topic: data/NAME/YYYY.json (YYYY-MM.json, YYYY-MM-DD.json); see `shards`.
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir() and p.name != state.STATE_DIR):
        keys: set[str] = set()
        # An interrupted switch leaves NAME.json beside NAME/: its papers are the topic's too
        # (checked above, and any problem in it reported there).
        with contextlib.suppress(StoreError):
            keys.update(store.load(data_dir / f"{folder.name}.json"))
        for path in _json_files(folder):
            try:
                counts[path] = check_file(path, topic=folder.name, keys=keys)
            except StoreError as exc:
                problems.append(exc)
    states = data_dir / state.STATE_DIR
    if states.exists() and not states.is_dir():  # every harvest would fail on it
        problems.append(StoreError(states, "not a directory; the harvest state lives there"))
    for path in sorted(states.glob("*.json")):
        try:
            state.load(path)
        except StoreError as exc:
            problems.append(exc)
    return counts, problems + _record_problems(data_dir) + _oai_problems(sets.oai_dir(data_dir))


def _record_problems(data_dir: Path) -> list[StoreError]:
    """The problem of the record of verifications (`verify/found.json`), if it has one."""
    try:
        verified.load(data_dir)
    except StoreError as exc:
        return [exc]
    return []


def _oai_problems(oai: Path) -> list[StoreError]:
    """The problems of the change feed's cursor and the set topics' states (`oai/`): one
    per file, as a harvest would meet it (and a link refused, as for every state)."""
    if not oai.exists() and not oai.is_symlink():
        return []
    if oai.is_symlink() or not oai.is_dir():
        return [StoreError(oai, "not a directory; the change feed's progress lives there")]
    problems = []
    for path in _json_files(oai):
        try:
            # The models bound their days too (a harvest counts days from them).
            if path.name == CURSOR:
                files.read_model(
                    path, Cursor, what="invalid change feed cursor", whole="cursor", links=False
                )
            else:
                what = "invalid set harvest state"
                files.read_model(path, sets.SetState, what=what, whole="state", links=False)
        except StoreError as exc:
            problems.append(exc)
    return problems


CURSOR = "changes.json"
"""The change feed's cursor, in `oai/` (`harvest.changes`)."""


def _json_files(folder: Path) -> list[Path]:
    """The files of `folder` ending in `.json` in any case (`2024.JSON` too: a harvest does
    not read it, so `check` must say so), sorted."""
    return sorted(p for p in folder.iterdir() if p.name.lower().endswith(".json"))


def _set_harvest(topic: Topic, data_dir: Path) -> str:
    """How far a set topic's harvest is: its listing complete, staged so far, or never."""
    saved = sets.load_state(sets.state_path(data_dir, topic.name))
    if saved is not None and saved.complete and saved.matches(topic):
        return f"complete, listed from {saved.started:%Y-%m-%d}; kept by the change feed"
    manifest = Staging(data_dir, topic.name).peek()
    if manifest is not None and manifest.listing == sets.listing_of(topic):
        staged = f"{manifest.records:,} records in {manifest.pages:,} pages staged"
        return f"first harvest in progress ({staged})"
    return "never"


@dataclass(frozen=True)
class TopicStats:
    """One topic at a glance."""

    topic: str
    papers: int
    per_year: dict[int, int]
    newest: Paper | None
    harvest: str
    file_changed: datetime | None
    silence: Silence


def stats(config: Config, data_dir: Path, *, now: datetime) -> Iterator[TopicStats | StoreError]:
    """Summaries of the configured topics, in config order; a topic whose data or
    state file is invalid gives its error instead.
    """
    for topic in config.topics.values():
        try:
            yield _topic_stats(topic, data_dir, now=now)
        except StoreError as exc:
            yield exc


def _topic_stats(topic: Topic, data_dir: Path, *, now: datetime) -> TopicStats:
    stored = shards.TopicFiles(data_dir, topic.name)
    papers = list(stored.load().values())
    stamps = [stored.path(n).stat().st_mtime for n in stored.names()]
    saved = state.load(state.path_for(data_dir, topic.name))
    if topic.set_spec is not None:
        harvest = _set_harvest(topic, data_dir)
    elif saved is None:
        harvest = "never"
    elif not saved.complete:
        harvest = f"first harvest in progress ({len(saved.done)} windows done)"
    elif saved.watermark is not None:
        # The watermark moves only when a run finds something: a run that finds
        # nothing changes no byte, so its time is kept nowhere.
        harvest = f"complete, last finding something {saved.watermark:%Y-%m-%d %H:%M} UTC"
    else:
        harvest = "complete"
    return TopicStats(
        topic=topic.name,
        papers=len(papers),
        per_year=dict(sorted(Counter(p.published.year for p in papers).items(), reverse=True)),
        newest=max(papers, key=Paper.sort_key, default=None),
        harvest=harvest,
        file_changed=datetime.fromtimestamp(max(stamps), UTC) if stamps else None,
        silence=stale.assess(
            (p.published for p in papers), now=now, stale_after_days=topic.stale_after_days
        ),
    )
