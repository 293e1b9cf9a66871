"""The Datasette metadata of `papers.db` (`harvester.outputs.sqlite`): `metadata.json`
beside it, so that `datasette papers.db -m metadata.json` opens with its facets and
full-text search ready (https://docs.datasette.io/en/stable/metadata.html).
"""

from __future__ import annotations

import json

METADATA = "metadata.json"
"""The Datasette metadata file beside `papers.db`: the name `datasette DIR` (a
configuration directory) reads by itself, and `datasette papers.db -m metadata.json`
names."""
ARXIV_TERMS = "https://info.arxiv.org/help/api/tou.html"
"""arXiv's terms of use of its API: its descriptive metadata is CC0 1.0."""


def metadata(topics: list[str]) -> bytes:
    """The Datasette metadata of a `papers.db` of `topics`, as the file's bytes."""
    named = ", ".join(topics) if topics else "none"
    papers = {
        "description": "One row a paper, at its latest version, whatever the number of"
        " topics it is in; `topics` lists them.",
        "sort_desc": "published",
        "label_column": "title",  # what the rows linking to a paper show of it
        "facets": [{"array": "topics"}, "year", "primary_category"],
        "fts_table": "papers_fts",
        "fts_pk": "rowid",
    }
    document = {
        "title": "arXiv papers by topic",
        "description": f"Papers harvested from arXiv by arxiv-harvester, in the topics {named}."
        " Search the papers table's titles, abstracts and authors; facet it by topic, year"
        " and primary category.",
        "source": "arXiv",
        "source_url": "https://arxiv.org/",
        "license": "CC0 1.0 (arXiv's metadata of its papers); each paper keeps its own license",
        "license_url": ARXIV_TERMS,
        "databases": {
            "papers": {
                "tables": {
                    "papers": papers,
                    "paper_topics": {"facets": ["topic"]},
                    "paper_categories": {"facets": ["category"]},
                }
            }
        },
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
