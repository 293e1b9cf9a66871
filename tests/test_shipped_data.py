"""Issue #11: the repository's data/ holds the imported original records, in the file format."""

from __future__ import annotations

import json
from pathlib import Path

from harvester.cli import main
from harvester.config import load_config
from tests.conftest import FIXTURES, REPOSITORY_DATA

ROOT = Path(__file__).parent.parent
SEED = FIXTURES / "seed" / "papers_database.rlhf_code.partial.json"


def test_shipped_data_passes_check_and_holds_the_seed(capsys):
    """data/ passes `harvest check`, holds only configured topics and all 49 seed papers."""
    assert main(["check", "--data-dir", str(REPOSITORY_DATA)]) == 0
    assert capsys.readouterr().out.endswith("records: all valid\n")
    topics = set(load_config(ROOT / "queries.toml").topics)
    assert {path.stem for path in REPOSITORY_DATA.glob("*.json")} <= topics
    stored = {r["arxiv_id"] for r in json.loads((REPOSITORY_DATA / "rlhf_code.json").read_bytes())}
    seed = {r["arxiv_id"] for r in json.loads(SEED.read_bytes())["rlhf_code"]}
    assert seed <= stored
