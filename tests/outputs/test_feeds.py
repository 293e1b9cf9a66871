"""Issue #19, acceptance 2: the site's Atom feeds (`harvester.outputs.feeds`) parse with
feedparser without its bozo flag, and their entries are the newest papers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote

import feedparser
import pytest

from harvester.config import load_config
from harvester.db import store
from harvester.models import Paper
from harvester.outputs import feeds, site
from tests.conftest import paper

EMPTY = datetime(2026, 1, 1, tzinfo=UTC)


def _papers(count: int, prefix: str, newest: date = date(2026, 3, 1)) -> list[Paper]:
    return [
        paper(
            f"{prefix}.{n:05d}v2",
            published=newest - timedelta(days=n),
            title=f"{prefix} paper {n} <&>",
            authors=["Ada Lovelace", "Alan Turing"],
            categories=["cs.LG", "cs.AI"],
        )
        for n in range(count)
    ]


def test_every_feed_of_the_site_parses_and_holds_the_newest(tmp_path):
    """Each topic's feed and the all-topics feed are valid Atom 1.0 with the newest 100 papers."""
    topics = {
        "a": _papers(150, "2403"),
        "b": _papers(30, "2402", newest=date(2026, 3, 10)),
        "c": [],
    }
    config = tmp_path / "queries.toml"
    config.write_text("".join(f"[topics.{name}]\nquery = 'all:{name}'\n" for name in topics))
    for name, papers in topics.items():
        store.save(store.path_for(tmp_path / "data", name), papers)
    out = tmp_path / "site"
    site.build(load_config(config), tmp_path / "data", out)
    every = sorted(topics["a"] + topics["b"], key=lambda p: p.sort_key(), reverse=True)
    for path, expected in [
        (out / "a" / "feed.xml", topics["a"][:100]),
        (out / "b" / "feed.xml", topics["b"]),
        (out / "c" / "feed.xml", []),
        (out / "feed.xml", every[:100]),
    ]:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert [e.link for e in parsed.entries] == [p.url for p in expected]
        assert [e.title for e in parsed.entries] == [p.title for p in expected]
    first = feedparser.parse((out / "a" / "feed.xml").read_bytes()).entries[0]
    assert first.id == "https://arxiv.org/abs/2403.00000"
    assert [a.name for a in first.authors] == ["Ada Lovelace", "Alan Turing"]
    assert [t.term for t in first.tags] == ["cs.LG", "cs.AI"]
    assert first.summary == "S"
    assert first.published.startswith("2026-03-01")


def test_a_paper_in_two_topics_is_one_entry():
    """The all-topics feed lists a paper kept in several topics once, at its newest version."""
    old, new = paper("2403.00001v1"), paper("2403.00001v2", title="Newer")
    chosen = feeds.newest([old, new, paper("2403.00002v1")])
    assert [p.arxiv_id for p in chosen] == ["2403.00002v1", "2403.00001v2"]


@pytest.mark.parametrize(
    ("updated", "stamp"),
    [
        pytest.param(
            datetime(2024, 2, 1, 12, 0, 5, tzinfo=UTC), "2024-02-01T12:00:05Z", id="updated"
        ),
        pytest.param(None, "2024-01-01T00:00:00Z", id="published-only"),
    ],
)
def test_an_entry_is_updated_when_its_version_appeared(updated, stamp: str):
    """An entry's `updated` is its version's time, or its first day when that is unknown."""
    data = feeds.atom(
        [paper("2401.00001v1", updated=updated)],
        name="t",
        title="T",
        page="index.html",
        empty_updated=EMPTY,
    )
    assert f"<updated>{stamp}</updated>" in data.decode()
    assert not feedparser.parse(data).bozo


def test_an_empty_feed_is_valid_and_dated_as_told():
    """A topic without papers still has a valid feed, updated at the time given."""
    data = feeds.atom([], name="t", title="T", page="index.html", empty_updated=EMPTY)
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert parsed.feed.updated == "2026-01-01T00:00:00Z"
    assert parsed.entries == []


@pytest.mark.parametrize(
    ("char", "escape"),
    [
        pytest.param("\ufffe", r"\ufffe", id="U+FFFE"),
        pytest.param("\uffff", r"\uffff", id="U+FFFF"),
        pytest.param("\ufdd0", r"\ufdd0", id="U+FDD0"),
        pytest.param("\U0001fffe", r"\u1fffe", id="U+1FFFE"),
    ],
)
def test_a_noncharacter_in_a_record_is_written_as_its_escape(char: str, escape: str):
    """A title, name or abstract holding a noncharacter (which XML 1.0 cannot carry, issue
    #24: lxml raised) makes a valid feed, the noncharacter written as its escape."""
    p = paper(
        "2401.00001v1", title=f"A{char}B", authors=[f"Ada{char}"], summary=f"S{char}", doi=None
    )
    data = feeds.atom([p], name="t", title="T", page="index.html", empty_updated=EMPTY)
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    (found,) = parsed.entries
    assert found.title == f"A{escape}B"
    assert found.author == f"Ada{escape}"
    assert found.summary == f"S{escape}"


@pytest.mark.parametrize(
    ("doi", "url"),
    [
        pytest.param(
            "10.1103/PhysRevC.76.024606", "https://doi.org/10.1103/PhysRevC.76.024606", id="plain"
        ),
        pytest.param(
            "10.1002/(SICI)1097-4636(199602)30:2<133::AID-JBM1>3.0.CO;2-M",
            "https://doi.org/10.1002/(SICI)1097-4636(199602)30:2%3C133::AID-JBM1%3E3.0.CO;2-M",
            id="sici-brackets-kept-angles-encoded",
        ),
        pytest.param('10.1000/a"b<c', "https://doi.org/10.1000/a%22b%3Cc", id="quote-and-tag"),
        pytest.param("10.1000/x)y}z", "https://doi.org/10.1000/x)y%7Dz", id="brace"),
        pytest.param(
            "10.1/a#b?c%d+e[f]", "https://doi.org/10.1/a%23b%3Fc%25d%2Be%5Bf%5D", id="url-syntax"
        ),
        pytest.param("10.1/\x00x", "https://doi.org/10.1/%5Cx00x", id="control-as-its-escape"),
    ],
)
def test_a_doi_link_percent_encodes_what_would_end_or_leave_the_url(doi: str, url: str):
    """A DOI's doi.org link encodes what the DOI Handbook says a DOI in a URL must not
    hold as it is (`"`, `<`, `#`, `?`, `%`, braces, ...) and keeps SICI's `( ) : ;`."""
    assert feeds.doi_url(doi) == url
    if doi.isprintable():
        assert unquote(url.removeprefix("https://doi.org/")) == doi
