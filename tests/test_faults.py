"""Issue #3: arXiv's failures and bad input, injected end to end; nothing lost, nothing corrupt."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester import feed, lock, store
from harvester.cli import main
from tests.conftest import FIXTURES
from tests.standin import Reply, Standin, blank, empty_page, rate_exceeded, server_error

HTML = b"<!DOCTYPE html><html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    b'<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    b'<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    b'<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>'
)


class Sleeps:
    """An injected sleep that records every wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def argv(standin: Standin, config: Path, data_dir: Path, *extra: str) -> list[str]:
    return [
        "--config", str(config), "--data-dir", str(data_dir), "--api-url", standin.url,
        "--delay", "0", *extra,
    ]  # fmt: skip


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every stored file's bytes and mtime (the lock's own files aside)."""
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.iterdir())
        if p.is_file() and not p.name.startswith(".harvest.lock")
    }


def test_scripted_faults_end_byte_identical_to_fault_free_run(
    standin: Standin, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """503, 429, a reset, an empty page, truncated bodies and an HTML page change nothing."""
    clean = tmp_path / "clean"
    assert main([*argv(standin, config, clean, "--page-size", "40"), "--topic", "rlhf_code"]) == 0
    page_80 = standin.feed(80, 40)
    standin.script = [
        Reply(status=503, headers={"Retry-After": "1"}), None,  # page at 0
        Reply(status=429), Reply(reset=True), None,  # page at 40
        empty_page(111, start=80),  # page at 80 ...
        Reply(body=page_80, truncate_to=len(page_80) // 2),  # connection closed mid-body
        Reply(body=page_80[: len(page_80) // 3]),  # a complete response of a cut document
        Reply(status=200, body=HTML),
        None,
    ]  # fmt: skip
    standin.requests.clear()
    sleeps = Sleeps()
    faulty = tmp_path / "faulty"
    code = main(
        [*argv(standin, config, faulty, "--page-size", "40"), "--topic", "rlhf_code"], sleep=sleeps
    )
    assert code == 0
    assert (faulty / "rlhf_code.json").read_bytes() == (clean / "rlhf_code.json").read_bytes()
    assert [r["start"] for r in standin.requests] == ["0"] * 2 + ["40"] * 3 + ["80"] * 5
    assert sleeps.waits[0] == 1.0  # as the Retry-After said
    # Per page: 2 s, doubling, +jitter; a 429 without Retry-After starts at 15 s (+5 s).
    backoff = [(15, 20), (4, 5), (2, 3), (4, 5), (8, 9), (16, 17)]
    assert len(sleeps.waits) == 7
    assert all(lo <= w <= hi for w, (lo, hi) in zip(sleeps.waits[1:], backoff, strict=True))
    err = capsys.readouterr().err
    assert err.count("WARNING") == 7
    for reason in ["HTTP 503", "HTTP 429", "empty page at offset 80", "not well-formed XML",
                   "not an Atom feed", "RemoteProtocolError"]:  # fmt: skip
        assert reason in err


def test_arxiv_2026_failures_end_byte_identical_to_fault_free_run(
    standin: Standin, config: Path, tmp_path: Path
):
    """`Rate exceeded.` as a 429 and as a 200, blank bodies, an empty page and the generic
    500 error feed on a valid query: retried, and the file is the fault-free run's, for a
    first harvest and an incremental run alike (issue 9, item 6)."""
    args = ["--page-size", "40", "--topic", "rlhf_code"]
    clean, faulty = tmp_path / "clean", tmp_path / "faulty"
    assert main([*argv(standin, config, clean, *args)]) == 0
    plan = [
        rate_exceeded(429), rate_exceeded(200), None,  # page at 0
        blank(), empty_page(111, start=40), None,  # page at 40
        server_error(), None,  # page at 80
    ]  # fmt: skip
    standin.script = list(plan)
    assert main([*argv(standin, config, faulty, *args)], sleep=Sleeps()) == 0
    assert (faulty / "rlhf_code.json").read_bytes() == (clean / "rlhf_code.json").read_bytes()
    bumped = standin.entries[7]
    standin.entries[7] = bumped.new_version(
        bumped.version + 1, title="New", updated=datetime.now(UTC)
    )
    assert main([*argv(standin, config, clean, *args)]) == 0
    standin.script = [rate_exceeded(429), blank(), server_error(), rate_exceeded(200), None]
    assert main([*argv(standin, config, faulty, *args)], sleep=Sleeps()) == 0
    assert (faulty / "rlhf_code.json").read_bytes() == (clean / "rlhf_code.json").read_bytes()
    assert json.loads((faulty / "rlhf_code.json").read_bytes())[0]["title"] != ""


def test_fault_outlasting_retries_fails_only_that_topic(
    standin: Standin, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A topic whose fault outlasts the retries fails alone: exit 1, its file as it was."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "rlhf_code.json").write_bytes(b"[]\n")
    before = snapshot(data)
    standin.script = [Reply(status=503)] * 5
    assert main(argv(standin, config, data), sleep=Sleeps()) == 1
    assert snapshot(data)["rlhf_code.json"] == before["rlhf_code.json"]
    assert len(json.loads((data / "llm_alignment.json").read_bytes())) == 111
    out, err = capsys.readouterr()
    assert "rlhf_code: failed after 5 requests" in out
    assert "llm_alignment: 111 new" in out
    assert out.splitlines()[-1].startswith("Harvested 1 of 2 topics (failed: rlhf_code)")
    errors = [line for line in err.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1
    assert errors[0] == "ERROR rlhf_code: HTTP 503 (page at offset 0)"  # the URL only with -v


def test_two_processes_on_one_data_directory_take_turns(
    config: Path, tmp_path: Path, harvest_bin: str
):
    """Two harvests started together run one after the other; every record of both is kept."""
    entries = Standin().entries
    first_requested, release = threading.Event(), threading.Event()
    order: list[str] = []

    def held(params: dict[str, str]) -> Reply:
        first_requested.set()
        release.wait(timeout=30)
        order.append("first answered")
        return Reply(body=first.feed(int(params["start"]), int(params["max_results"])))

    def second_reply(params: dict[str, str]) -> Reply:
        order.append("second asked")
        return Reply(body=second.feed(int(params["start"]), int(params["max_results"])))

    data = tmp_path / "data"
    with (
        Standin(entries=entries[:60], script=[held]) as first,
        Standin(entries=entries[50:], script=[second_reply]) as second,
    ):
        procs = []
        for standin in (first, second):
            args = [harvest_bin, "--topic", "rlhf_code", *argv(standin, config, data)]
            procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
            if standin is first:
                assert first_requested.wait(timeout=30)
                owner = (data / ".harvest.lock.owner").read_text()
                assert owner.startswith(f"pid {procs[0].pid} on ")
        release.set()
        results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert order == ["first answered", "second asked"]
    records = json.loads((data / "rlhf_code.json").read_bytes())
    assert {r["arxiv_id"] for r in records} == {e.arxiv_id for e in entries}
    assert len(records) == 111


def test_lock_held_too_long_exits_1_naming_the_holder(
    standin: Standin, config: Path, tmp_path: Path, harvest_bin: str
):
    """A harvest that cannot get the lock in time exits 1 and says who holds it."""
    data = tmp_path / "data"
    with lock.locked(data, timeout_seconds=0):
        result = subprocess.run(
            [harvest_bin, *argv(standin, config, data), "--lock-timeout", "0"],
            capture_output=True, text=True, check=False, env=os.environ,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"another harvest holds the lock (pid {os.getpid()} on" in result.stderr
    assert "Traceback" not in result.stderr
    assert standin.requests == []


GOOD_PAPERS = Standin().entries[:3]


def _good_file() -> bytes:
    return store.dumps(feed.parse(Standin(entries=GOOD_PAPERS).feed(0, 10)).papers)


def _records(*edits: dict[str, object]) -> bytes:
    records = json.loads(_good_file())
    return json.dumps([{**records[i], **edit} for i, edit in enumerate(edits)]).encode()


GOOD = _good_file()
ERROR_FEED = FIXTURES / "arxiv" / "pubs-pubs__idlist_INVALIDID.xml"
ERROR_FEED_2026 = FIXTURES / "arxiv" / "lukasschwab-arxiv.py__id_abc_s0_m100.xml"
TRUNCATED = Standin().feed(0, 10)[:4000]
NO_TOTAL = (
    Standin().feed(0, 10).replace(b"<opensearch:totalResults>111</opensearch:totalResults>", b"")
)
BAD_INPUTS = [
    # Configs: exit 2, nothing fetched, nothing touched.
    pytest.param({"config": "unknown_key.toml"}, 2, 'unknown key "max_result" (did you mean', id="cfg-unknown-key"),
    pytest.param({"config": "bad_syntax.toml"}, 2, "not valid TOML: Illegal character '\\n' (at line 2", id="cfg-syntax"),
    pytest.param({"config": "bad_topic_name.toml"}, 2, 'topic name "LLM-Alignment" must match', id="cfg-topic-name"),
    pytest.param({"config": "empty_query.toml"}, 2, "query must be a non-empty string", id="cfg-empty-query"),
    pytest.param({"config": "bad_date.toml"}, 2, "since must be a date like 2022-01-01", id="cfg-bad-date"),
    pytest.param({"config": "unknown_table.toml"}, 2, 'unknown key "topic" (did you mean "topics"?)', id="cfg-unknown-table"),
    pytest.param({"topic": "nope"}, 2, "unknown topic 'nope'", id="unknown-topic"),
    # Data files: the topic fails before any request, the file stays as it was.
    pytest.param({"data": GOOD[:200]}, 1, "rlhf_code.json: not valid JSON at line 7 column 7", id="data-truncated"),
    pytest.param({"data": b'{"rlhf_code": []}\n'}, 1, "expected a JSON array of records, found dict", id="data-not-array"),
    pytest.param({"data": _records({"authors": None})}, 1, "record 0: authors: Input should be a valid list", id="data-bad-field"),
    pytest.param({"data": _records({}, {"arxiv_id": "not-an-id"})}, 1, "record 1: arxiv_id: Value error, not a versioned arXiv id", id="data-bad-id"),
    pytest.param({"data": GOOD[:-3] + b",\n" + GOOD[2:]}, 1, "record 3: paper 2604.03438 is also record 0", id="data-duplicate"),
    pytest.param({"data": b"\xef\xbb\xbf\xff[]"}, 1, "not UTF-8 at byte 3", id="data-not-utf8"),
    # arXiv bodies: refused or retried, then the topic fails and nothing is written.
    pytest.param({"reply": Reply(body=BOMB)}, 1, "response refused: ", id="body-billion-laughs"),
    pytest.param({"reply": Reply(status=400, body=ERROR_FEED.read_bytes())}, 1, "arXiv rejected the query: incorrect id format for INVALIDID", id="body-error-feed-legacy"),
    pytest.param({"reply": Reply(status=400, body=ERROR_FEED_2026.read_bytes())}, 1, "arXiv rejected the query: incorrect id format for abc", id="body-error-feed-2026"),
    pytest.param({"reply": Reply(body=HTML), "times": 5}, 1, "response is not an Atom feed (root element 'html')", id="body-html"),
    pytest.param({"reply": Reply(body=TRUNCATED), "times": 5}, 1, "response is not well-formed XML", id="body-truncated"),
    pytest.param({"reply": Reply(body=NO_TOTAL), "times": 5}, 1, "feed has no valid opensearch:totalResults", id="body-no-total"),
    pytest.param({"reply": Reply(status=404, body=b"Not Found")}, 1, "HTTP 404 (page at offset 0)", id="body-404"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "code", "message"), BAD_INPUTS)
def test_bad_input_gets_one_line_the_right_code_and_changes_no_file(
    standin: Standin,
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: dict[str, object],
    code: int,
    message: str,
):
    """Each bad input exits with its code and one ERROR line saying what and where; no file moves."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "rlhf_code.json").write_bytes(case.get("data", GOOD))  # type: ignore[arg-type]
    (data / "llm_alignment.json").write_bytes(GOOD)
    if "config" in case:
        config = FIXTURES / "config" / str(case["config"])
    if "reply" in case:
        standin.script = [case["reply"]] * int(case.get("times", 1))  # type: ignore[list-item, call-overload]
    before = snapshot(data)
    topic = str(case.get("topic", "rlhf_code"))
    exit_code = main([*argv(standin, config, data), "--topic", topic], sleep=Sleeps())
    err = capsys.readouterr().err
    assert exit_code == code
    errors = [line for line in err.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, err
    assert message in errors[0]
    assert "Traceback" not in err
    assert snapshot(data) == before
    if code == 2 or "data" in case:
        assert standin.requests == []
    assert len(standin.requests) == int(case.get("times", 1 if "reply" in case else 0))  # type: ignore[call-overload]
