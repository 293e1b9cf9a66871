"""Which file a paper belongs in, and what a shard may hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.cli import main
from harvester.db import layout
from harvester.errors import StoreError
from harvester.models import Paper
from tests.conftest import argv, paper, tree
from tests.standin import Standin


def on(day: date, number: int) -> Paper:
    """A paper published on `day`."""
    return paper(f"{day:%y%m}.{number:05d}v1", published=day)


@pytest.mark.parametrize(
    ("name", "record", "problem"),
    [
        pytest.param("2024.json", on(date(2023, 5, 1), 1), "misplaced", id="wrong-year"),
        pytest.param("2024-02.json", on(date(2024, 3, 1), 1), "misplaced", id="wrong-month"),
        pytest.param("notes.json", on(date(2024, 3, 1), 1), "not a shard", id="not-a-shard-name"),
    ],
)
def test_check_placement_names_the_misplaced_paper(
    tmp_path: Path, name: str, record: Paper, problem: str
):
    """A shard holding a paper of another period, or a file that is no shard, is an error."""
    with pytest.raises(StoreError, match=problem):
        layout.check_placement(tmp_path / "t" / name, "t", [record])


_NAMES = st.sampled_from(
    [
        "t.json",
        "t/2023.json",
        "t/2024.json",
        "t/2024-03.json",
        "t/2024-04.json",
        "t/2024-03-05.json",
        "t/2024-03-06.json",
        "t/2025-01-02.json",
    ]
)


def _placed(existing: set[str], record: Paper) -> str:
    """Where a paper goes, read off the file names themselves (what the index must say)."""
    if not any(n != "t.json" for n in existing):
        return "t.json"
    stem = record.published.isoformat()
    for length in (4, 7):
        if not any(n.startswith(f"t/{stem[:length]}-") for n in existing):
            return f"t/{stem[:length]}.json"
    return f"t/{stem}.json"


@given(
    steps=st.lists(st.tuples(st.booleans(), _NAMES), max_size=30),
    day=st.sampled_from([date(2023, 2, 1), date(2024, 3, 5), date(2024, 4, 9), date(2025, 1, 2)]),
)
def test_placing_follows_the_files_through_any_adds_and_discards(
    steps: list[tuple[bool, str]], day: date
):
    """After any files are added and removed, a paper's file, a file's being settled and
    the layout's being sharded are what the names on hand say."""
    kept = layout.Layout("t", set())
    names: set[str] = set()
    for adding, name in steps:
        if adding:
            kept.add(name)
            names.add(name)
        else:
            kept.discard(name)
            names.discard(name)
    record = on(day, 1)
    assert kept.existing == names
    assert kept.target(record) == _placed(names, record)
    assert kept.sharded == any(n != "t.json" for n in names)
    for name in names - {"t.json"}:
        stem = name.removesuffix(".json")
        assert kept.settled(name) == (not any(n.startswith(f"{stem}-") for n in names))


@pytest.mark.parametrize(
    ("name", "shard"),
    [
        pytest.param("2024.json", True, id="year"),
        pytest.param("2024-03.json", True, id="month"),
        pytest.param("2024-02-29.json", True, id="leap-day"),
        pytest.param("2024-00.json", False, id="month-00"),
        pytest.param("2026-13.json", False, id="month-13"),
        pytest.param("2023-02-29.json", False, id="no-such-day"),
        pytest.param("\uff12\uff10\uff12\uff14.json", False, id="fullwidth-digits"),
        pytest.param("2024.JSON", False, id="upper-case"),
        pytest.param("2024.json\n", False, id="line-break"),
        pytest.param("0000.json", False, id="year-0"),
    ],
)
def test_a_shard_name_is_a_real_year_month_or_day_in_ascii(name: str, shard: bool):
    """Only ASCII digits naming a real year, month or day make a shard (issue #24)."""
    assert layout.is_shard(name) is shard


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("2024-00.json", id="month-00"),
        pytest.param("\uff12\uff10\uff12\uff14.json", id="fullwidth-digits"),
        pytest.param("2024.JSON", id="upper-case"),
        pytest.param("notes.json", id="other"),
    ],
)
def test_listing_refuses_a_json_file_in_the_folder_that_is_not_a_shard(tmp_path: Path, name: str):
    """A `.json` in a topic's folder outside the layout is named, not ignored (issue #24:
    the harvest stored its papers a second time in the right file)."""
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "2024.json").write_text("[]\n")
    (tmp_path / "t" / name).write_text("[]\n")
    (tmp_path / "t" / ".2024.json.x1.tmp").write_text("")  # a write's temp file: not ours to judge
    with pytest.raises(StoreError) as caught:
        layout.listing(tmp_path, "t")
    assert str(caught.value) == (
        f"{tmp_path / 't' / name}: not a shard of t (YYYY.json, YYYY-MM.json, YYYY-MM-DD.json)"
    )


def test_a_harvest_fails_on_a_file_outside_the_layout_before_any_request(
    standin: Standin, config: Path, capsys
):
    """`data/rlhf_code/2024-00.json` fails that topic in one line naming the file before
    it asks arXiv anything, and the file and the topic's others are left as they were."""
    assert main(argv(standin, config)) == 0
    data = config.parent / "data"
    (data / "rlhf_code").mkdir()
    stray = data / "rlhf_code" / "2024-00.json"
    stray.write_bytes(b"[]\n")
    before = tree(data)
    standin.requests.clear()
    capsys.readouterr()
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ERROR")]
    assert errors == [
        f"ERROR rlhf_code: {stray}: not a shard of rlhf_code "
        "(YYYY.json, YYYY-MM.json, YYYY-MM-DD.json)"
    ]
    assert standin.requests == []
    assert tree(data) == before


def test_a_year_whose_month_files_are_all_removed_takes_its_papers_again():
    """Once the last month file of a year is discarded, the year's papers go to the year's file."""
    kept = layout.Layout("t", {"t/2023.json", "t/2024-03.json"})
    kept.discard("t/2024-03.json")
    assert kept.target(on(date(2024, 3, 5), 1)) == "t/2024.json"
    assert kept.settled("t/2024.json")


def test_listing_takes_only_the_topic_file_and_shard_names(tmp_path: Path):
    """A topic's files are `NAME.json` and the shard names in its folder; notes and temp
    files there are not (a `.json` of another name is refused: see above)."""
    (tmp_path / "t").mkdir()
    for name in ["2024.json", "2024-03.json", "README.md", ".2024.json.x1.tmp"]:
        (tmp_path / "t" / name).write_text("[]\n")
    (tmp_path / "t.json").write_text("[]\n")
    assert layout.listing(tmp_path, "t") == {"t.json", "t/2024.json", "t/2024-03.json"}
