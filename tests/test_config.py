"""Loading and validating queries.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from harvester.config import load_config
from harvester.errors import ConfigError
from tests.conftest import ROOT

BAD = Path(__file__).parent / "fixtures" / "config"


def test_shipped_queries_has_the_five_original_topics():
    """The repository's queries.toml holds the original five topics, from 2022-01-01 on."""
    config = load_config(ROOT / "queries.toml")
    assert list(config.topics) == [
        "rlhf_code",
        "llm_alignment",
        "code_synthesis",
        "llm_reasoning",
        "alphaco_related",
    ]
    assert all(t.since == date(2022, 1, 1) for t in config.topics.values())
    assert config.topics["code_synthesis"].query == (
        "(cat:cs.SE OR cat:cs.PL OR cat:cs.AI) AND "
        '(all:"program synthesis" AND all:"reinforcement learning")'
    )


def test_topic_settings_override_defaults(tmp_path: Path):
    """A topic's own since and max_results win over [defaults]; the others inherit them."""
    path = tmp_path / "q.toml"
    path.write_text(
        "[defaults]\nsince = 2022-01-01\nmax_results = 500\n"
        '[topics.a]\nquery = "cat:cs.LG"\nsince = 2024-05-01\n'
        '[topics.b]\nquery = "cat:cs.AI"\nmax_results = 7\n'
    )
    topics = load_config(path).topics
    assert (topics["a"].since, topics["a"].max_results) == (date(2024, 5, 1), 500)
    assert (topics["b"].since, topics["b"].max_results) == (date(2022, 1, 1), 7)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param(
            "unknown_key",
            'topic "llm": unknown key "max_result" (did you mean "max_results"?)',
            id="unknown-key",
        ),
        pytest.param(
            "unknown_default_key",
            '[defaults]: unknown key "sinc" (did you mean "since"?)',
            id="unknown-default-key",
        ),
        pytest.param(
            "unknown_table", 'unknown key "topic" (did you mean "topics"?)', id="unknown-table"
        ),
        pytest.param(
            "bad_syntax",
            "not valid TOML: Illegal character '\\n' (at line 2, column 19)",
            id="syntax",
        ),
        pytest.param("bad_topic_name", 'topic name "LLM-Alignment" must match', id="topic-name"),
        pytest.param(
            "empty_query", 'topic "llm": query must be a non-empty string', id="empty-query"
        ),
        pytest.param("missing_query", 'topic "llm": missing required key "query"', id="no-query"),
        pytest.param(
            "bad_date",
            "topic \"llm\": since must be a date like 2022-01-01 (got '2022-13-01')",
            id="bad-date",
        ),
        pytest.param(
            "bad_date_bare",
            'topic "llm": since must be a date like 2022-01-01 (got 2022-13-01: month must be '
            "in 1..12; line 3)",
            id="bad-bare-date",
        ),
        pytest.param(
            "bad_default_date",
            "[defaults]: since must be a date like 2022-01-01 (got 2022-02-30: day is out of "
            "range for month; line 2)",
            id="bad-default-date",
        ),
        pytest.param(
            "zero_cap", 'topic "llm": max_results must be a positive integer (got 0)', id="zero-cap"
        ),
        pytest.param(
            "bool_cap",
            'topic "llm": max_results must be a positive integer (got True)',
            id="bool-cap",
        ),
        pytest.param(
            "query_not_string",
            'topic "llm": query must be a non-empty string',
            id="query-not-string",
        ),
        pytest.param("no_topics", 'missing required key "topics"', id="no-topics"),
        pytest.param("empty_topics", "no topics: add a [topics.NAME] table", id="empty-topics"),
        pytest.param(
            "topic_not_table", 'topic "llm" must be a table with a query', id="topic-not-table"
        ),
    ],
)
def test_bad_config_names_the_problem(name: str, message: str):
    """A bad topics file raises ConfigError whose one line names the file and the key."""
    path = BAD / f"{name}.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


def test_missing_file(tmp_path: Path):
    """A missing topics file is a ConfigError naming the path."""
    with pytest.raises(ConfigError, match="cannot read: No such file or directory"):
        load_config(tmp_path / "absent.toml")
