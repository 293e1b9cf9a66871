"""The Atom parser, against every real recording and against the `arxiv` package."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from pathlib import Path

import arxiv._feed
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from harvester.arxiv import feed
from harvester.arxiv.feed import collapse
from harvester.errors import FeedError, QueryRejected
from harvester.net.retry import retryable
from tests.conftest import KEYS, TWO_DOIS
from tests.standin import FEED_HEAD, error_feed, recorded_entries

RECORDINGS = sorted((Path(__file__).parent.parent / "fixtures" / "arxiv").glob("*.xml"))
ERROR_FEEDS = {
    "pubs-pubs__idlist_INVALIDID.xml": "incorrect id format for INVALIDID",
    "lukasschwab-arxiv.py__id_abc_s0_m100.xml": "incorrect id format for abc",
}
PAPER_FEEDS = [p for p in RECORDINGS if p.name not in ERROR_FEEDS]


def _ws(text: str | None) -> str | None:
    """The record contract's whitespace rule, applied to the reference's raw text."""
    return None if text is None else re.sub(r"\s+", " ", text).strip()


def test_recordings_are_all_here():
    """Every recording of the shared set was copied in, so the differential covers them all."""
    assert len(RECORDINGS) == 28
    assert len(PAPER_FEEDS) == 26


# UTF-8 read as latin-1 and encoded again as UTF-8: `Ã­` where arXiv sent `í` (issue 16).
_DOUBLE_ENCODED = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]+")


def double_encoded(text: str) -> list[str]:
    """The runs of `text` that are UTF-8 bytes shown as latin-1: they decode to something else."""
    found = []
    for match in _DOUBLE_ENCODED.finditer(text):
        try:
            repaired = match.group().encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            continue  # a real latin-1 pair such as `Ã±` that is not a UTF-8 sequence
        if repaired != match.group():
            found.append(match.group())
    return found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        pytest.param("Aurora RamÃ­rez", ["Ã\xad"], id="double-encoded"),
        pytest.param("Aurora Ramírez", [], id="real-utf-8"),
        pytest.param("Ã", [], id="alone"),
    ],
)
def test_double_encoded_finds_mojibake_only(text: str, found: list[str]):
    """The check finds `Ã­` for `í` and passes text that is what it says."""
    assert double_encoded(text) == found


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_recordings_are_not_double_encoded(path: Path):
    """Each recording holds the bytes arXiv sent, not UTF-8 encoded twice (issue 16)."""
    assert double_encoded(path.read_bytes().decode("utf-8")) == []


_TOTAL_END = b"</opensearch:totalResults>"


@pytest.mark.parametrize("path", PAPER_FEEDS, ids=lambda p: p.stem)
def test_records_equal_reference_parser(path: Path):
    """Each record equals what arxiv._feed.parse reads from the same bytes, field by field."""
    content = path.read_bytes()
    ours = feed.parse(content)
    reference = arxiv._feed.parse(content)
    assert not reference.malformed
    assert ours.total_results == reference.header.total_results
    assert ours.start_index == reference.header.start_index
    assert len(ours.papers) == len(reference.results)
    for paper, ref in zip(ours.papers, reference.results, strict=True):
        assert paper.arxiv_id == ref.get_short_id()
        assert paper.title == _ws(ref.title)
        assert paper.authors == [_ws(a.name) for a in ref.authors]
        assert paper.summary == _ws(ref.summary)
        assert paper.published == ref.published.date()
        assert paper.updated == ref.updated
        assert paper.categories == ref.categories
        assert paper.primary_category == ref.primary_category
        assert paper.comment == _ws(ref.comment)
        assert paper.journal_ref == _ws(ref.journal_ref)
        assert paper.doi == _ws(ref.doi)
        assert paper.url == f"https://arxiv.org/abs/{ref.get_short_id()}"
        assert paper.pdf_url == f"https://arxiv.org/pdf/{ref.get_short_id()}.pdf"


@pytest.mark.parametrize(("name", "reason"), ERROR_FEEDS.items(), ids=["legacy", "2026"])
def test_error_feed_raises_with_arxiv_reason(name: str, reason: str):
    """An error feed is arXiv's refusal, reported with its reason and never read as a paper."""
    with pytest.raises(QueryRejected, match=re.escape(reason)) as caught:
        feed.parse((Path(__file__).parent.parent / "fixtures" / "arxiv" / name).read_bytes())
    assert not retryable(caught.value)


def test_error_feed_reason_is_quoted_on_one_line():
    """arXiv's reason with C1 controls, a line separator or a bidi override is escaped (#16)."""
    body = error_feed("bad \u009b31m query\u2028ERROR forged \u202eevil")
    with pytest.raises(QueryRejected) as caught:
        feed.parse(body)
    assert str(caught.value) == (
        "arXiv rejected the query: bad \\x9b31m query ERROR forged \\u202eevil"
    )


def test_legacy_record_has_every_contract_field():
    """A legacy-format entry gives the full record, wrapped text collapsed, times in UTC."""
    page = feed.parse(
        (
            Path(__file__).parent.parent / "fixtures/arxiv/pubs-pubs__idlist_astro-ph_9812133.xml"
        ).read_bytes()
    )
    paper = page.papers[0]
    assert paper.arxiv_id == "astro-ph/9812133v1"
    assert paper.published == date(1998, 12, 8)
    assert paper.updated == datetime(1998, 12, 8, 3, 27, 34, tzinfo=UTC)
    assert paper.categories == ["astro-ph", "hep-ex", "hep-ph"]
    assert paper.primary_category == "astro-ph"
    assert paper.doi == "10.1086/307221"
    assert paper.journal_ref == "Astrophys.J.517:565-586,1999"
    assert paper.comment is not None
    assert "\n" not in paper.comment
    assert paper.comment.startswith(
        "21 pages and 10 figures. Accepted for publication in the Astro"
    )
    assert list(paper.model_dump()) == KEYS
    assert (paper.license, paper.withdrawn, paper.versions) == (None, None, None)  # OAI-PMH only


def _feed(*entries: str, total: int | None = None) -> bytes:
    count = len(entries) if total is None else total
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"<opensearch:totalResults>{count}</opensearch:totalResults>"
        "<opensearch:startIndex>0</opensearch:startIndex>" + "".join(entries) + "</feed>"
    ).encode()


def _entry(arxiv_id: str = "2301.13816v4", *, published: str = "2023-01-31T18:00:00Z") -> str:
    dates = f"<published>{published}</published>" if published else ""
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}</id>{dates}"
        "<updated>2023-06-02T13:01:05-04:00</updated>"
        "<title>  Execution-based\n   Code Generation </title><summary>s</summary>"
        "<author><name>A B</name></author>"
        '<arxiv:primary_category term="cs.LG"/><category term="cs.LG"/></entry>'
    )


@pytest.mark.parametrize(
    "arxiv_id",
    [
        pytest.param("2301.13816v4", id="new-5-digit"),
        pytest.param("0704.0001v2", id="new-4-digit"),
        pytest.param("hep-th/9901001v2", id="old"),
        pytest.param("math.GT/0309136v1", id="old-with-subject"),
        pytest.param("solv-int/9701001v1", id="old-hyphenated"),
    ],
)
def test_ids_of_both_eras(arxiv_id: str):
    """Ids of both eras become the short id with version, and the URLs derive from it."""
    paper = feed.parse(_feed(_entry(arxiv_id))).papers[0]
    assert paper.arxiv_id == arxiv_id
    assert paper.url == f"https://arxiv.org/abs/{arxiv_id}"
    assert paper.pdf_url == f"https://arxiv.org/pdf/{arxiv_id}.pdf"


def test_offset_timestamps_become_utc_and_titles_collapse():
    """An `updated` with an offset is stored in UTC; the title's whitespace runs collapse."""
    paper = feed.parse(_feed(_entry())).papers[0]
    assert paper.updated == datetime(2023, 6, 2, 17, 1, 5, tzinfo=UTC)
    assert paper.model_dump(mode="json")["updated"] == "2023-06-02T17:01:05Z"
    assert paper.title == "Execution-based Code Generation"


def test_author_names_collapse_as_the_reference_reads_them():
    """Line breaks and runs of spaces inside an author's name collapse to one space, as
    the contract applies it to what `arxiv._feed` reads from the same bytes."""
    messy = (
        "<author><name>\n   Ada\t  Lovelace \n</name></author><author><name>B  C</name></author>"
    )
    content = _feed(_entry().replace("<author><name>A B</name></author>", messy))
    reference = arxiv._feed.parse(content).results[0]
    assert feed.parse(content).papers[0].authors == ["Ada Lovelace", "B C"]
    assert [_ws(a.name) for a in reference.authors] == ["Ada Lovelace", "B C"]


@pytest.mark.parametrize(
    ("entry", "logged"),
    [
        pytest.param(_entry(published=""), "no valid <published>", id="no-published"),
        pytest.param(
            _entry().replace("<id>http://arxiv.org/abs/2301.13816v4</id>", ""),
            "Skipping entry with id ''",
            id="no-id",
        ),
        pytest.param(_entry("2301.13816"), "not a versioned arXiv", id="no-version"),
        pytest.param(_entry(published="yesterday"), "no valid <published>", id="bad-date"),
    ],
)
def test_unusable_entry_is_skipped_with_warning(entry: str, logged: str, caplog):
    """An entry missing its id or dates is skipped with a warning; the others are kept."""
    caplog.set_level(logging.WARNING, logger="harvester.arxiv.feed")
    page = feed.parse(_feed(entry, _entry("2402.07314v3")))
    assert [p.arxiv_id for p in page.papers] == ["2402.07314v3"]
    assert page.entries == 2
    assert logged in caplog.text


@pytest.mark.parametrize(
    ("body", "message", "transient"),
    [
        pytest.param(_feed(_entry())[:300], "not well-formed XML", True, id="truncated"),
        pytest.param(
            b"<html><body>503 Service Unavailable</body></html>",
            "not an Atom feed",
            True,
            id="html",
        ),
        pytest.param(
            b"<!DOCTYPE html><html><body>Bad Gateway</body></html>",
            "not an Atom feed",
            True,
            id="html-with-doctype",
        ),
        pytest.param(b"", "not well-formed XML", True, id="empty-body"),
        pytest.param(
            _feed(_entry()).replace(b"<opensearch:totalResults>1</opensearch:totalResults>", b""),
            "opensearch:totalResults",
            True,
            id="no-total",
        ),
        pytest.param(
            _feed(_entry()).replace(
                b">1</opensearch:totalResults>", b">" + b"9" * 400 + _TOTAL_END
            ),
            "totalResults .got '999999999999... 400 characters'",
            True,
            id="total-400-digits",
        ),
        pytest.param(
            _feed(_entry()).replace(b">1</opensearch:totalResults>", "> ١٢ ".encode() + _TOTAL_END),
            "totalResults .got '١٢'",
            True,
            id="total-arabic-digits",
        ),
        pytest.param(
            _feed(_entry()).replace(b">1</opensearch:totalResults>", b">-5" + _TOTAL_END),
            "totalResults .got '-5'",
            True,
            id="total-negative",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&c;</title></feed>',
            "declares XML entities",
            False,
            id="billion-laughs",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&x;</title></feed>',
            "declares XML entities",
            False,
            id="external-entity",
        ),
    ],
)
def test_bad_bodies_raise_feed_error(body: bytes, message: str, transient: bool):
    """A body that is not an arXiv feed raises FeedError; only what may heal is transient."""
    with pytest.raises(FeedError, match=message) as caught:
        feed.parse(body)
    assert retryable(caught.value) is transient


# 0704.0471v1 as arXiv's 2026 backend serves it (abstract cut): one <arxiv:doi> and one
# related link per DOI (arXiv/arxiv-search search/serialize/atom_extensions.py:222-230).
_ENTRY_0704_0471 = """<entry>
    <id>http://arxiv.org/abs/0704.0471v1</id>
    <title>Density dependence of the symmetry energy and the nuclear equation of
  state: A Dynamical and Statistical model perspective</title>
    <updated>2007-04-03T22:04:11Z</updated>
    <link href="https://arxiv.org/abs/0704.0471v1" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/0704.0471v1" rel="related" type="application/pdf" title="pdf"/>
    <summary>  The density dependence of the symmetry energy in the equation of state of
isospin asymmetric nuclear matter is of significant importance.</summary>
    <category term="nucl-ex" scheme="http://arxiv.org/schemas/atom"/>
    <category term="nucl-th" scheme="http://arxiv.org/schemas/atom"/>
    <published>2007-04-03T22:04:11Z</published>
    <arxiv:comment>16 pages, 14 figures</arxiv:comment>
    <arxiv:primary_category term="nucl-ex"/>
    <arxiv:journal_ref>Phys.Rev.C76:024606,2007; Erratum-ibid.C76:039902,2007</arxiv:journal_ref>
    <author>
      <name>D. V. Shetty</name>
    </author>
    <author>
      <name>S. J. Yennello</name>
    </author>
    <author>
      <name>G. A. Souliotis</name>
    </author>
    <arxiv:doi>10.1103/PhysRevC.76.024606</arxiv:doi>
    <link rel="related" href="https://doi.org/10.1103/PhysRevC.76.024606" title="doi"/>
    <arxiv:doi>10.1103/PhysRevC.76.039902</arxiv:doi>
    <link rel="related" href="https://doi.org/10.1103/PhysRevC.76.039902" title="doi"/>
  </entry>"""


def test_an_entry_with_two_doi_elements_has_the_doi_string_oai_pmh_gives():
    """arXiv's 2026 backend writes an `<arxiv:doi>` per DOI; joined with a space they are
    the very `doi` OAI-PMH gives for the paper, and `dois` lists both (issue 25)."""
    (paper,) = feed.parse(_feed(_ENTRY_0704_0471)).papers
    assert paper.doi == TWO_DOIS
    assert paper.dois == ["10.1103/PhysRevC.76.024606", "10.1103/PhysRevC.76.039902"]
    assert paper.journal_ref == "Phys.Rev.C76:024606,2007; Erratum-ibid.C76:039902,2007"


@pytest.mark.parametrize(
    "elements",
    [
        pytest.param("", id="none"),
        pytest.param("<arxiv:doi> </arxiv:doi><arxiv:doi/>", id="blank"),
    ],
)
def test_an_entry_without_a_doi_or_with_blank_ones_has_none(elements: str):
    """No `<arxiv:doi>`, or only blank ones, is no DOI: `doi` is None, `dois` empty."""
    content = _feed(_entry().replace("</entry>", elements + "</entry>"))
    (paper,) = feed.parse(content).papers
    assert (paper.doi, paper.dois) == (None, [])


def test_the_standin_serves_two_dois_as_arxiv_does_and_they_read_back():
    """The stand-in's `with_doi` replaces a recorded entry's DOI with an `<arxiv:doi>`
    and a related link per DOI, as arXiv's backend writes them; the parser reads the
    string back."""
    recorded = next(e for e in recorded_entries() if b"<arxiv:doi>" in e.xml)
    entry = recorded.with_doi(TWO_DOIS)
    element = etree.fromstring(entry.xml)
    ns = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
    assert element.xpath("arxiv:doi/text()", namespaces=ns) == TWO_DOIS.split()
    assert element.xpath("atom:link[@title='doi']/@href", namespaces=ns) == [
        f"https://doi.org/{doi}" for doi in TWO_DOIS.split()
    ]
    assert element.xpath("atom:link[@title='doi']/@rel", namespaces=ns) == ["related"] * 2
    body = FEED_HEAD.format(per_page=1, total=1, start=0).encode() + entry.xml + b"</feed>"
    (paper,) = feed.parse(body).papers
    assert paper.doi == TWO_DOIS


@given(st.text() | st.text(alphabet=st.characters(max_codepoint=127)))
def test_collapse_is_split_and_join(text: str):
    """collapse(s) is " ".join(s.split()) on any text: every kind of whitespace run, tabs,
    form feeds and the separators `str.isspace` counts among them."""
    assert collapse(text) == " ".join(text.split())
    assert collapse("\ta \x1c\n\x0b b\u2003 ") == "a b"
