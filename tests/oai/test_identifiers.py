"""The `ListIdentifiers` parser: ids and datestamps of the headers, the token, the errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from harvester.errors import FeedError, OaiRejected
from harvester.oai import identifiers
from harvester.oai.identifiers import Listed
from tests.oai_standin import OaiPaper, OaiStandin, Version, error_document

WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)


def _served(limit: int = 20_000) -> bytes:
    standin = OaiStandin(today=date(2026, 4, 3), id_limit=limit)
    standin.add(
        OaiPaper("2603.00001", (Version(WHEN),), WHEN, categories="cs.LG stat.ML"),
        OaiPaper("hep-th/9901001", (Version(WHEN),), WHEN.replace(day=1), categories="hep-th"),
        OaiPaper("2603.00002", (Version(WHEN),), WHEN.replace(day=3), categories="math.MP"),
    )
    return standin.reply({"verb": "ListIdentifiers", "metadataPrefix": "arXivRaw"}).body


def test_a_page_gives_each_headers_id_and_day_in_order():
    """Each header's id (without `oai:arXiv.org:`) and datestamp, in the order served."""
    page = identifiers.parse(_served())
    assert page.ids == [
        Listed("hep-th/9901001", date(2026, 3, 1)),
        Listed("2603.00001", date(2026, 3, 2)),
        Listed("2603.00002", date(2026, 3, 3)),
    ]
    assert page.entries == 3
    assert page.token is None


def test_a_page_with_more_to_come_gives_its_token():
    """A page cut at the stand-in's limit carries the token that asks for the rest."""
    page = identifiers.parse(_served(limit=2))
    assert [i.key for i in page.ids] == ["hep-th/9901001", "2603.00001"]
    assert page.token is not None
    assert "skip" in page.token


def test_a_header_without_an_arxiv_id_or_day_is_left_out_but_counted():
    """A header naming no arXiv id, or without a valid datestamp, is not listed; the
    page still counts it (so a page of only such headers is not an empty page)."""
    body = (
        _served()
        .replace(b"oai:arXiv.org:2603.00001", b"oai:elsewhere:x")
        .replace(b"<datestamp>2026-03-03</datestamp>", b"<datestamp>someday</datestamp>")
    )
    page = identifiers.parse(body)
    assert [i.key for i in page.ids] == ["hep-th/9901001"]
    assert page.entries == 3


def test_no_records_match_is_an_empty_complete_list():
    """`noRecordsMatch` is an empty list, not a failure."""
    page = identifiers.parse(error_document("noRecordsMatch", ""))
    assert page.ids == []
    assert page.token is None


@pytest.mark.parametrize(
    ("body", "error"),
    [
        pytest.param(error_document("badArgument", "Set does not exist"), OaiRejected, id="error"),
        pytest.param(b"", FeedError, id="blank"),
        pytest.param(b"<feed/>", FeedError, id="not-oai"),
        pytest.param(
            b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords/></OAI-PMH>',
            FeedError,
            id="another-verb",
        ),
    ],
)
def test_what_is_not_a_list_of_ids_is_refused(body: bytes, error: type[Exception]):
    """An OAI error, a blank body, another document or another verb's list raise."""
    with pytest.raises(error):
        identifiers.parse(body)
