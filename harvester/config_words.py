"""The words of a config error: an impossible TOML date named with its key, a "did you
mean" for a near miss, a value shown as it was written. Used by `config`; it reads no file."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TABLE = re.compile(r"\s*\[\s*([^\[\]]*?)\s*\]\s*(?:#.*)?")
# A bare TOML date or datetime, as written: tomllib rejects an impossible one as a
# syntax error ("Expected newline...") that does not say the date is what is wrong.
_DATED_KEY = re.compile(
    r"\s*([A-Za-z0-9_-]+)\s*=\s*(\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]\d{1,2}:\d{1,2}(?::\d{1,2})?)?)"
)


def bad_date(text: str, error: str, expected: Mapping[str, str]) -> str | None:
    """What is wrong when the TOML error is an impossible date (`since = 2022-13-01`):
    the key, its table and why, or None when the failing line holds no such date."""
    at = _AT_LINE.search(error)
    lines = text.splitlines()
    if at is None or not 1 <= int(at.group(1)) <= len(lines):
        return None
    number = int(at.group(1))
    found = _DATED_KEY.match(lines[number - 1])
    if found is None:
        return None
    key, value = found.groups()
    try:
        (datetime if len(value) > 10 else date).fromisoformat(value)
    except ValueError as exc:
        reason = str(exc) if "isoformat" not in str(exc) else "not written YYYY-MM-DD"
    else:
        return None  # a valid date: the syntax error is something else on the line
    table = next(
        (m.group(1) for line in reversed(lines[: number - 1]) if (m := _TABLE.fullmatch(line))),
        "",
    )
    prefix = "[defaults]: " if table == "defaults" else ""
    if table.startswith("topics."):
        name = table.removeprefix("topics.").strip("\"'")
        prefix = f'topic "{name}": '
    wanted = expected.get(key, "valid")
    return f"{prefix}{key} must be {wanted} (got {value}: {reason}; line {number})"


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word `word` is most likely a typo of, if any (a "did you mean" hint)."""
    close = difflib.get_close_matches(word, sorted(known), n=1)
    return close[0] if close else None


def did_you_mean(key: str, known: set[str]) -> str:
    close = closest(key, known)
    return f' (did you mean "{close}"?)' if close else f" (known keys: {', '.join(sorted(known))})"


def shown(raw: dict[str, Any], loc: list[str]) -> str:
    value: Any = raw
    for part in loc:
        if not isinstance(value, dict) or part not in value:
            return "nothing"
        value = value[part]
    if isinstance(value, date):  # datetime too: show it as written in TOML, not as a repr
        return value.isoformat()
    shown = repr(value)
    if len(shown) <= 80:
        return shown
    size = (
        f"{len(value)} characters" if isinstance(value, str) else f"{len(shown)} characters shown"
    )
    return f"{shown[:60]}... ({size})"
