"""Loading and validating queries.toml."""

from __future__ import annotations

import re
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
    assert all(t.change_feed and t.refresh_days == 0 for t in config.topics.values())
    assert config.topics["code_synthesis"].query == (
        "(cat:cs.SE OR cat:cs.PL OR cat:cs.AI) AND "
        '(all:"program synthesis" AND all:"reinforcement learning")'
    )


def test_the_change_feed_turns_refresh_off_unless_set(tmp_path: Path):
    """With the change feed on, refresh_days defaults to 0; set, it stays."""
    path = tmp_path / "queries.toml"
    path.write_text(
        '[defaults]\nchange_feed = true\n[topics.a]\nquery = "x"\n'
        '[topics.b]\nquery = "y"\nrefresh_days = 30\n[topics.c]\nquery = "z"\n'
        "change_feed = false\n"
    )
    topics = load_config(path).topics
    assert [(t.change_feed, t.refresh_days) for t in topics.values()] == [
        (True, 0),
        (True, 30),
        (False, 7),
    ]


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
        pytest.param(
            "missing_query", 'topic "llm": needs exactly one of "query" and "set"', id="no-query"
        ),
        pytest.param(
            "query_and_set", 'topic "llm": needs exactly one of "query" and "set"', id="both"
        ),
        pytest.param(
            "unknown_set",
            'topic "cl": set "cs:cs:XX" is not in arXiv\'s taxonomy',
            id="set-not-in-taxonomy",
        ),
        pytest.param(
            "set_capped",
            'topic "cl": max_results is for query topics: a set topic lists its whole set',
            id="set-with-max-results",
        ),
        pytest.param(
            "set_without_feed",
            'topic "cl": change_feed cannot be false: a set topic\'s later runs are the change feed',
            id="set-without-change-feed",
        ),
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
    """A missing topics file is a ConfigError naming the path, `harvest init` and `--config`."""
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "absent.toml")
    assert str(caught.value) == (
        f"{tmp_path / 'absent.toml'}: no such file; harvest init starts a database here, "
        "or --config PATH names the topics file"
    )


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        pytest.param(f'query = "{"x" * 4000}"', None, id="query-of-4000-chars"),
        pytest.param(
            f'query = "{"x" * 4001}"',
            "query must be a non-empty string of at most 4000 characters",
            id="query-of-4001-chars",
        ),
        pytest.param('query = "x"\nlookback_days = 0', None, id="lookback-0"),
        pytest.param('query = "x"\nlookback_days = 3650', None, id="lookback-3650"),
        pytest.param(
            'query = "x"\nlookback_days = 3651',
            "lookback_days must be a whole number of days, 0 to 3650 (got 3651)",
            id="lookback-3651",
        ),
        pytest.param('query = "x"\nrefresh_days = 0', None, id="refresh-never"),
        pytest.param(
            'query = "x"\nrefresh_days = -1',
            "refresh_days must be a whole number of days, 0 or more",
            id="refresh-negative",
        ),
        pytest.param('query = "x"\nstale_after_days = 1', None, id="stale-after-1"),
        pytest.param(
            'query = "x"\nstale_after_days = 0',
            "stale_after_days must be a positive whole number of days (got 0)",
            id="stale-after-0",
        ),
    ],
)
def test_settings_are_checked_at_their_bounds(tmp_path: Path, table: str, problem: str | None):
    """Each bound is where its message says: the last value allowed loads, the next fails."""
    path = tmp_path / "q.toml"
    path.write_text(f"[topics.t]\n{table}\n")
    if problem is None:
        assert load_config(path).topics["t"].name == "t"
    else:
        with pytest.raises(ConfigError, match=re.escape(f'topic "t": {problem}')):
            load_config(path)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        pytest.param("a" * 100, None, id="100-chars"),
        pytest.param("a" * 101, "must be at most 100 characters", id="101-chars"),
        pytest.param("llm-alignment", "must match ^[a-z0-9][a-z0-9_]*$", id="hyphen-after-start"),
        pytest.param("llm_2", None, id="digits-and-underscore"),
    ],
)
def test_topic_names_are_checked_whole(tmp_path: Path, name: str, problem: str | None):
    """A topic name is a file name: at most 100 characters, every one of them allowed."""
    path = tmp_path / "q.toml"
    path.write_text(f'[topics."{name}"]\nquery = "x"\n')
    if problem is None:
        assert list(load_config(path).topics) == [name]
    else:
        with pytest.raises(ConfigError, match=re.escape(problem)):
            load_config(path)


def test_query_is_stored_without_surrounding_whitespace(tmp_path: Path):
    """A query written with spaces or line breaks around it is sent without them."""
    path = tmp_path / "q.toml"
    path.write_text('[topics.t]\nquery = """\n  cat:cs.LG  \n"""\n')
    assert load_config(path).topics["t"].query == "cat:cs.LG"


@pytest.mark.parametrize(
    ("names", "selected"),
    [
        pytest.param(None, ["a", "b", "c"], id="none-named"),
        pytest.param([], ["a", "b", "c"], id="empty-list"),
        pytest.param(["c", "a", "c"], ["c", "a"], id="each-once-in-the-order-named"),
    ],
)
def test_select_names_topics_each_once(
    tmp_path: Path, names: list[str] | None, selected: list[str]
):
    """No names select every topic in file order; names select those, each once."""
    path = tmp_path / "q.toml"
    path.write_text("".join(f'[topics.{n}]\nquery = "{n}"\n' for n in "abc"))
    assert [t.name for t in load_config(path).select(names)] == selected


@pytest.mark.parametrize(
    ("table", "message"),
    [
        pytest.param(
            'quer = "x"', 'topic "t": unknown key "quer" (did you mean "query"?)', id="query-typo"
        ),
        pytest.param(
            'query = "x"\nmax_results = 2024-01-01',
            'topic "t": max_results must be a positive integer (got 2024-01-01)',
            id="date-shown-as-written",
        ),
        pytest.param(
            f'query = "{"x" * 4001}"',
            f"(got '{'x' * 59}... (4001 characters))",
            id="long-value-shortened",
        ),
    ],
)
def test_messages_show_what_was_written(tmp_path: Path, table: str, message: str):
    """A message suggests the key meant and shows the value as written, a long one cut."""
    path = tmp_path / "q.toml"
    path.write_text(f"[topics.t]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).endswith(message)


def test_a_default_cap_leaves_a_set_topic_whole(tmp_path: Path):
    """`[defaults] max_results` caps the query topics; a set topic, which lists its whole
    set through OAI-PMH and has no newest-first harvest to stop, is left uncapped rather
    than refused or silently stored past its cap."""
    path = tmp_path / "queries.toml"
    path.write_text(
        '[defaults]\nmax_results = 500\n[topics.q]\nquery = "all:x"\n[topics.s]\nset = "cs"\n'
    )
    topics = load_config(path).topics
    assert (topics["q"].max_results, topics["s"].max_results) == (500, None)


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        pytest.param("set_near_physics_physics_hep_th", "physics:hep-th", id="archive-as-category"),
        pytest.param("set_near_cs", "cs", id="upper-case"),
        pytest.param("set_near_cs_cl", "cs:cs:CL", id="category-written-as-in-a-query"),
        pytest.param("set_near_hep_th", "physics:hep-th", id="archive-alone"),
    ],
)
def test_a_near_miss_set_is_told_the_set_it_names(name: str, hint: str):
    """A set written in another shape (`cs.CL`, `CS`, `hep-th`, an archive as a category)
    gets the set of the same category or archive as its "did you mean", not the nearest
    spelling (`physics:physics:chem-ph` for `physics:physics:hep-th`)."""
    with pytest.raises(ConfigError) as caught:
        load_config(BAD / f"{name}.toml")
    assert str(caught.value).endswith(f'is not in arXiv\'s taxonomy (did you mean "{hint}"?)')


def test_the_whole_archive_is_a_set_topic_of_its_own(tmp_path: Path):
    """`set = "*"` is all of arXiv: its lists name no set, the change feed is on."""
    path = tmp_path / "queries.toml"
    path.write_text('[topics.arxiv]\nset = "*"\n')
    topic = load_config(path).topics["arxiv"]
    assert (topic.set_spec, topic.oai_set, topic.whole_archive) == ("*", None, True)
    assert topic.change_feed
    assert "cat:cs.*" in topic.query
    assert "cat:math.*" in topic.query


@pytest.mark.parametrize(
    ("table", "message"),
    [
        pytest.param(
            'query = "all:x"\nset = "*"',
            'topic "arxiv": needs exactly one of "query" and "set"',
            id="with-a-query",
        ),
        pytest.param(
            'set = "**"', 'topic "arxiv": set "**" is not in arXiv\'s taxonomy', id="two-stars"
        ),
        pytest.param(
            'set = "*"\nmax_results = 10',
            'topic "arxiv": max_results is for query topics',
            id="capped",
        ),
    ],
)
def test_a_whole_archive_topic_is_validated_like_a_set(tmp_path: Path, table: str, message: str):
    """A whole-archive topic with a query, a cap or another star is an error naming it."""
    path = tmp_path / "queries.toml"
    path.write_text(f"[topics.arxiv]\n{table}\n")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)
