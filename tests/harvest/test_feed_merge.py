"""The change feed's merge: where a listed paper is looked for in a topic's files."""

from __future__ import annotations

from datetime import date

import pytest

from harvester.harvest import feed_merge
from tests.conftest import paper


@pytest.mark.parametrize(
    ("arxiv_id", "month"),
    [
        pytest.param("2403.01234v2", date(2024, 3, 1), id="new-style"),
        pytest.param("0704.0001v1", date(2007, 4, 1), id="first-new-style"),
        pytest.param("hep-th/9901001v1", date(1999, 1, 1), id="old-style"),
        pytest.param("math.GT/0309136v1", date(2003, 9, 1), id="old-style-with-subject"),
    ],
)
def test_an_ids_month_is_where_its_paper_is_looked_for_too(arxiv_id: str, month: date):
    """The month an id was given in, which the change feed also looks in for a stored paper."""
    found = feed_merge.id_month(paper(arxiv_id))
    assert found is not None
    assert found.published == month


def test_an_id_naming_no_real_month_is_looked_for_nowhere_else():
    """`2413.00001` names no month (the id pattern takes any four digits): no second file."""
    assert feed_merge.id_month(paper("2413.00001v1")) is None
