"""`harvest job`: the scheduled refresh's command line (the logic is `harvester.job.refresh`).

`harvest job [flags] [-- harvest flags]` runs the harvest as its own process, commits
and pushes; its Markdown summary is appended to `--summary` (default: the file named
by `$GITHUB_STEP_SUMMARY`, the job summary of a GitHub Actions step). Its flags are
checked before anything runs: `--remote` and `--branch` go to git, `--summary` must be
a file it can append to.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from harvester.cli.flags import Parser, a_directory, check_report_path, shared, whole_positive
from harvester.cli.output import EXIT_FAILED, Exit, error, handle_errors, out
from harvester.errors import UsageError
from harvester.job import publish
from harvester.job import refresh as job
from harvester.net.pacer import Sleep


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="harvest job",
        description="Harvest, commit data/ if it changed, push; on a refused push reset to "
        "the remote and do it again. Flags after -- go to harvest.",
        parents=[shared()],
    )
    add = parser.add_argument
    add(
        "--repo",
        type=a_directory,
        default=Path(),
        metavar="DIR",
        help="the git work tree (default: .)",
    )
    add(
        "--report",
        type=Path,
        default=Path("harvest-report.json"),
        metavar="FILE",
        help="where the harvest writes its run report (default: harvest-report.json)",
    )
    add("--remote", default="origin", help="the remote to push to (default: origin)")
    add("--branch", default="main", help="the branch to push to (default: main)")
    add(
        "--attempts",
        type=whole_positive,
        default=5,
        metavar="N",
        help="harvest-commit-push rounds against a busy remote (default: 5)",
    )
    add(
        "--summary",
        type=Path,
        default=_env_path("GITHUB_STEP_SUMMARY"),
        metavar="FILE",
        help="append the run summary (Markdown) here (default: $GITHUB_STEP_SUMMARY)",
    )
    return parser


def main(argv: Sequence[str], sleep: Sleep) -> int:
    """Run `harvest job`; returns its exit code."""
    ours, harvest_flags = _split(argv)
    args = _parser().parse_args(ours)
    if _asks_for_help(harvest_flags):
        # `harvest job -- --help`: harvest's own help (the flags that may follow `--`).
        return _harvest(harvest_flags)[0]
    paths = ["--config", str(args.config), "--data-dir", str(args.data_dir)]
    settings = job.Job(
        repo=args.repo,
        data_dir=args.data_dir.resolve(),
        report=args.report,
        remote=args.remote,
        branch=args.branch,
        attempts=args.attempts,
        harvest_args=[*paths, *harvest_flags],
    )
    with handle_errors(verbose=args.verbose):
        _check_summary(args.summary)
        try:
            outcome = _run(settings, args.config)
        except Exception as exc:
            # The summary page must say why the job went red, whatever stopped it.
            _append(args.summary, [f"**Refresh failed**: {exc}"], verbose=args.verbose)
            raise
        appended = _append(args.summary, outcome.summary, verbose=args.verbose)
        out(f"harvest job: {outcome.line}")
    code = outcome.exit_code or (EXIT_FAILED if not appended else 0)
    if code:
        raise Exit(code)
    return code


def _run(settings: job.Job, config: Path) -> job.Outcome:
    # Checked here, before the first harvest, so the summary says why at once.
    if not publish.valid_remote(settings.remote):
        raise UsageError(f"--remote {settings.remote!r}: not a remote name or URL")
    if not publish.valid_branch(settings.branch):
        raise UsageError(
            f"--branch {settings.branch!r}: not a branch name git takes (git check-ref-format)"
        )
    check_report_path(settings.report, data_dir=settings.data_dir, config=config)
    return job.run(settings, _harvest)


def _harvest(argv: Sequence[str]) -> tuple[int, list[str]]:
    """Run `harvest` in its own process, passing its stderr through and keeping its errors."""
    # A process of its own: each attempt starts clean (logging, caches), and its exit
    # code is the one a user would see.
    with subprocess.Popen(
        [sys.executable, "-m", "harvester", *argv], stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None  # noqa: S101 - Popen made the pipe
        errors = []
        for line in process.stderr:
            sys.stderr.write(line)
            # Errors of the error tree, and argparse's of a bad flag after `--`.
            if line.startswith(("ERROR ", "harvest: error: ")):
                errors.append(line.rstrip("\n"))
        code = process.wait()
    # Killed by signal N (Popen says -N): report it the way a shell does, 128 + N.
    return (code if code >= 0 else 128 - code), errors


def _split(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        index = list(argv).index("--")
        return list(argv[:index]), list(argv[index + 1 :])
    return list(argv), []


def _asks_for_help(flags: Sequence[str]) -> bool:
    # What makes harvest print and exit without a run, as argparse reads it: -h, any
    # prefix of --help (harvest has no other `--h` flag), of --version past `--ver`.
    return any(
        flag == "-h"
        or (len(flag) > 2 and "--help".startswith(flag))
        or (len(flag) > 5 and "--version".startswith(flag))
        for flag in flags
    )


def _check_summary(path: Path | None) -> None:
    """Refuse a `--summary` that cannot be appended to, before anything runs."""
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"--summary {path}: a directory; give a file path")
    if not path.parent.is_dir():
        raise UsageError(f"--summary {path}: no such directory {path.parent}")


def _append(path: Path | None, lines: list[str], *, verbose: int) -> bool:
    """Append the lines to the summary; False (after an error line) if that failed."""
    if path is None or not lines:
        return True
    try:
        # Appended, as GitHub expects: each step adds to the same summary page.
        with path.open("a", encoding="utf-8") as summary:
            summary.write("\n".join(lines) + "\n")
    except OSError as exc:  # a full disk, a file size limit, a directory made meanwhile
        error(f"--summary {path}: cannot write: {exc.strerror}", exc, verbose=verbose)
        return False
    return True


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None
