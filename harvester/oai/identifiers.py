"""OAI-PMH XML from arXiv's `ListIdentifiers` -> `IdPage` of `Listed` ids.

The page is what `arXiv/oaipmh` writes (`oaipmh/templates/list_identifiers.xml`, each
header by `macros.xml:9-17`): one `<header>` per paper whose current version changed in
the range, `IDENTIFIERS_LIMIT` (20,000, `oaipmh/config.py:23`) a page, in (datestamp, id)
order (`fetch_list.py:36`), then the token as `ListRecords` has it (`token.xml`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from harvester.errors import FeedError, OaiRejected
from harvester.net.body import parse_xml
from harvester.oai.records import _ID, NO_RECORDS, OAI, collapse

_PREFIX = "oai:arXiv.org:"


@dataclass(frozen=True)
class Listed:
    """One listed paper: its id (without version) and the day it last changed."""

    key: str
    datestamp: date


@dataclass(frozen=True)
class IdPage:
    """One `ListIdentifiers` response.

    Attributes:
        ids: the valid headers, in the order served.
        entries: the `<header>` elements the page held, invalid ones included.
        token: the resumption token for the next page; None when the list is complete.
    """

    ids: list[Listed] = field(default_factory=list)
    entries: int = 0
    token: str | None = None


def parse(content: bytes) -> IdPage:
    """Parse one `ListIdentifiers` response body; `noRecordsMatch` is an empty, complete
    list. A header without an arXiv id or a datestamp is left out (counted in `entries`).

    Raises:
        OaiRejected: the body is an OAI error other than `noRecordsMatch`.
        RefusedBody: the body declares entities, or trips libxml2's limits.
        FeedError: the body is not a well-formed OAI-PMH `ListIdentifiers` response.
    """
    if not content.strip():
        raise FeedError("blank response where an OAI-PMH list should be")
    root = parse_xml(content)
    if root.tag != f"{OAI}OAI-PMH":
        raise FeedError(f"response is not OAI-PMH (root element {root.tag!r})")
    error = root.find(f"{OAI}error")
    if error is not None:
        code = error.get("code", "")
        if code == NO_RECORDS:
            return IdPage()
        raise OaiRejected(code, collapse(error.text or ""))
    listed = root.find(f"{OAI}ListIdentifiers")
    if listed is None:
        raise FeedError("OAI-PMH response without ListIdentifiers")
    headers = listed.findall(f"{OAI}header")
    ids = []
    for header in headers:
        key = (header.findtext(f"{OAI}identifier") or "").strip().removeprefix(_PREFIX)
        try:
            stamp = date.fromisoformat((header.findtext(f"{OAI}datestamp") or "").strip())
        except ValueError:
            continue
        if _ID.fullmatch(key) is not None:
            ids.append(Listed(key, stamp))
    token = (listed.findtext(f"{OAI}resumptionToken") or "").strip() or None
    return IdPage(ids=ids, entries=len(headers), token=token)
