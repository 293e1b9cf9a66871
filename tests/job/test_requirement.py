"""The requirement a new repository installs this harvester with, from pip's record of
how it was installed (PEP 610's direct_url.json) or its absence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harvester.errors import LocalInstall
from harvester.job import requirement

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "a" * 64
FIX = requirement.FIX


def record(**fields: Any) -> str:
    """A direct_url.json of these fields."""
    return json.dumps(fields)


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        pytest.param(None, "arxiv-harvester==0.2.0", id="index"),
        pytest.param(
            record(
                url="https://github.com/o/arxiv-harvester",
                vcs_info={"vcs": "git", "commit_id": COMMIT},
            ),
            f"arxiv-harvester @ git+https://github.com/o/arxiv-harvester@{COMMIT}",
            id="git",
        ),
        pytest.param(
            record(
                url="https://github.com/o/arxiv-harvester.git",
                vcs_info={"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
            ),
            f"arxiv-harvester @ git+https://github.com/o/arxiv-harvester.git@{COMMIT}",
            id="git-branch-is-its-commit",
        ),
        pytest.param(
            record(
                url="ssh://git@github.com/o/arxiv-harvester",
                vcs_info={"vcs": "git", "commit_id": COMMIT},
            ),
            f"arxiv-harvester @ git+ssh://git@github.com/o/arxiv-harvester@{COMMIT}",
            id="git-ssh",
        ),
        pytest.param(
            record(url="file:///srv/arxiv-harvester", vcs_info={"vcs": "git", "commit_id": COMMIT}),
            f"arxiv-harvester @ git+file:///srv/arxiv-harvester@{COMMIT}",
            id="git-repository-on-disk",
        ),
        pytest.param(
            record(url="https://hg.example.org/h", vcs_info={"vcs": "hg", "commit_id": COMMIT}),
            f"arxiv-harvester @ hg+https://hg.example.org/h@{COMMIT}",
            id="mercurial",
        ),
        pytest.param(
            record(
                url="https://github.com/o/mono",
                vcs_info={"vcs": "git", "commit_id": COMMIT},
                subdirectory="tools/harvester",
            ),
            f"arxiv-harvester @ git+https://github.com/o/mono@{COMMIT}#subdirectory=tools/harvester",
            id="git-subdirectory",
        ),
        pytest.param(
            record(url="https://example.org/a.whl", archive_info={"hashes": {"sha256": SHA256}}),
            f"arxiv-harvester @ https://example.org/a.whl#sha256={SHA256}",
            id="archive-on-the-web",
        ),
        pytest.param(
            record(url="https://example.org/a.tar.gz", archive_info={"hash": f"sha256={SHA256}"}),
            f"arxiv-harvester @ https://example.org/a.tar.gz#sha256={SHA256}",
            id="archive-legacy-hash",
        ),
        pytest.param(
            record(url="https://example.org/a.zip", archive_info={}, subdirectory="h"),
            "arxiv-harvester @ https://example.org/a.zip#subdirectory=h",
            id="archive-no-hash",
        ),
    ],
)
def test_the_requirement_installs_the_same_harvester_elsewhere(
    direct_url: str | None, expected: str
):
    """No record (a package index) pins the version; a repository, its URL and the commit
    installed; an archive on the web, its URL (and hash)."""
    assert requirement.from_record(direct_url, "0.2.0") == expected


@pytest.mark.parametrize(
    ("direct_url", "message"),
    [
        pytest.param(
            record(url="file:///home/me/arxiv-harvester", dir_info={"editable": True}),
            "this harvester was installed from a local directory (/home/me/arxiv-harvester)",
            id="editable-directory",
        ),
        pytest.param(
            record(url="file:///home/me/my%20clone", dir_info={}),
            "this harvester was installed from a local directory (/home/me/my clone)",
            id="directory",
        ),
        pytest.param(
            record(url="file:///tmp/dist/arxiv_harvester-0.2-py3-none-any.whl", archive_info={}),
            "this harvester was installed from a file on this machine "
            "(/tmp/dist/arxiv_harvester-0.2-py3-none-any.whl)",
            id="local-wheel",
        ),
        pytest.param(
            "{not json",
            "cannot tell where this harvester was installed from (its direct_url.json is not a PEP 610 record)",
            id="not-json",
        ),
        pytest.param(
            record(dir_info={}),
            "cannot tell where this harvester was installed from (its direct_url.json is not a PEP 610 record)",
            id="no-url",
        ),
        pytest.param(
            record(url="https://github.com/o/h", vcs_info={"vcs": "git"}),
            "cannot tell where this harvester was installed from (its direct_url.json names no VCS and commit)",
            id="vcs-without-commit",
        ),
        pytest.param(
            record(url="https://example.org/h"),
            "cannot tell where this harvester was installed from (https://example.org/h)",
            id="no-info",
        ),
    ],
)
def test_what_cannot_be_installed_elsewhere_is_refused_with_the_fix(direct_url: str, message: str):
    """A local directory or file, or a record that cannot be read, is refused in one line
    that says what to do (an error of exit code 2)."""
    with pytest.raises(LocalInstall) as raised:
        requirement.from_record(direct_url, "0.2.0")
    assert str(raised.value) == f"{message}; {FIX}"
    assert "\n" not in str(raised.value)


def test_installed_reads_pips_record_of_this_harvester():
    """The tests' harvester is pip's editable install of a directory: its record says so,
    with the distribution's version."""
    found = requirement.installed()
    assert found.direct_url is not None
    assert json.loads(found.direct_url)["dir_info"] == {"editable": True}
    assert found.version == __import__("harvester").__version__


def test_a_harvester_that_is_not_installed_is_refused(monkeypatch: pytest.MonkeyPatch):
    """Run from its files without an install, there is nothing to tell: refused with the fix."""
    monkeypatch.setattr(requirement, "DISTRIBUTION", "arxiv-harvester-not-installed")
    with pytest.raises(
        LocalInstall, match=r"^this harvester is not installed \(run from its files\); install it"
    ):
        requirement.installed()


def test_an_egg_info_on_the_path_does_not_hide_the_install(
    tmp_path, monkeypatch: pytest.MonkeyPatch
):
    """A source tree first on sys.path (`python -m harvester` in a clone) holds an
    .egg-info that no installer wrote: pip's record of the install is read, not it."""
    egg = tmp_path / "arxiv_harvester.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: arxiv-harvester\nVersion: 9.9\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = requirement.installed()
    assert found.version != "9.9"
    assert found.direct_url is not None
