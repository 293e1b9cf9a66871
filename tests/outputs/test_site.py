"""The static site (`harvester.outputs.site`): pages, filter chunks and index made from
data/ alone, the same bytes for the same data."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import html

from harvester.config import load_config
from harvester.db import state, store, verified
from harvester.db.counts import Change, Counts
from harvester.db.state import TopicState
from harvester.models import Paper
from harvester.outputs import site
from tests.conftest import HOSTILE_DOIS, TWO_DOIS, paper, tree
from tests.outputs import whole


def _database(tmp_path: Path, topics: dict[str, list[Paper]]) -> Path:
    """A topics file and data/ holding `topics` (name -> papers); returns the topics file."""
    config = tmp_path / "queries.toml"
    config.write_text("".join(f"[topics.{name}]\nquery = 'all:{name}'\n" for name in topics))
    for name, papers in topics.items():
        store.save(store.path_for(tmp_path / "data", name), papers)
    return config


def _daily(count: int, *, newest: date, prefix: str = "2411") -> list[Paper]:
    """`count` papers, one a day back from `newest`."""
    return [
        paper(f"{prefix}.{n:05d}v1", published=newest - timedelta(days=n), title=f"Paper {n}")
        for n in range(count)
    ]


def _build(config: Path, **kwargs) -> Path:
    out = config.parent / "site"
    site.build(load_config(config), config.parent / "data", out, **kwargs)
    return out


def test_same_data_same_bytes(tmp_path: Path):
    """Two builds of the same data give byte-identical sites; one over the other rewrites
    no file."""
    config = _database(tmp_path, {"a": _daily(250, newest=date(2026, 3, 1))})
    first = tree(_build(config))
    (tmp_path / "site").rename(tmp_path / "first")
    second = tree(_build(config))
    assert {name: data for name, (data, _) in second.items()} == {
        name: data for name, (data, _) in first.items()
    }
    assert tree(_build(config)) == second


def test_a_topic_is_paged_newest_first(tmp_path: Path):
    """250 papers make pages of 100, 100 and 50, newest first, linked to each other."""
    config = _database(tmp_path, {"a": _daily(250, newest=date(2026, 3, 1))})
    out = _build(config) / "a"
    assert sorted(p.name for p in out.glob("*.html")) == [
        "index.html",
        "page-2.html",
        "page-3.html",
    ]
    first = (out / "index.html").read_text()
    assert first.count('<li class="paper"') == 100
    assert first.index("Paper 0<") < first.index("Paper 99<")
    assert 'href="page-2.html" rel="next"' in first
    last = (out / "page-3.html").read_text()
    assert last.count('<li class="paper"') == 50
    assert 'href="page-2.html" rel="prev"' in last
    assert "Paper 249<" in last


def test_filter_chunks_hold_every_paper_and_its_page(tmp_path: Path, monkeypatch):
    """The filter's chunks hold every paper once, each naming the page its abstract is on."""
    monkeypatch.setattr(site, "CHUNK", 100)
    config = _database(tmp_path, {"a": _daily(250, newest=date(2026, 3, 1))})
    out = _build(config) / "a"
    records = [r for i in range(3) for r in json.loads((out / f"filter-{i}.json").read_text())]
    assert not (out / "filter-3.json").exists()
    assert len({r[0] for r in records}) == 250
    for record in records[::37]:
        key = record[0].rpartition("v")[0]
        assert f'id="p-{key}"' in (out / record[7]).read_text()
    assert 'data-chunks="3"' in (out / "index.html").read_text()


def test_every_field_of_a_paper_is_shown(tmp_path: Path):
    """A paper's title link, authors, date, categories, version, DOI, journal ref and abstract."""
    shown = paper(
        "2403.01234v3",
        title="Deep <RL> & code",
        authors=["Ada Lovelace", "Alan Turing"],
        summary="We study things.",
        categories=["cs.LG", "cs.SE"],
        doi="10.1000/xyz",
        journal_ref="J. Things 1 (2024)",
    )
    html = (_build(_database(tmp_path, {"a": [shown]})) / "a" / "index.html").read_text()
    assert '<a href="https://arxiv.org/abs/2403.01234v3">Deep &lt;RL&gt; &amp; code</a>' in html
    for part in [
        "Ada Lovelace, Alan Turing",
        '<time datetime="2024-01-01">',
        "cs.LG cs.SE",
        "(v3)",
        'href="https://doi.org/10.1000/xyz"',
        "J. Things 1 (2024)",
        '<details><summary>Abstract</summary><p class="abstract">We study things.</p></details>',
    ]:
        assert part in html


@pytest.mark.parametrize(
    ("doi", "links"),
    [
        pytest.param(
            TWO_DOIS,
            [
                ("10.1103/PhysRevC.76.024606", "https://doi.org/10.1103/PhysRevC.76.024606"),
                ("10.1103/PhysRevC.76.039902", "https://doi.org/10.1103/PhysRevC.76.039902"),
            ],
            id="arxiv-0704.0471",
        ),
        pytest.param(
            HOSTILE_DOIS,
            [
                ('10.1000/a"b<c', "https://doi.org/10.1000/a%22b%3Cc"),
                ("10.1000/x)y}z", "https://doi.org/10.1000/x)y%7Dz"),
            ],
            id="hostile",
        ),
    ],
)
def test_each_doi_of_a_paper_has_its_own_link(
    tmp_path: Path, doi: str, links: list[tuple[str, str]]
):
    """A paper with two DOIs links each to doi.org on its page, and gives the filter both
    with the same links (issue 25: the pair was one link to a DOI that does not exist); a
    quote or `<` in a DOI neither ends its attribute nor opens a tag."""
    out = _build(_database(tmp_path, {"a": [paper("0704.0471v1", doi=doi)]}))
    page = html.fromstring((out / "a" / "index.html").read_bytes())
    (item,) = [li for li in page.iter("li") if li.get("id") == "p-0704.0471"]
    # Each link's whole text and address read back: a `"` cut no attribute short, and a
    # `<` opened no tag.
    shown = [(a.text, a.get("href", "")) for a in item.iter("a")]
    assert [(text, href) for text, href in shown if href.startswith("https://doi.org/")] == links
    (record,) = json.loads((out / "a" / "filter-0.json").read_text())
    assert [tuple(pair) for pair in record[5]] == links


def test_pages_load_nothing_from_another_site(tmp_path: Path):
    """Every page's scripts and styles are the site's own, and its policy forbids others."""
    out = _build(_database(tmp_path, {"a": _daily(3, newest=date(2026, 3, 1))}))
    for page in [out / "index.html", out / "a" / "index.html"]:
        html = page.read_text()
        assert "Content-Security-Policy\" content=\"default-src 'self'" in html
        loaded = re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="([^"]+)"', html)
        assert loaded
        assert [u for u in loaded if "//" in u] == []


def _state(data: Path, topic: str, watermark: datetime) -> None:
    state.save(
        state.path_for(data, topic),
        TopicState(
            query=f"all:{topic}", since=None, until=watermark, complete=True, watermark=watermark
        ),
    )


def test_the_index_counts_marks_silence_and_dates_itself_from_the_data(tmp_path: Path):
    """The index: papers, new in the week before the newest watermark, and a silent topic marked."""
    config = _database(
        tmp_path,
        {
            "busy": _daily(40, newest=date(2026, 3, 1)),
            "quiet": _daily(40, newest=date(2026, 1, 1), prefix="2410"),
        },
    )
    _state(tmp_path / "data", "busy", datetime(2026, 3, 2, 6, 17, tzinfo=UTC))
    html = (_build(config) / "index.html").read_text()
    assert "2026-03-02 06:17 UTC" in html
    busy = html[html.index('id="topic-busy"') : html.index('id="topic-quiet"')]
    quiet = html[html.index('id="topic-quiet"') :].split("</tr>")[0]
    assert re.findall(r'<td class="num"[^>]*>([\d,]+)</td>', busy) == ["40", "6"]
    assert "Gone silent" not in busy
    assert "Gone silent: nothing new for 60 days, usually about 7 a week" in quiet
    assert "<svg" in busy
    assert "Not known: this site was built without the run's report." in html


@pytest.mark.parametrize(
    ("shared", "headline"),
    [
        pytest.param(
            10,
            "70 distinct papers in 2 topics (80 topic entries; a paper in several topics is "
            "listed in each),",
            id="sharing-papers",
        ),
        pytest.param(0, "80 distinct papers in 2 topics,", id="sharing-none"),
    ],
)
def test_the_headline_counts_each_paper_once(tmp_path: Path, shared: int, headline: str):
    """The index's headline counts a paper in two topics once, and the topics' entries
    apart when they differ (issue 26)."""
    a = _daily(40, newest=date(2026, 3, 1))
    b = a[:shared] + _daily(40 - shared, newest=date(2026, 1, 1), prefix="2410")
    html = (_build(_database(tmp_path, {"a": a, "b": b})) / "index.html").read_text()
    lead = " ".join(html.split('<p class="lead">')[1].split("</p>")[0].split())
    assert lead.startswith(headline + " as of the last harvest that found something: ")


def test_each_topic_shows_when_it_was_last_verified_and_what_was_found(tmp_path: Path):
    """The index and each topic's page say when `harvest verify` last compared the topic
    with arXiv and what it found: complete, the missing ids, or never."""
    topics = {name: _daily(3, newest=date(2026, 3, 1)) for name in ("whole", "short", "new")}
    config = _database(tmp_path, topics)
    when = datetime(2026, 3, 2, 6, tzinfo=UTC)
    verified.record(
        tmp_path / "data",
        {
            "whole": verified.Found(
                at=when, method="counts", listed=3, stored=3, missing=0, unlisted=0
            ),
            "short": verified.Found(
                at=when,
                method="ids",
                listed=5,
                stored=3,
                missing=2,
                unlisted=0,
                missing_ids=["2411.00007", "2411.00009"],
            ),
        },
    )
    out = _build(config)
    index = html.fromstring((out / "index.html").read_bytes())
    cells = {
        row.get("id"): row.xpath("string(td[@class='verified'])")
        for row in index.iter("tr")
        if row.get("id")
    }
    assert cells == {
        "topic-whole": "2026-03-02: complete, 3 of 3 papers arXiv lists",
        "topic-short": "2026-03-02: 2 missing of 5 arXiv lists (2411.00007, 2411.00009)",
        "topic-new": "never (harvest verify)",
    }
    page = html.fromstring((out / "short" / "index.html").read_bytes())
    assert page.xpath("string(//p[@class='verified'])") == (
        "Last verified against arXiv: 2026-03-02: 2 missing of 5 arXiv lists "
        "(2411.00007, 2411.00009)."
    )


def test_the_last_runs_changes_are_listed(tmp_path: Path):
    """Given the run's changes, the index names each changed paper, up to `LISTED` a topic."""
    config = _database(tmp_path, {"a": _daily(3, newest=date(2026, 3, 1)), "b": []})
    changes = tuple(Change(f"2403.{n:05d}v1", f"New {n}", "new") for n in range(site.LISTED + 2))
    html = (
        _build(config, changes={"a": Counts(new=27, changes=changes)}) / "index.html"
    ).read_text()
    assert "a</a>: 27 new, 0 updated" in html
    assert "b</a>: 0 new, 0 updated" in html
    assert '<a href="https://arxiv.org/abs/2403.00000v1">New 0</a> (2403.00000v1, new)' in html
    assert f"New {site.LISTED - 1}<" in html
    assert f"New {site.LISTED}<" not in html
    assert "and 2 more" in html


@pytest.mark.parametrize(
    ("number", "name"),
    [pytest.param(1, "index.html", id="first"), pytest.param(7, "page-7.html", id="later")],
)
def test_page_names(number: int, name: str):
    """The first page is the topic's index; the others are numbered."""
    assert site.page_name(number) == name


def _luminance(color: str) -> float:
    """WCAG 2 relative luminance of `#rrggbb`."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("scheme", [pytest.param(0, id="light"), pytest.param(1, id="dark")])
def test_text_contrast_is_at_least_4_5_to_1(scheme: int):
    """Every text colour of the style, on every background it is used on, in light and dark."""
    css = (Path(site.__file__).parent / "static" / "style.css").read_text()
    blocks = re.findall(r":root \{([^}]*)\}", css)
    colors = dict(re.findall(r"--([\w-]+): (#[0-9a-f]{6})", blocks[scheme]))
    pairs = [(t, b) for t in ["text", "muted", "link"] for b in ["bg", "panel"]]
    for text, background in [*pairs, ("warn-text", "warn-bg")]:
        light, dark = sorted(
            [_luminance(colors[text]), _luminance(colors[background])], reverse=True
        )
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (text, background)


def test_a_database_without_papers_has_a_site(tmp_path: Path):
    """Topics never harvested (no data file) still get their page, an empty feed and a row."""
    config = tmp_path / "queries.toml"
    config.write_text("[topics.a]\nquery = 'all:a'\n")
    out = _build(config)
    assert '<p class="lead">0 papers in 1 topic,\n' in (out / "index.html").read_text()
    assert "none yet" in (out / "index.html").read_text()
    assert "0 papers, newest first." in (out / "a" / "index.html").read_text()
    assert "<updated>1991-08-14T00:00:00Z</updated>" in (out / "a" / "feed.xml").read_text()


def test_control_characters_in_a_record_are_escaped_everywhere(tmp_path: Path):
    """A title, author or abstract with control characters (XML cannot carry them) is
    shown with their escapes in the pages, the filter file and a feed that still parses."""
    hostile = paper(
        "2401.00001v1", title="Bell\x07 and \x00null", authors=["Esc\x1bape"], summary="a\x0bb"
    )
    out = _build(_database(tmp_path, {"a": [hostile]}))
    page = (out / "a" / "index.html").read_text()
    assert "Bell\\x07 and \\x00null" in page
    assert "Esc\\x1bape" in page
    assert "\x00" not in page
    assert json.loads((out / "a" / "filter-0.json").read_text())[0][1] == "Bell\\x07 and \\x00null"
    parsed = feedparser.parse((out / "a" / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert parsed.entries[0].title == "Bell\\x07 and \\x00null"


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param(" JavaScript:alert(1)", id="javascript-spaced-upper"),
        pytest.param("data:text/html,<script>alert(1)</script>", id="data"),
        pytest.param("//evil.example/x", id="scheme-relative"),
    ],
)
def test_a_record_url_that_is_no_web_address_is_never_linked(tmp_path: Path, url: str):
    """A hand-edited record whose `url` or `pdf_url` is a script or data URL is linked to
    its arXiv pages, made from its id, in the pages and the feeds: the site never holds a
    link that runs a script when followed (the CSP blocks it too; this does not rely on it)."""
    hostile = paper("2401.00001v1", url=url, pdf_url=url)
    out = _build(_database(tmp_path, {"a": [hostile]}))
    for name in ["index.html", "a/index.html", "a/feed.xml", "feed.xml"]:
        text = (out / name).read_text()
        assert url.strip() not in text, name
        assert "https://arxiv.org/abs/2401.00001v1" in text, name
    assert 'href="https://arxiv.org/pdf/2401.00001v1"' in (out / "a" / "index.html").read_text()


def test_the_streamed_site_has_the_bytes_of_the_whole_topic_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Built a file at a time, every page, filter file, feed and the index are byte for
    byte what loading each topic whole made (a topic mid-switch, one sharing its papers,
    an empty one), pages and filter files cut small so that a topic has many."""
    monkeypatch.setattr(site, "PAGE_SIZE", 30)
    monkeypatch.setattr(site, "CHUNK", 400)
    config = whole.database(tmp_path)
    site.build(config, tmp_path / "data", tmp_path / "new")
    whole.build_site(config, tmp_path / "data", tmp_path / "old")
    new, old = whole.tree(tmp_path / "new"), whole.tree(tmp_path / "old")
    assert sorted(new) == sorted(old)
    assert [name for name in new if new[name] != old[name]] == []
    assert "big/page-80.html" in new
    assert "big/filter-5.json" in new
