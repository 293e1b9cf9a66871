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


@given(st.text(), st.booleans())
def test_any_text_converts_without_error(text: str, greek: bool):
    """No text, however broken its TeX, makes the conversion raise."""
    assert isinstance(to_unicode(text, greek=greek), str)


@given(st.text(alphabet=st.characters(exclude_characters="\\{")))
def test_text_without_backslash_or_brace_is_unchanged(text: str):
    """Text with no backslash and no opening brace, most of arXiv's, comes back as it was."""
    assert to_unicode(text) == text
