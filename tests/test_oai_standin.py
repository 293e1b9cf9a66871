"""The OAI-PMH stand-in held to pages arXiv/oaipmh's own templates rendered
(`tests/fixtures/oai/`): its tokens, header sets, record elements and error documents,
and the set rules of `processors/db.py` and `requests/data_queries.py`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from harvester.oai import records
from tests.oai_standin import (
    OaiFault,
    OaiPaper,
    OaiStandin,
    Version,
    error_document,
    from_token,
    header_sets,
    in_set,
    parse_set,
    to_token,
)

FIXTURES = Path(__file__).parent / "fixtures" / "oai"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
RAW_QUERY = {
    "verb": "ListRecords",
    "metadataPrefix": "arXivRaw",
    "from": "2011-01-01",
    "set": "physics:hep-th",
}


def tree(content: bytes) -> etree._Element:
    """A page as lxml reads it."""
    return etree.fromstring(content, parser=etree.XMLParser(remove_blank_text=True))


def fixture(name: str) -> etree._Element:
    """A fixture page (tests/fixtures/oai/INDEX.md)."""
    return tree((FIXTURES / name).read_bytes())


def mp_paper() -> OaiPaper:
    """0806.4129 as the fixtures' browse.db rows hold it (6 versions, modtime 2014-12-15)."""
    created = [
        datetime(2008, 6, 25, 15, 29, 38, tzinfo=UTC),
        datetime(2009, 2, 2, 19, 27, 0, tzinfo=UTC),
        datetime(2009, 6, 25, 17, 41, 43, tzinfo=UTC),
        datetime(2009, 9, 15, 17, 34, 26, tzinfo=UTC),
        datetime(2011, 2, 2, 20, 26, 5, tzinfo=UTC),
        datetime(2014, 12, 12, 13, 15, 28, tzinfo=UTC),
    ]
    return OaiPaper(
        "0806.4129",
        tuple(Version(c) for c in created),
        datetime(2014, 12, 15, 1, 12, 7, tzinfo=UTC),
        categories="math-ph math.MP",
        comments="15 pages",
        journal_ref="AIP Conf.Proc.1316:466-477,2010",
        doi="10.1063/1.3536454",
        license="http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        updated=datetime(2014, 12, 15, 1, 12, 7, tzinfo=UTC),
    )


def served(prefix: str) -> etree._Element:
    """The stand-in's record of 0806.4129 in a format."""
    standin = OaiStandin(today=date(2026, 12, 1))
    standin.add(mp_paper())
    page = tree(standin.list_records({"verb": "ListRecords", "metadataPrefix": prefix}))
    [record] = page.iter(f"{OAI}record")
    return record


def recorded(name: str) -> etree._Element:
    """The fixture's record of 0806.4129."""
    [record] = (
        r
        for r in fixture(name).iter(f"{OAI}record")
        if r.findtext(f"{OAI}header/{OAI}identifier") == "oai:arXiv.org:0806.4129"
    )
    return record


def tags(record: etree._Element) -> list[str]:
    """The namespaced element names of a record's metadata, in document order."""
    [metadata] = record.iter(f"{OAI}metadata")
    return [str(e.tag) for e in metadata.iter() if e.tag != f"{OAI}metadata"]


def test_a_token_is_what_arxivs_resume_py_writes_and_reads():
    """The stand-in's token for a query is the fixture's, and reads back to the query."""
    token = fixture("arXivRaw_page_with_token.xml").findtext(f".//{OAI}resumptionToken")
    assert to_token(RAW_QUERY, 2500) == token
    assert from_token(token or "") == (RAW_QUERY, 2500)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("verb%3DListRecords", id="no-skip"),
        pytest.param("metadataPrefix%3DarXivRaw%26skip%3D1", id="no-verb"),
        pytest.param("verb%3DListRecords%26skip%3D-1", id="negative-skip"),
    ],
)
def test_a_broken_token_is_refused_as_resume_py_refuses_it(text: str):
    """A token without a verb or a digit `skip` is badResumptionToken, with resume.py's
    outer message."""
    with pytest.raises(OaiFault, match="Token decoding failed") as caught:
        from_token(text)
    assert caught.value.code == "badResumptionToken"


def test_a_token_of_another_verb_is_refused():
    """A ListIdentifiers token given to ListRecords is badResumptionToken
    (data_queries.py:54-55)."""
    standin = OaiStandin()
    token = to_token({"verb": "ListIdentifiers", "metadataPrefix": "arXivRaw"}, 0)
    body = standin.reply({"verb": "ListRecords", "resumptionToken": token}).body
    assert tree(body).find(f"{OAI}error").get("code") == "badResumptionToken"  # type: ignore[union-attr]


def test_header_sets_are_those_of_the_recorded_pages():
    """For every fixture record, the stand-in's sets from its categories are the header's."""
    page = records.parse((FIXTURES / "arXivRaw_page_with_token.xml").read_bytes())
    assert page.entries == len(page.records) == 5
    for record in page.records:
        assert header_sets(" ".join(record.paper.categories)) == record.sets


@pytest.mark.parametrize(
    ("categories", "sets"),
    [
        pytest.param("cs.IT math.IT", ["cs:cs:IT", "math:math:IT"], id="alias-pair"),
        pytest.param("cs.NA", ["cs:cs:NA", "math:math:NA"], id="alias-alone"),
        pytest.param("solv-int", ["physics:nlin:SI"], id="subsumed-archive"),
        pytest.param("nlin.SI", ["physics:nlin:SI"], id="subsuming-category"),
        pytest.param("astro-ph", ["physics:astro-ph"], id="legacy-bare-archive"),
    ],
)
def test_header_sets_follow_create_records(categories: str, sets: list[str]):
    """An alias adds its other name; a subsumed archive is listed as its category
    (create_records.py:41-53)."""
    assert list(header_sets(categories)) == sets


@pytest.mark.parametrize("prefix", ["arXivRaw", "arXiv"])
def test_record_elements_are_those_arxivs_templates_write(prefix: str):
    """The stand-in writes the elements the real template writes, in its order, in its
    namespace (those the stand-in models: no proxy, report-no, msc-class, acm-class)."""
    name = "arXivRaw_page_with_token.xml" if prefix == "arXivRaw" else "arXiv_page_with_token.xml"
    modelled = {"proxy", "report-no", "msc-class", "acm-class", "suffix"}
    real = [t for t in tags(recorded(name)) if t.rsplit("}", 1)[1] not in modelled]
    assert tags(served(prefix)) == real


def test_the_arxiv_format_dates_are_the_current_version_and_the_row():
    """`<created>` is the current version's day and `<updated>` the row's, as rendered."""
    ns = "{http://arxiv.org/OAI/arXiv/}"
    for record in (served("arXiv"), recorded("arXiv_page_with_token.xml")):
        dates = [record.findtext(f".//{ns}{t}") for t in ("created", "updated")]
        assert dates == ["2014-12-12", "2014-12-15"]


@pytest.mark.parametrize(
    ("name", "code", "reason", "query"),
    [
        pytest.param(
            "error_noRecordsMatch.xml",
            "noRecordsMatch",
            "",
            {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "from": "2026-11-30"},
            id="noRecordsMatch",
        ),
        pytest.param(
            "error_badArgument.xml",
            "badArgument",
            "from date format must be YYYY-MM-DD",
            None,
            id="badArgument",
        ),
    ],
)
def test_error_documents_are_those_errors_xml_writes(
    name: str, code: str, reason: str, query: dict[str, str] | None
):
    """An error's code, text (description, then the reason) and request element are the
    rendered page's."""
    ours, real = tree(error_document(code, reason, query)), fixture(name)
    for part in ("error", "request"):
        mine, theirs = ours.find(f"{OAI}{part}"), real.find(f"{OAI}{part}")
        assert mine is not None
        assert theirs is not None
        assert (mine.attrib.items(), mine.text) == (theirs.attrib.items(), theirs.text)


@pytest.mark.parametrize(
    ("categories", "spec", "member"),
    [
        pytest.param("cs.LG stat.ML", "stat", True, id="cross-list-in-group"),
        pytest.param("cs.LG stat.ML", "stat:stat:ML", True, id="cross-list-in-category"),
        pytest.param("cs.LG", "stat", False, id="other-group"),
        pytest.param("cs.NA", "math:math:NA", True, id="alias-category"),
        pytest.param("math-ph", "math", True, id="alias-archive-in-group"),
        pytest.param("math.MP", "physics:math-ph", True, id="alias-into-archive"),
        pytest.param("solv-int", "physics:nlin", True, id="subsumed-in-archive"),
        pytest.param("solv-int", "physics", True, id="subsumed-in-group"),
        pytest.param("astro-ph", "physics:astro-ph", True, id="legacy-bare-archive"),
        pytest.param("hep-th", "physics:hep-ph", False, id="other-archive"),
    ],
)
def test_set_membership_follows_process_requested_subject(categories: str, spec: str, member: bool):
    """A paper is in a set through any category, cross-lists and aliases included
    (db.py:110-147)."""
    paper = OaiPaper("2401.00001", (Version(datetime(2024, 1, 1, tzinfo=UTC)),), datetime.now(UTC))
    assert in_set(replace_categories(paper, categories), spec) is member


def replace_categories(paper: OaiPaper, categories: str) -> OaiPaper:
    """The paper in other categories."""
    return paper.changed(paper.modtime, categories=categories)


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        pytest.param("cs:cs:LG:x", "Set has too many levels", id="four-levels"),
        pytest.param("test:test", "Invalid set request", id="test"),
        pytest.param("physics:cs", "Set does not exist", id="wrong-group"),
        pytest.param("cs:cs:XX", "Set does not exist", id="unknown-category"),
        pytest.param("physics:solv-int", "Set does not exist", id="inactive-archive"),
    ],
)
def test_a_set_arxiv_lacks_is_a_bad_argument(spec: str, reason: str):
    """`_parse_set` refuses sets outside the active taxonomy (data_queries.py:121-148)."""
    with pytest.raises(OaiFault, match=reason) as caught:
        parse_set(spec)
    assert caught.value.code == "badArgument"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({"from": ""}, None, id="empty-from-is-no-bound"),
        pytest.param({"set": ""}, None, id="empty-set-is-no-set"),
        pytest.param({"from": "2026-4-1"}, "badArgument", id="from-not-zero-padded"),
        pytest.param({"from": "2026-04-01T00:00:00Z"}, "badArgument", id="from-with-time"),
        pytest.param({"until": "2026-04-05"}, "badArgument", id="until-too-late"),
        pytest.param({"from": "2005-09-15"}, "badArgument", id="before-earliest"),
        pytest.param({"from": "2026-04-03", "until": "2026-04-02"}, "badArgument", id="reversed"),
        pytest.param({"metadataPrefix": "oai_dc"}, "cannotDisseminateFormat", id="format"),
    ],
)
def test_dates_sets_and_formats_are_checked_as_data_queries_does(
    params: dict[str, str], code: str | None
):
    """`from`/`until` are days within arXiv's range, empty ones ignored (data_queries.py:74-117)."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.add(mp_paper().changed(datetime(2026, 4, 2, 9, tzinfo=UTC)))
    body = standin.reply({"verb": "ListRecords", "metadataPrefix": "arXivRaw"} | params).body
    error = tree(body).find(f"{OAI}error")
    assert (None if error is None else error.get("code")) == code


def test_a_repeated_argument_is_a_bad_argument():
    """Two `set` arguments in one request are refused (routes.py:23-25)."""
    standin = OaiStandin()
    body = standin.reply({"verb": "ListRecords", "metadataPrefix": "arXivRaw"}, repeated=True).body
    assert tree(body).find(f"{OAI}error").get("code") == "badArgument"  # type: ignore[union-attr]


def test_list_identifiers_pages_twenty_thousand_headers_without_alias_sets():
    """ListIdentifiers is paged at IDENTIFIERS_LIMIT (config.py:23), its headers naming
    each category's own set, without the aliases ListRecords adds (fetch_list.py:115-120)."""
    standin = OaiStandin(today=date(2026, 4, 3))
    when = datetime(2026, 4, 1, tzinfo=UTC)
    standin.add(OaiPaper("2604.00001", (Version(when),), when, categories="math.MP"))
    body = standin.reply({"verb": "ListIdentifiers", "metadataPrefix": "arXivRaw"}).body
    listed = tree(body).find(f"{OAI}ListIdentifiers")
    assert listed is not None
    assert [s.text for s in listed.iter(f"{OAI}setSpec")] == ["math:math:MP"]
    assert listed.find(f"{OAI}record") is None
    assert standin.id_limit == 20_000


def test_list_identifiers_needs_a_metadata_prefix():
    """ListIdentifiers without metadataPrefix is a badArgument, as ListRecords
    (data_queries.py:61-62)."""
    body = OaiStandin().reply({"verb": "ListIdentifiers"}).body
    assert tree(body).find(f"{OAI}error").get("code") == "badArgument"  # type: ignore[union-attr]
