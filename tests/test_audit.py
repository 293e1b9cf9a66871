"""Issue #11: check reports every problem; stats shows healthy topics beside a broken one."""

from __future__ import annotations

from pathlib import Path

from harvester.cli import main
from tests.standin import Standin


def _harvest(standin: Standin, config: Path, *extra: str) -> int:
    return main([
        "--config", str(config), "--data-dir", str(config.parent / "data"),
        "--api-url", standin.url, "--delay", "0", *extra,
    ])  # fmt: skip


def test_check_reports_every_problem(standin: Standin, config: Path, capsys):
    """Three broken files and a broken config: four error lines, exit 1."""
    assert _harvest(standin, config) == 0
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
        f"ERROR {data / 'rlhf_code.json'}: line 2528: not in the file format "
        "(2-space JSON, UTF-8, final newline)",
        f"ERROR {data / '.harvest' / 'llm_alignment.json'}: invalid harvest state: "
        "query: Input should be a valid string",
    ]
    assert out == "1 file valid (111 records); 4 problems\n"


def test_check_of_a_missing_config_and_data_dir(tmp_path: Path, capsys):
    """Nothing to check is two problems, not a crash."""
    assert main(["check", "--config", str(tmp_path / "q.toml"),
                 "--data-dir", str(tmp_path / "data")]) == 1  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"ERROR {tmp_path / 'q.toml'}: cannot read: ")
    assert err[1] == f"ERROR {tmp_path / 'data'}: no such data directory"


def test_stats_lists_healthy_topics_beside_a_broken_one(standin: Standin, config: Path, capsys):
    """One broken file gets its error line and exit 1; the other topic is still listed."""
    assert _harvest(standin, config) == 0
    data = config.parent / "data"
    (data / "rlhf_code.json").write_text("[1]\n")
    capsys.readouterr()
    args = ["--config", str(config), "--data-dir", str(data)]
    assert main(["stats", *args]) == 1
    out, err = capsys.readouterr()
    assert err == f"ERROR {data / 'rlhf_code.json'}: record 0: record: Input should be a valid dictionary or instance of Paper\n"  # fmt: skip
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
