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
from datetime import UTC, datetime

from lxml import etree
from pydantic import ValidationError

from harvester.errors import FeedError, QueryRejected
from harvester.models import ARXIV_ID, Paper

logger = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

# libxml2 stops an entity bomb itself (amplification or recursion limits); fetching
# the same body again cannot help, so these are refused, not retried.
_REFUSED = frozenset({etree.ErrorTypes.ERR_RESOURCE_LIMIT, etree.ErrorTypes.ERR_ENTITY_LOOP})
_WHITESPACE = re.compile(r"\s+")
_ERROR_ID = "arxiv.org/api/errors"
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
    """Collapse whitespace runs to one space and strip (the record's whitespace rule)."""
    return _WHITESPACE.sub(" ", text).strip()


def _parser() -> etree.XMLParser:
    # No DTD loading, no entity expansion, no network: an arXiv feed needs none of
    # them, and each is a way for a hostile body to blow up memory or reach out.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(content: bytes) -> Page:
    """Parse one query API response body.

    Entries without an id or dates, or with an id that is not an arXiv id, are
    skipped with a warning; they still count in `Page.entries`.

    Raises:
        QueryRejected: the body is arXiv's error feed; its reason is the message.
        FeedError: the body is not a well-formed arXiv Atom feed.
    """
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        if exc.code in _REFUSED:  # type: ignore[attr-defined]  # lxml-stubs lacks .code
            raise FeedError(f"response refused: {exc}", transient=False) from None
        raise FeedError(f"response is not well-formed XML: {exc}") from None
    dtd = root.getroottree().docinfo.internalDTD
    # lxml-stubs does not know DTD.iterentities.
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[union-attr]
        # arXiv never declares entities; a body that does is an attack, not a glitch.
        raise FeedError("response declares XML entities; refused, not expanded", transient=False)
    if root.tag != f"{ATOM}feed":
        raise FeedError(f"response is not an Atom feed (root element {root.tag!r})")

    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if _ERROR_ID in entry_id:
            reason = collapse(entry.findtext(f"{ATOM}summary") or entry_id)
            raise QueryRejected(f"arXiv rejected the query: {reason}")

    total = _header_int(root, "totalResults")
    start = _header_int(root, "startIndex")
    papers: list[Paper] = []
    published_at: list[datetime] = []
    for entry in entries:
        built = _paper(entry)
        if built is not None:
            papers.append(built[0])
            published_at.append(built[1])
    return Page(
        total_results=total,
        start_index=start,
        entries=len(entries),
        papers=papers,
        published_at=published_at,
    )


def _header_int(root: etree._Element, name: str) -> int:
    text = root.findtext(f"{OPENSEARCH}{name}")
    try:
        return int((text or "").strip())
    except ValueError:
        raise FeedError(f"feed has no valid opensearch:{name} (got {text!r})") from None


def _timestamp(entry: etree._Element, name: str) -> datetime | None:
    text = entry.findtext(f"{ATOM}{name}")
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if stamp.tzinfo is None:  # RFC 3339 requires an offset; read a bare one as UTC
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def _optional(entry: etree._Element, tag: str) -> str | None:
    text = entry.findtext(tag)
    return collapse(text) if text and text.strip() else None


def _paper(entry: etree._Element) -> tuple[Paper, datetime] | None:
    """Build the record of one `<entry>` and its published time, or None (with a warning)."""
    raw_id = (entry.findtext(f"{ATOM}id") or "").strip()
    match = _ABS_ID.fullmatch(raw_id)
    if match is None or ARXIV_ID.fullmatch(match["id"]) is None:
        logger.warning("Skipping entry with id %r: not a versioned arXiv abstract URL", raw_id)
        return None
    arxiv_id = match["id"]
    published = _timestamp(entry, "published")
    updated = _timestamp(entry, "updated")
    if published is None or updated is None:
        missing = "published" if published is None else "updated"
        logger.warning("Skipping entry %s: no valid <%s>", arxiv_id, missing)
        return None
    primary = entry.find(f"{ARXIV}primary_category")
    try:
        paper = Paper(
            title=collapse(entry.findtext(f"{ATOM}title") or ""),
            authors=[
                collapse(author.findtext(f"{ATOM}name") or "")
                for author in entry.iterfind(f"{ATOM}author")
            ],
            summary=collapse(entry.findtext(f"{ATOM}summary") or ""),
            arxiv_id=arxiv_id,
            published=published.date(),
            categories=[
                term for cat in entry.iterfind(f"{ATOM}category") if (term := cat.get("term"))
            ],
            url=f"https://arxiv.org/abs/{arxiv_id}",
            pdf_url=f"https://arxiv.org/pdf/{arxiv_id}.pdf",
            updated=updated,
            primary_category=primary.get("term") if primary is not None else None,
            comment=_optional(entry, f"{ARXIV}comment"),
            journal_ref=_optional(entry, f"{ARXIV}journal_ref"),
            doi=_optional(entry, f"{ARXIV}doi"),
        )
    except ValidationError as exc:
        logger.warning("Skipping entry %s: %s", arxiv_id, exc.errors()[0]["msg"])
        return None
    return paper, published
