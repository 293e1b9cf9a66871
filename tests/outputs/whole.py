"""The outputs as they were made before they were streamed: every topic loaded whole
(`export.load_topics`), then each output made from the lists. The tests of the streamed
outputs check theirs byte for byte against these."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from itertools import groupby
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset

from harvester.config import Config, load_config
from harvester.db import store, verified
from harvester.harvest import stale
from harvester.models import Paper, flat_line
from harvester.outputs import bibtex, csl, datasette, feeds, owned, plot, site, sqlite
from harvester.outputs.export import _MARKDOWN_SPECIAL, ORIGINAL_KEYS, _link, load_topics
from harvester.outputs.parquet import table


def _ordered(papers: list[Paper]) -> list[Paper]:
    return sorted(papers, key=Paper.sort_key, reverse=True)


def papers_database(topics: dict[str, list[Paper]]) -> bytes:
    database = {
        name: [
            {key: value for key, value in p.model_dump(mode="json").items() if key in ORIGINAL_KEYS}
            for p in _ordered(papers)
        ]
        for name, papers in topics.items()
    }
    return (json.dumps(database, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def markdown(topic: str, papers: list[Paper]) -> str:
    ordered = _ordered(papers)
    lines = [f"# {topic}", "", f"{len(ordered)} papers, newest first.", ""]
    for year, group in groupby(ordered, key=lambda p: p.published.year):
        lines += [f"## {year}", ""]
        for p in group:
            authors = ", ".join(p.authors[:3]) + (" et al." if len(p.authors) > 3 else "")
            title = flat_line(p.title).translate(_MARKDOWN_SPECIAL)
            category = p.primary_category or (p.categories[0] if p.categories else "")
            dois = [
                f"[{flat_line(d).translate(_MARKDOWN_SPECIAL)}]({_link(feeds.doi_url(d))})"
                for d in p.dois
            ]
            lines.append(
                f"- **{title}**: {flat_line(authors).translate(_MARKDOWN_SPECIAL)} · "
                f"[{p.arxiv_id}]({_link(feeds.abs_url(p))}) · {p.published.isoformat()} · "
                f"{flat_line(category).translate(_MARKDOWN_SPECIAL)}"
                + (" · DOI " + ", ".join(dois) if dois else "")
            )
        lines.append("")
    return "\n".join(lines)


def bib(papers: list[Paper], topic: str) -> str:
    return "\n".join(bibtex.entry(p, keywords=[topic]) for p in _ordered(papers))


def csl_json(papers: list[Paper], topic: str) -> bytes:
    items = [csl.item(p, keywords=[topic]) for p in _ordered(papers)]
    return (json.dumps(items, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def papers_db(path: Path, topics: dict[str, list[Paper]], queries: dict[str, str]) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        sqlite.build(conn, topics, queries)
        conn.commit()


def parquet(out: Path, topics: dict[str, list[Paper]]) -> None:
    for topic, papers in topics.items():
        pa.dataset.write_dataset(
            table(topic, papers),
            out,
            format="parquet",
            partitioning=pa.dataset.partitioning(
                pa.schema([("topic", pa.string()), ("year", pa.int32())]), flavor="hive"
            ),
            basename_template="part-{i}.parquet",
            existing_data_behavior="overwrite_or_ignore",
            preserve_order=True,
        )


def export(config: Config, data_dir: Path, out: Path) -> None:
    """Every format of every topic, as `harvest export --format ...` (all) wrote them."""
    loaded, _ = load_topics(config, data_dir)
    out.mkdir(parents=True)
    (out / "papers_database.json").write_bytes(papers_database(loaded))
    for name, papers in loaded.items():
        (out / f"{name}.md").write_bytes(markdown(name, papers).encode("utf-8"))
        (out / f"{name}.bib").write_bytes(bib(papers, name).encode("utf-8"))
        (out / f"{name}.csl.json").write_bytes(csl_json(papers, name))
    papers_db(out / "papers.db", loaded, {n: config.topics[n].query for n in loaded})
    (out / "metadata.json").write_bytes(datasette.metadata(list(loaded)))
    parquet(out / "parquet", loaded)


def build_site(config: Config, data_dir: Path, out_dir: Path) -> None:
    """The site, as `harvest site` built it."""
    env = site._environment()
    loaded, _ = load_topics(config, data_dir)
    out_dir.mkdir(parents=True)
    (out_dir / ".nojekyll").write_bytes(b"")
    static = resources.files("harvester.outputs") / "static"
    for name in site.STATIC:
        (out_dir / name).write_bytes((static / name).read_bytes())
    topics = []
    found = verified.load(data_dir).topics
    for name, stored in loaded.items():
        papers = _ordered(stored)
        where = out_dir / name
        where.mkdir()
        pages = max(1, -(-len(papers) // site.PAGE_SIZE))
        chunks = -(-len(papers) // site.CHUNK)
        for number in range(1, pages + 1):
            html = env.get_template("topic.html").render(
                topic=name,
                total=len(papers),
                papers=papers[(number - 1) * site.PAGE_SIZE : number * site.PAGE_SIZE],
                page=number,
                pages=pages,
                page_name=site.page_name,
                chunks=chunks,
                checked=site.found_text(found.get(name)),
                root="../",
            )
            (where / site.page_name(number)).write_bytes(html.encode("utf-8"))
        for index, start in enumerate(range(0, len(papers), site.CHUNK)):
            records = [
                site.filter_record(p, (start + offset) // site.PAGE_SIZE + 1)
                for offset, p in enumerate(papers[start : start + site.CHUNK])
            ]
            text = json.dumps(records, ensure_ascii=False, separators=(",", ":")) + "\n"
            (where / f"filter-{index}.json").write_bytes(text.encode("utf-8"))
        newest = tuple(feeds.newest(papers))
        feed = feeds.atom(
            newest,
            name=name,
            title=f"arXiv: {name}",
            page="index.html",
            empty_updated=site.ARXIV_START,
        )
        (where / "feed.xml").write_bytes(feed)
        topics.append((name, papers, newest))
    now = site.site_date(config, data_dir, [p[0].published for _, p, _ in topics if p])
    rows = []
    for name, papers, _ in topics:
        published = [p.published for p in papers]
        rows.append(
            site.IndexRow(
                name=name,
                papers=len(papers),
                newest=papers[0] if papers else None,
                new_this_week=sum(
                    1 for d in published if d > now.date() - timedelta(days=site.NEW_DAYS)
                ),
                plot=plot.svg(plot.per_month(published, until=now.date()), label=name),
                silence=stale.assess(
                    published, now=now, stale_after_days=config.topics[name].stale_after_days
                ),
                changes=None,
                verified=site.found_text(found.get(name)),
            )
        )
    every = [p for _, _, newest in topics for p in newest]
    feed = feeds.atom(
        every, name="all", title="arXiv: all topics", page="index.html", empty_updated=now
    )
    (out_dir / "feed.xml").write_bytes(feed)
    html = env.get_template("index.html").render(
        rows=rows,
        now=now,
        changes=None,
        listed=site.LISTED,
        root="",
        total=sum(len(p) for _, p, _ in topics),
        distinct=len({paper.key for _, p, _ in topics for paper in p}),
    )
    (out_dir / "index.html").write_bytes(html.encode("utf-8"))


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under `directory`, by its path there, with its bytes."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != owned.RECORD  # what exports wrote there, not an output
    }


def _paper(number: int, version: int = 1, **fields: object) -> Paper:
    """A paper of its own day and authors: `number` ids from 2022 on, about two a day."""
    arxiv_id = f"{22 + number // 50_000}{number % 12 + 1:02d}.{number % 50_000:05d}v{version}"
    values: dict[str, object] = {
        "title": f"Paper {number}: {'Ünïcode ' if number % 7 == 0 else ''}title",
        "authors": [f"Author {number % 97}", f"Author {number % 13}", "Ada Lovelace"][
            : 1 + number % 3
        ],
        "summary": f"Abstract {number} " * 5,
        "arxiv_id": arxiv_id,
        "published": date(2022, 1, 1) + timedelta(days=number // 2),
        "categories": ["cs.LG", "cs.CL", "stat.ML"][: 1 + number % 3],
        "url": f"https://arxiv.org/abs/{arxiv_id}",
        "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}.pdf",
        "updated": datetime(2026, 1, 1, tzinfo=UTC),
        "primary_category": "cs.LG",
        # Every fifth paper has a DOI, every tenth two (a paper's and an erratum's).
        "doi": None if number % 5 else f"10.1/{number}" + ("" if number % 10 else " 10.1/e"),
    }
    return Paper.model_validate(values | fields)


def database(root: Path, papers: int = 2400) -> Config:
    """A data directory of three topics, and its config:

    - `big`, a file a year, its 2023 mid-switch to months: 2023.json and 2023-05.json
      share papers, the newer version in one or the other;
    - `small`, one file, sharing some papers with `big` at other versions;
    - `empty`, a file without papers.
    """
    data = root / "data"
    every = [_paper(n) for n in range(papers)]
    for year in {p.published.year for p in every}:
        store.save(data / "big" / f"{year}.json", [p for p in every if p.published.year == year])
    may = [p for p in every if (p.published.year, p.published.month) == (2023, 5)]
    finer = [p.model_copy(update={"arxiv_id": f"{p.key}v3"}) for p in may[:10]]
    year_file = store.load(data / "big" / "2023.json")
    for p in may[10:20]:  # the coarser file holds the newer version of these
        year_file[p.key] = p.model_copy(update={"arxiv_id": f"{p.key}v2", "title": "Newer"})
    store.save(data / "big" / "2023.json", year_file.values())
    store.save(data / "big" / "2023-05.json", finer + may[10:])
    shared = [p.model_copy(update={"arxiv_id": f"{p.key}v2"}) for p in every[::40]]
    store.save(data / "small.json", shared + [_paper(n) for n in range(papers, papers + 150)])
    store.save(data / "empty.json", [])
    config = root / "queries.toml"
    config.write_text(
        "".join(f"[topics.{n}]\nquery = 'all:{n}'\n" for n in ("big", "small", "empty"))
    )
    return load_config(config)
