"""The arXivRaw parser: records as the stand-in renders them after arXiv/oaipmh's
templates, OAI error documents, and bodies that are not OAI-PMH at all."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from harvester.errors import FeedError, OaiRejected, RefusedBody
from harvester.oai import records
from tests.oai_standin import OaiPaper, OaiStandin, Version, error_document

V1 = datetime(2023, 1, 31, 18, 59, 59, tzinfo=UTC)
V2 = datetime(2023, 6, 2, 17, 1, 5, tzinfo=UTC)
PAPER = OaiPaper(
    "2301.13816",
    (Version(V1), Version(V2, "I")),
    V2,
    title="Execution-based  Code\n Generation",
    authors="Parshin Shojaee, Aneesh Jain and Chandan K. Reddy",
    categories="cs.LG cs.AI",
    doi="10.1000/xyz",
)


def body(*papers: OaiPaper, prefix: str = "arXivRaw") -> bytes:
    """The ListRecords body the stand-in serves for these papers."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.add(*papers)
    return standin.list_records({"verb": "ListRecords", "metadataPrefix": prefix})


def test_a_record_says_every_version_the_license_and_a_withdrawal():
    """An arXivRaw record becomes our record at its newest version, with `versions`,
    `withdrawn` and `license`, and its datestamp and sets."""
    page = records.parse(body(PAPER))
    [record] = page.records
    paper = record.paper
    assert paper.arxiv_id == "2301.13816v2"
    assert paper.published == date(2023, 1, 31)
    assert paper.updated == V2
    assert paper.versions == [V1, V2]
    assert paper.withdrawn is True
    assert paper.license == "http://creativecommons.org/licenses/by/4.0/"
    assert paper.title == "Execution-based Code Generation"
    assert paper.authors == ["Parshin Shojaee", "Aneesh Jain", "Chandan K. Reddy"]
    assert (paper.primary_category, paper.doi, paper.comment) == ("cs.LG", "10.1000/xyz", None)
    assert record.datestamp == date(2023, 6, 2)
    assert record.sets == ("cs:cs:LG", "cs:cs:AI")
    assert page.token is None


def test_no_records_is_an_empty_complete_list():
    """`noRecordsMatch` is an empty list with no token, not an error."""
    page = records.parse(error_document("noRecordsMatch", ""))
    assert (page.records, page.token, page.entries) == ([], None, 0)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(
            error_document("badArgument", "Set does not exist"), OaiRejected, id="oai-error"
        ),
        pytest.param(b"", FeedError, id="blank"),
        pytest.param(body(PAPER)[:300], FeedError, id="truncated"),
        pytest.param(b"<html><body>503</body></html>", FeedError, id="html"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            RefusedBody,
            id="entities",
        ),
    ],
)
def test_a_body_that_is_not_a_list_is_an_error(content: bytes, error: type[Exception]):
    """An OAI error document, a blank or cut body, HTML or declared entities raise."""
    with pytest.raises(error):
        records.parse(content)


def test_a_record_without_versions_is_skipped_and_counted():
    """A record the parser cannot read is skipped but still counts as an entry."""
    broken = body(PAPER).replace(b"<id>2301.13816</id>", b"<id>not-an-id</id>")
    page = records.parse(broken)
    assert (page.records, page.entries) == ([], 1)
