"""`harvest init`: a new database repository, ready for `harvest plan` and the schedule.

It writes a commented `queries.toml`, the refresh workflow, a `requirements.txt` that
the workflow installs from, a `.gitignore` and a README, all from `templates/` (package
data, so an installed wheel carries them). The workflow is this repository's own
`.github/workflows/refresh.yml` (the template is a link to it), with its install step
pointed at `requirements.txt`: here it installs the checkout itself. What that file
requires is the caller's to say (`requirement.of_this_harvester`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from harvester import files
from harvester.errors import StoreError

INSTALL_STEP = "run: pip install .\n"
"""The refresh workflow's install step in this repository, replaced in a new one."""
NEW_INSTALL_STEP = "run: pip install -r requirements.txt\n"

LAYOUT = {
    "queries.toml": "queries.toml",
    "README.md": "README.md",
    ".gitignore": "gitignore",
    "requirements.txt": "requirements.txt",
    ".github/workflows/refresh.yml": "refresh.yml",
}
"""Each file of a new repository, and the template it comes from."""


def template(name: str) -> str:
    """The text of the template `name`."""
    return (resources.files(__package__) / "templates" / name).read_text(encoding="utf-8")


def contents(requirement: str) -> dict[str, str]:
    """Each file of a new repository (its path inside it) and its text.

    Args:
        requirement: the line of `requirements.txt` that installs the harvester.

    Raises:
        StoreError: the workflow template no longer has the install step to replace.
    """
    found = {path: template(name) for path, name in LAYOUT.items()}
    workflow = found[".github/workflows/refresh.yml"]
    if INSTALL_STEP not in workflow:
        raise StoreError(Path("templates/refresh.yml"), f"no {INSTALL_STEP.strip()!r} step")
    found[".github/workflows/refresh.yml"] = workflow.replace(INSTALL_STEP, NEW_INSTALL_STEP)
    found["requirements.txt"] = found["requirements.txt"].replace("{requirement}", requirement)
    return found


def init(directory: Path, *, requirement: str) -> list[Path]:
    """Write a new database repository into `directory` (made if missing), whose
    `requirements.txt` installs the harvester with `requirement`.

    Nothing is overwritten: if any of the files is there already, none is written; and
    if one cannot be written, those written before it are removed again, so that a
    second try is not refused for files of the first.

    Returns:
        The files written.

    Raises:
        StoreError: one of the files exists, a directory on the way to one is a symbolic
            link, or a file cannot be written.
    """
    planned = {directory / path: text for path, text in contents(requirement).items()}
    for path in planned:  # `.github -> /tmp/x` would take the workflow elsewhere
        linked = [
            p for p in path.relative_to(directory).parents[:-1] if (directory / p).is_symlink()
        ]
        if linked:
            why = "a symbolic link; refused (a file would be written through it); nothing written"
            raise StoreError(directory, f"has {linked[-1].as_posix()}, {why}")
    present = [str(p.relative_to(directory)) for p in planned if p.exists() or p.is_symlink()]
    if present:
        raise StoreError(directory, f"already has {', '.join(present)}; nothing written")
    written: list[Path] = []
    try:
        for path, text in planned.items():
            files.write(path, text.encode("utf-8"))
            written.append(path)
    except StoreError as exc:
        for path in written:  # each was new: none was there before the check above
            path.unlink(missing_ok=True)
        raise StoreError(exc.path, f"{exc.detail}; nothing written") from None
    return written
