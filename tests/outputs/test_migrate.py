"""`harvest import`: the original database's records brought into the file format,
never replacing what a harvest knows, refusing topics the config lacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


def _seed_record(**fields: object) -> dict[str, object]:
    return {**json.loads(SEED.read_bytes())["rlhf_code"][0], **fields}


@pytest.mark.parametrize(
    ("database", "message"),
    [
        pytest.param(
            {"rlhf_code": [_seed_record(updated="0001-01-01T00:00:00+01:00")]},
            'topic "rlhf_code" record 0: updated: Value error, a time that cannot be expressed',
            id="updated-year-1-offset",
        ),
        pytest.param(
            {"rlhf_code": [_seed_record(updated="9999-12-31T23:59:59-01:00")]},
            'topic "rlhf_code" record 0: updated: Value error, a time that cannot be expressed',
            id="updated-year-9999-offset",
        ),
        pytest.param(
            '{"rlhf_code": [' + "9" * 5000 + "]}",
            "not valid JSON: Exceeds the limit (4300 digits) for integer string conversion",
            id="number-5000-digits",
        ),
        pytest.param(
            json.dumps({"rlhf_code": [_seed_record(title="a\ud800b")]}),
            'topic "rlhf_code" record 0: not Unicode text (a lone \\ud800)',
            id="lone-surrogate-title",
        ),
        pytest.param(
            {"rlhf_code": [_seed_record(arxiv_id="\uff12\uff15\uff10\uff11.12345v1")]},
            "record 0: arxiv_id: Value error, not a versioned arXiv id: '\uff12\uff15\uff10\uff11.12345v1'",
            id="fullwidth-digits-id",
        ),
    ],
)
def test_import_of_a_hostile_record_is_one_line_and_writes_nothing(
    config: Path, capsys: pytest.CaptureFixture[str], database: object, message: str
):
    """Each record fuzzing found (issue #16): exit 1, one ERROR line naming it, no file written."""
    path = config.parent / "db.json"
    path.write_text(database if isinstance(database, str) else json.dumps(database))
    assert tool("import", config, str(path)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR {path}: "), err
    assert err.count("\n") == 1, err
    assert message in err
    assert not (config.parent / "data" / "rlhf_code.json").exists()
