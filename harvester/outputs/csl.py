"""CSL-JSON, the input format of citeproc processors and of Zotero's import.

One item per paper, of CSL's type `article` (Zotero files it as a preprint), with
arXiv as its publisher and `arXiv:<id>` as its number (Zotero's "Archive ID"), as
Zotero's own arXiv translator does. Items follow the CSL schema v1.0
(`schemas/input/csl-data.json` of citation-style-language/schema), which allows no
other keys, and use only variables that citeproc processors read (the schema's
`categories` is left out: citeproc-py refuses it, and the topic is the `keyword`). A
paper's first DOI is its `DOI`; any others are lines of its `note` (see `item`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from harvester.models import Paper

_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le"}
"""Lower-case words that begin a family name ("Ludwig van Beethoven": "van Beethoven")."""


def name(author: str) -> dict[str, str]:
    """An author as CSL's name object: given and family names, or a literal.

    arXiv gives names as one string; the last word (with the particles before it) is
    taken as the family name. A one-word name, or a collaboration, stays literal.
    """
    words = author.split()
    if len(words) < 2 or any(w.lower() in {"collaboration", "team", "and"} for w in words):
        return {"literal": author}
    family = len(words) - 1
    while family > 1 and words[family - 1] in _PARTICLES:
        family -= 1
    return {"family": " ".join(words[family:]), "given": " ".join(words[:family])}


def item(paper: Paper, *, keywords: Iterable[str] = ()) -> dict[str, object]:
    """One CSL item; `keywords` (the paper's topics) become its `keyword`."""
    p = paper
    entry: dict[str, object] = {
        "id": f"arXiv:{p.key}",
        "type": "article",
        "title": p.title,
        "author": [name(a) for a in p.authors],
        "issued": {"date-parts": [[p.published.year, p.published.month, p.published.day]]},
        "abstract": p.summary,
        "publisher": "arXiv",
        "number": f"arXiv:{p.key}",
        "version": str(p.version),
        "URL": f"https://arxiv.org/abs/{p.key}",
        "source": "arXiv.org",
    }
    dois = p.dois
    if dois:
        entry["DOI"] = dois[0]
    # CSL's `DOI` holds one DOI, and the schema has no variable for more. Its `custom` would
    # hold them, but citeproc-py refuses it (as it does `categories`). `note` every
    # processor takes, and Zotero imports it as "Extra", whose `KEY: value` lines hold what
    # an item has no field for (`DOI: ...` among them). citeproc-js reads such a line
    # into a variable only when that is empty, so it never replaces the first DOI.
    notes = [n for n in (p.journal_ref, p.comment) if n] + [f"DOI: {d}" for d in dois[1:]]
    if notes:
        entry["note"] = "\n".join(notes)
    words = ", ".join(keywords)
    if words:
        entry["keyword"] = words
    return entry


def csl_json(papers: Iterable[Paper], *, topic: str | None = None) -> bytes:
    """A CSL-JSON array of `papers`, newest first, each keyworded with `topic` if given."""
    ordered = sorted(papers, key=Paper.sort_key, reverse=True)
    pieces = [piece(p, first=n == 0, topic=topic) for n, p in enumerate(ordered)]
    return b"".join([*pieces, end(len(pieces))])


def piece(paper: Paper, *, first: bool, topic: str | None = None) -> bytes:
    """The bytes `csl_json` gives a paper, for writing a paper at a time: with `end`,
    those of `json.dumps(items, indent=2, ensure_ascii=False)` and a newline."""
    text = json.dumps(item(paper, keywords=[topic] if topic else []), indent=2, ensure_ascii=False)
    return (b"[\n  " if first else b",\n  ") + text.replace("\n", "\n  ").encode("utf-8")


def end(papers: int) -> bytes:
    """What ends the array of `papers` items."""
    return b"\n]\n" if papers else b"[]\n"
