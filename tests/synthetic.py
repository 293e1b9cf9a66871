"""A made-up database of many papers, for the site's browser test and the benchmarks:
records in the contract's shape, reproducible from a seed, with names and words drawn
from small pools so that filters and plots have something real to work on."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from harvester.db import store
from harvester.models import Paper

FIRST = [
    "Ada",
    "Alan",
    "Barbara",
    "Chen",
    "Dana",
    "Emil",
    "Farah",
    "Grace",
    "Hiro",
    "Ines",
    "Jun",
    "Kofi",
    "Lena",
    "Mira",
    "Nils",
    "Omar",
    "Priya",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoe",
]
LAST = [
    "Abe",
    "Banerjee",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kim",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Wong",
    "Xu",
    "Yilmaz",
    "Zhang",
]
WORDS = [
    "learning",
    "reinforcement",
    "policy",
    "reward",
    "code",
    "synthesis",
    "program",
    "language",
    "model",
    "reasoning",
    "agent",
    "search",
    "benchmark",
    "preference",
    "alignment",
    "feedback",
    "transformer",
    "planning",
    "graph",
    "verification",
    "proof",
]
CATEGORIES = ["cs.LG", "cs.AI", "cs.CL", "cs.SE", "cs.PL", "stat.ML"]
ONE_AUTHOR = "Quillon Marchetti-Vance"
"""An author whose name no other author's shares a word with: on every 1,500th paper."""

NEWEST = date(2026, 11, 20)
"""The default newest paper's date."""


def papers(count: int, *, seed: int = 19, newest: date = NEWEST) -> list[Paper]:
    """`count` papers, about one every 4 hours back from `newest`, newest first."""
    rng = random.Random(seed)
    made = []
    for n in range(count):
        published = newest - timedelta(days=(4 * n) // 24)
        key = f"{published:%y%m}.{n % 100_000:05d}"
        version = 1 + n % 3
        authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(1 + rng.randrange(6))]
        if n % 1500 == 7:
            authors.insert(rng.randrange(len(authors) + 1), ONE_AUTHOR)
        words = rng.sample(WORDS, 6)
        cats = rng.sample(CATEGORIES, 1 + rng.randrange(3))
        made.append(
            Paper(
                title=" ".join(words).capitalize() + f" ({n})",
                authors=authors,
                summary=" ".join(rng.choice(WORDS) for _ in range(150)).capitalize() + ".",
                arxiv_id=f"{key}v{version}",
                published=published,
                categories=cats,
                url=f"https://arxiv.org/abs/{key}v{version}",
                pdf_url=f"https://arxiv.org/pdf/{key}v{version}.pdf",
                updated=datetime.combine(published, time(12), tzinfo=UTC)
                + timedelta(days=version - 1),
                primary_category=cats[0],
                comment=None,
                journal_ref=f"J. Made-up Res. {n % 40} ({published.year})" if n % 5 == 0 else None,
                doi=_doi(n),
            )
        )
    return made


def _doi(n: int) -> str | None:
    """Paper `n`'s DOI field: one DOI for a quarter of the papers, and for every other
    of those two, as arXiv gives a paper and its erratum (`10.1/x 10.1/y`)."""
    if n % 4:
        return None
    return f"10.5555/made.{n}" + (f" 10.5555/erratum.{n}" if n % 8 == 0 else "")


def database(
    data_dir: Path, sizes: dict[str, int], *, newest: dict[str, date] | None = None
) -> Path:
    """Write one topic file per entry of `sizes` (topic -> papers), the topic's seed its
    place in `sizes`, its newest paper of `newest` or the default; returns `queries.toml`."""
    lines = []
    for offset, (topic, count) in enumerate(sizes.items()):
        made = papers(count, seed=offset, newest=(newest or {}).get(topic, NEWEST))
        store.save(store.path_for(data_dir, topic), made)
        lines.append(f"[topics.{topic}]\nquery = 'all:{topic}'\n")
    config = data_dir.parent / "queries.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config
