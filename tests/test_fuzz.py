"""Issue #10: every input fuzzing found ends in one line, the right exit code, no file touched.

Each case prepares the fault for real (a feed served on 127.0.0.1, a file, a FIFO, a
symlink to a device) in a data directory whose two topic files are already populated.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from harvester.cli import main
from tests.standin import Reply, Standin
from tests.test_faults import GOOD, GOOD_PAPERS, Sleeps, argv, snapshot

OTHER = "llm_alignment"


def with_entry(arxiv_id: str, stamp: str) -> bytes:
    """A page of the stored papers and one more, whose id and `<published>` are these."""
    template = GOOD_PAPERS[0]
    xml = template.xml.replace(template.arxiv_id.encode(), b"2301.00001v1")
    xml = re.sub(rb"<published>[^<]*</published>", f"<published>{stamp}</published>".encode(), xml)
    xml = xml.replace(b"2301.00001v1", arxiv_id.encode())
    odd = replace(template, xml=xml, arxiv_id="2301.00001v1")
    return Standin(entries=[*GOOD_PAPERS, odd]).feed(0, 10)


def redirect_loop() -> list[Reply]:
    """A redirect to itself, for as many requests as httpx follows (20) and one more."""
    return [Reply(status=302, headers={"Location": "/api/query?loop=1"})] * 21


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    return path


QUERY = "query = 'cat:cs.LG'\n"
TWO = f"[topics.rlhf_code]\n{QUERY}\n[topics.{OTHER}]\n{QUERY}"
NAIVE_STATE = (
    '{"query": "cat:cs.LG", "since": null, "until": "2026-01-02T00:00:00", "complete": true,'
    ' "watermark": "2026-01-01T00:00:00"}'
)

Setup = Callable[[Path, Path], None]


def data_file(content: bytes) -> Setup:
    def setup(data: Path, tmp_path: Path) -> None:
        (data / "rlhf_code.json").write_bytes(content)

    return setup


def device(data: Path, tmp_path: Path) -> None:
    (data / "rlhf_code.json").unlink()
    (data / "rlhf_code.json").symlink_to("/dev/zero")


def fifo(data: Path, tmp_path: Path) -> None:
    (data / "rlhf_code.json").unlink()
    os.mkfifo(data / "rlhf_code.json")


def full_disk_lock(data: Path, tmp_path: Path) -> None:
    (data / ".harvest.lock.owner").symlink_to("/dev/full")  # writing it fails with ENOSPC


def naive_state(data: Path, tmp_path: Path) -> None:
    (data / ".harvest").mkdir()
    (data / ".harvest" / "rlhf_code.json").write_text(NAIVE_STATE, encoding="utf-8")


def report_fifo(data: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "report")


def report_device(data: Path, tmp_path: Path) -> None:
    (tmp_path / "report").symlink_to("/dev/null")


DEEP = b"[" * 100_000 + b"]" * 100_000

# Each case: config text, setup of the data dir, scripted replies, extra flags; then the
# exit code, the one line it must print (an ERROR; a WARNING for a skipped entry; None
# for nothing), and whether the other topic must still have run.
CASES = [
    pytest.param(TWO, None, [Reply(body=with_entry("2301.00001v1", "0001-01-01T00:00:00+01:00"))], [], 0, "Skipping entry 2301.00001v1: no valid <published>", True, id="feed-year-1"),
    pytest.param(TWO, None, [Reply(body=with_entry("2301.00001v1", "9999-12-31T23:59:59-01:00"))], [], 0, "Skipping entry 2301.00001v1: no valid <published>", True, id="feed-year-9999"),
    pytest.param(TWO, None, [Reply(body=with_entry("2301.00001v" + "9" * 5000, "2023-01-02T00:00:00Z"))], [], 0, "Skipping entry with id 'http://arxiv.org/abs/2301.00001v99999", True, id="feed-version-5000-digits"),
    pytest.param(TWO, None, [Reply(body=b"plain text", headers={"Content-Encoding": "gzip"})] * 5, [], 1, "rlhf_code: DecodingError: ", True, id="content-encoding-lie"),
    pytest.param(TWO, None, redirect_loop(), [], 1, "rlhf_code: TooManyRedirects: ", True, id="redirect-loop"),
    pytest.param(TWO, full_disk_lock, [], [], 1, "cannot write the lock's owner file: No space left on device", False, id="lock-disk-full"),
    pytest.param(TWO, data_file(DEEP), [], [], 1, "rlhf_code.json: nested too deeply", True, id="data-deep-nesting"),
    pytest.param(TWO, device, [], [], 1, "rlhf_code.json: not a regular file", True, id="data-dev-zero"),
    pytest.param(TWO, fifo, [], [], 1, "rlhf_code.json: not a regular file", True, id="data-fifo"),
    pytest.param(TWO.replace("'cat:cs.LG'", "'all:x'"), naive_state, [], [], 0, None, True, id="state-naive-timestamp"),
    pytest.param(TWO + "x = " + "[" * 3000 + "]" * 3000 + "\n", None, [], [], 2, "nested too deeply", False, id="cfg-3000-deep"),
    pytest.param(TWO + f"[topics.long]\nquery = '{'x' * 65_000}'\n", None, [], [], 2, 'topic "long": query must be a non-empty string of at most 4000 characters', False, id="cfg-65kB-query"),
    pytest.param(TWO + "[defaults]\nlookback_days = 1000000\n", None, [], [], 2, "[defaults]: lookback_days must be a whole number of days, 0 to 3650", False, id="cfg-lookback-1000000"),
    pytest.param(TWO + f"[topics.{'a' * 300}]\n{QUERY}", None, [], [], 2, "must be at most 100 characters", False, id="cfg-long-name"),
    pytest.param(TWO, report_fifo, [], ["--report", "{tmp}/report"], 2, "/report: not a regular file", False, id="report-fifo"),
    pytest.param(TWO, report_device, [], ["--report", "{tmp}/report"], 2, "/report: not a regular file", False, id="report-device"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("config", "setup", "replies", "extra", "code", "message", "other_runs"), CASES
)
def test_fuzzed_input_gets_one_line_its_exit_code_and_touches_no_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    config: str,
    setup: Setup | None,
    replies: list[Reply],
    extra: list[str],
    code: int,
    message: str | None,
    other_runs: bool,
):
    """Each finding: one ERROR line (or one WARNING), its exit code, no traceback, no file changed."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "rlhf_code.json").write_bytes(GOOD)
    (data / f"{OTHER}.json").write_bytes(GOOD)
    if setup is not None:
        setup(data, tmp_path)
    before = snapshot(data)
    path = write_config(tmp_path, config)
    with Standin(entries=list(GOOD_PAPERS), script=list(replies)) as standin:
        flags = [flag.replace("{tmp}", str(tmp_path)) for flag in extra]
        exit_code = main([*argv(standin, path, data), *flags], sleep=Sleeps())
    out, err = capsys.readouterr()
    assert exit_code == code, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert all(line.startswith(("ERROR ", "WARNING ")) for line in lines), err
    errors = [line for line in lines if line.startswith("ERROR")]
    if message is None:
        assert lines == []
    elif code == 0:
        assert len(lines) == 1, err
        assert lines[0].startswith(f"WARNING {message}")
    else:
        assert len(errors) == 1, err
        assert message in errors[0]
    assert snapshot(data) == before
    if code == 2:
        assert standin.requests == []
    ran = f"{OTHER}: 0 new, 0 updated, 3 unchanged, 3 total" in out
    assert ran == other_runs, out
