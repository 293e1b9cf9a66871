"""The record shape: ids of both eras, the paper's identity and version, UTC timestamps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from harvester.models import Paper
from tests.conftest import KEYS, paper


@pytest.mark.parametrize(
    ("arxiv_id", "key", "version"),
    [
        pytest.param("2301.13816v4", "2301.13816", 4, id="new-style"),
        pytest.param("0704.0001v12", "0704.0001", 12, id="four-digit-number"),
        pytest.param("hep-th/9901001v2", "hep-th/9901001", 2, id="old-style"),
        pytest.param("math.GT/0309136v10", "math.GT/0309136", 10, id="old-style-subject"),
    ],
)
def test_identity_is_the_id_without_its_version(arxiv_id: str, key: str, version: int):
    """A paper's key is its id without the version; the version is that number, an int."""
    record = paper(arxiv_id)
    assert record.key == key
    assert record.version == version
    assert type(record.version) is int


@pytest.mark.parametrize(
    "arxiv_id",
    [
        pytest.param("2301.13816", id="no-version"),
        pytest.param("2301.123v1", id="three-digit-number"),
        pytest.param("hep-th/9901001", id="old-no-version"),
        pytest.param("2301.13816v", id="empty-version"),
    ],
)
def test_an_id_without_a_version_is_refused(arxiv_id: str):
    """Only a versioned arXiv id is a record's id."""
    with pytest.raises(ValidationError, match="not a versioned arXiv id"):
        paper(arxiv_id)


@pytest.mark.parametrize(
    ("updated", "expected"),
    [
        pytest.param(
            datetime(2024, 2, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
            datetime(2024, 2, 1, 12, 0, tzinfo=UTC),
            id="offset",
        ),
        pytest.param(
            datetime(2024, 2, 1, 12, 0),  # noqa: DTZ001
            datetime(2024, 2, 1, 12, 0, tzinfo=UTC),
            id="naive-is-utc",
        ),
        pytest.param("2024-02-01T12:00:00Z", datetime(2024, 2, 1, 12, 0, tzinfo=UTC), id="text"),
    ],
)
def test_updated_is_utc(updated: datetime | str, expected: datetime):
    """`updated` is held in UTC: converted from an offset, a time without one read as UTC."""
    record = paper("2401.00001v1", updated=updated)
    assert record.updated == expected
    assert record.updated is not None
    assert record.updated.utcoffset() == timedelta(0)


def test_record_serialises_in_the_contract_order_and_is_frozen():
    """A record dumps its 16 keys in the contract's order, `updated` with a Z; it is frozen."""
    record = paper("2401.00001v1")
    dumped = record.model_dump(mode="json")
    assert list(dumped) == KEYS
    assert dumped["updated"] == "2024-02-01T12:00:00Z"
    with pytest.raises(ValidationError):
        record.title = "changed"


def test_file_order_is_published_then_id():
    """Records sort by `published`, then by their id without version."""
    older = paper("2401.00009v3", published=date(2024, 1, 1))
    newer = paper("2401.00001v1", published=date(2024, 1, 2))
    same_day = paper("2401.00002v1", published=date(2024, 1, 1))
    assert sorted([older, newer, same_day], key=Paper.sort_key, reverse=True) == [
        newer,
        older,
        same_day,
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"arxiv_id": "\uff12\uff15\uff10\uff11.12345v1"},
            "not a versioned arXiv id",
            id="fullwidth-id",
        ),
        pytest.param(
            {"arxiv_id": "2501.1234\u0665v1"}, "not a versioned arXiv id", id="arabic-digit"
        ),
        pytest.param(
            {"arxiv_id": "hep-th/99010\uff101v1"}, "not a versioned arXiv id", id="old-style"
        ),
        pytest.param({"arxiv_id": "2501.12345v\u0663"}, "not a versioned arXiv id", id="version"),
        pytest.param(
            {"updated": "0001-01-01T00:00:00+01:00"}, "cannot be expressed in UTC", id="year-1"
        ),
        pytest.param(
            {"updated": "9999-12-31T23:59:59-01:00"}, "cannot be expressed in UTC", id="year-9999"
        ),
    ],
)
def test_a_record_that_cannot_be_one_is_a_validation_error(fields: dict[str, str], message: str):
    """Ids are ASCII (issue #16: `\\d` matches every Unicode digit), and a time UTC cannot
    hold is a validation error, never an OverflowError."""
    with pytest.raises(ValidationError, match=message):
        Paper.model_validate(paper("2501.12345v1").model_dump() | fields)


def test_a_query_record_keeps_what_oai_said():
    """A record without OAI's keys keeps the stored ones at the same version, and only the
    license at a newer one; a record from OAI-PMH keeps its own."""
    told = paper(
        "2401.00001v1",
        license="http://x/by",
        withdrawn=False,
        versions=[datetime(2024, 2, 1, 12, tzinfo=UTC)],
    )
    same = paper("2401.00001v1").keeping_oai(told)
    assert (same.license, same.withdrawn, same.versions) == (told.license, False, told.versions)
    newer = paper("2401.00001v2").keeping_oai(told)
    assert (newer.license, newer.withdrawn, newer.versions) == ("http://x/by", None, None)
    own = paper("2401.00001v1", license=None, versions=[]).keeping_oai(told)
    assert own.license is None


@pytest.mark.parametrize(
    ("doi", "dois"),
    [
        pytest.param(None, [], id="none"),
        pytest.param("10.1086/307221", ["10.1086/307221"], id="one"),
        pytest.param(
            "10.1103/PhysRevC.76.024606 10.1103/PhysRevC.76.039902",
            ["10.1103/PhysRevC.76.024606", "10.1103/PhysRevC.76.039902"],
            id="two-as-arxiv-0704.0471",
        ),
        pytest.param(" 10.1/b\t\n10.1/a ", ["10.1/b", "10.1/a"], id="any-whitespace-order-kept"),
    ],
)
def test_dois_are_the_doi_field_split_on_whitespace(doi: str | None, dois: list[str]):
    """`dois` lists the DOIs of arXiv's `doi` field in its order (issue 25), and the
    record keeps the field itself as it was given."""
    record = paper("0704.0471v1", doi=doi)
    assert record.dois == dois
    assert record.doi == doi
    assert "dois" not in record.model_dump()
