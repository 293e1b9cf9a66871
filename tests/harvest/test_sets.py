"""A set topic: its first harvest lists the whole set through OAI-PMH alone, resumable;
later runs are the change feed, one request a day for every topic together; a paper it
shares with a query topic is the same record in both."""

from __future__ import annotations

import json
import math
import random
import resource
import signal
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from harvester.cli import main
from harvester.config import Topic, load_config
from harvester.db import store
from harvester.db.shards import TopicFiles
from harvester.db.staging import Staging
from harvester.errors import StoreError
from harvester.harvest import changes, sets
from harvester.harvest.result import Mode, TopicFailed
from harvester.harvest.topic import harvest_topic
from tests.conftest import offline_client
from tests.oai_standin import OaiPaper, OaiStandin, Version, many, offline
from tests.standin import Entry, Reply, Standin

DAYS = [date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1)]
NOW = datetime(2026, 4, 3, 12, tzinfo=UTC)


def _topics(tmp_path: Path, body: str) -> tuple[list[Topic], Path]:
    config = tmp_path / "queries.toml"
    config.write_text(body)
    data = tmp_path / "data"
    data.mkdir()
    return list(load_config(config).topics.values()), data


def test_a_set_of_thirty_thousand_papers_in_twelve_requests(tmp_path: Path):
    """Acceptance 2: the first harvest stores all 30,000 papers in ceil(30,000 / 2,500)
    OAI requests; a day with no change then costs one request for all topics together."""
    oai = OaiStandin(today=date(2026, 4, 3))
    oai.add(*many(30_000, days=DAYS))
    topics, data = _topics(tmp_path, '[topics.lg]\nset = "cs:cs:LG"\n\n[topics.cs]\nset = "cs"\n')
    client = offline(oai)
    result = sets.harvest_set(topics[0], client=client, data_dir=data, now=NOW)
    assert result.total == 30_000
    assert result.counts.new == 30_000
    assert client.requests == math.ceil(30_000 / 2_500)
    assert len(store.load(data / "lg.json")) == 30_000
    assert sets.harvest_set(topics[0], client=client, data_dir=data, now=NOW).requests == 0
    oai.papers = dict(list(oai.papers.items())[:10])  # the second topic: a small set
    sets.harvest_set(topics[1], client=client, data_dir=data, now=NOW)
    oai.today = date(2026, 5, 1)  # weeks later, nothing changed since
    before = client.requests
    feed = changes.run_feed(changes.fed(topics, data), client=client, data_dir=data)
    assert client.requests - before == 1
    assert feed.listed == 0
    assert feed.sets == ["cs"]


def test_since_filters_a_set_by_published(tmp_path: Path):
    """`since` keeps only papers first published from that day on, and asks from it."""
    oai = OaiStandin(today=date(2026, 4, 3))
    oai.add(*many(2000, days=DAYS))  # first published 2024-01-01 and 2024-01-02
    topics, data = _topics(tmp_path, '[topics.lg]\nset = "cs:cs:LG"\nsince = 2024-01-02\n')
    sets.harvest_set(topics[0], client=offline(oai), data_dir=data)
    assert oai.requests[0]["from"] == "2024-01-02"
    kept = store.load(data / "lg.json").values()
    assert len(kept) == 2000 - 1440
    assert all(p.published >= date(2024, 1, 2) for p in kept)


def test_an_interrupted_first_harvest_resumes_from_its_last_page(tmp_path: Path):
    """A listing whose page keeps failing keeps its committed pages staged (the topic's
    files untouched); the next run resumes from their token and completes the set."""
    oai = OaiStandin(today=date(2026, 4, 3), limit=10)
    oai.add(*many(25, days=DAYS))
    topics, data = _topics(tmp_path, '[topics.lg]\nset = "cs:cs:LG"\n')
    oai.script = [None, *[Reply(status=503)] * 5]
    with pytest.raises(TopicFailed):
        sets.harvest_set(topics[0], client=offline(oai), data_dir=data)
    assert not (data / "lg.json").exists()
    staged = Staging(data, "lg")
    manifest = staged.open(sets.listing_of(topics[0]))
    assert manifest is not None
    assert manifest.records == 10
    assert sets.completed_day(topics[0], data) is None
    oai.requests.clear()
    result = sets.harvest_set(topics[0], client=offline(oai), data_dir=data)
    assert result.mode is Mode.RESUMED
    assert set(oai.requests[0]) == {"verb", "resumptionToken"}
    assert result.total == 25
    assert sets.completed_day(topics[0], data) is not None
    assert not staged.folder.exists()


def test_harvest_lists_a_set_topic_through_oai_alone(tmp_path: Path):
    """`harvest` on a set topic asks OAI-PMH only: the first run lists the set, the next
    run is the change feed in one request, and the query API is never asked."""
    _, data = _topics(tmp_path, '[topics.lg]\nset = "cs:cs:LG"\n')
    with OaiStandin(today=datetime.now(UTC).date(), limit=10) as oai, Standin() as query:
        oai.add(*many(25, days=DAYS))
        flags = ["--config", str(tmp_path / "queries.toml"), "--data-dir", str(data)]
        flags += ["--api-url", query.url, "--oai-url", oai.url, "--delay", "0"]
        assert main(flags) == 0
        assert len(oai.requests) == 3
        assert main(flags) == 0
        assert len(oai.requests) == 4
        assert query.requests == []
    assert len(store.load(data / "lg.json")) == 25


def _over_years(count: int, seed: int = 3) -> list[OaiPaper]:
    """`count` papers first published over 2015-2026 (about 1.9 kB stored each), each last
    changed some time after: an OAI-PMH list brings them in no order of `published`."""
    chooser = random.Random(seed)
    first = datetime(2015, 1, 1, tzinfo=UTC)
    span = int((datetime(2026, 3, 1, tzinfo=UTC) - first).total_seconds())
    papers = []
    for number in range(count):
        created = first + timedelta(seconds=chooser.randrange(span))
        later = int((datetime(2026, 4, 2, tzinfo=UTC) - created).total_seconds())
        changed = created + timedelta(seconds=chooser.randrange(later))
        papers.append(
            OaiPaper(
                f"{created:%y%m}.{number:05d}",
                (Version(created),),
                changed,
                abstract="A sentence of an abstract. " * 40,
            )
        )
    return papers


@pytest.fixture(scope="module")
def papers_30000() -> list[OaiPaper]:
    """30,000 papers over eleven years: 57 MB stored, so a file per year."""
    return _over_years(30_000)


def _stop_when(moment: str, data: Path, process: subprocess.Popen[bytes], pages: int) -> bool:
    """Wait for `moment`: `listing` (that many pages staged) or `merging` (the list
    complete and a first file of the topic written); False if the run ended before."""
    manifest = data / ".harvest" / "arx.staging" / "manifest.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            staged = json.loads(manifest.read_bytes())
        except (OSError, ValueError):
            staged = {}
        if moment == "listing" and staged.get("pages", 0) >= pages:
            return True
        folder = data / "arx"
        if (
            moment == "merging"
            and staged.get("complete")
            and folder.is_dir()
            and any(folder.iterdir())
        ):
            return True
        time.sleep(0.002)
    return False


@pytest.mark.parametrize(
    ("stop", "moment"),
    [
        pytest.param("SIGINT", "listing", id="ctrl-c-while-listing"),
        pytest.param("SIGKILL", "listing", id="killed-while-listing"),
        pytest.param("SIGINT", "merging", id="ctrl-c-while-merging"),
        pytest.param("SIGKILL", "merging", id="killed-while-merging"),
    ],
)
def test_an_interrupted_whole_archive_harvest_stores_every_paper_once(
    stop: str, moment: str, papers_30000: list[OaiPaper], tmp_path: Path, harvest_bin: str
):
    """A first harvest of all of arXiv stopped at a random page or in its merge, then run
    again, stores every paper once: each file valid, the staging gone."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.arx]\nset = "*"\n')
    data = tmp_path / "data"
    pages = random.Random(f"{stop}{moment}").randint(1, 10)  # of the 12 pages
    with OaiStandin(today=date(2026, 4, 3)) as oai:
        oai.add(*papers_30000)
        flags = ["--config", str(config), "--data-dir", str(data), "--oai-url", oai.url]
        flags += ["--delay", "0"]
        out = subprocess.PIPE
        process = subprocess.Popen([harvest_bin, *flags], stdout=out, stderr=out)
        assert _stop_when(moment, data, process, pages)
        process.send_signal(getattr(signal, stop))
        process.communicate(timeout=120)
        assert process.returncode != 0
        assert main(flags) == 0
    stored = TopicFiles(data, "arx")
    keys = [p.key for p in stored.each()]
    assert len(keys) == len(set(keys)) == 30_000
    assert not (data / ".harvest" / "arx.staging").exists()
    assert not list(data.rglob(".*.tmp"))
    assert main(["check", "--config", str(config), "--data-dir", str(data)]) == 0


def _limit_file_size() -> None:
    # A real EFBIG: CPython ignores SIGXFSZ, so the write fails instead of killing us.
    # 2 MB: the staged buckets stay under it; the year files of the merge pass it.
    resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))


def test_a_whole_archive_merge_that_cannot_write_loses_nothing(
    papers_30000: list[OaiPaper], tmp_path: Path, harvest_bin: str
):
    """A first harvest whose merge meets a real write failure (EFBIG) exits 1 in one line,
    keeping the complete staging; the next run merges it without listing again."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.arx]\nset = "*"\n')
    data = tmp_path / "data"
    with OaiStandin(today=date(2026, 4, 3)) as oai:
        oai.add(*papers_30000)
        flags = ["--config", str(config), "--data-dir", str(data), "--oai-url", oai.url]
        flags += ["--delay", "0"]
        out = subprocess.PIPE
        failed = subprocess.run(  # the limit must hold in the child alone
            [harvest_bin, *flags], stdout=out, stderr=out, preexec_fn=_limit_file_size, check=False
        )
        assert failed.returncode == 1
        assert b"File too large" in failed.stderr
        assert b"Traceback" not in failed.stderr
        listed = len(oai.requests)
        manifest = json.loads((data / ".harvest" / "arx.staging" / "manifest.json").read_bytes())
        assert manifest["complete"]
        assert main(flags) == 0
        assert len(oai.requests) == listed  # merged from the staging: nothing asked again
    keys = [p.key for p in TopicFiles(data, "arx").each()]
    assert len(keys) == len(set(keys)) == 30_000


@pytest.mark.parametrize("started", ["0001-01-01", "9999-12-31"])
def test_a_set_state_begun_in_a_year_the_feed_cannot_compute_in_is_invalid(
    tmp_path: Path, started: str
):
    """A set state begun in year 1 (the feed lists from the day before) is an invalid
    state naming the file to remove, for the feed and the topic's harvest, never an
    OverflowError; nothing is asked or written (issue 24)."""
    topics, data = _topics(tmp_path, '[topics.cl]\nset = "cs:cs:CL"\n')
    path = sets.state_path(data, "cl")
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"set_spec": "cs:cs:CL", "since": None, "started": started, "complete": True})
    )
    before = path.read_bytes()
    oai = OaiStandin(today=date(2026, 4, 3))
    for attempt in (
        lambda: changes.fed(topics, data),
        lambda: sets.harvest_set(topics[0], client=offline(oai), data_dir=data),
    ):
        with pytest.raises(StoreError) as caught:
            attempt()
        message = str(caught.value)
        assert message.startswith(f"{path}: invalid set harvest state: started: ")
        assert message.endswith("; remove this file to list the set again")
    assert oai.requests == []
    assert path.read_bytes() == before


def test_a_complete_set_topic_is_listed_again_with_full_or_another_since(tmp_path: Path):
    """A complete listing is kept for its set and `since` alone, and `full` lists the set again."""
    oai = OaiStandin(today=date(2026, 4, 3))
    oai.add(*many(5, days=DAYS))
    topics, data = _topics(tmp_path, '[topics.lg]\nset = "cs:cs:LG"\n')
    client = offline(oai)
    sets.harvest_set(topics[0], client=client, data_dir=data, now=NOW)
    assert sets.completed_day(topics[0], data) == NOW.date()
    assert sets.harvest_set(topics[0], client=client, data_dir=data, now=NOW).requests == 0
    assert (
        sets.harvest_set(topics[0], client=client, data_dir=data, now=NOW, full=True).requests == 1
    )
    other = topics[0].model_copy(update={"since": date(2024, 1, 1)})
    assert sets.completed_day(other, data) is None


# A paper as its submitters wrote it in TeX (made up, in the TeX arXiv's records hold).
TEX_V1 = datetime(2026, 3, 2, 10, 4, 11, tzinfo=UTC)
TEX_V2 = datetime(2026, 3, 30, 9, 15, 2, tzinfo=UTC)
TEX_PAPER = OaiPaper(
    "2603.01234",
    (Version(TEX_V1), Version(TEX_V2)),
    datetime(2026, 4, 2, 7, 30, tzinfo=UTC),  # its DOI added after v2
    title='Entropy production of a driven Schr\\"odinger particle\n  in a noisy trap',
    authors="\\'Edgar Rold\\'an and J. M. Parrondo",
    abstract='  We estimate the dissipation of a Schr\\"odinger particle from a single\n'
    "trajectory, as Kullback--Leibler divergences (after P\\'olya and Cram\\'er), and\n"
    'compare it with the $\\beta$-scaling of G\\"odel-type bounds.\n',
    categories="cond-mat.stat-mech quant-ph",
    comments='12 pages; v2: the G\\"odel-type example corrected',
    journal_ref="Phys. Rev. E 113, 044101 (2026)",
    doi="10.1103/PhysRevE.113.044101",
    license="http://creativecommons.org/licenses/by/4.0/",
)
# The same paper as arXiv's query API serves it, written out by hand, as arXiv converts
# it (tex2utf: accents to letters, `\beta` to β), not by our converter, which would make
# the test prove nothing.
TEX_PAPER_ENTRY = """\
<entry xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>http://arxiv.org/abs/2603.01234v2</id>
  <title>Entropy production of a driven Schrödinger particle in a noisy trap</title>
  <updated>2026-03-30T09:15:02Z</updated>
  <link href="https://arxiv.org/abs/2603.01234v2" rel="alternate" type="text/html"/>
  <link href="https://arxiv.org/pdf/2603.01234v2" rel="related" type="application/pdf" title="pdf"/>
  <summary>We estimate the dissipation of a Schrödinger particle from a single trajectory, as Kullback--Leibler divergences (after Pólya and Cramér), and compare it with the $\u03b2$-scaling of Gödel-type bounds.</summary>
  <category term="cond-mat.stat-mech" scheme="http://arxiv.org/schemas/atom"/>
  <category term="quant-ph" scheme="http://arxiv.org/schemas/atom"/>
  <published>2026-03-02T10:04:11Z</published>
  <arxiv:comment>12 pages; v2: the Gödel-type example corrected</arxiv:comment>
  <arxiv:journal_ref>Phys. Rev. E 113, 044101 (2026)</arxiv:journal_ref>
  <arxiv:doi>10.1103/PhysRevE.113.044101</arxiv:doi>
  <arxiv:primary_category term="cond-mat.stat-mech"/>
  <author>
    <name>Édgar Roldán</name>
  </author>
  <author>
    <name>J. M. Parrondo</name>
  </author>
</entry>
"""


def test_a_paper_with_tex_accents_is_one_record_through_a_set_and_a_query(tmp_path: Path):
    """Acceptance (issue 25): a paper whose arXivRaw record has TeX accents, harvested
    through a set topic and through a query topic, is stored as the same record; once the
    change feed has told the query topic what only OAI-PMH says, the files are the same bytes."""
    oai = OaiStandin(today=date(2026, 4, 3))
    oai.add(TEX_PAPER)
    query = Standin(entries=[Entry.of(etree.fromstring(TEX_PAPER_ENTRY.encode()))])
    topics, data = _topics(
        tmp_path,
        '[topics.stat_mech]\nset = "physics:cond-mat:stat-mech"\n\n'
        '[topics.dissipation]\nquery = "abs:dissipation"\nchange_feed = true\n',
    )
    sets.harvest_set(topics[0], client=offline(oai), data_dir=data, now=NOW)
    with offline_client(query) as client:
        harvest_topic(topics[1], client=client, data_dir=data, now=NOW)
    [by_set] = json.loads((data / "stat_mech.json").read_bytes())
    [by_query] = json.loads((data / "dissipation.json").read_bytes())
    assert by_set["title"] == "Entropy production of a driven Schrödinger particle in a noisy trap"
    assert by_set["authors"] == ["Édgar Roldán", "J. M. Parrondo"]
    assert by_set["comment"] == "12 pages; v2: the Gödel-type example corrected"
    # The query API says nothing of the license, the versions or a withdrawal.
    assert by_query == by_set | {"license": None, "withdrawn": None, "versions": None}
    changes.run_feed(changes.fed(topics, data), client=offline(oai), data_dir=data)
    assert (data / "dissipation.json").read_bytes() == (data / "stat_mech.json").read_bytes()
