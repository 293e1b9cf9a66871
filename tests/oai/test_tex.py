"""TeX to Unicode as arXiv converts it: every case of arXiv's own tests
(`arxiv/util/tests/test_tex2utf.py` of arXiv/arxiv-base, 0f94fa0), and text of any kind."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.oai.tex import to_unicode

PLAIN = "abc def ghijk lmnop qrs tuv wxyz 1234567890 !@# $%^ &* () _-=+"


# (text, greek, expected): greek None is the default. Each line is one assertion of
# test_tex2utf.py, its line the id's number; arXiv's `tex2utf(s, False)` is
# `greek=False` here (keyword-only).
@pytest.mark.parametrize(
    ("tex", "greek", "expected"),
    [
        pytest.param(PLAIN, None, PLAIN, id="12-plain-text"),
        pytest.param(PLAIN, False, PLAIN, id="15-plain-text-without-greek"),
        pytest.param("\\'e", None, chr(0xE9), id="19-acute-e"),
        pytest.param("\\'E", None, chr(0xC9), id="23-acute-E"),
        pytest.param("\\'E", True, chr(0xC9), id="28-acute-E-with-greek"),
        pytest.param("\\'E", False, chr(0xC9), id="33-acute-E-without-greek"),
        pytest.param("\\'E", False, chr(0xC9), id="37-acute-E-without-greek-positional"),
        pytest.param("\\OE", None, chr(0x0152), id="42-letter"),
        pytest.param("\\OE\n", None, chr(0x0152) + "\n", id="47-letter-then-newline"),
        pytest.param("\\OE\\S", None, chr(0x0152) + chr(0x00A7), id="52-letter-symbol"),
        pytest.param(
            "\\OE\\S\n", None, chr(0x0152) + chr(0x00A7) + "\n", id="57-letter-symbol-newline"
        ),
        pytest.param(
            "\\ddag \\OE\\S",
            None,
            chr(0x2021) + chr(0x0152) + chr(0x00A7),
            id="63-symbol-space-letter-symbol",
        ),
        pytest.param("\\alpha", None, chr(0x03B1), id="69-greek"),
        pytest.param("\\alpha", True, chr(0x03B1), id="74-greek-with-greek"),
        pytest.param("\\alpha", False, r"\alpha", id="79-greek-without-greek"),
        pytest.param(
            "\\alpha\\beta\\gamma",
            None,
            chr(0x03B1) + chr(0x03B2) + chr(0x03B3),
            id="84-greek-string",
        ),
        pytest.param(
            "\\alpha{\\beta{\\gamma}}",
            None,
            chr(0x03B1) + "{" + chr(0x03B2) + chr(0x03B3) + "}",
            id="90-nested-braces",
        ),
        pytest.param(
            "\\alpha{\\beta{\\gamma\\macro}",
            None,
            "\u03b1{\u03b2{\u03b3\\macro}",
            id="96-unclosed-braces",
        ),
        pytest.param(
            "foo \\alpha\\ bar", None, "foo " + chr(0x03B1) + " bar", id="101-escaped-space"
        ),
        pytest.param(
            "\\alpha\\ \\beta{something}",
            None,
            chr(0x03B1) + " " + chr(0x03B2) + "{something}",
            id="107-escaped-space-then-greek",
        ),
        pytest.param(
            "foo \\OE\\ bar", None, "foo " + chr(0x0152) + " bar", id="113-letter-escaped-space"
        ),
        pytest.param("foo \\alpha bar", None, "foo " + chr(0x03B1) + "bar", id="119-space-eaten"),
        pytest.param(
            "foo \\alpha{}bar", None, "foo " + chr(0x03B1) + "bar", id="124-empty-braces-eaten"
        ),
        pytest.param(
            "foo \\alpha{-}bar", None, "foo " + chr(0x03B1) + "{-}bar", id="129-braces-kept"
        ),
        pytest.param("foo \\alpha_7", None, "foo " + chr(0x03B1) + "_7", id="135-subscript"),
        pytest.param(
            "foo \\alpha_\\beta_\\gamma_7",
            None,
            "foo " + chr(0x03B1) + "_" + chr(0x03B2) + "_" + chr(0x03B3) + "_7",
            id="142-subscripts",
        ),
        pytest.param("\\'{e}", None, chr(0xE9), id="149-acute-braced"),
        pytest.param("{\\'e}", None, "{" + chr(0xE9) + "}", id="153-acute-in-braces-perl-case"),
        pytest.param(
            "ARXIVDEV-2322 \\u{A} fix",
            None,
            "ARXIVDEV-2322 " + chr(0x102) + " fix",
            id="158-breve-A",
        ),
        pytest.param(
            "ARXIVDEV-2322 \\u{a} fix",
            None,
            "ARXIVDEV-2322 " + chr(0x103) + " fix",
            id="162-breve-a",
        ),
        pytest.param(
            "ARXIVDEV-2322 \\u{O} fix",
            None,
            "ARXIVDEV-2322 " + chr(0x14E) + " fix",
            id="166-breve-O",
        ),
        pytest.param(
            "ARXIVDEV-2322 \\u{o} fix",
            None,
            "ARXIVDEV-2322 " + chr(0x14F) + " fix",
            id="170-breve-o",
        ),
        pytest.param(
            "ARXIVDEV-2322 \\k{i} fix",
            None,
            "ARXIVDEV-2322 " + chr(0x12F) + " fix",
            id="174-ogonek-i",
        ),
        pytest.param(
            "ARXIVDEV-2322 \\v{g} fix",
            None,
            "ARXIVDEV-2322 " + chr(0x1E7) + " fix",
            id="178-caron-g",
        ),
        pytest.param(
            "ARXIVDEV-2322 \\c{g} fix",
            None,
            "ARXIVDEV-2322 " + chr(0x123) + " fix",
            id="182-cedilla-g",
        ),
        pytest.param(
            "ARXIVDEV-2322 \\DJ  fix",
            None,
            "ARXIVDEV-2322 " + chr(0x110) + " fix",
            id="186-letter-DJ",
        ),
        pytest.param("ARXIVOPS-805 \\aa  fix", None, "ARXIVOPS-805 å fix", id="191-ring-a"),
        pytest.param(
            "ARXIVOPS-805 \\aa  fix", False, "ARXIVOPS-805 å fix", id="194-ring-a-without-greek"
        ),
        pytest.param(
            "ARXIVOPS-805 \\aa  fix", True, "ARXIVOPS-805 å fix", id="197-ring-a-with-greek"
        ),
    ],
)
def test_arxivs_own_cases(tex: str, greek: bool | None, expected: str):
    """Each case of arXiv's test_tex2utf.py converts as arXiv's tests say (the `{\\'e}` one
    is the Perl test that file keeps in a comment, line 153)."""
    converted = to_unicode(tex) if greek is None else to_unicode(tex, greek=greek)
    assert converted == expected


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        pytest.param(
            "\\'Edgar Rold\\'an and J. M. Parrondo",
            "Édgar Roldán and J. M. Parrondo",
            id="acute-names",
        ),
        pytest.param('Schr\\"odinger', "Schrödinger", id="umlaut"),
        pytest.param('Schr{\\"o}dinger', "Schr{ö}dinger", id="umlaut-in-braces-keeps-them"),
        pytest.param(
            "Erd\\H{o}s and Sz\\'{e}kely", "Erdős and Székely", id="double-acute-and-braced"
        ),
        # As in the abstract of cond-mat/0703772 in arXiv/oaipmh's browse.db (a doubled
        # backslash), which arXiv's `arXiv` format gives as `\ω`.
        pytest.param("$S(k,\\\\omega)$", "$S(k,\\\u03c9)$", id="greek-after-a-backslash"),
        pytest.param("\\'{\\i}", "\\'\u0131", id="accented-dotless-i-as-arxiv-leaves-it"),
    ],
)
def test_text_as_submitters_write_it(tex: str, expected: str):
    """Accents in names and titles become letters; braces stay, as arXiv leaves them, and an
    accented dotless i stays half converted (arXiv's pattern for it wants a `/` before it)."""
    assert to_unicode(tex) == expected


# Fields of papers as arXiv's search index holds them: the field as submitted and the
# `_utf8` one the query API serves (arXiv/arxiv-search `tests/data/docmeta.json`,
# `tests/data/1106.1238v2.json`, `tests/data/examples/*.json` at 764d7eb, MIT; a long
# abstract cut at a sentence, which converts on its own). Each of the 104 fields with
# both forms in those files converts so; these are of the ten that TeX changes.
@pytest.mark.parametrize(
    ("tex", "served"),
    [
        pytest.param(
            "Exponential sum approximations for $t^{-\\beta}$",
            "Exponential sum approximations for $t^{-\u03b2}$",
            id="1606.00123-title",
        ),
        pytest.param(
            "Given $\\beta>0$ and $\\delta>0$, the function $t^{-\\beta}$ may be approximated for $t$ in a compact interval $[\\delta,T]$ by a sum of terms of the form $we^{-at}$, with parameters $w>0$ and $a>0$. One such an approximation, studied by Beylkin and Monz\\'on, is obtained by applying the trapezoidal rule to an integral representation of $t^{-\\beta}$, after which Prony's method is applied to reduce the number of terms in the sum with essentially no loss of accuracy.",
            "Given $\u03b2>0$ and $\u03b4>0$, the function $t^{-\u03b2}$ may be approximated for $t$ in a compact interval $[\u03b4,T]$ by a sum of terms of the form $we^{-at}$, with parameters $w>0$ and $a>0$. One such an approximation, studied by Beylkin and Monzón, is obtained by applying the trapezoidal rule to an integral representation of $t^{-\u03b2}$, after which Prony's method is applied to reduce the number of terms in the sum with essentially no loss of accuracy.",
            id="1606.00123-abstract-opening",
        ),
        pytest.param(
            "Its main goal is to measure the last unknown lepton sector mixing angle {\\theta}_{13} by observing {\\nu}_e appearance in a {\\nu}_{\\mu} beam.",
            "Its main goal is to measure the last unknown lepton sector mixing angle \u03b8_{13} by observing \u03bd_e appearance in a \u03bd_\u03bc beam.",
            id="1106.1238-abstract-second-sentence",
        ),
        pytest.param(
            "proof of diameter bound added in section 2, modification of the approximation scheme of cone metrics for \\lambda < 0 in section 2, results are unchanged",
            "proof of diameter bound added in section 2, modification of the approximation scheme of cone metrics for \u03bb< 0 in section 2, results are unchanged",
            id="1403.6219-comments",
        ),
        pytest.param(
            "We investigate the two-particle intensity correlation function of $\\Lambda$ in relativistic heavy-ion collisions. We find that the behavior of the $\\Lambda\\Lambda$ correlation function at small relative momenta is fairly sensitive to the interaction potential and collective flows.",
            "We investigate the two-particle intensity correlation function of $\u039b$ in relativistic heavy-ion collisions. We find that the behavior of the $\u039b\u039b$ correlation function at small relative momenta is fairly sensitive to the interaction potential and collective flows.",
            id="1408.6682-abstract-opening",
        ),
        pytest.param(
            '{\\O}yvind Borck and Elsebeth Schr\\"oder',
            "Øyvind Borck and Elsebeth Schröder",
            id="1607.05107-authors",
        ),
        pytest.param(
            "The ${}_{\\Lambda\\Lambda}^{\\,\\,\\,\\,4}n$ system",
            "The ${}_{\u039b\u039b}^{\\,\\,\\,\\,4}n$ system",
            id="1703.09067-title",
        ),
    ],
)
def test_arxivs_indexed_fields_convert_to_what_the_query_api_serves(tex: str, served: str):
    """A field of arXiv's own records converts to the text arXiv's query API serves for it."""
    assert to_unicode(tex) == served


@given(st.text(), st.booleans())
def test_any_text_converts_without_error(text: str, greek: bool):
    """No text, however broken its TeX, makes the conversion raise."""
    assert isinstance(to_unicode(text, greek=greek), str)


@given(st.text(alphabet=st.characters(exclude_characters="\\{")))
def test_text_without_backslash_or_brace_is_unchanged(text: str):
    """Text with no backslash and no opening brace, most of arXiv's, comes back as it was."""
    assert to_unicode(text) == text
