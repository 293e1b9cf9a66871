"""Rows: a record's bytes as its file holds them, which write the file `store.dumps`
writes and give the record back."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from harvester.db import rows, store
from harvester.models import Paper
from tests.conftest import paper

text = st.text(st.characters(codec="utf-8"), max_size=40)


def record(number: int, title: str) -> Paper:
    return paper(
        f"2401.{number:05d}v{1 + number % 3}",
        title=title or "untitled",
        published=date(2024, 1, 1 + number % 5),
        updated=datetime(2024, 2, 1 + number % 7, tzinfo=UTC) if number % 2 else None,
    )


@given(st.lists(st.tuples(st.integers(0, 99), text), max_size=7, unique_by=lambda t: t[0]))
def test_rows_give_the_bytes_of_dumps_and_the_records_back(titles: list[tuple[int, str]]):
    """Records kept as rows make the file `dumps` makes, whatever the Unicode in them
    and however they are chunked, and each row gives its record back."""
    made = [record(number, title) for number, title in titles]
    made_rows = list(rows.rows(made, records_per_chunk=2))
    assert b"".join(rows.row_pieces(made_rows)) == store.dumps(made)
    assert [r.paper() for r in made_rows] == made
    assert [(r.key, r.version, r.published, r.updated_day) for r in made_rows] == [
        (p.key, p.version, p.published, p.updated_day) for p in made
    ]


def test_an_empty_file_of_rows_is_an_empty_array():
    assert rows.row_pieces([]) == [b"[]\n"]


def test_row_papers_makes_a_record_only_when_asked_and_once():
    """Looked up as records, rows are parsed when asked for, each once; membership and
    length need no parsing."""
    made = {r.key: r for r in rows.rows([record(n, f"t{n}") for n in range(5)])}
    parsed: list[str] = []

    class Counting(rows.Row):
        __slots__ = ()

        def paper(self) -> Paper:
            parsed.append(self.key)
            return super().paper()

    counted = {
        k: Counting(r.key, r.version, r.published, r.updated_day, r.data) for k, r in made.items()
    }
    looked = rows.RowPapers(counted)
    assert len(looked) == 5
    assert "2401.00003" in looked
    assert parsed == []
    assert looked["2401.00003"] == made["2401.00003"].paper()
    assert looked.get("2401.00003") is looked["2401.00003"]
    assert looked.get("2401.00009") is None
    assert parsed == ["2401.00003"]
