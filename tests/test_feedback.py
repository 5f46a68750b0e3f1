"""autograde.feedback: what a student's feedback page may not show (hidden checks, their
tracebacks) and may not run (student-written HTML, scripts, links). Formulas and the Russian
frame: tests/test_feedback_html.py."""
from __future__ import annotations

import html
import re

import nbformat
import pytest
from hypothesis import given, strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from autograde import feedback
from autograde.feedback import BEGIN, END, PLACEHOLDER, HideHiddenTests, Sanitize, safe_markdown, strip_hidden
from autograde.source import assignments, read_source

# a line of a cell: any text without a line break and without the markers
line = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x1c\x1d\x1e\x85"),
               max_size=30).filter(lambda s: BEGIN not in s and END not in s)
lines = st.lists(line, max_size=4)


def lines_of(source: str) -> str:
    """The same lines (a final line break is not kept)."""
    return "\n".join(source.splitlines())


# --- strip_hidden ----------------------------------------------------------------------------

@given(lines, lines, lines, st.sampled_from(["", "    ", "\t"]))
def test_strip_hidden_keeps_the_visible_lines_and_returns_the_hidden_ones(before, hidden, after, indent):
    source = "\n".join(before + [indent + BEGIN] + [indent + h for h in hidden] + [indent + END] + after)
    kept, removed = strip_hidden(source)
    assert kept == lines_of("\n".join(before + [indent + PLACEHOLDER] + after))
    assert removed == [h.strip() for h in hidden if h.strip()]


@given(lines)
def test_a_source_without_hidden_tests_is_unchanged(visible):
    source = "\n".join(visible)
    assert strip_hidden(source) == (lines_of(source), [])


def test_several_regions_and_an_unclosed_one():
    source = f"a = 1\n{BEGIN}\nsecret(1)\n{END}\nb = 2\n  {BEGIN}\n  secret(2)\n  {END}\nc = 3\n{BEGIN}\nsecret(3)"
    kept, removed = strip_hidden(source)
    assert kept == f"a = 1\n{PLACEHOLDER}\nb = 2\n  {PLACEHOLDER}\nc = 3\n{PLACEHOLDER}"
    assert removed == ["secret(1)", "secret(2)", "secret(3)"]      # unclosed: hidden to the end


# --- HideHiddenTests --------------------------------------------------------------------------

def _check_cell(comment=None):
    cell = new_code_cell(f"x = f(2)\n{BEGIN}\nrecord('f', f)  # hidden_value = 17.25\n{END}\nassert x == 4, 'f(2) не 4'",
                         outputs=[new_output("error", ename="AssertionError", evalue="f(2) не 4",
                                             traceback=["Traceback", "----> 3 record('f', f)  # hidden_value = 17.25",
                                                        "AssertionError: f(2) не 4"]),
                                  new_output("stream", name="stdout", text="printed\n")])
    cell.metadata["nbgrader"] = {"grade_id": "check_f", "grade": True, "points": 1}
    if comment:
        cell.metadata["nbgrader"]["comment"] = comment
    return cell


def test_hidden_tests_and_their_tracebacks_leave_the_feedback():
    plain = new_code_cell("y = 1", outputs=[new_output("error", ename="E", evalue="e", traceback=["line 1", "line 2"])])
    nb = new_notebook(cells=[_check_cell(), plain])
    nb, _ = HideHiddenTests().preprocess(nb, {})
    check = nb.cells[0]
    shown = nbformat.writes(nb)
    assert "hidden_value" not in shown and "17.25" not in shown and "record(" not in shown
    assert check.source == f"x = f(2)\n{PLACEHOLDER}\nassert x == 4, 'f(2) не 4'"
    assert check.outputs[0]["traceback"] == ["AssertionError: f(2) не 4"]
    assert check.outputs[1]["text"] == "printed\n"          # what the cell printed stays
    assert nb.cells[1].outputs[0]["traceback"] == ["line 1", "line 2"]   # not a check cell: as it was


def test_formulas_of_markdown_and_of_grader_comments_are_typeset():
    nb = new_notebook(cells=[new_markdown_cell("Производная $\\sigma'(z)$, код `$x$`."),
                             _check_cell(comment="Неверно: $\\partial L / \\partial z$.")])
    nb, _ = HideHiddenTests().preprocess(nb, {})
    md, comment = nb.cells[0].source, nb.cells[1].metadata.nbgrader.comment
    assert md.count('<img class="bp-math"') == 1 and "`$x$`" in md and "$\\sigma" not in md
    assert comment.startswith("Неверно: <img class=\"bp-math\"") and "$" not in comment


# --- Sanitize ------------------------------------------------------------------------------------

def _sanitized(*cells):
    nb, _ = Sanitize().preprocess(new_notebook(cells=list(cells)), {})
    return nb.cells


def test_code_outputs_keep_data_and_lose_anything_active():
    out = new_output("display_data", data={
        "text/html": '<b>жирный</b><script>alert(1)</script><a href="javascript:alert(2)">x</a><img src=x onerror=alert(3)>',
        "application/javascript": "alert(4)", "image/svg+xml": "<svg onload=alert(5)/>",
        "text/markdown": "[x](javascript:alert(6))", "text/latex": "$\\href{javascript:alert(7)}{x}$",
        "text/plain": "<plain>", "image/png": "iVBORw0KGgo=", "application/json": {"a": 1}},
        metadata={"image/png": {"width": "100\" onload=\"alert(8)"}})
    [cell] = _sanitized(new_code_cell("x", outputs=[out]))
    data = cell.outputs[0]["data"]
    assert set(data) == {"text/html", "text/plain", "image/png", "application/json"}
    assert "<b>жирный</b>" in data["text/html"]
    tags = re.findall(r"<\s*/?\s*([A-Za-z0-9]+)([^>]*)>", data["text/html"])
    assert {name for name, _ in tags} == {"b", "a"}   # no script; no img (fetched without a click)
    assert all(re.search(r"on\w+\s*=|javascript|href|src", attrs, re.I) is None for _, attrs in tags), tags
    assert data["text/plain"] == "<plain>" and cell.outputs[0]["metadata"] == {}


RISKY = ["<img src=x onerror=alert(1)>", "[щёлк](javascript:alert(1))", "[x]( <javascript:alert(1)> )",
         "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](&#106;avascript:alert(1))", "[x](java&colon;script)",
         "$\\href{javascript:alert(1)}{x}$", "$\\url{javascript:alert(1)}$", "<javascript:alert(1)>",
         "[a]: javascript:alert(1)\n\n[щёлк][a]", "![](vbscript:msgbox)", "</pre><script>alert(1)</script>",
         "> [в цитате](javascript:alert(1))", "- [в списке](javascript:alert(1))", "[a\\]](javascript:alert(1))"]
SAFE = {"Обычный **текст** и формула $\\frac{a}{b}$": ("<strong>текст</strong>", '<span class="bp-tex">$\\frac{a}{b}$</span>'),
        "[ссылка](https://example.org/a?b=1#c)": ('href="https://example.org/a?b=1#c"',),
        "[почта](mailto:a@b.c)": ('href="mailto:a@b.c"',), "[раздел](#якорь)": ('href="#bp-u-',),
        "a < b и b > c": ("a &lt; b и b &gt; c",)}


@pytest.mark.parametrize("source", RISKY)
def test_risky_markdown_keeps_its_text_and_loses_what_is_active(source):
    md, raw = _sanitized(new_markdown_cell(source), new_raw_cell(source, metadata={"format": "text/html"}))
    for cell in (md, raw):
        assert "\n" not in cell.source
        assert not re.search(r"<(script|img[^>]*onerror)|href=\"(?!https?:|mailto:|#)|\\(href|url)\b", cell.source), cell.source
    assert md.source.startswith("<div") and "format" not in raw.metadata


@pytest.mark.parametrize("source", sorted(SAFE))
def test_plain_markdown_keeps_its_markup_links_and_formulas(source):
    [cell] = _sanitized(new_markdown_cell(source))
    for part in SAFE[source]:
        assert part in cell.source, cell.source


def test_sanitising_is_idempotent_for_every_markdown_cell_of_the_course():
    """The stored notebook is sanitised again by every exporter that renders it: a second pass
    must change nothing (issue 21: a second pass escaped the first one's escape)."""
    for a in assignments():
        for cell in read_source(a).cells:
            if cell.cell_type == "markdown":
                [once] = _sanitized(new_markdown_cell(cell.source))
                [twice] = _sanitized(new_markdown_cell(once.source))
                assert twice.source == once.source == safe_markdown(cell.source), (a, cell.source[:200])


def test_attachments_are_dropped():
    cell = new_markdown_cell("![](attachment:a.png)")
    cell["attachments"] = {"a.png": {"image/svg+xml": "<svg onload=alert(1)/>"}}
    [out] = _sanitized(cell)
    assert "attachments" not in out


def test_placeholder_says_where_the_result_is():
    assert PLACEHOLDER.startswith("# ") and "\n" not in PLACEHOLDER and BEGIN not in PLACEHOLDER
    assert feedback.strip_hidden(f"{BEGIN}\n{END}")[0] == PLACEHOLDER
