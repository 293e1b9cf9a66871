"""An author list as submitted -> each author's keyname, forenames, suffix and
affiliations, exactly as arXiv parses it; and the names arXiv's query API serves.

A port of `arxiv/authors/__init__.py` of arXiv/arxiv-base (commit
0f94fa031ea1be3bea5753642b966e28f1571ea5; MIT licence, notice below): `parse_author_affil`,
the function arXiv's OAI-PMH server applies to a record's TeX-converted author list for its
`arXiv` format (`oaipmh/serializers/create_records.py:65,76` of arXiv/oaipmh), and whose
`[keyname, forenames, ...]` lists the query API joins into `full_name`
(`search/process/transform.py:45-49` of arXiv/arxiv-search; `full_names` here). Its
patterns and steps are arXiv's, in arXiv's order, quirks included (each is named where it
stands, with the line of arXiv's file it ports), so that a name read here is the name
arXiv's other interfaces give.
"""

# Copyright 2017-2025 Cornell University
#
# Permission is hereby granted, free of charge, to any person obtaining a copy of
# this software and associated documentation files (the "Software"), to deal in
# the Software without restriction, including without limitation the rights to
# use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
# of the Software, and to permit persons to whom the Software is furnished to do
# so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in all
# copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
# LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
# OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
# SOFTWARE.

from __future__ import annotations

import re

# :8, surname prefixes. Matched case-insensitively (:117) and without word boundaries
# other than the spaces the patterns put around them, so "Van" and "De" are prefixes too.
PREFIX_MATCH = "van|der|de|la|von|del|della|da|mac|ter|dem|di|vaziri"

# :104-112, tried in this order on each name; the first that matches splits it.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, flags=re.IGNORECASE))
    for kind, pattern in (
        (
            "double-prefix",
            r"^(.*)\s+(" + PREFIX_MATCH + r")\s(" + PREFIX_MATCH + r")\s(\S+)$",
        ),
        ("name-prefix-name", r"^(.*)\s+(" + PREFIX_MATCH + r")\s(\S+)$"),
        # Case-insensitive too (:117): a last word `i` or `v` is a suffix, like `Jr`.
        ("name-name-prefix", r"^(.*)\s+(\S+)\s(I|II|III|IV|V|Sr|Jr|Sr\.|Jr\.)$"),
        ("name-name", r"^(.*)\s+(\S+)$"),
    )
)


def parse_author_affil(authors: str) -> list[list[str]]:
    """An author list's authors, each `[keyname, forenames, suffix, affiliation...]`
    (`parse_author_affil`, :36-62).

    The keyname always has text; forenames and suffix may be empty strings; zero or more
    affiliations follow. Affiliations are carried back to the authors before one that
    gives them (`a.b.first, c.d.second (affil)`: both at `affil`), except to a
    collaboration named at the start.

    Args:
        authors: the author list, as submitted (arXiv converts its TeX first).
    """
    author_list, back_prop = _parse_author_affil_split(authors)
    return _parse_author_affil_back_propagate(author_list, back_prop)


def full_names(authors: str) -> list[str]:
    """The names arXiv's query API serves for an author list: each author's forenames and
    keyname, whitespace collapsed, the suffix left out (`_transformAuthor`, transform.py
    :45-49).

    The query API does not strip its `full_name` (a keyname alone is served after a
    space, `" BELLE"`); these are stripped, the rule every text field of a record follows.
    """
    # transform.py:46 drops an author with neither keyname nor forenames; none comes from
    # parse_author_affil, whose keyname always has text. Affiliations are not looked for:
    # they only follow a name's three strings, and searching the line for each name's
    # takes a 3,000-author list a second.
    author_list, _ = _parse_author_affil_split(authors, affiliations=False)
    return [" ".join(f"{forenames} {keyname}".split()) for keyname, forenames, _ in author_list]


def _parse_author_affil_split(
    author_line: str, *, affiliations: bool = True
) -> tuple[list[list[str]], int]:
    """The authors, each with its own affiliations (none looked for unless
    `affiliations`), and how many collaborations lead the list
    (`_parse_author_affil_split`, :65-145)."""
    if not author_line:  # :76-77
        return [], 0
    names = split_authors(author_line)  # :79-81
    if not names:
        return [], 0

    names = _remove_double_commas(names)  # :83
    # :84-88: commas dropped at the back, then at the front.
    while names and names[-1] == ",":
        names.pop()
    while names and names[0] == ",":
        names.pop(0)

    # :90-92: the names are the parts that start with neither a comma nor an opening
    # parenthesis (nor `]`: arXiv's class is `[^](,]`). A colon is no comma: a `:`
    # between two names is kept as a name, and so becomes an author `:` (a leading
    # collaboration's colon alone is swallowed, :196-198).
    names = [_tidy_name(x) for x in names if re.match("^[^](,]", x)]
    # :93-94: "et al" dropped; matched at the start only, so "Et Alvarez" goes too.
    names = [n for n in names if not re.match(r"^\s*et\.?\s+al\.?\s*", n, flags=re.IGNORECASE)]

    names, author_list, back_propagate_affiliations_to = _collaboration_at_start(names)  # :96-97

    enumaffils = _enum_collaboration_at_end(author_line) if affiliations else {}  # :99

    for name in names:  # :114-142
        author_entry = _author_entry(name)
        if affiliations:
            # :139-142: its affiliation is searched for back in the line as written.
            author_entry = _add_affiliation(author_line, enumaffils, author_entry, name)
        author_list.append(author_entry)

    return author_list, back_propagate_affiliations_to


def _author_entry(name: str) -> list[str]:
    """A name as `[keyname, forenames, suffix]`, split by the first pattern it matches
    (:101-137)."""
    kind, match = next(
        ((kind, m) for kind, pattern in _PATTERNS if (m := pattern.match(name)) is not None),
        ("default", None),
    )
    if match is None:  # :123-124, a single word: a keyname alone
        return [name, "", ""]
    if kind == "double-prefix":  # :125-128
        return [f"{match.group(2)} {match.group(3)} {match.group(4)}", match.group(1), ""]
    if kind == "name-prefix-name":  # :129-131
        return [f"{match.group(2)} {match.group(3)}", match.group(1), ""]
    if kind == "name-name-prefix":  # :132-133
        return [match.group(2), match.group(1), match.group(3)]
    # :134-135, "name-name" (:136-137's `else` cannot be reached)
    return [match.group(2), match.group(1), ""]


def _remove_double_commas(items: list[str]) -> list[str]:
    """The parts, a comma that follows a comma dropped (:159-169)."""
    parts: list[str] = []
    last = ""
    for pt in items:
        if pt == "," and last == ",":
            continue
        parts.append(pt)
        last = pt
    return parts


def _tidy_name(name: str) -> str:
    """A name with its whitespace runs made one space and a space put after each dot that
    a character follows (`D.V. Shetty` -> `D. V. Shetty`), except a TeX command's `\\.`
    (:172-176)."""
    # :173: a run of two or more; split_authors has already made each run one space.
    name = re.sub(r"\s\s+", " ", name)
    return re.sub(r"(?<!\\)\.(\S)", r". \g<1>", name)  # :175


def _collaboration_at_start(names: list[str]) -> tuple[list[str], list[list[str]], int]:
    """The names left after the collaborations that start the list, those as authors of
    their own, and how many (:179-200)."""
    author_list: list[list[str]] = []
    back_propagate_affiliations_to = 0
    while len(names) > 0:
        # :186-187: searched anywhere in the name, so the collaboration is only the words
        # of letters, digits and spaces before "collaboration", "group" or "team": what
        # else the name holds is lost ("T2K Collaboration K. Abe" is "T2K Collaboration";
        # "ATLAS-CMS Collaboration" is "CMS Collaboration").
        m = re.search(r"([a-z0-9\s]+\s+(collaboration|group|team))", names[0], flags=re.IGNORECASE)
        if not m:
            break
        author_list.append([m.group(1), "", ""])  # :191-192
        back_propagate_affiliations_to += 1
        names.pop(0)  # :194-195
        if names and (names[0] == "," or names[0] == ":"):  # :196-198
            names.pop(0)
    return names, author_list, back_propagate_affiliations_to


def _enum_collaboration_at_end(author_line: str) -> dict[str, str]:
    """The numbered affiliations a list ends with, `((1) MPA, (2) CfA)`, by number
    (:203-221)."""
    # :207: from the first `((`; without DOTALL, so only to the end of its line.
    line_m = re.search(r"\(\s*\((.*)$", author_line)
    if not line_m:
        return {}
    enumaffils = {}
    affils = re.sub(r"\s*\)\s*$", "", line_m.group(1))  # :212
    for affil in affils.split("("):  # :214-219, each `1) affil1 `
        m = re.match(r"^(\d+)\)\s*(\S.*\S)\s*$", affil)
        if m:
            enumaffils[m.group(1)] = re.sub(r"[\.,\s]*$", "", m.group(2))
    return enumaffils


def _add_affiliation(
    author_line: str, enumaffils: dict[str, str], author_entry: list[str], name: str
) -> list[str]:
    """The author with the affiliation written after its name in the line, if any:
    `Smith B(labX)`, or numbered, `Smith B(1, 2)`, `Smith B(1 & 2)`, `Smith B(1 and 2)`
    (:224-250)."""
    # :233-234: `re.escape` writes a space as `\ `, so `s*` after it makes `\s*`: the
    # name's words with any whitespace between, as the line (not yet tidied) has them.
    en = re.escape(name)
    namerex = r"{}\s*\(([^\(\)]+)".format(en.replace(" ", "s*"))
    m = re.search(namerex, author_line, flags=re.IGNORECASE)
    if not m:
        return author_entry

    affils = m.group(1).rstrip().lstrip()  # :240-241
    affils = re.sub(r"\s+(&|and)\s+", ",", affils, flags=re.IGNORECASE)

    if re.match(r"^[\d,\s]+$", affils):  # :243-246, numbers: the numbered affiliations
        for affil in affils.split(","):
            # Split on commas alone (:244): "1, 2" gives " 2", which is no number's key.
            if affil in enumaffils:
                author_entry.append(enumaffils[affil])
    else:  # :247-248
        author_entry.append(affils)
    return author_entry


def _parse_author_affil_back_propagate(
    author_list: list[list[str]], back_prop: int
) -> list[list[str]]:
    """The authors, each without an affiliation given the next one's that has some, back to
    (not into) the leading collaborations (:253-280)."""
    last_affil: list[str] = []
    for x in range(len(author_list) - 1, max(back_prop - 1, -1), -1):
        author_entry = author_list[x]
        if len(author_entry) > 3:  # :274-275
            last_affil = author_entry
        elif last_affil:  # :276-278
            author_entry.extend(last_affil[3:])
    return author_list


def split_authors(authors: str) -> list[str]:
    """An author list's parts: names, separators (`,` for a comma or `and`, `:`) and
    parenthesised blocks, whitespace collapsed (`split_authors`, :283-358).

    Joined, the parts are the list again, but for its spacing and its "and"s.
    """
    if not authors:  # :294-295
        return []
    parts = []
    for raw_block in _blocks(authors):  # :328-342
        block = re.sub(r"\s+", " ", raw_block)
        if re.match(r"^\(", block):  # a comment (:332-333)
            parts.append(block)
        else:
            # :335: "and" (lower case only) or "&" between spaces is a comma.
            block = re.sub(r",?\s+(and|\&)\s", ",", block)
            for name in re.split(r"(,|:)\s*", block):  # :336-342
                stripped = name.rstrip().lstrip()
                if stripped:
                    parts.append(stripped)
    return _suffixes_put_back(parts)


def _blocks(authors: str) -> list[str]:
    """The list cut at its outermost parentheses: text between them, and each
    parenthesised block whole, nested ones within (:296-326)."""
    aus = [x for x in re.split(r"(\(|\))", authors) if x != ""]
    if len(aus) == 1:  # :300-301
        return [authors]
    blocks = []
    c = ""
    depth = 0
    for bit in aus:  # :305-324
        if bit == "(":
            depth += 1
            if depth == 1:
                blocks.append(c)
                c = "("
            else:
                c = c + bit
        elif bit == ")":
            # A `)` with none open takes the depth below 0: what follows, up to the `(`
            # that brings it back, stays in the same block (`A. One), B. Two` is one
            # block of names).
            depth -= 1
            c = c + bit
            if depth == 0:
                blocks.append(c)
                c = ""
        else:
            c = c + bit
    if c:  # :325-326
        blocks.append(c)
    return blocks


def _suffixes_put_back(listx: list[str]) -> list[str]:
    """The parts, a suffix split off by its comma put back, `Fred Bloggs, Jr` (:344-356)."""
    parts: list[str] = []
    for p in listx:
        # :347: `\[IV]{2,}` is a literal `[IV` and two or more `]`, not the numerals it
        # meant, so only `Jr` and `Jr.` are put back; and :350's `re.match(r"\)$", ...)`
        # is anchored at the start, so it refuses a part that is `)` alone, not one that
        # ends in `)`.
        if (
            re.match(r"^(Jr\.?|Sr\.?\[IV]{2,})$", p)
            and len(parts) >= 2
            and parts[-1] == ","
            and not re.match(r"\)$", parts[-2])
        ):
            separator = parts.pop()
            last = parts.pop()
            parts.append(f"{last}{separator} {p}")
        else:
            parts.append(p)
    return parts
