"""OAI-PMH XML from arXiv's `ListRecords` -> `ListPage` of `Record` (the `arXivRaw`
format), or `ArxivListPage` of `ArxivRecord` (the `arXiv` format).

The formats are what `arXiv/oaipmh` writes (`oaipmh/templates/record_formats.xml`,
`arXivRaw_record` and `arXiv_record`; the page around them `list_records.xml`,
`token.xml`, `errors.xml`), both read through one envelope (`_listed`, `_header`).
`arXivRaw` gives every version with its date and source type (`I`: a withdrawal,
`oaipmh/serializers/create_records.py`, `_process_source_format`), then the current
version's metadata, TeX as submitted, which is converted here as arXiv converts it for
its other interfaces (`harvester.oai.tex`), its author list then parsed as arXiv parses it
and named as its query API names each author (`harvester.oai.authors`), so that a paper is
the same record whichever interface brought it. `arXiv` gives the current version's
metadata, TeX converted by the server and authors split, without a version number.
OAI-PMH 2.0: https://www.openarchives.org/OAI/2.0/
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree
from pydantic import ValidationError

from harvester.errors import FeedError, OaiRejected
from harvester.models import Paper, as_utc, gc_paused
from harvester.net.body import parse_xml
from harvester.oai.authors import full_names
from harvester.oai.tex import to_unicode

logger = logging.getLogger(__name__)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
RAW = "{http://arxiv.org/OAI/arXivRaw/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"
NO_RECORDS = "noRecordsMatch"  # an empty list is this error, not an empty page

KEY = re.compile(r"\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}")
_VERSION = re.compile(r"[0-9]{1,4}")  # a version as `Paper` takes it (`v1` to `v9999`)


@dataclass(frozen=True)
class Record:
    """One listed record.

    Attributes:
        paper: the record, in our shape, with `license`, `withdrawn` and `versions`.
        datestamp: the day the paper's current version last changed (its `modtime`).
        sets: the sets the header names.
    """

    paper: Paper
    datestamp: date
    sets: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListPage:
    """One `ListRecords` response.

    Attributes:
        records: the valid records, in the order served.
        entries: the `<record>` elements the page held, skipped ones included.
        token: the resumption token for the next page; None when the list is complete.
    """

    records: list[Record] = field(default_factory=list)
    entries: int = 0
    token: str | None = None


@dataclass(frozen=True)
class ArxivRecord:
    """One listed record in the `arXiv` format (`record_formats.xml:56-108`): the current
    version's metadata, TeX converted by the server, authors split. It names no version,
    so it is no `Paper`; it is read to check the `arXivRaw` reading against it.

    Attributes:
        key: the paper's id without a version (`<id>`).
        datestamp: the day the paper's current version last changed.
        sets: the sets the header names.
        created: `<created>`: the current version's submission day on arXiv's current
            server (`record_formats.xml:59`); the first version's on the one before it
            (export.arxiv.org/oai2), as its recorded pages show.
        updated: `<updated>`, the day the row was last updated; None when absent.
        authors: full names, forenames then keyname, without the suffix, as the query
            API makes `full_name` (`search/process/transform.py:45-58` of arxiv-search).
        title: the title, whitespace collapsed.
        categories: the categories, the primary one first.
        comments: the comments, whitespace collapsed, or None.
        journal_ref: the journal reference, whitespace collapsed, or None.
        doi: `<doi>` as given (several DOIs stay one string), or None.
        license: the license's URL, or None.
        abstract: the abstract, whitespace collapsed.
    """

    key: str
    datestamp: date
    sets: tuple[str, ...]
    created: date
    updated: date | None
    authors: tuple[str, ...]
    title: str
    categories: tuple[str, ...]
    comments: str | None
    journal_ref: str | None
    doi: str | None
    license: str | None
    abstract: str


@dataclass(frozen=True)
class ArxivListPage:
    """One `ListRecords` response in the `arXiv` format.

    Attributes:
        records: the valid records, in the order served.
        entries: the `<record>` elements the page held, skipped ones included.
        token: the resumption token for the next page; None when the list is complete.
    """

    records: list[ArxivRecord] = field(default_factory=list)
    entries: int = 0
    token: str | None = None


def parse(content: bytes) -> ListPage:
    """Parse one `ListRecords` response body in the `arXivRaw` format.

    Records without a valid id, datestamp or versions are skipped with a warning; they
    still count in `ListPage.entries`. `noRecordsMatch` is an empty, complete list.

    Raises:
        OaiRejected: the body is an OAI error other than `noRecordsMatch`.
        RefusedBody: the body declares entities, or trips libxml2's limits.
        FeedError: the body is not a well-formed OAI-PMH `ListRecords` response.
    """
    elements, token = listed(content)
    with gc_paused():
        records = [r for r in map(_record, elements) if r is not None]
    return ListPage(records=records, entries=len(elements), token=token)


def parse_arxiv(content: bytes) -> ArxivListPage:
    """Parse one `ListRecords` response body in the `arXiv` format.

    Records without a valid id, datestamp or `<created>` are skipped with a warning;
    they still count in `ArxivListPage.entries`. `noRecordsMatch` is an empty, complete
    list.

    Raises:
        OaiRejected: the body is an OAI error other than `noRecordsMatch`.
        RefusedBody: the body declares entities, or trips libxml2's limits.
        FeedError: the body is not a well-formed OAI-PMH `ListRecords` response.
    """
    elements, token = listed(content)
    records = [r for r in map(_arxiv_record, elements) if r is not None]
    return ArxivListPage(records=records, entries=len(elements), token=token)


def listed(
    content: bytes, *, verb: str = "ListRecords", item: str = "record"
) -> tuple[list[etree._Element], str | None]:
    """The `<record>` elements of a `ListRecords` body (the `item`s of a `verb`'s: the
    `<header>`s of `ListIdentifiers`) and its resumption token (None when the list is
    complete: no `<resumptionToken>`, or an empty one); none for `noRecordsMatch`.

    Raises:
        OaiRejected: the body is an OAI error other than `noRecordsMatch`.
        RefusedBody: the body declares entities, or trips libxml2's limits.
        FeedError: the body is not a well-formed OAI-PMH response of `verb`.
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
            return [], None
        raise OaiRejected(code, collapse(error.text or ""))
    answer = root.find(f"{OAI}{verb}")
    if answer is None:
        # Another verb's answer (`GetRecord`) is named: the client asks for lists only.
        answers = [e.tag.removeprefix(OAI) for e in root if isinstance(e.tag, str)]
        other = next((a for a in answers if a not in {"responseDate", "request"}), None)
        raise FeedError(
            f"OAI-PMH response without {verb}" + (f" (it holds {other})" if other else "")
        )
    token = (answer.findtext(f"{OAI}resumptionToken") or "").strip() or None
    return answer.findall(f"{OAI}{item}"), token


def _header(element: etree._Element) -> tuple[date, tuple[str, ...]] | None:
    """A `<record>`'s datestamp and sets, or None (with a warning)."""
    header = element.find(f"{OAI}header")
    if header is None:
        logger.warning("Skipping an OAI record without a header")
        return None
    try:
        datestamp = date.fromisoformat((header.findtext(f"{OAI}datestamp") or "").strip())
    except ValueError:
        logger.warning(
            "Skipping OAI record %s: no valid datestamp", header.findtext(f"{OAI}identifier")
        )
        return None
    sets = tuple(s.text.strip() for s in header.findall(f"{OAI}setSpec") if s.text)
    return datestamp, sets


def _record(element: etree._Element) -> Record | None:
    """One `<record>` as a `Record`, or None (with a warning)."""
    raw = element.find(f"{OAI}metadata/{RAW}arXivRaw")
    if raw is None:
        logger.warning("Skipping an OAI record without arXivRaw metadata")
        return None
    header = _header(element)
    if header is None:
        return None
    fields = _fields(raw)
    if fields is None:
        return None
    try:
        paper = Paper.model_validate(fields)
    except ValidationError as exc:
        logger.warning("Skipping OAI record %s: %s", fields["arxiv_id"], exc.errors()[0]["msg"])
        return None
    return Record(paper=paper, datestamp=header[0], sets=header[1])


def _fields(raw: etree._Element) -> dict[str, Any] | None:
    """The record fields of an `<arXivRaw>`, or None (with a warning)."""
    key = (raw.findtext(f"{RAW}id") or "").strip()
    versions: list[tuple[int, datetime, str]] = []
    for version in raw.findall(f"{RAW}version"):
        number, when = version.get("version", "").removeprefix("v"), _when(version)
        # ASCII digits only (`isdigit` takes `²`, which `int` refuses), and few of them.
        if _VERSION.fullmatch(number) is None or when is None:
            logger.warning("Skipping OAI record %s: a version without a number or date", key)
            return None
        versions.append((int(number), when, version.findtext(f"{RAW}source_type") or ""))
    if KEY.fullmatch(key) is None or not versions:
        logger.warning("Skipping OAI record %r: not an arXiv id with versions", key)
        return None
    versions.sort()
    current, updated, source_type = versions[-1]
    arxiv_id = f"{key}v{current}"
    categories = (raw.findtext(f"{RAW}categories") or "").split()
    return {
        "title": collapse(_converted(raw.findtext(f"{RAW}title"))),
        # arXiv's `arXiv` format converts the author list whole, then parses it
        # (create_records.py:58-65, then :76 `parse_author_affil`): so here, and the names
        # are joined as the query API joins them.
        "authors": full_names(_converted(raw.findtext(f"{RAW}authors"))),
        "summary": collapse(_converted(raw.findtext(f"{RAW}abstract"))),
        "arxiv_id": arxiv_id,
        "published": versions[0][1].date(),
        "categories": categories,
        "url": f"https://arxiv.org/abs/{arxiv_id}",
        "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}.pdf",
        "updated": updated,
        "primary_category": categories[0] if categories else None,
        "comment": _optional(_converted(raw.findtext(f"{RAW}comments"))),
        "journal_ref": _optional(_converted(raw.findtext(f"{RAW}journal-ref"))),
        # Not converted, as arXiv does not (create_records.py:59-61): the DOI, license.
        "doi": _optional(raw.findtext(f"{RAW}doi")),
        "license": _optional(raw.findtext(f"{RAW}license")),
        # The source type's flags come before the format's letter; `I` is "withdrawn".
        "withdrawn": "I" in source_type,
        "versions": [when for _, when, _ in versions],
    }


def _converted(text: str | None) -> str:
    """A field's TeX converted to Unicode as arXiv converts it for the `arXiv` format
    (`create_records.py:58-65`: `tex2utf(value)`, Greek included) and the query API: on
    the text as stored, before its whitespace is collapsed (`\\aa` eats the space after
    it, not a line break, so `\\aa` at a line's end stays `å` and a space)."""
    return to_unicode(text) if text else ""


def _when(version: etree._Element) -> datetime | None:
    """A version's `<date>` (`Mon, 2 Apr 2007 19:18:42 GMT`) in UTC, or None."""
    text = (version.findtext(f"{RAW}date") or "").strip()
    try:
        return as_utc(parsedate_to_datetime(text)) if text else None
    except (TypeError, ValueError):
        return None


def _arxiv_record(element: etree._Element) -> ArxivRecord | None:
    """One `<record>` of the `arXiv` format as an `ArxivRecord`, or None (with a warning)."""
    metadata = element.find(f"{OAI}metadata/{ARXIV}arXiv")
    if metadata is None:
        logger.warning("Skipping an OAI record without arXiv metadata")
        return None
    header = _header(element)
    if header is None:
        return None
    key = (metadata.findtext(f"{ARXIV}id") or "").strip()
    try:
        created = date.fromisoformat((metadata.findtext(f"{ARXIV}created") or "").strip())
        updated_text = (metadata.findtext(f"{ARXIV}updated") or "").strip()
        updated = date.fromisoformat(updated_text) if updated_text else None
    except ValueError:
        logger.warning("Skipping OAI record %r: no valid <created> or <updated>", key)
        return None
    if KEY.fullmatch(key) is None:
        logger.warning("Skipping OAI record %r: not an arXiv id", key)
        return None
    return ArxivRecord(
        key=key,
        datestamp=header[0],
        sets=header[1],
        created=created,
        updated=updated,
        authors=tuple(_full_name(a) for a in metadata.iterfind(f"{ARXIV}authors/{ARXIV}author")),
        title=collapse(metadata.findtext(f"{ARXIV}title") or ""),
        categories=tuple((metadata.findtext(f"{ARXIV}categories") or "").split()),
        comments=_optional(metadata.findtext(f"{ARXIV}comments")),
        journal_ref=_optional(metadata.findtext(f"{ARXIV}journal-ref")),
        doi=_optional(metadata.findtext(f"{ARXIV}doi")),
        license=_optional(metadata.findtext(f"{ARXIV}license")),
        abstract=collapse(metadata.findtext(f"{ARXIV}abstract") or ""),
    )


def _full_name(author: etree._Element) -> str:
    """An `<author>`'s forenames and keyname, whitespace collapsed, the suffix left out:
    the query API's `full_name` (transform.py:48-50, `f"{first_name} {last_name}"`)."""
    forenames = author.findtext(f"{ARXIV}forenames") or ""
    return collapse(f"{forenames} {author.findtext(f'{ARXIV}keyname') or ''}")


def collapse(text: str) -> str:
    """Whitespace runs collapsed to one space, stripped (the record's rule, as the query
    API's parser applies it)."""
    return " ".join(text.split())


def _optional(text: str | None) -> str | None:
    return collapse(text) if text and not text.isspace() else None
