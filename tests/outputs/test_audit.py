"""`harvest check` and `harvest stats`: every problem reported with its place, healthy
topics shown beside a broken one, the shipped data/ valid (issue #11)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from harvester import files
from harvester.cli import main
from harvester.config import MISSING, load_config
from harvester.db import shards
from harvester.harvest import sets
from harvester.harvest.result import TopicFailed
from harvester.outputs import audit
from tests.conftest import REPOSITORY_DATA, ROOT, SEED, argv, one_topic, paper, tool
from tests.oai_standin import OaiStandin, many, offline
from tests.standin import Reply, Standin


def test_check_reports_every_problem(standin: Standin, config: Path, capsys):
    """Three broken files and a broken config: four error lines, exit 1."""
    assert main(argv(standin, config)) == 0
    data = config.parent / "data"
    (data / "rlhf_code.json").write_bytes((data / "rlhf_code.json").read_bytes()[:-1])
    (data / "extra.json").write_text("{}\n")
    (data / ".harvest" / "llm_alignment.json").write_text('{"query": 1}\n')
    config.write_text(config.read_text() + "[topics.Bad]\nquery = 'x'\n")
    capsys.readouterr()
    assert main(["check", "--config", str(config), "--data-dir", str(data)]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f'ERROR {config}: topic name "Bad" must match ^[a-z0-9][a-z0-9_]*$ (it becomes a file name)',
        f"ERROR {data / 'extra.json'}: expected a JSON array of records, found dict",
        f"ERROR {data / 'rlhf_code.json'}: line 2861: not in the file format "
        "(2-space JSON, UTF-8, final newline)",
        f"ERROR {data / '.harvest' / 'llm_alignment.json'}: invalid harvest state: "
        "query: Input should be a valid string",
    ]
    assert out == "1 file valid (111 records); 4 problems\n"


def test_check_of_a_missing_config_and_data_dir(tmp_path: Path):
    """Nothing to check is two problems, not a crash (the CLI refuses the missing directory
    before it checks anything: `tests/cli/test_flags.py`)."""
    counts, problems = audit.check(tmp_path / "q.toml", tmp_path / "data")
    assert counts == {}
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'q.toml'}: {MISSING}",
        f"{tmp_path / 'data'}: no such data directory",
    ]


def test_check_of_a_missing_config_is_one_line(tmp_path: Path, capsys):
    """`harvest check` without its topics file: its ERROR line, then the count, exit 1."""
    (tmp_path / "data").mkdir()
    args = ["check", "--config", str(tmp_path / "q.toml"), "--data-dir", str(tmp_path / "data")]
    assert main(args) == 1
    assert capsys.readouterr() == (
        "0 files valid (0 records); 1 problem\n",
        f"ERROR {tmp_path / 'q.toml'}: {MISSING}\n",
    )


def test_stats_lists_healthy_topics_beside_a_broken_one(standin: Standin, config: Path, capsys):
    """One broken file gets its error line and exit 1; the other topic is still listed."""
    assert main(argv(standin, config)) == 0
    data = config.parent / "data"
    (data / "rlhf_code.json").write_text("[1]\n")
    capsys.readouterr()
    args = ["--config", str(config), "--data-dir", str(data)]
    assert main(["stats", *args]) == 1
    out, err = capsys.readouterr()
    assert (
        err
        == f"ERROR {data / 'rlhf_code.json'}: record 0: record: Input should be a valid dictionary or instance of Paper\n"
    )
    assert out.startswith("llm_alignment: 111 papers (2026: ")
    assert out.count("\n") == 1
    assert main(["stats", *args, "--topic", "llm_alignment"]) == 0
    assert capsys.readouterr().out.startswith("llm_alignment: 111 papers")


def test_unknown_topic_gets_a_did_you_mean(config: Path, capsys):
    """A near-miss --topic names the likely topic, for harvest and for the tools."""
    for command in [[], ["stats"], ["import", "x.json"], ["plan"]]:
        assert main([*command, "--config", str(config), "--topic", "llm_alignmnt"]) == 2
        assert (
            f"ERROR unknown topic 'llm_alignmnt' (did you mean \"llm_alignment\"?) in {config}; "
            "known topics: rlhf_code, llm_alignment\n"
        ) == capsys.readouterr().err
    assert main(["--config", str(config), "--topic", "quantum"]) == 2
    assert "unknown topic 'quantum' in" in capsys.readouterr().err


def _valid(config: Path) -> bytes:
    return (config.parent / "data" / "rlhf_code.json").read_bytes()


BROKEN = [
    pytest.param(
        lambda b: b[:-1],
        "not in the file format (2-space JSON, UTF-8, final newline)",
        id="no-final-newline",
    ),
    pytest.param(
        lambda b: b.replace(b'  {\n    "title"', b'  {\n  "title"', 1),
        "line 3: not in the file format",
        id="indent",
    ),
    pytest.param(lambda b: b[:1000], "not valid JSON at line", id="truncated"),
    pytest.param(lambda b: b"{}\n", "expected a JSON array of records, found dict", id="object"),
    pytest.param(lambda b: _edit(b, 0, pop="doi"), "record 0: missing key 'doi'", id="missing-key"),
    pytest.param(
        lambda b: _edit(b, 2, move="title"),
        "record 2: keys out of the contract's order",
        id="key-order",
    ),
    pytest.param(
        lambda b: _edit(b, 1, set_={"published": "2099-01-01"}),
        "record 1: out of order",
        id="order",
    ),
    pytest.param(
        lambda b: _edit(b, 3, set_={"arxiv_id": "2401.1"}),
        "record 3: arxiv_id: Value error",
        id="bad-id",
    ),
    pytest.param(
        lambda b: _edit(b, 4, set_={"authors": "one"}),
        "record 4: authors: Input should be a valid list",
        id="authors",
    ),
    pytest.param(lambda b: _edit(b, 5, dup=0), "record 1: paper", id="duplicate"),
]


def _edit(
    data: bytes,
    index: int,
    *,
    pop: str = "",
    move: str = "",
    set_: dict[str, object] | None = None,
    dup: int | None = None,
) -> bytes:
    records = json.loads(data)
    if pop:
        records[index].pop(pop)
    if move:
        records[index][move] = records[index].pop(move)
    if set_:
        records[index].update(set_)
    if dup is not None:
        records.insert(1, records[dup])
    return (json.dumps(records, indent=2, ensure_ascii=False) + "\n").encode()


def test_check_accepts_everything_the_tool_writes(standin: Standin, config: Path, capsys):
    """Harvested, imported and state-carrying data directories all pass the check."""
    assert main(argv(standin, config, "--page-size", "40")) == 0
    assert (
        main(
            [
                "import",
                str(SEED),
                "--config",
                str(config),
                "--topic",
                "rlhf_code",
                "--data-dir",
                str(config.parent / "data"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["check", "--data-dir", str(config.parent / "data")]) == 0
    assert capsys.readouterr().out == "2 files, 271 records: all valid\n"


@pytest.mark.parametrize(("breakage", "message"), BROKEN)
def test_check_rejects_broken_files_with_position(
    standin: Standin, config: Path, capsys, breakage, message
):
    """Each broken file makes check exit 1 naming the file and where the problem is."""
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    path = config.parent / "data" / "rlhf_code.json"
    path.write_bytes(breakage(_valid(config)))
    capsys.readouterr()
    assert main(["check", "--data-dir", str(config.parent / "data")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR {path}: ")
    assert message in err
    assert err.count("\n") == 1


def test_stats_per_topic(standin: Standin, config: Path, capsys):
    """stats gives papers, per-year counts, the newest paper and the harvest state."""
    assert main(argv(standin, config, "--topic", "rlhf_code")) == 0
    capsys.readouterr()
    assert tool("stats", config) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("rlhf_code: 111 papers (2026: ")
    assert "newest 2604.03438v1 (2026-04-03); harvest complete, last finding something " in lines[0]
    assert (
        lines[1] == "llm_alignment: 0 papers (none); newest none; harvest never; file changed never"
    )


def test_shipped_data_passes_check_and_holds_the_seed(capsys):
    """data/ passes `harvest check`, holds only configured topics and all 49 seed papers."""
    assert main(["check", "--data-dir", str(REPOSITORY_DATA)]) == 0
    assert capsys.readouterr().out.endswith("records: all valid\n")
    topics = set(load_config(ROOT / "queries.toml").topics)
    assert {path.stem for path in REPOSITORY_DATA.glob("*.json")} <= topics
    stored = {r["arxiv_id"] for r in json.loads((REPOSITORY_DATA / "rlhf_code.json").read_bytes())}
    seed = {r["arxiv_id"] for r in json.loads(SEED.read_bytes())["rlhf_code"]}
    assert seed <= stored


def test_check_reports_a_state_directory_that_is_a_file(tmp_path: Path, capsys):
    """`data/.harvest` as a plain file fails every harvest, so check reports it too."""
    config, data = one_topic(tmp_path)
    (data / ".harvest").write_text("")
    assert main(["check", "--config", str(config), "--data-dir", str(data)]) == 1
    assert f"ERROR {data / '.harvest'}: not a directory" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "stats"])
def test_a_data_file_that_is_a_symlink_is_refused(tmp_path: Path, capsys, command: str):
    """A topic file that is a symbolic link (issue #16): one line, exit 1, as a harvest
    refuses it; the link and its target stay."""
    config, data = one_topic(tmp_path)
    (tmp_path / "real.json").write_text("[]\n")
    (data / "t.json").symlink_to(tmp_path / "real.json")
    assert main([command, "--config", str(config), "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert (
        err
        == f"ERROR {data / 't.json'}: a symbolic link; refused (a write would replace the link): put the file here\n"
    )
    assert (data / "t.json").is_symlink()
    assert (tmp_path / "real.json").read_text() == "[]\n"


def _sharded(data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A topic `t` stored a year per file (2023 and 2024), via the store itself."""
    with monkeypatch.context() as patched:
        patched.setattr(shards, "LIMIT_BYTES", 5_050)  # ten records of `paper()`
        papers = [
            paper(f"{y % 100}0{m}.0000{m}v1", published=date(y, m, 1))
            for y in (2023, 2024)
            for m in range(1, 8)
        ]
        shards.TopicFiles(data, "t").commit(papers)
    return data / "t"


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        pytest.param(None, None, id="valid"),
        pytest.param("misplace", "misplaced", id="paper-in-the-wrong-year"),
        pytest.param("twice", "also in another file", id="paper-also-in-the-one-file"),
    ],
)
def test_check_reads_a_sharded_topic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str | None, problem: str | None
):
    """Each shard of data/NAME/ is checked, and its papers must be in the file their year
    names, and in one file only."""
    folder = _sharded(tmp_path / "data", monkeypatch)
    assert sorted(p.name for p in folder.iterdir()) == ["2023.json", "2024.json"]
    moved = json.loads((folder / "2023.json").read_bytes())
    if damage == "misplace":
        target = json.loads((folder / "2024.json").read_bytes())
        (folder / "2023.json").write_text(json.dumps(moved[1:], indent=2) + "\n")
        (folder / "2024.json").write_text(json.dumps([*target, moved[0]], indent=2) + "\n")
    if damage == "twice":  # the one file beside the folder (a switch stopped half-way)
        (folder.parent / "t.json").write_text(json.dumps(moved[:1], indent=2) + "\n")
    config = tmp_path / "queries.toml"
    config.write_text("[topics.t]\nquery = 'x'\n")
    counts, problems = audit.check(config, tmp_path / "data")
    if problem is None:
        assert problems == []
        assert sum(counts.values()) == 14
    else:
        assert [problem in str(p) for p in problems] == [True], problems


def test_stats_says_how_far_a_set_topics_harvest_is(tmp_path: Path):
    """A set topic's line says `never`, then the pages staged while its first harvest
    lists, then complete once it is."""
    config = tmp_path / "queries.toml"
    config.write_text('[topics.arxiv]\nset = "*"\n')
    topic = load_config(config).topics["arxiv"]
    data = tmp_path / "data"
    now = datetime(2026, 4, 3, 12, tzinfo=UTC)

    def harvest() -> str:
        [line] = audit.stats(load_config(config), data, now=now)
        assert isinstance(line, audit.TopicStats)
        return line.harvest

    data.mkdir()
    assert harvest() == "never"
    oai = OaiStandin(today=now.date(), limit=10)
    oai.add(*many(25, days=[date(2026, 4, 1)]))
    oai.script = [None, *[Reply(status=503)] * 5]
    with pytest.raises(TopicFailed):
        sets.harvest_set(topic, client=offline(oai), data_dir=data, now=now)
    assert harvest() == "first harvest in progress (10 records in 1 pages staged)"
    sets.harvest_set(topic, client=offline(oai), data_dir=data, now=now)
    assert harvest() == "complete, listed from 2026-04-03; kept by the change feed"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        pytest.param(
            "t/2026-13.json",
            "not a shard of t (YYYY.json, YYYY-MM.json, YYYY-MM-DD.json)",
            id="month-13",
        ),
        pytest.param(
            "t/2024-00.json",
            "not a shard of t (YYYY.json, YYYY-MM.json, YYYY-MM-DD.json)",
            id="month-00",
        ),
        pytest.param(
            "t/2024.JSON",
            "not a shard of t (YYYY.json, YYYY-MM.json, YYYY-MM-DD.json)",
            id="upper-case-shard",
        ),
        pytest.param(
            "t/\uff12\uff10\uff12\uff14.json",
            "not a shard of t (YYYY.json, YYYY-MM.json, YYYY-MM-DD.json)",
            id="fullwidth-digits",
        ),
        pytest.param("t.JSON", "not a topic file (NAME.json, in lower case)", id="upper-case"),
    ],
)
def test_check_names_a_file_outside_the_layout(tmp_path: Path, capsys, name: str, problem: str):
    """`harvest check` names a data file a harvest would not read (issue #24), even empty."""
    config, data = one_topic(tmp_path)
    (data / "t").mkdir()
    (data / "t" / "2024.json").write_text("[]\n")
    (data / name).write_text("[]\n")
    assert main(["check", "--config", str(config), "--data-dir", str(data)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"ERROR {data / name}: {problem}"]


def _cursor_link(path: Path) -> None:
    path.symlink_to("/etc/passwd")


@pytest.mark.parametrize(
    ("name", "make", "problem"),
    [
        pytest.param(
            "changes.json",
            b'{"last": "2026-03-0',
            "invalid change feed cursor: cursor: Invalid JSON: EOF while parsing a string "
            "at line 1 column 19",
            id="truncated",
        ),
        pytest.param(
            "changes.json",
            b"null",
            "invalid change feed cursor: cursor: Input should be an object",
            id="null",
        ),
        pytest.param(
            "changes.json",
            b"[]",
            "invalid change feed cursor: cursor: Input should be an object",
            id="array",
        ),
        pytest.param(
            "changes.json",
            b'{"last": "0001-01-01"}',
            "invalid change feed cursor: last: Value error, must be a day from the year 1000 to 9000",
            id="year-1",
        ),
        pytest.param("changes.json", None, "not a regular file; refused", id="directory"),
        pytest.param("changes.json", _cursor_link, files.LINK_REFUSED, id="link-to-etc-passwd"),
        pytest.param(
            "s.json",
            b'{"set_spec": "cs", "since": null, "started": "0001-01-01"}',
            "invalid set harvest state: started: Value error, must be a day from the year 1000 to 9000",
            id="set-state",
        ),
    ],
)
def test_check_names_a_broken_change_feed_cursor_or_set_state(
    tmp_path: Path, capsys, name: str, make: bytes | Callable[[Path], None] | None, problem: str
):
    """`harvest check` reads `data/.harvest/oai/` as a harvest would (issue #24: a broken
    cursor was exit 0): one line naming the file, exit 1, the file left as it was."""
    config, data = one_topic(tmp_path)
    oai = data / ".harvest" / "oai"
    oai.mkdir(parents=True)
    path = oai / name
    if make is None:
        path.mkdir()
    elif isinstance(make, bytes):
        path.write_bytes(make)
    else:
        make(path)
    assert main(["check", "--config", str(config), "--data-dir", str(data)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"ERROR {path}: {problem}"]
