"""The files the README, the workflows and `harvest init`'s templates name exist: a path
that moved leaves no stale word behind (issue 26)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

# A path of this repository as the documents write it: `harvester/job/refresh.py`,
# `tests/job/test_refresh.py`, `.github/workflows/ci.yml`, `bench/RESULTS.md`.
NAMED = re.compile(r"(?<![\w./-])((?:harvester|tests|bench|\.github|\.ci)/[\w./*-]*[\w*/])")
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / ".github" / "workflows").glob("*.yml")),
    *sorted((ROOT / "harvester" / "job" / "templates").iterdir()),
]


def named_paths(text: str) -> set[str]:
    """The repository paths a text names."""
    return {m.group(1).rstrip(".") for m in NAMED.finditer(text)}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_a_document_names_exists(document: Path):
    """Each path (or glob) the document names matches a file or folder of the checkout."""
    missing = sorted(
        name
        for name in named_paths(document.read_text(encoding="utf-8"))
        if not (list(ROOT.glob(name.rstrip("/"))) if "*" in name else (ROOT / name).exists())
    )
    assert missing == []


def test_a_moved_path_would_be_caught():
    """The pattern finds the paths as the documents write them, a stale one among them."""
    text = "The logic is `harvest job` (harvester/job.py, tested in tests/test_job.py)."
    assert named_paths(text) == {"harvester/job.py", "tests/test_job.py"}
    assert not (ROOT / "harvester/job.py").exists()
