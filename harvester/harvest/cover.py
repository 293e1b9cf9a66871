"""Which OAI-PMH sets the change feed lists: the fewest that cover the stored papers.

A paper is listed in the set of each of its categories, cross-lists included
(`arXiv/oaipmh`, `processors/db.py`), so a group covers every paper with a category in
it; past half of arXiv, one list of everything costs less than the groups' lists, which
repeat each paper cross-listed between them.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from harvester import taxonomy
from harvester.config import Topic
from harvester.db import state
from harvester.models import Paper

# Rough shares of arXiv's papers by group. Past half of arXiv, one list of everything
# costs less than the sets' lists, which repeat each cross-listed paper.
GROUP_SHARES = {
    "cs": 0.42,
    "physics": 0.30,
    "math": 0.17,
    "eess": 0.04,
    "stat": 0.03,
    "q-bio": 0.015,
    "q-fin": 0.008,
    "econ": 0.007,
}
ALL = ""
"""The `set` of a list of all of arXiv."""


def covering_sets(groups: Iterable[frozenset[str]]) -> list[str]:
    """The fewest groups such that each paper (its groups) is in one, most papers first;
    `[ALL]` when they make most of arXiv or a paper is in no group arXiv lists."""
    uncovered = list(groups)
    if any(not g for g in uncovered):
        return [ALL]
    chosen: list[str] = []
    while uncovered:
        counts = Counter(group for paper in uncovered for group in paper)
        best = min(counts, key=lambda g: (-counts[g], g))
        chosen.append(best)
        uncovered = [paper for paper in uncovered if best not in paper]
    if sum(GROUP_SHARES.get(g, 0.0) for g in chosen) > 0.5:
        return [ALL]
    return sorted(chosen)


def groups_of(paper: Paper) -> frozenset[str]:
    """The groups (the broadest sets) a paper is listed in."""
    found = (taxonomy.group_of_category(c) for c in paper.categories)
    return frozenset(g for g in found if g is not None)


Stamps = dict[str, str | dict[str, str]]
"""Per fed topic: its files' blob ids (a query topic) or its set (a set topic)."""


def stamps_of(topics: list[Topic], data_dir: Path) -> Stamps | None:
    """What the covering sets follow from: each query topic's files (their blob ids) as
    its state keeps them (a file written or edited since has another), each set topic's
    set; None when a query topic's state keeps no stamps (the sets are computed anew)."""
    found: Stamps = {}
    for topic in topics:
        if topic.set_spec is not None:
            found[topic.name] = topic.set_spec
            continue
        saved = state.load(state.path_for(data_dir, topic.name))
        if saved is None or not saved.files:
            return None
        found[topic.name] = {n: s.blob for n, s in saved.files.items()}
    return found


def digest(stamps: Stamps | None) -> str | None:
    """A digest of `stamps`: what the covering sets kept with the feed's cursor follow from."""
    if stamps is None:
        return None
    return hashlib.sha256(json.dumps(stamps, sort_keys=True).encode("utf-8")).hexdigest()
