"""`harvest commit`: commit the data directory when, and only when, it changed.

A scheduled job runs `harvest --report R`, then `harvest commit --report R`: no
change makes no commit, a change makes exactly one, whose message says what changed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from harvester.errors import HarvestError


class GitError(HarvestError):
    """A git command failed."""


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
        detail = (exc.stderr or exc.stdout).strip().splitlines()
        raise GitError(
            f"git {args[0]} failed: {detail[-1] if detail else exc.returncode}"
        ) from None
    return done.stdout
