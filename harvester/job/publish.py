"""Git for the data: commit the data directory only when it changed, push, resync.

`harvest commit` and the scheduled job (`job.py`) commit through `commit_data`: no
change makes no commit, a change makes exactly one, whose message says what changed.
The job pushes with `push` and, when the remote moved meanwhile, brings its clone to
the remote's state with `sync` before it harvests again.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from harvester.errors import HarvestError


class GitError(HarvestError):
    """A git command failed.

    Attributes:
        stdout: what git printed on stdout before failing.
    """

    def __init__(self, message: str, *, stdout: str = "") -> None:
        self.stdout = stdout
        super().__init__(message)


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


def push(repo: Path, remote: str, branch: str) -> bool:
    """Push HEAD to `branch` of `remote`.

    Returns:
        True when pushed; False when the remote refused it because the branch moved
        since this clone last saw it (another push came first).

    Raises:
        GitError: the push failed for another reason (no access, no such remote, a hook).
    """
    try:
        _git(repo, "push", "--porcelain", remote, f"HEAD:refs/heads/{branch}")
    except GitError as exc:
        # Porcelain marks a refused ref with "!": "[rejected] (fetch first)" when the
        # remote moved before we looked, "[remote rejected] (failed to update ref)"
        # when it moved while we pushed. Both mean: another commit got there first.
        if any(line.startswith("!") for line in exc.stdout.splitlines()):
            return False
        raise
    return True


def sync(repo: Path, remote: str, branch: str, data_dir: Path) -> None:
    """Make the work tree and HEAD exactly `branch` of `remote`, dropping local commits.

    Not a rebase: the data and state files of two harvests conflict line by line, and
    the harvest that follows is idempotent, so it redoes the dropped work on top.
    Untracked files in `data_dir` go too; ignored ones (the lock) stay.
    """
    _git(repo, "fetch", "--quiet", remote, branch)
    _git(repo, "reset", "--hard", "--quiet", "FETCH_HEAD")
    _git(repo, "clean", "-d", "--force", "--quiet", "--", str(data_dir))


def _git(repo: Path, *args: str) -> str:
    try:
        # git from PATH, as the user would run it.
        done = subprocess.run(
            ["git", *args],  # noqa: S607
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        # All of git's lines: its cause is often on the first ("does not appear to be a
        # git repository"), its advice on the last.
        detail = " ".join((exc.stderr or exc.stdout).split())
        raise GitError(
            f"git {args[0]} failed: {detail or exc.returncode}",
            stdout=exc.stdout or "",
        ) from None
    return done.stdout
