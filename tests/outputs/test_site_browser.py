"""Issue #19, acceptance 1: the site of a 30,000-paper database in a real headless Chromium
(the system's, driven by Playwright): the index lists every topic with its count, an
author typed into a topic's filter leaves only that author's papers, a paper's DOIs are
each a link (issue 25), and no page asks anything of another site. Screenshots of both
pages are written for a look."""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harvester.config import load_config
from harvester.outputs import plot, site
from tests import synthetic

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SIZES = {"alpha": 20_000, "beta": 7_000, "gamma": 3_000}
SILENT = {"gamma": date(2026, 9, 1)}
"""gamma's newest paper is 80 days older than the others': gone silent at 6 a day."""
SCREENSHOTS = Path(
    os.environ.get("SITE_SCREENSHOTS", Path(tempfile.gettempdir()) / "arxiv-harvester-screenshots")
)
"""Where the screenshots go (the path is also attached to the test's report)."""

if not CHROMIUM.exists() and os.environ.get("CI") != "true":  # .ci/run installs it
    pytest.skip("no /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Serve without a line per request on stderr."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site of a 30,000-paper database, served on 127.0.0.1; yields its base URL."""
    root = tmp_path_factory.mktemp("site30k")
    config = synthetic.database(root / "data", SIZES, newest=SILENT)
    site.build(load_config(config), root / "data", root / "site")
    handler = functools.partial(_Quiet, directory=str(root / "site"))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """The system's Chromium, headless, with none of its own background traffic."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served: str) -> Iterator[tuple[object, list[str]]]:
    """A fresh phone-sized page that records the URL of every request it makes."""
    context = browser.new_context(viewport={"width": 412, "height": 900})
    tab = context.new_page()
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    yield tab, requested
    context.close()


def test_index_lists_every_topic_with_its_count(page, served: str, record_property):
    """The index has a row per topic giving its number of papers under a headline counting
    each paper once (issue 26), and asks only the site."""
    tab, requested = page
    tab.goto(served + "index.html")
    rows = tab.locator("table.topics tbody tr")
    assert rows.count() == len(SIZES)
    shown = {
        rows.nth(i).locator("th a").first.inner_text(): rows.nth(i)
        .locator("td.num")
        .first.inner_text()
        for i in range(rows.count())
    }
    assert shown == {name: f"{count:,}" for name, count in SIZES.items()}
    distinct = {  # beta's papers are alpha's newest (the same days and numbers)
        p.key
        for seed, (name, count) in enumerate(SIZES.items())
        for p in synthetic.papers(count, seed=seed, newest=SILENT.get(name, synthetic.NEWEST))
    }
    assert len(distinct) < sum(SIZES.values())
    headline = tab.locator("p.lead").inner_text()
    assert headline.startswith(
        f"{len(distinct):,} distinct papers in 3 topics (30,000 topic entries;"
    )
    assert tab.locator("svg.plot").count() == len(SIZES)
    marked = tab.locator("tr:has(.silent) th a").all_inner_texts()
    assert marked == ["gamma"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / "index.png", full_page=True)
    tab.set_viewport_size({"width": 1280, "height": 800})
    tab.screenshot(path=SCREENSHOTS / "index-wide.png", full_page=True)
    record_property("screenshot", str(SCREENSHOTS / "index.png"))
    tab.keyboard.press("Tab")  # the keyboard reaches the skip link first, then the content
    assert tab.evaluate("document.activeElement.textContent") == "Skip to the content"
    assert [url for url in requested if not url.startswith(served)] == []


_LABELS = """svg => [...svg.querySelectorAll('.labels text')].map(t => {
    const box = t.getBoundingClientRect();
    const type = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
    return {text: t.textContent, left: box.left, right: box.right, type: type,
            fill: getComputedStyle(t).fill};
})"""
"""What a plot's labels say, where they are drawn, their type's size on the screen (the
plot's own units scaled to its width) and their colour."""


def _expected_labels(name: str) -> list[str]:
    """A topic's plot labels: its most papers in a month, 0, its first month and the site's
    (its newest paper's, as no state is written)."""
    seed = list(SIZES).index(name)
    made = synthetic.papers(SIZES[name], seed=seed, newest=SILENT.get(name, synthetic.NEWEST))
    counts = plot.per_month((p.published for p in made), until=synthetic.NEWEST)
    return [f"{max(counts.values()):,}", "0", next(iter(counts)), next(reversed(counts))]


@pytest.mark.parametrize(
    ("scheme", "width"),
    [
        pytest.param("light", 412, id="light-phone"),
        pytest.param("dark", 412, id="dark-phone"),
        pytest.param("light", 800, id="light-tablet"),
        pytest.param("light", 1280, id="light-wide"),
    ],
)
def test_the_plots_axes_are_labelled_and_readable(browser, served: str, scheme: str, width: int):
    """Each topic's plot shows its counts and months as text in type of at least 11 px, in the
    muted text colour of the scheme, its month labels apart, and fits the page's width
    (issue 26)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    tab = context.new_page()
    tab.goto(served + "index.html")
    muted = tab.locator("p.lead").evaluate("p => getComputedStyle(p).color")
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    for name in SIZES:
        svg = tab.locator(f"#topic-{name} svg.plot")
        labels = svg.evaluate(_LABELS)
        assert [label["text"] for label in labels] == _expected_labels(name)
        assert all(label["type"] >= 11 for label in labels), labels
        assert {label["fill"] for label in labels} == {muted}
        assert labels[2]["right"] < labels[3]["left"]  # the first month clear of the last
        box = svg.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width
    tab.screenshot(path=SCREENSHOTS / f"index-plot-{scheme}-{width}.png", full_page=True)
    context.close()


def test_typing_an_author_leaves_only_their_papers(page, served: str, record_property):
    """Typing an author's name into the filter narrows 20,000 papers to exactly theirs,
    loading the topic's chunks from the site only."""
    tab, requested = page
    tab.goto(served + "alpha/index.html")
    assert tab.locator("#papers > li").count() == site.PAGE_SIZE
    expected = sorted(
        p.arxiv_id
        for p in synthetic.papers(SIZES["alpha"], seed=0)
        if synthetic.ONE_AUTHOR in p.authors
    )
    tab.locator("#filter").press_sequentially(synthetic.ONE_AUTHOR, delay=20)
    status = tab.locator("#filter-status")
    sync_api.expect(status).to_have_text(f"{len(expected)} papers match.", timeout=20_000)
    results = tab.locator("#results > li")
    assert tab.locator("#listing").is_hidden()
    found = sorted(
        results.nth(i).locator(".meta a").first.inner_text() for i in range(results.count())
    )
    assert found == expected
    for i in range(results.count()):
        assert synthetic.ONE_AUTHOR in results.nth(i).locator(".authors").inner_text()
    results.first.locator("summary").click()  # the abstract comes from the paper's own page
    sync_api.expect(results.first.locator(".abstract")).not_to_have_text("Loading…")
    tab.screenshot(path=SCREENSHOTS / "topic.png", full_page=False)
    record_property("screenshot", str(SCREENSHOTS / "topic.png"))
    tab.locator("#filter").fill("")
    sync_api.expect(tab.locator("#listing")).to_be_visible()
    assert [url for url in requested if not url.startswith(served)] == []
    assert any(url.endswith("alpha/filter-1.json") for url in requested)


def test_a_common_author_is_told_from_namesakes_and_shown_in_full(page, served: str):
    """A name that others share words with ("Ada Abe" beside "Ada Kim" and "Omar Abe")
    leaves only that author's papers, more than one screen of them, all reached by
    "Show more"."""
    tab, requested = page
    papers = synthetic.papers(SIZES["alpha"], seed=0)
    name = f"{synthetic.FIRST[0]} {synthetic.LAST[0]}"
    expected = sorted(p.arxiv_id for p in papers if name in p.authors)
    assert len(expected) > 100
    tab.goto(served + "alpha/index.html")
    tab.locator("#filter").fill(name)
    sync_api.expect(tab.locator("#filter-status")).to_have_text(
        f"{len(expected)} papers match.", timeout=20_000
    )
    results = tab.locator("#results > li")
    assert results.count() == 100
    tab.locator("#more").click()
    assert results.count() == len(expected)
    assert tab.locator("#more").is_hidden()
    found = results.evaluate_all("items => items.map(i => i.querySelector('.meta a').textContent)")
    assert sorted(found) == expected
    assert [url for url in requested if not url.startswith(served)] == []


def test_each_doi_of_a_paper_is_a_link_on_its_page_and_in_the_filter(page, served: str):
    """The newest paper of a topic has two DOIs (synthetic.papers gives every eighth paper
    a paper's and an erratum's): both are links to doi.org on its page, and again on the
    filter's match of it (issue 25)."""
    tab, requested = page
    (newest,) = synthetic.papers(1, seed=0)  # the first of alpha's, made from its seed
    expected = [f"https://doi.org/{doi}" for doi in newest.dois]
    assert len(expected) == 2
    doi_links = "a[href^='https://doi.org/']"
    tab.goto(served + "alpha/index.html")
    shown = tab.locator(f"#papers > li[id='p-{newest.key}'] {doi_links}")
    assert shown.evaluate_all("links => links.map(a => a.href)") == expected
    assert shown.all_inner_texts() == newest.dois
    tab.locator("#filter").fill(newest.title.rsplit(" ", 1)[1])  # its number, as "(0)"
    sync_api.expect(tab.locator("#filter-status")).to_have_text("1 paper matches.", timeout=20_000)
    found = tab.locator(f"#results > li {doi_links}")
    assert found.evaluate_all("links => links.map(a => a.href)") == expected
    assert found.all_inner_texts() == newest.dois
    assert [url for url in requested if not url.startswith(served)] == []
