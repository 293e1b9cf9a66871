"""The words of a config error: the key of an impossible date, near misses, values shown."""

from __future__ import annotations

from datetime import date

import pytest

from harvester.config_words import bad_date, closest, did_you_mean, shown

EXPECTED = {"since": "a date like 2022-01-01"}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param(
            '[topics.llm]\nquery = "x"\nsince = 2022-13-01\n',
            3,
            'topic "llm": since must be a date like 2022-01-01 (got 2022-13-01: month must be in '
            "1..12; line 3)",
            id="topic",
        ),
        pytest.param(
            "[defaults]\nsince = 2022-02-30\n",
            2,
            "[defaults]: since must be a date like 2022-01-01 (got 2022-02-30: day is out of "
            "range for month; line 2)",
            id="defaults",
        ),
        pytest.param('[topics.llm]\nquery = "x" x\n', 2, None, id="not-a-date"),
        pytest.param("[defaults]\nsince = 2022-02-03\n", 2, None, id="a-valid-date"),
    ],
)
def test_an_impossible_date_is_named_with_its_key_and_table(
    text: str, line: int, message: str | None
):
    """The line tomllib fails on names its key, table and why when it holds a bad date."""
    error = f"Expected newline or end of document after a statement (at line {line}, column 9)"
    assert bad_date(text, error, EXPECTED) == message


def test_a_near_miss_gets_a_hint_and_a_far_one_the_known_keys():
    """A typo is pointed at the key it most likely meant; otherwise the keys are listed."""
    assert closest("sinse", {"since", "query"}) == "since"
    assert did_you_mean("sinse", {"since", "query"}) == ' (did you mean "since"?)'
    assert did_you_mean("zzz", {"since", "query"}) == " (known keys: query, since)"


def test_a_value_is_shown_as_written_and_long_ones_cut():
    """Dates as in TOML, a missing key as nothing, a long string cut with its length."""
    raw = {"topics": {"t": {"since": date(2022, 1, 1), "query": "q" * 100}}}
    assert shown(raw, ["topics", "t", "since"]) == "2022-01-01"
    assert shown(raw, ["topics", "t", "max_results"]) == "nothing"
    assert shown(raw, ["topics", "t", "query"]).endswith("... (100 characters)")
