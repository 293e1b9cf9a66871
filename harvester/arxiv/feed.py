"""Atom XML from the arXiv query API -> `Page` of `Paper` records.

Both response formats live in arXiv's traffic are read the same way: elements are
selected by namespace and by their `term`, never by position or prefix (the legacy
format declares namespaces per element, the 2026 one on `<feed>`). Format:
https://info.arxiv.org/help/api/user-manual.html#_details_of_atom_results_returned
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from pydantic import TypeAdapter, ValidationError

from harvester.errors import FeedError, QueryRejected, one_line
from harvester.models import ARXIV_ID, Paper, as_utc, gc_paused
from harvester.net.body import parse_xml

logger = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

_ID, _TITLE, _SUMMARY = f"{ATOM}id", f"{ATOM}title", f"{ATOM}summary"
_PUBLISHED, _UPDATED = f"{ATOM}published", f"{ATOM}updated"
_AUTHOR, _NAME, _CATEGORY = f"{ATOM}author", f"{ATOM}name", f"{ATOM}category"
_PRIMARY, _COMMENT = f"{ARXIV}primary_category", f"{ARXIV}comment"
_JOURNAL_REF, _DOI = f"{ARXIV}journal_ref", f"{ARXIV}doi"
_PAPERS = TypeAdapter(list[Paper])

_TEXT_TAGS = frozenset({_ID, _TITLE, _SUMMARY, _PUBLISHED, _UPDATED, _COMMENT, _JOURNAL_REF})
_ERROR_ID = "arxiv.org/api/errors"  # arXiv's error feed (HTTP 400) has one such entry
_ABS_ID = re.compile(r"https?://arxiv\.org/abs/(?P<id>.+)")


@dataclass(frozen=True)
class Page:
    """One response of the query API.

    Attributes:
        total_results: how many results the query matches in all (`opensearch:totalResults`).
        start_index: the offset of this page's first entry.
        entries: how many `<entry>` elements the page held, skipped ones included.
        papers: the entries that made valid records, in feed order.
        published_at: the full `<published>` time of each paper, for order checks.
    """

    total_results: int
    start_index: int
    entries: int
    papers: list[Paper] = field(default_factory=list)
    published_at: list[datetime] = field(default_factory=list)
    """The full `<published>` time of each paper (the record keeps only its date)."""


def collapse(text: str) -> str:
    """Collapse whitespace runs to one space and strip (the record's whitespace rule).

    "Whitespace" is what `str.split()` splits on, as in the `arxiv` package's `\\s+`.
    """
    stripped = text.strip()
    # Text already collapsed (most of it: the 2026 format does not wrap lines) comes back
    # as it is: in ASCII, a printable string holds no whitespace but the space, so without
    # a double space there is nothing to do, and checking is cheaper than a split and join.
    if stripped.isascii() and stripped.isprintable() and "  " not in stripped:
        return stripped
    return " ".join(stripped.split())


def parse(content: bytes) -> Page:
    """Parse one query API response body.

    Entries without an id or dates, or with an id that is not an arXiv id, are
    skipped with a warning; they still count in `Page.entries`.

    Raises:
        QueryRejected: the body is arXiv's error feed; its reason is the message.
        FeedError: the body is not a well-formed arXiv Atom feed.
    """
    root = parse_xml(content)
    if root.tag != f"{ATOM}feed":
        raise FeedError(f"response is not an Atom feed (root element {root.tag!r})")

    entries = root.findall(f"{ATOM}entry")

    total = _header_int(root, "totalResults")
    start = _header_int(root, "startIndex")
    fields: list[dict[str, Any]] = []
    published_at: list[datetime] = []
    with gc_paused():
        for entry in entries:
            built = _fields(entry)
            if built is not None:
                fields.append(built[0])
                published_at.append(built[1])
        try:
            papers = _PAPERS.validate_python(fields)  # one call for the page: the common case
        except ValidationError:
            papers, published_at = _validate_each(fields, published_at)
    return Page(
        total_results=total,
        start_index=start,
        entries=len(entries),
        papers=papers,
        published_at=published_at,
    )


def _header_int(root: etree._Element, name: str) -> int:
    text = root.findtext(f"{OPENSEARCH}{name}")
    # ASCII digits only (int() reads any script's, and `_` between them), and few enough
    # to count with: 400 digits overflow every float the costs are computed in.
    digits = (text or "").strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS):
        shown = (
            digits
            if len(digits) <= _MAX_DIGITS
            else f"{digits[:_MAX_DIGITS]}... {len(digits)} characters"
        )
        raise FeedError(f"feed has no valid opensearch:{name} (got {shown!r})")
    return int(digits)


_MAX_DIGITS = 12
"""Digits of a count in a feed's header: arXiv holds about 3 million papers."""


def _timestamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        # RFC 3339 requires an offset; a bare time is read as UTC.
        return as_utc(datetime.fromisoformat(text.strip()))
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved past the range
        return None


def _optional(text: str | None) -> str | None:
    return collapse(text) if text and not text.isspace() else None


# long: one pass over an entry's children, the parser's hot loop (bench/run.py measures it)
def _fields(entry: etree._Element) -> tuple[dict[str, Any], datetime] | None:
    """The record fields of one `<entry>` and its published time, or None (with a warning).

    Raises:
        QueryRejected: the entry is arXiv's error entry.

    One pass over the entry's children (a find per field costs a scan each); the
    first element of a kind wins, as with `find`, but for `<arxiv:doi>`: all are kept.
    """
    texts: dict[object, str] = {}
    authors: list[str] = []
    categories: list[str] = []
    dois: list[str] = []
    primary: str | None = None
    for child in entry:
        tag = child.tag
        if tag == _AUTHOR:
            # <name> comes first in every arXiv feed; look further only if it does not.
            first = child[0] if len(child) else None
            if first is None or first.tag != _NAME:
                first = child.find(_NAME)
            name = (first.text if first is not None else None) or ""
            authors.append(" ".join(name.split()))
        elif tag == _CATEGORY:
            if term := child.get("term"):
                categories.append(term)
        elif tag == _PRIMARY:
            primary = primary or child.get("term")
        elif tag == _DOI:
            dois.append(child.text or "")
        elif tag in _TEXT_TAGS and tag not in texts:
            texts[tag] = child.text or ""
    raw_id = texts.get(_ID, "").strip()
    if _ERROR_ID in raw_id:
        reason = one_line(collapse(texts.get(_SUMMARY) or raw_id))
        raise QueryRejected(f"arXiv rejected the query: {reason}")
    match = _ABS_ID.fullmatch(raw_id)
    if match is None or ARXIV_ID.fullmatch(match["id"]) is None:
        logger.warning("Skipping entry with id %r: not a versioned arXiv abstract URL", raw_id)
        return None
    arxiv_id = match["id"]
    published = _timestamp(texts.get(_PUBLISHED))
    updated = _timestamp(texts.get(_UPDATED))
    if published is None or updated is None:
        missing = "published" if published is None else "updated"
        logger.warning("Skipping entry %s: no valid <%s>", arxiv_id, missing)
        return None
    return {
        "title": collapse(texts.get(_TITLE, "")),
        "authors": authors,
        "summary": collapse(texts.get(_SUMMARY, "")),
        "arxiv_id": arxiv_id,
        "published": published.date(),
        "categories": categories,
        "url": f"https://arxiv.org/abs/{arxiv_id}",
        "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}.pdf",
        "updated": updated,
        "primary_category": primary,
        "comment": _optional(texts.get(_COMMENT)),
        "journal_ref": _optional(texts.get(_JOURNAL_REF)),
        # arXiv's 2026 backend writes an <arxiv:doi> per DOI of its whitespace-separated
        # field (arXiv/arxiv-search at 764d7eb, search/serialize/atom_extensions.py:222-225,
        # the list from search/process/transform.py:92-95, `meta.doi.split()`); joined with
        # one space they are the field again, as OAI-PMH gives it (`Paper.doi`).
        "doi": _optional(" ".join(dois)),
    }, published


def _validate_each(
    fields: list[dict[str, Any]], published_at: list[datetime]
) -> tuple[list[Paper], list[datetime]]:
    """Validate records one by one, skipping (with a warning) those that fail."""
    papers: list[Paper] = []
    kept: list[datetime] = []
    for record, published in zip(fields, published_at, strict=True):
        try:
            papers.append(Paper.model_validate(record))
        except ValidationError as exc:
            logger.warning("Skipping entry %s: %s", record["arxiv_id"], exc.errors()[0]["msg"])
            continue
        kept.append(published)
    return papers, kept
