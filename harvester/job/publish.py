"""Git for the data: commit the data directory only when it changed, push, resync.

`harvest commit` and the scheduled job (`refresh.py`) commit through `commit_data`: no
change makes no commit, a change makes exactly one, whose message says what changed.
The job first makes sure it puts no one's work at risk (`work_at_risk`), pushes with
`push` and, when the push lost a race (`moved_on`), brings its clone to the remote's
state with `sync` before it harvests again.

Every git command gets `--` before its positional arguments, so that no value (a
remote named `--receive-pack=...`) is ever read as an option.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from harvester.db.counts import plural
from harvester.errors import HarvestError, UsageError, one_line

NAMED = 3
"""Uncommitted files named when the job refuses a dirty work tree; the rest are counted."""


class GitError(HarvestError):
    """A git command failed.

    Attributes:
        stdout: what git printed on stdout before failing.
        stderr: what it printed on stderr.
    """

    def __init__(self, message: str, *, stdout: str = "", stderr: str = "") -> None:
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(message)


class PushRefused(GitError):
    """The remote refused the pushed branch; the message is git's reason, on one line."""


class WorkAtRisk(UsageError):
    """The work tree holds work the job did not make and could lose (exit code 2)."""


def valid_branch(name: str) -> bool:
    """Whether git takes `name` as a branch name (`git check-ref-format`), not as an option."""
    if not name or name.startswith("-") or "\0" in name:
        return False
    return _exit_code(Path(), "check-ref-format", f"refs/heads/{name}") == 0


def valid_remote(name: str) -> bool:
    """Whether `name` can be a remote (a name, a URL or a path) and not an option."""
    return bool(name.strip()) and not name.startswith("-") and name.isprintable()


def commit_data(repo: Path, data_dir: Path, message: str) -> bool:
    """Commit every change under `data_dir` (added, changed or removed files) in `repo`.

    Returns:
        Whether a commit was made.

    Raises:
        GitError: git failed; its own words are the message.
    """
    if not _git(repo, "status", "--porcelain", "--", str(data_dir)):
        return False
    _git(repo, "add", "--all", "--", str(data_dir))
    # Only the data directory: anything else staged in the work tree stays out.
    _git(repo, "commit", "--quiet", "--message", message, "--", str(data_dir))
    return True


def work_at_risk(repo: Path, remote: str, branch: str, *, own: Path | None = None) -> None:
    """Refuse a work tree with anything a resync to the remote (`sync`) would discard.

    On a runner's fresh checkout there is nothing; run by hand, there may be an edit, a
    new file, or a commit not pushed yet. `own` is a file of the job's (its report) that
    does not count.

    Raises:
        WorkAtRisk: uncommitted changes (untracked files included), or commits on HEAD
            that `branch` of `remote` lacks; the message says which.
        GitError: git failed (not a work tree, the remote unreachable).
    """
    top = Path(_git(repo, "rev-parse", "--show-toplevel").rstrip("\n"))
    skip = own.resolve() if own is not None else None
    changed = [path for path in _changed(repo) if (top / path).resolve() != skip]
    if changed:
        named = ", ".join(one_line(path) for path in changed[:NAMED])
        more = f" and {len(changed) - NAMED} more" if len(changed) > NAMED else ""
        raise WorkAtRisk(
            f"the work tree has uncommitted changes ({named}{more}); "
            "commit or stash them first: the job may reset it to the remote"
        )
    if not _has_head(repo):
        return  # nothing committed yet: nothing to lose
    where = f"{remote}/{branch}"
    if _git(repo, "ls-remote", "--heads", "--", remote, f"refs/heads/{branch}"):
        _git(repo, "fetch", "--quiet", "--", remote, f"refs/heads/{branch}")
        lacking = ["HEAD", "--not", "FETCH_HEAD"]
    else:
        lacking = ["HEAD"]  # the remote has no such branch yet: it lacks every commit
    count = int(_git(repo, "rev-list", "--count", *lacking, "--"))
    if count:
        newest = _git(repo, "log", "-1", "--format=%h %s", *lacking, "--").strip()
        raise WorkAtRisk(
            f"{plural(count, 'local commit')} that {where} lacks (newest: {one_line(newest)}); "
            "push or drop them first: the job may reset the clone to the remote"
        )


def push(repo: Path, remote: str, branch: str) -> None:
    """Push HEAD to `branch` of `remote`.

    Raises:
        PushRefused: the remote refused the branch (the branch moved, a hook declined,
            the branch is protected); `moved_on` tells a lost race from the rest.
        GitError: the push failed otherwise (no access, no such remote).
    """
    try:
        _git(repo, "push", "--porcelain", "--", remote, f"HEAD:refs/heads/{branch}")
    except GitError as exc:
        # Porcelain marks a refused ref with "!", then the ref and git's summary, such
        # as "[rejected] (fetch first)" or "[remote rejected] (pre-receive hook
        # declined)"; a hook's own words follow on stderr as "remote: ..." lines.
        refused = [line.split("\t")[-1] for line in exc.stdout.splitlines() if line.startswith("!")]
        if not refused:
            raise
        said = [
            " ".join(line.split())
            for line in exc.stderr.splitlines()
            if line.startswith("remote:") and line[len("remote:") :].strip()
        ]
        reason = one_line("; ".join([*refused, *said]))
        raise PushRefused(
            f"git push to {remote} {branch} refused: {reason}", stdout=exc.stdout
        ) from None


def moved_on(repo: Path, remote: str, branch: str) -> bool:
    """Whether `branch` of `remote` has commits HEAD lacks: another push came first.

    It fetches the branch (for `sync`). A branch whose every commit HEAD has could take
    HEAD as a fast-forward: a refusal then had another cause.
    """
    if not _git(repo, "ls-remote", "--heads", "--", remote, f"refs/heads/{branch}"):
        return False
    _git(repo, "fetch", "--quiet", "--", remote, f"refs/heads/{branch}")
    return _exit_code(repo, "merge-base", "--is-ancestor", "FETCH_HEAD", "HEAD") == 1


def sync(repo: Path, data_dir: Path) -> None:
    """Make the work tree and HEAD exactly the branch `moved_on` fetched, dropping the
    job's own commit.

    Not a rebase: the data and state files of two harvests conflict line by line, and
    the harvest that follows is idempotent, so it redoes the dropped work on top.
    Untracked files in `data_dir` go too; ignored ones (the lock) stay. Only ever run
    after `work_at_risk` found nothing: the job's commit is all it drops.
    """
    _git(repo, "reset", "--hard", "--quiet", "FETCH_HEAD", "--")
    _git(repo, "clean", "-d", "--force", "--quiet", "--", str(data_dir))


def _changed(repo: Path) -> list[str]:
    """The paths `git status` lists: changed, staged, untracked (not ignored)."""
    entries = _git(repo, "status", "--porcelain=v1", "-z").split("\0")
    paths, index = [], 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if entry:
            paths.append(entry[3:])
            if entry[0] in "RC":
                index += 1  # a rename's or copy's original path follows
    return paths


def _has_head(repo: Path) -> bool:
    return _exit_code(repo, "rev-parse", "--verify", "--quiet", "HEAD") == 0


def _exit_code(repo: Path, *args: str) -> int:
    """git's exit code, for the commands that answer by it."""
    try:
        return subprocess.run(
            ["git", *args],  # noqa: S607 - git from PATH, as the user would run it
            cwd=repo,
            capture_output=True,
            check=False,
        ).returncode
    except OSError as exc:
        raise _not_run(repo, exc) from None


def _git(repo: Path, *args: str) -> str:
    try:
        # git from PATH, as the user would run it.
        done = subprocess.run(
            ["git", *args],  # noqa: S607
            cwd=repo,
            capture_output=True,
            text=True,
            errors="replace",
            check=True,
        )
    except OSError as exc:
        raise _not_run(repo, exc) from None
    except subprocess.CalledProcessError as exc:
        # All of git's lines: its cause is often on the first ("does not appear to be a
        # git repository"), its advice on the last.
        detail = one_line(" ".join((exc.stderr or exc.stdout or "").split()))
        raise GitError(
            f"git {args[0]} failed: {detail or exc.returncode}",
            stdout=exc.stdout or "",
            stderr=exc.stderr or "",
        ) from None
    return done.stdout


def _not_run(repo: Path, exc: OSError) -> GitError:
    if isinstance(exc, FileNotFoundError) and exc.filename == "git":
        return GitError("git is not installed")
    return GitError(f"cannot run git in {one_line(str(repo))}: {exc.strerror}")
