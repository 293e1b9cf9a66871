"""The requirement line with which a new repository's job installs this harvester again.

How pip installed the running harvester says where it can be had. An install from a
package index leaves no `direct_url.json` in the distribution's metadata; an install
from a URL leaves its record (PEP 610,
https://packaging.python.org/en/latest/specifications/direct-url-data-structure/): a
VCS repository and the commit it checked out (`vcs_info`), an archive (`archive_info`),
or a local directory (`dir_info`, editable or not), which a job elsewhere cannot reach.
"""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any, NamedTuple
from urllib.parse import urlsplit
from urllib.request import url2pathname

from harvester.errors import LocalInstall

DISTRIBUTION = "arxiv-harvester"

FIX = (
    "install it from a package index or a git URL "
    f'(pip install "{DISTRIBUTION} @ git+https://github.com/OWNER/arxiv-harvester") '
    "and run init again"
)
"""What to do when the running harvester cannot be installed elsewhere."""


class Installed(NamedTuple):
    """How the running harvester was installed."""

    direct_url: str | None
    """The text of its `direct_url.json`; None when pip wrote none (a package index)."""
    version: str
    """Its version, as its metadata says."""


def installed() -> Installed:
    """How the running harvester was installed, as its distribution's metadata says.

    Raises:
        LocalInstall: it is not installed at all (run from a source tree).
    """
    found = list(metadata.distributions(name=DISTRIBUTION))
    # An installer's record first (pip writes INSTALLER beside every install): a source
    # tree on sys.path, the current directory of `python -m harvester` in a clone, holds
    # the .egg-info an editable build left there, which tells nothing of the install.
    recorded = [d for d in found if d.read_text("INSTALLER") is not None] or found
    if not recorded:
        raise LocalInstall(f"this harvester is not installed (run from its files); {FIX}")
    return Installed(recorded[0].read_text("direct_url.json"), recorded[0].version)


def of_this_harvester() -> str:
    """The requirement line that installs the running harvester elsewhere.

    Raises:
        LocalInstall: it came from this machine only, or from where cannot be told.
    """
    return from_record(*installed())


def from_record(direct_url: str | None, version: str) -> str:
    """The requirement line that installs the harvester pip recorded so.

    Exact, never a range: the workflow `harvest init` writes beside it is that version's
    own, and a job that installs the same harvester every day is reproducible; following
    a newer release is an edit of requirements.txt, made with the workflow's.

    Args:
        direct_url: the text of its `direct_url.json`, None when there is none.
        version: its version.

    Returns:
        `arxiv-harvester==VERSION` for an install from a package index,
        `arxiv-harvester @ git+URL@COMMIT` for one from a repository,
        `arxiv-harvester @ URL` for one from an archive on the web.

    Raises:
        LocalInstall: a local directory or file, or a record that cannot be read.
    """
    if direct_url is None:
        return f"{DISTRIBUTION}=={version}"
    record = _record(direct_url)
    url: str = record["url"]
    if isinstance(record.get("vcs_info"), dict):
        return f"{DISTRIBUTION} @ {_vcs_url(url, record['vcs_info'])}{_fragment(record)}"
    if urlsplit(url).scheme == "file":
        where = "a local directory" if "dir_info" in record else "a file on this machine"
        raise LocalInstall(f"this harvester was installed from {where} ({_path(url)}); {FIX}")
    if isinstance(record.get("archive_info"), dict):
        return f"{DISTRIBUTION} @ {url}{_fragment(record, _hash(record['archive_info']))}"
    raise LocalInstall(f"cannot tell where this harvester was installed from ({url}); {FIX}")


def _record(direct_url: str) -> dict[str, Any]:
    """The parsed `direct_url.json`, checked for the `url` every record has."""
    try:
        record = json.loads(direct_url)
    except ValueError:
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("url"), str):
        why = "its direct_url.json is not a PEP 610 record"
        raise LocalInstall(f"cannot tell where this harvester was installed from ({why}); {FIX}")
    return record


def _vcs_url(url: str, vcs_info: dict[str, Any]) -> str:
    """`git+URL@COMMIT`: the commit, not the branch or tag asked for, which may move."""
    vcs, commit = vcs_info.get("vcs"), vcs_info.get("commit_id")
    if not isinstance(vcs, str) or not isinstance(commit, str):
        why = "its direct_url.json names no VCS and commit"
        raise LocalInstall(f"cannot tell where this harvester was installed from ({why}); {FIX}")
    prefixed = url if url.startswith(f"{vcs}+") else f"{vcs}+{url}"
    return f"{prefixed}@{commit}"


def _hash(archive_info: dict[str, Any]) -> str | None:
    """`sha256=...` when the archive's hash was recorded (pip then checks it)."""
    hashes = archive_info.get("hashes")
    if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
        return f"sha256={hashes['sha256']}"
    legacy = archive_info.get("hash")  # the older single "sha256=..." form
    return legacy if isinstance(legacy, str) and "=" in legacy else None


def _fragment(record: dict[str, Any], archive_hash: str | None = None) -> str:
    """The URL's `#...`: the archive's hash, and `subdirectory=` when the project lies
    below the URL's root; nothing when neither."""
    sub = record.get("subdirectory")
    parts = [archive_hash, f"subdirectory={sub}" if isinstance(sub, str) and sub else None]
    given = [part for part in parts if part]
    return f"#{'&'.join(given)}" if given else ""


def _path(url: str) -> str:
    """A `file:` URL's path on this machine."""
    return url2pathname(urlsplit(url).path)
