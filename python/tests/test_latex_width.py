"""Wide results break into lines of `aligned` in `text/latex`, so that they
fit a notebook cell (MathJax does not break lines itself)."""

import re

import pytest

import symgrad

# A gradient of a loss in four scalar weights: a sum of two products, each
# product far wider than a line.
LOSS = (
    "(a*b + b*c + c*d + a*d + a*c + b*d + a*a*b + b*b*c + c*c*d + d*d*a + a*b*c*d*a)^3"
    " * exp(a*b*c + b*c*d + a*c*d + sin(a + b + c + d))"
)


def latex(s, source):
    shown = s.run(source)._repr_mimebundle_()["text/latex"]
    assert shown.startswith("$\\displaystyle ") and shown.endswith("$")
    return shown[len("$\\displaystyle ") : -1]


def visible_width(tex):
    """About how many characters a line of LaTeX shows: commands, braces,
    alignment marks and spaces removed."""
    tex = re.sub(r"\\(left|right|quad|cdot|odot)\b", "", tex)
    tex = re.sub(r"\\[a-zA-Z]+", "x", tex)  # \sin, \alpha: a few letters
    return len(re.sub(r"[{}&^_\s\\]", "", tex))


def rows(tex):
    assert tex.startswith("\\begin{aligned}") and tex.endswith("\\end{aligned}")
    return tex[len("\\begin{aligned}") : -len("\\end{aligned}")].split("\\\\\n")


def same_form(broken, whole):
    """The broken lines say what the one-line form says: the same factors
    in the same order once the line marks and continuation dots are gone."""
    joined = " ".join(r.lstrip("&").removeprefix("\\quad \\cdot ") for r in rows(broken))
    squash = lambda t: re.sub(r"\s+", "", t)
    return squash(joined) == squash(whole)


@pytest.mark.parametrize("width", [80, 100])
def test_a_wide_gradient_breaks_between_terms_and_factors_to_the_width(width):
    s = symgrad.Session()
    s.run("symbol a, b, c, d\nG = diff(" + LOSS + ", a)")
    s.run(":set width 1000")
    whole = latex(s, "G")
    assert "aligned" not in whole and visible_width(whole) > 150
    s.run(f":set width {width}")
    broken = latex(s, "G")
    lines = rows(broken)
    assert len(lines) >= 4
    # The two terms of the sum each start a line; products continue on
    # lines led by a dot.
    assert sum(not r.startswith("&\\quad") for r in lines) == 2
    assert all(r.startswith("&\\quad \\cdot ") for r in lines if r.startswith("&\\quad"))
    for r in lines:
        # A factor wider than the line (the long power) stays whole.
        assert visible_width(r) <= width or r.count("\\left(") == 1, r
    assert same_form(broken, whole)


def test_a_wide_product_alone_breaks_between_its_factors():
    s = symgrad.Session()
    s.run("symbol a, b, c, d\nP = " + LOSS + " * (a + b + c + d + a*b*c*d + a*a*b*b + c^3 + d^4)")
    s.run(":set width 1000")
    whole = latex(s, "P")
    s.run(":set width 80")
    broken = latex(s, "P")
    assert len(rows(broken)) == 3
    assert same_form(broken, whole)
    # A narrow result stays on one line.
    assert "aligned" not in latex(s, "diff(a^2 * b, a)")


def test_where_breaking_is_not_enough_parts_are_named_as_in_the_pretty_form():
    s = symgrad.Session()
    s.run("symbol a, b, c, d\nG = diff(" + LOSS + ", a)\n:set width 60")
    broken = latex(s, "G")
    lines = rows(broken)
    assert any(r.startswith("&\\text{where } u_{0} = ") for r in lines), broken
    assert "where u₀ = " in s.run("G")._repr_mimebundle_()["text/plain"]
    for r in lines:
        assert visible_width(r) <= 60, r


def test_a_wide_matrix_breaks_into_blocks_of_columns_as_in_the_pretty_form():
    s = symgrad.Session()
    s.run("seed(1)\nR = randn(4, 14)\n:set width 60")
    tex = latex(s, "R")
    assert tex.startswith("\\begin{aligned}")
    headings = re.findall(r"\\text\{(column[^}]*)\}", tex)
    pretty = s.run("R")._repr_mimebundle_()["text/plain"]
    shown = [l.strip() for l in pretty.splitlines() if l.strip().startswith("column")]
    assert len(headings) >= 2 and headings == shown
    # Every column once, each block's rows no wider than the line.
    blocks = re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", tex, re.S)
    assert len(blocks) == len(headings)
    assert sum(b.split("\\\\")[0].count("&") + 1 for b in blocks) == 14
    for b in blocks:
        for row in b.split("\\\\"):
            assert visible_width(row) <= 60, row
