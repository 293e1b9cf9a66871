"""The scheduled refresh (`harvest job`): harvest, commit on change, push, retry on a race.

`.github/workflows/refresh.yml` calls this and nothing else, so the YAML stays thin and
the logic is tested against a real git remote (tests/job/test_refresh.py). First it
refuses a work tree with work a reset would lose (`publish.work_at_risk`: uncommitted
changes, local commits the remote lacks); a runner's fresh checkout has none. Then one
attempt:

1. harvest (`harvest --report R ...`); exit 2 (a config or usage error) stops the job
   with nothing fetched or pushed;
2. commit the data directory if it changed (`publish.commit_data`);
3. push; if the remote refused it because the branch moved meanwhile (another data or
   unrelated commit got there first: a fetch brings commits HEAD lacks), reset the
   clone to the remote's state (`publish.sync`) and go to 1: the harvest is
   idempotent, so it merges its papers into the other commit's files. A push refused
   for any other reason (a hook, a protected branch) fails at once with git's reason.

A topic that failed (harvest exit 1) still has the others committed and pushed; the job
then ends with exit 1, the cause in its summary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harvester.job import publish, report

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

Harvest = Callable[[Sequence[str]], tuple[int, list[str]]]
"""Runs `harvest` with these arguments; returns its exit code and its `ERROR` lines."""


@dataclass(frozen=True, kw_only=True)
class Job:
    """Where the job works and how hard it tries.

    Attributes:
        repo: the git work tree (a clone of `remote`).
        data_dir: the data directory inside it, the only thing committed.
        report: where the harvest writes its run report; keep it out of `data_dir`.
        remote: the remote to push to.
        branch: the remote branch to push to.
        attempts: how many harvest-commit-push rounds before giving up on a busy remote.
        harvest_args: `harvest` flags (`--config`, `--data-dir`, ...), without `--report`.
    """

    repo: Path
    data_dir: Path
    report: Path
    remote: str = "origin"
    branch: str = "main"
    attempts: int = 5
    harvest_args: Sequence[str] = ()


@dataclass
class Outcome:
    """What the job did: its exit code, one line saying so, the run summary in Markdown."""

    exit_code: int
    line: str
    summary: list[str] = field(default_factory=list)


def run(job: Job, harvest: Harvest) -> Outcome:
    """Run the job; see the module docstring.

    Raises:
        WorkAtRisk: the work tree holds work a reset could lose (nothing was run).
        HarvestError: git failed or refused the push other than for a lost race
            (`publish.GitError`), or the harvest left no readable report.
    """
    publish.work_at_risk(job.repo, job.remote, job.branch, own=job.report)
    for attempt in range(1, job.attempts + 1):
        code, errors = harvest([*job.harvest_args, "--report", str(job.report)])
        if code not in {EXIT_OK, EXIT_FAILED}:
            return _stopped(code, errors)
        ran = report.load(job.report)
        message = ran.commit_message()
        if not publish.commit_data(job.repo, job.data_dir, message):
            return _finished(code, ran, "no change, nothing to commit")
        try:
            publish.push(job.repo, job.remote, job.branch)
        except publish.PushRefused:
            if not publish.moved_on(job.repo, job.remote, job.branch):
                raise  # not a race: a hook, a protected branch; git's reason says which
        else:
            where = f"{job.remote}/{job.branch}"
            return _finished(
                code, ran, f"pushed `{message.splitlines()[0]}` to {where} (attempt {attempt})"
            )
        logger.warning(
            "push refused (attempt %d of %d): %s/%s moved; harvesting again on its state",
            attempt,
            job.attempts,
            job.remote,
            job.branch,
        )
        publish.sync(job.repo, job.data_dir)
    where = f"{job.remote}/{job.branch}"
    line = f"push refused {job.attempts} times: {where} kept moving; nothing pushed"
    return Outcome(EXIT_FAILED, line, [f"**Refresh failed**: {line}."])


def _stopped(code: int, errors: list[str]) -> Outcome:
    why = "a config or usage error" if code == EXIT_USAGE else f"harvest exit code {code}"
    line = f"harvest stopped ({why}): nothing committed or pushed"
    summary = [f"**Refresh failed**: {line}.", ""]
    summary += ["```", *(errors or ["(harvest printed no error line)"]), "```"]
    return Outcome(code, line, summary)


def _finished(code: int, ran: report.Report, done: str) -> Outcome:
    failed = [name for name, topic in ran.topics.items() if topic.error]
    table = ran.markdown().rstrip("\n").splitlines()
    if code == EXIT_OK and not failed:
        return Outcome(EXIT_OK, done, [*table, "", f"Refresh: {done}."])
    who = ", ".join(failed) if failed else f"the harvest (exit code {code})"
    line = f"{who} failed; what succeeded: {done}"
    causes = [f"- {name}: {ran.topics[name].error}" for name in failed]
    summary = [*table, "", f"**Refresh failed**: {line}.", "", *causes]
    return Outcome(EXIT_FAILED, line, summary)
