"""OAI-PMH XML from arXiv's `ListIdentifiers` -> `IdPage` of `Listed` ids.

The page is what `arXiv/oaipmh` writes (`oaipmh/templates/list_identifiers.xml`, each
header by `macros.xml:9-17`): one `<header>` per paper whose current version changed in
the range, `IDENTIFIERS_LIMIT` (20,000, `oaipmh/config.py:23`) a page, in (datestamp, id)
order (`fetch_list.py:36`), then the token as `ListRecords` has it (`token.xml`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from harvester.oai.records import KEY, OAI, listed

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
    headers, token = listed(content, verb="ListIdentifiers", item="header")
    ids = []
    for header in headers:
        key = (header.findtext(f"{OAI}identifier") or "").strip().removeprefix(_PREFIX)
        try:
            stamp = date.fromisoformat((header.findtext(f"{OAI}datestamp") or "").strip())
        except ValueError:
            continue
        if KEY.fullmatch(key) is not None:
            ids.append(Listed(key, stamp))
    return IdPage(ids=ids, entries=len(headers), token=token)
