"""`queries.toml`: load, validate, and describe what is wrong by naming the key.

Format (DESIGN.md, "queries.toml")::

    [defaults]                 # optional; every key here may be set per topic too
    since = 2022-01-01         # keep papers whose v1 is from this date on
    max_results = 5000         # cap per topic and run
    lookback_days = 3          # incremental runs start this long before the newest update
    refresh_days = 7           # harvest the whole range again this often (0: never)
    stale_after_days = 14      # warn after this long without a new paper (default: estimated)
    change_feed = true         # merge arXiv's daily OAI-PMH changes (refresh_days then 0)

    [topics.rlhf_code]
    query = 'cat:cs.LG AND all:"code generation"'

    [topics.cs_cl]             # a whole OAI-PMH set instead of a query
    set = "cs:cs:CL"
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from harvester import files, taxonomy
from harvester.config_words import bad_date, closest, did_you_mean, shown
from harvester.errors import ConfigError, StoreError, UsageError

DEFAULT_LOOKBACK_DAYS = 3
# A DOI or journal reference arXiv adds without a new version, and a paper held in
# moderation for longer than the lookback, are seen only by harvesting the whole range
# again; weekly finds them within a week, for the cost of a first harvest each week
# (a 5,000-paper topic: 5 requests, 15 s).
DEFAULT_REFRESH_DAYS = 7
TOPIC_NAME = re.compile(r"[a-z0-9][a-z0-9_]*")
# arXiv's front end refuses URLs much over 8 kB, and a query's characters can take
# three bytes each once percent-encoded: 4,000 leaves room, and no real query is near.
MAX_QUERY_CHARS = 4000
# Ten years; a longer lookback is a typo, and days past year 9999 cannot be computed.
MAX_LOOKBACK_DAYS = 3650
# The name becomes `<name>.json` and `.<name>.json.<random>.tmp`: 100 keeps those far
# below the 255 bytes most file systems allow.
MAX_NAME_CHARS = 100

# What each key must be, in the words of the error message.
_EXPECTED = {
    "query": f"a non-empty string of at most {MAX_QUERY_CHARS} characters in arXiv "
    "search_query syntax",
    "since": "a date like 2022-01-01",
    "max_results": "a positive integer",
    "lookback_days": f"a whole number of days, 0 to {MAX_LOOKBACK_DAYS}",
    "refresh_days": "a whole number of days, 0 or more (0: never)",
    "stale_after_days": "a positive whole number of days",
    "change_feed": "true or false",
    "set": 'an OAI-PMH set of arXiv\'s taxonomy, like "cs", "physics:hep-th" or "cs:cs:CL", '
    'or "*" for all of arXiv',
    "defaults": "a table",
    "topics": "a table of [topics.NAME] tables",
}


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    since: date | None = None
    # Strict: TOML has real integers, so `true` or `2.0` here is a mistake, not a 1 or a 2.
    max_results: Annotated[int, Field(strict=True, gt=0)] | None = None
    lookback_days: Annotated[int, Field(strict=True, ge=0, le=MAX_LOOKBACK_DAYS)] | None = None
    refresh_days: Annotated[int, Field(strict=True, ge=0, le=MAX_LOOKBACK_DAYS)] | None = None
    stale_after_days: Annotated[int, Field(strict=True, gt=0, le=MAX_LOOKBACK_DAYS)] | None = None
    change_feed: Annotated[bool, Field(strict=True)] | None = None


class _TopicTable(_Settings):
    query: str | None = None
    set_spec: Annotated[str | None, Field(strict=True, alias="set")] = None

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip() or len(value.strip()) > MAX_QUERY_CHARS:
            raise ValueError("empty or too long")
        return value.strip()


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    defaults: _Settings = Field(default_factory=_Settings)
    topics: dict[str, _TopicTable]


class Topic(BaseModel):
    """One topic: a name (its file is `data/<name>.json`) and its arXiv query."""

    model_config = ConfigDict(frozen=True)

    name: str
    """The topic's name, matching `^[a-z0-9][a-z0-9_]*$`."""
    query: str
    """The arXiv `search_query`; of a set topic, the search for the set's papers (which
    `plan` asks for its size; the topic itself is harvested through OAI-PMH alone)."""
    set_spec: str | None = None
    """The OAI-PMH set a set topic is (`cs:cs:CL`, or `*`: all of arXiv); None for a query
    topic."""
    change_feed: bool = False
    """Whether each run merges arXiv's OAI-PMH changes into the topic (a set topic
    always does)."""
    since: date | None = None
    """Keep only papers whose first version is from this date on; None keeps all."""
    max_results: int | None = None
    """A first harvest keeps only the newest this many papers; None keeps all. Later
    runs take every update."""
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    """An incremental run reads back to this many days before the topic's watermark,
    for papers arXiv indexes late."""
    refresh_days: int = DEFAULT_REFRESH_DAYS
    """The whole range is harvested again when the last such harvest is this many
    days old (0: never), for what no incremental run sees."""
    stale_after_days: int | None = None
    """Call the topic silent after this many days without a new paper; None estimates
    it from the topic's history (see `harvester.harvest.stale`)."""

    @property
    def oai_set(self) -> str | None:
        """The `set` argument of the topic's OAI-PMH lists: None for all of arXiv (a list
        without a set) and for a query topic."""
        return None if self.set_spec == taxonomy.WHOLE_ARCHIVE else self.set_spec

    @property
    def whole_archive(self) -> bool:
        """Whether the topic is all of arXiv (`set = "*"`)."""
        return self.set_spec == taxonomy.WHOLE_ARCHIVE


class Config(BaseModel):
    """A validated `queries.toml`: its topics in file order."""

    model_config = ConfigDict(frozen=True)

    path: Path
    """The file it was read from."""
    topics: dict[str, Topic]
    """Topics by name, in the order of the file."""

    def select(self, names: list[str] | None) -> list[Topic]:
        """The topics named (all, in file order, when none are), each once.

        Raises:
            UsageError: a name is not a topic of this config; the message lists the
                known ones, with a "did you mean" for a near miss.
        """
        if not names:
            return list(self.topics.values())
        unknown = [name for name in names if name not in self.topics]
        if unknown:
            named = ", ".join(
                repr(n) + (f' (did you mean "{c}"?)' if (c := closest(n, self.topics)) else "")
                for n in unknown
            )
            raise UsageError(
                f"unknown topic {named} in {self.path}; known topics: {', '.join(self.topics)}"
            )
        return [self.topics[name] for name in dict.fromkeys(names)]


# Five topics take 2 kB; a megabyte is a mistake (or /dev/zero), not a topics file.
MAX_CONFIG_BYTES = 1024 * 1024
MISSING = (
    "no such file; harvest init starts a database here, or --config PATH names the topics file"
)
"""What is wrong with a topics file that is not there, and the two ways on: the first
thing a newcomer meets (`harvest` in an empty directory) says how to start."""


def load_config(path: Path) -> Config:
    """Read and validate a topics file.

    Raises:
        ConfigError: the file is unreadable, not TOML, or breaks the format; the
            message names the key and what was expected.
    """
    try:
        files.check_regular(path, max_bytes=MAX_CONFIG_BYTES)  # a FIFO would block the run
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except StoreError as exc:
        raise ConfigError(path, exc.detail) from None
    except OSError as exc:
        missing = isinstance(exc, FileNotFoundError)
        raise ConfigError(path, MISSING if missing else f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not UTF-8 text: {exc.reason}") from None
    except tomllib.TOMLDecodeError as exc:
        detail = bad_date(path.read_text(encoding="utf-8"), str(exc), _EXPECTED)
        raise ConfigError(path, detail or f"not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays or tables
        raise ConfigError(path, "not valid TOML: nested too deeply") from None
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        # An unknown key is the likeliest root cause (a typo), so name it first.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        raise ConfigError(path, _describe(first, raw)) from None
    if not parsed.topics:
        raise ConfigError(path, "no topics: add a [topics.NAME] table with a query")
    for name in parsed.topics:
        if len(name) > MAX_NAME_CHARS:
            raise ConfigError(
                path,
                f'topic name "{name[:20]}..." must be at most {MAX_NAME_CHARS} characters '
                "(it becomes a file name)",
            )
        if not TOPIC_NAME.fullmatch(name):
            raise ConfigError(
                path,
                f'topic name "{name}" must match ^[a-z0-9][a-z0-9_]*$ (it becomes a file name)',
            )
    topics = {
        name: _topic(path, name, table, parsed.defaults) for name, table in parsed.topics.items()
    }
    return Config(path=path, topics=topics)


def _topic(path: Path, name: str, table: _TopicTable, defaults: _Settings) -> Topic:
    """A topic of the file: a query, or a set of arXiv's taxonomy, never both.

    Raises:
        ConfigError: neither or both, a set that is not arXiv's, or a set topic with its
            own `max_results` or `change_feed = false`, which it cannot honour.
    """
    if (table.query is None) == (table.set_spec is None):
        raise ConfigError(path, f'topic "{name}": needs exactly one of "query" and "set"')
    settings = _inherit(table, defaults)
    if table.query is not None:
        return Topic(name=name, query=table.query, **settings)
    assert table.set_spec is not None  # noqa: S101  # exactly one of the two, checked above
    if table.set_spec != taxonomy.WHOLE_ARCHIVE and table.set_spec not in taxonomy.SETS:
        near = _near_set(table.set_spec)
        hint = f' (did you mean "{near}"?)' if near else ""
        raise ConfigError(
            path, f'topic "{name}": set "{table.set_spec}" is not in arXiv\'s taxonomy{hint}'
        )
    own = table.model_dump(exclude_unset=True)
    if own.get("max_results") is not None:  # it lists its whole set: no newest N to stop at
        raise ConfigError(
            path,
            f'topic "{name}": max_results is for query topics: a set topic lists its whole set',
        )
    if own.get("change_feed") is False:
        raise ConfigError(
            path,
            f'topic "{name}": change_feed cannot be false: '
            "a set topic's later runs are the change feed",
        )
    settings.pop("max_results", None)  # a default cap is the query topics'
    settings["change_feed"] = True  # a set topic's later runs are the change feed
    settings.setdefault("refresh_days", 0)
    query = taxonomy.query_for(table.set_spec)
    return Topic(name=name, query=query, set_spec=table.set_spec, **settings)


def _near_set(spec: str) -> str | None:
    """The set a near miss most likely means: one of the same category or archive, in
    any case (`cs.CL`, `CS`, `physics:physics:hep-th`), else the nearest spelling."""
    tail = re.split(r"[:.]", spec.strip())[-1].lower()
    same = [known for known in sorted(taxonomy.SETS) if known.split(":")[-1].lower() == tail]
    if same:
        return closest(spec, same) or min(same, key=len)
    return closest(spec, taxonomy.SETS)


def _inherit(table: _TopicTable, defaults: _Settings) -> dict[str, Any]:
    """The topic's settings: its own where set, else the defaults, else the built-ins.

    With the change feed on, `refresh_days` defaults to 0: the feed brings each day what
    a refresh of the whole range would bring a week late.
    """
    merged = defaults.model_dump(exclude_unset=True) | table.model_dump(
        exclude_unset=True, exclude={"query", "set_spec"}
    )
    settings = {key: value for key, value in merged.items() if value is not None}
    if settings.get("change_feed") and "refresh_days" not in settings:
        settings["refresh_days"] = 0
    return settings


def _describe(error: ErrorDetails, raw: dict[str, Any]) -> str:
    """Turn pydantic's first error into one sentence that names the key."""
    loc = [str(part) for part in error["loc"]]
    key = loc[-1]
    if loc[0] == "topics" and len(loc) > 2:
        prefix = f'topic "{loc[1]}": '
    elif loc[0] == "defaults" and len(loc) > 1:
        prefix = "[defaults]: "
    else:
        prefix = ""
    if error["type"] == "extra_forbidden":
        known = _SETTINGS_KEYS | ({"query", "set"} if loc[0] == "topics" else set())
        if len(loc) == 1:
            known = {"defaults", "topics"}
        return f'{prefix}unknown key "{key}"{did_you_mean(key, known)}'
    if error["type"] == "missing":
        return f'{prefix}missing required key "{key}" ({_EXPECTED.get(key, "required")})'
    if loc[0] == "topics" and len(loc) == 2:
        return f'topic "{key}" must be a table with a query, like [topics.{key}]'
    return f"{prefix}{key} must be {_EXPECTED.get(key, 'valid')} (got {shown(raw, loc)})"


_SETTINGS_KEYS = set(_Settings.model_fields)
