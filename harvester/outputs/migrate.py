"""`harvest import`: bring an existing `papers_database.json` into `data/<topic>.json`.

The original database is one object, topic -> records with eight keys. Imported
records keep those eight as they are and store the five newer keys as null
(unknown) until a harvest that returns the paper fills them in. They go through
the same merge as a harvest: versions are de-duplicated, nothing stored is dropped,
and an import never replaces a stored record of the same version.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from harvester import files
from harvester.config import Config
from harvester.db import shards, store
from harvester.errors import StoreError, UsageError, first_problem
from harvester.models import Paper


def read_database(path: Path) -> dict[str, list[Paper]]:
    """Read an original database file.

    Raises:
        StoreError: the file is unreadable or not an object of topic -> records;
            the message names the topic and record.
    """
    try:
        raw = files.read_bytes(path)
    except FileNotFoundError as exc:
        raise files.unreadable(path, exc) from None
    database = store.parse_json(path, raw)
    if not isinstance(database, dict) or not all(isinstance(v, list) for v in database.values()):
        raise StoreError(path, "expected an object of topic name -> array of records")
    topics: dict[str, list[Paper]] = {}
    for name, records in database.items():
        topics[name] = []
        for index, record in enumerate(records):
            try:
                topics[name].append(Paper.model_validate(record))
                # JSON's `\ud800` escape makes a lone surrogate, which no UTF-8 file can hold.
                json.dumps(record, ensure_ascii=False).encode("utf-8")
            except ValidationError as exc:
                problem = first_problem(exc, whole="record")
                raise StoreError(path, f'topic "{name}" record {index}: {problem}') from None
            except UnicodeEncodeError as exc:
                char = f"\\u{ord(exc.object[exc.start]):04x}"
                raise StoreError(
                    path, f'topic "{name}" record {index}: not Unicode text (a lone {char})'
                ) from None
    return topics


def import_database(
    path: Path, config: Config, data_dir: Path, *, only: list[str] | None = None
) -> dict[str, store.Merge]:
    """Merge an original database into the topic files; returns each topic's merge.

    Args:
        path: the original `papers_database.json`.
        config: the topics; every imported topic must be one of them.
        data_dir: where topic files live.
        only: import just these topics.

    Raises:
        UsageError: the file has topics the config lacks (and `only` does not exclude).
        StoreError: the file or a topic file is invalid, or cannot be written.
    """
    database = read_database(path)
    names = [n for n in database if only is None or n in only]
    unknown = [n for n in names if n not in config.topics]
    if unknown:
        raise UsageError(
            f"{path} has topics that {config.path} lacks: {', '.join(unknown)}; "
            "add them, or choose topics with --topic"
        )
    merges = {}
    for name in names:
        target = shards.TopicFiles(data_dir, name, remember=False)
        target.verify({})  # every file read: the total counts them all
        merges[name] = target.commit(database[name], ties_keep_stored=True)
    return merges
