"""BibTeX, one `@misc` entry per paper in arXiv's own style, readable by BibTeX and biblatex.

Besides arXiv's fields (`eprint`, `archivePrefix`, `primaryClass`) an entry carries
biblatex's `eprinttype`/`eprintclass`, the abstract, the month of the first version and
the topic as a keyword, so a reference manager files it where the database did. Its
`doi` is the paper's first DOI; any others follow the journal reference in `note`.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from harvester.models import Paper, flat_line

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
"""BibTeX's month macros; unbraced, every style prints them in its own language."""


def key(paper: Paper) -> str:
    """A citation key that stays the same across versions and runs: `arXiv:<id>`."""
    return f"arXiv:{paper.key}"


def primary(paper: Paper) -> str:
    """The paper's primary category, or its first one for records imported without it."""
    return paper.primary_category or (paper.categories[0] if paper.categories else "")


def entry(paper: Paper, *, keywords: Iterable[str] = ()) -> str:
    """One `@misc` entry; `keywords` (the paper's topics) go in its `keywords` field."""
    p = paper
    fields = [
        # Double braces keep the title's capitals as written.
        ("title", f"{{{{{_text(p.title)}}}}}"),
        ("author", _braced(" and ".join(_author(a) for a in p.authors))),
        ("year", _braced(str(p.published.year))),
        ("month", MONTHS[p.published.month - 1]),
        ("eprint", _braced(p.key)),
        ("archivePrefix", "{arXiv}"),
        ("primaryClass", _braced(_text(primary(p)))),
        ("eprinttype", "{arxiv}"),
        ("eprintclass", _braced(_text(primary(p)))),
        ("url", _braced(_url(p.url))),
        ("doi", _braced(_text(p.dois[0] if p.dois else ""))),
        ("note", _braced(_note(p))),
        ("keywords", _braced(_text(", ".join(keywords)))),
        ("abstract", _braced(_text(p.summary))),
    ]
    body = ",\n".join(f"  {name} = {value}" for name, value in fields if value not in ("{}", ""))
    return f"@misc{{{key(p)},\n{body}\n}}\n"


def bibtex(papers: Iterable[Paper], *, topic: str | None = None) -> str:
    """Entries for `papers`, newest first, each with `topic` (if given) as its keyword."""
    ordered = sorted(papers, key=Paper.sort_key, reverse=True)
    return "".join(piece(p, first=n == 0, topic=topic) for n, p in enumerate(ordered))


def piece(paper: Paper, *, first: bool, topic: str | None = None) -> str:
    """The text `bibtex` gives a paper (its entry, after a blank line unless `first`),
    for writing a paper at a time."""
    return ("" if first else "\n") + entry(paper, keywords=[topic] if topic else [])


def _note(paper: Paper) -> str:
    """The `note`: the journal reference, then a `DOI: ...` for each DOI after the first.

    BibTeX's and biblatex's `doi` holds one DOI; `note` is the field every standard style
    prints and every reference manager keeps, so a paper's other DOIs (an erratum's) are seen
    where the entry is cited. There they are typeset text, not a verbatim field as `doi`
    is, so each is written as `_literal` text.
    """
    parts = [_text(paper.journal_ref)] if paper.journal_ref else []
    return "; ".join(parts + [f"DOI: {_literal(doi)}" for doi in paper.dois[1:]])


_LITERAL = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "#": r"\#",
        "$": r"\$",
        "%": r"\%",
        "&": r"\&",
        "_": r"\_",
        "^": r"\textasciicircum{}",
        "~": r"\textasciitilde{}",
        "<": r"\textless{}",
        ">": r"\textgreater{}",
    }
)


def _literal(text: str) -> str:
    """Text that LaTeX prints as it is (a DOI: `10.1007/978-3-319-24277-4_9`), on one line:
    each character LaTeX reads as markup (`_`, `%`, `#`, ...) or that its default fonts
    print as another (`<`, `>`) written as the command that prints it, braces included."""
    return flat_line(text).translate(_LITERAL)


def _braced(value: str) -> str:
    return f"{{{value}}}"


def _author(name: str) -> str:
    text = _text(name)
    # A name with " and " in it (a collaboration) must not split into two authors.
    return f"{{{text}}}" if " and " in f" {name} " else text


def _url(url: str) -> str:
    """A URL safe inside BibTeX braces: a brace (which would close the field and let the
    rest forge fields of its own), a space or a control character percent-encoded, as a
    URL may always have them; the address is the same."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def _text(text: str) -> str:
    """Text safe inside BibTeX braces, on one line (`flat_line`: a control character, NUL
    among them, as its escape `\\x00`, which no `.bib` reader chokes on).

    arXiv's LaTeX is kept as written when its braces balance. When they do not,
    every brace becomes a LaTeX command: BibTeX counts braces even after a
    backslash, so `\\{` would not help.
    """
    text = flat_line(text)
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth == 0:
        return text
    return (
        text.replace("{", "\x00")
        .replace("}", r"\textbraceright{}")
        .replace("\x00", r"\textbraceleft{}")
    )
