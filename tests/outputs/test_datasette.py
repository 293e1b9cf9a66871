"""The Datasette metadata of papers.db: what it names is in the database's schema.
(Datasette serving it, facets and search, is tested over a real export in test_sqlite.py.)"""

from __future__ import annotations

import json

from harvester.outputs import datasette, sqlite


def test_the_metadata_names_the_tables_columns_and_search_the_schema_has():
    """Every faceted column and the search table are the schema's, and the topics are
    named in the description."""
    document = json.loads(datasette.metadata(["rlhf_code", "llm_alignment"]))
    assert "rlhf_code, llm_alignment" in document["description"]
    tables = document["databases"]["papers"]["tables"]
    papers = tables["papers"]
    assert papers["fts_table"] in sqlite.SCHEMA
    facets = [f["array"] if isinstance(f, dict) else f for f in papers["facets"]]
    assert facets == ["topics", "year", "primary_category"]
    for name, table in tables.items():
        created = sqlite.SCHEMA.split(f"CREATE TABLE {name} (", 1)[1].split(");", 1)[0]
        for facet in table["facets"]:
            column = facet["array"] if isinstance(facet, dict) else facet
            assert f"  {column} " in created, (name, column)
