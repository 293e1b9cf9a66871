"""The run report (`--report`): counts and changes per topic, the error of a failed one;
`harvest summary` and the commit message show them (issue #11)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harvester.cli import main
from harvester.db.counts import Change
from harvester.job.report import Report, TopicReport
from tests.conftest import argv, git, git_repo
from tests.standin import Reply, Standin


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A throw-away git repository with a one-topic queries.toml and a first commit."""
    return git_repo(tmp_path / "repo", '[topics.rlhf_code]\nquery = "all:rl"\n')


def _add_papers(standin: Standin, count: int) -> list[str]:
    """Serve `count` new papers, submitted in the last hours; returns their ids."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    made = []
    for index in range(count):
        entry = standin.entries[index % len(standin.entries)].rewritten(
            f"9912.{index:05d}v1", now - timedelta(minutes=index + 1)
        )
        standin.entries.append(entry)
        made.append(entry.arxiv_id)
    return made


def _harvest_and_commit(standin: Standin) -> int:
    code = main(["--api-url", standin.url, "--delay", "0", "--report", "report.json"])
    assert main(["commit", "--report", "report.json"]) == 0
    return code


def test_report_summary_and_commit_name_what_changed(
    standin: Standin, repo: Path, capsys, monkeypatch
):
    """3 new papers and a new version: the report, summary and commit body name all 4."""
    monkeypatch.chdir(repo)
    assert _harvest_and_commit(standin) == 0
    new_ids = _add_papers(standin, 3)
    old = standin.entries[5]
    version = int(old.arxiv_id.rsplit("v", 1)[1]) + 1
    standin.entries[5] = old.new_version(
        version, title="A [better] title", updated=datetime.now(UTC).replace(microsecond=0)
    )
    assert _harvest_and_commit(standin) == 0

    changes = json.loads((repo / "report.json").read_text())["topics"]["rlhf_code"]["changes"]
    assert sorted((c["arxiv_id"], c["change"]) for c in changes) == sorted(
        [(i, "new") for i in new_ids] + [(f"{old.key}v{version}", "updated")]
    )
    assert all(list(c) == ["arxiv_id", "title", "change"] for c in changes)
    assert {c["title"] for c in changes} >= {"A [better] title"}

    capsys.readouterr()
    assert main(["summary", "report.json"]) == 0
    summary = capsys.readouterr().out
    assert "### rlhf_code" in summary
    assert (
        f"- [A \\[better\\] title](https://arxiv.org/abs/{old.key}v{version}) (updated)" in summary
    )
    for arxiv_id in new_ids:
        assert f"](https://arxiv.org/abs/{arxiv_id}) (new)" in summary

    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("data: +3 papers, 1 updated (rlhf_code)\n\nrlhf_code:\n")
    assert f"- {old.key}v{version} A [better] title (updated)" in message
    assert all(f"- {i} " in message for i in new_ids)


def test_thirty_changes_list_twenty_five_and_the_rest_counted(
    standin: Standin, repo: Path, capsys, monkeypatch
):
    """30 changed papers: summary and commit body name 25, then say "and 5 more"."""
    monkeypatch.chdir(repo)
    assert _harvest_and_commit(standin) == 0
    _add_papers(standin, 30)
    assert _harvest_and_commit(standin) == 0
    capsys.readouterr()
    assert main(["summary", "report.json"]) == 0
    summary = capsys.readouterr().out
    assert summary.count("](https://arxiv.org/abs/") == 25
    assert summary.rstrip().endswith("- and 5 more")
    body = git(repo, "log", "-1", "--format=%b")
    assert body.count("(new)") == 25
    assert body.rstrip().endswith("- and 5 more")


def test_report_and_its_summary_for_a_failed_topic(standin: Standin, config: Path, capsys):
    """--report records counts per topic and the error of a failed one; summary makes a table."""
    standin.script = [Reply(status=404)]
    report = config.parent / "report.json"
    assert main(argv(standin, config, "--report", str(report))) == 1
    data = json.loads(report.read_text())
    assert data["exit_code"] == 1
    assert data["topics"]["rlhf_code"]["error"] == "HTTP 404 (page at offset 0)"
    counts = {k: v for k, v in data["topics"]["llm_alignment"].items() if k != "changes"}
    assert counts == {
        "mode": "full",
        "new": 111,
        "updated": 0,
        "revised": 0,
        "unchanged": 0,
        "total": 111,
        "requests": 1,
        "written": True,
        "error": None,
        "per_week": 0.2,
        "stale_after_days": 277.1,
        "missing": None,  # not verified (`--verify`)
        "repaired": 0,
        # These depend on today's date; the recordings end on 2026-04-03.
        "stale": counts["stale"],
        "days_silent": counts["days_silent"],
    }
    assert len(data["topics"]["llm_alignment"]["changes"]) == 111
    capsys.readouterr()
    assert main(["summary", str(report)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "| topic | mode | new | updated | unchanged | total | requests | result |"
    assert table[2].startswith("| rlhf_code | full | 0 | 0 | 0 | 0 | 1 | failed: HTTP 404")
    assert table[3] == "| llm_alignment | full | 111 | 0 | 0 | 111 | 1 | written |"
    assert table[5].startswith("1 of 2 topics harvested in ")


@pytest.mark.parametrize(
    ("topics", "line"),
    [
        pytest.param({"a": TopicReport()}, "1 of 1 topic harvested", id="one"),
        pytest.param(
            {"a": TopicReport(), "b": TopicReport(error="HTTP 404")},
            "1 of 2 topics harvested",
            id="two",
        ),
    ],
)
def test_summary_counts_topics_in_good_english(topics: dict[str, TopicReport], line: str):
    """The summary's last line says "1 of 1 topic", not "1 of 1 topics" (issue 16)."""
    report = Report(started=datetime.now(UTC), seconds=1.0, exit_code=0, topics=topics)
    assert f"\n{line} in 1.0 s; exit code 0.\n" in report.markdown()


def _report(**topic: object) -> str:
    """A run report of one topic, `t`, with these fields."""
    fields = {"mode": "incremental", "written": True, **topic}
    document = {"started": "2026-11-25T05:00:00Z", "seconds": 1.0, "exit_code": 0}
    return json.dumps({**document, "topics": {"t": fields}}, allow_nan=True)


NASTY = "Two\nlines\x00 and \x1b[31mred\r"
CHANGE = {"arxiv_id": "2601.00001v1", "title": NASTY, "change": "new"}


@pytest.mark.parametrize(
    ("report", "code", "expected"),
    [
        pytest.param(
            _report(stale=True, days_silent=40, per_week=None, stale_after_days=None),
            0,
            "**Stale:** t: nothing new for 40 days: check the query",
            id="per-week-null",
        ),
        pytest.param(
            _report(stale=True, days_silent=40, per_week=float("nan")),
            1,
            "not a harvest report: topics.t.per_week: Input should be a finite number",
            id="per-week-nan",
        ),
        pytest.param(
            _report(stale=True, days_silent=40, per_week=float("inf")),
            1,
            "not a harvest report: topics.t.per_week: Input should be a finite number",
            id="per-week-infinity",
        ),
        pytest.param(
            _report(changes=[CHANGE], new=1),
            0,
            # The escapes' backslashes escaped in turn: Markdown shows `\x00`, not a mark.
            "- [Two lines\\\\x00 and \\\\x1b\\[31mred](https://arxiv.org/abs/2601.00001v1) (new)",
            id="title-with-controls",
        ),
        pytest.param(
            _report(error="HTTP 503\nERROR forged | cell"),
            0,
            "| t | incremental | 0 | 0 | 0 |  | 0 | failed: HTTP 503 ERROR forged \\| cell |",
            id="error-with-newline",
        ),
    ],
)
def test_summary_of_a_hostile_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], report: str, code: int, expected: str
):
    """A report read back may say anything (issue #16): a stale topic without figures is
    described, NaN or infinity is refused in one line, text keeps to its line."""
    path = tmp_path / "report.json"
    path.write_text(report)
    assert main(["summary", str(path)]) == code
    out, err = capsys.readouterr()
    if code:
        assert err == f"ERROR {path}: {expected}\n"
    else:
        assert expected in out.splitlines()
        assert err == ""


def test_commit_of_a_title_with_nul_and_newlines(repo: Path, capsys, monkeypatch):
    """A title with U+0000 and line breaks (issue #16) is committed, on one line, escaped."""
    monkeypatch.chdir(repo)
    (repo / "data").mkdir()
    (repo / "data" / "t.json").write_text("[]\n")
    (repo / "report.json").write_text(_report(changes=[CHANGE], new=1))
    assert main(["commit", "--report", "report.json"]) == 0
    message = git(repo, "log", "-1", "--format=%B")
    assert message.rstrip("\n").splitlines() == [
        "data: +1 paper (t)",
        "",
        "t:",
        "- 2601.00001v1 Two lines\\x00 and \\x1b[31mred (new)",
    ]


def test_changes_past_those_kept_are_counted_in_the_summary():
    """A report whose counts exceed the changes it names (a first harvest past `NAMED`)
    says how many more there are from the counts, not from the names kept."""
    changes = tuple(Change(f"2401.{n:05d}v1", "A title", "new") for n in range(30))
    report = Report(
        started=datetime(2026, 4, 3, tzinfo=UTC),
        seconds=1.0,
        exit_code=0,
        topics={
            "t": TopicReport(mode="full", new=5_000, total=5_000, written=True, changes=changes)
        },
    )
    assert report.markdown().rstrip().endswith("- and 4,975 more")
    assert report.commit_message().rstrip().endswith("- and 4,975 more")
