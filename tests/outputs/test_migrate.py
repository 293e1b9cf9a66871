"""`harvest import`: the original database's records brought into the file format,
never replacing what a harvest knows, refusing topics the config lacks."""

from __future__ import annotations

import json
from pathlib import Path

from harvester.cli import main
from tests.conftest import ORIGINAL_KEYS, SEED, argv, tool
from tests.standin import Standin


def test_import_then_export_reproduces_the_original(config: Path, capsys):
    """49 seed records import with their eight keys intact and export in the original shape."""
    config.write_text(config.read_text())
    assert (
        main(
            [
                "import",
                str(SEED),
                "--config",
                str(config),
                "--data-dir",
                str(config.parent / "data"),
            ]
        )
        == 0
    )
    assert "rlhf_code: 49 new, 0 updated, 0 already stored, 49 total" in capsys.readouterr().out
    original = json.loads(SEED.read_bytes())["rlhf_code"]
    stored = json.loads((config.parent / "data" / "rlhf_code.json").read_bytes())
    assert len(stored) == 49
    by_id = {r["arxiv_id"]: r for r in stored}
    for record in original:
        mine = by_id[record["arxiv_id"]]
        assert {k: mine[k] for k in ORIGINAL_KEYS} == record
        assert [
            mine[k] for k in ["updated", "primary_category", "comment", "journal_ref", "doi"]
        ] == [None] * 5
    assert main(["check", "--data-dir", str(config.parent / "data")]) == 0

    assert tool("export", config, "--out", str(config.parent / "export")) == 0
    exported = json.loads((config.parent / "export" / "papers_database.json").read_bytes())
    assert list(exported) == ["rlhf_code", "llm_alignment"]  # config order
    assert exported["llm_alignment"] == []
    assert all(list(r) == ORIGINAL_KEYS for r in exported["rlhf_code"])
    assert sorted(exported["rlhf_code"], key=lambda r: r["arxiv_id"]) == sorted(
        original, key=lambda r: r["arxiv_id"]
    )


def test_import_keeps_what_a_harvest_knows_and_harvest_fills_nulls(standin: Standin, config: Path):
    """An import never replaces a harvested record of the same version; a harvest fills nulls."""
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    harvested = json.loads((config.parent / "data" / "rlhf_code.json").read_bytes())
    first = harvested[0]
    seed = config.parent / "seed.json"
    stripped = {k: first[k] for k in ORIGINAL_KEYS}
    seed.write_text(json.dumps({"rlhf_code": [stripped, stripped]}))
    assert (
        main(
            [
                "import",
                str(seed),
                "--config",
                str(config),
                "--data-dir",
                str(config.parent / "data"),
            ]
        )
        == 0
    )
    assert json.loads((config.parent / "data" / "rlhf_code.json").read_bytes()) == harvested


def test_import_rejects_unknown_topics(config: Path, capsys):
    """A topic the config lacks is a usage error naming it; nothing is written."""
    database = config.parent / "db.json"
    database.write_text(json.dumps({"rlhf_code": [], "quantum": []}))
    assert (
        main(
            [
                "import",
                str(database),
                "--config",
                str(config),
                "--data-dir",
                str(config.parent / "data"),
            ]
        )
        == 2
    )
    assert f"ERROR {database} has topics that {config} lacks: quantum" in capsys.readouterr().err
    assert not (config.parent / "data" / "rlhf_code.json").exists()
