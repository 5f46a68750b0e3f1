"""The feedback page's frame and formulas, without a browser (the browser suite renders a real
feedback page offline in Chromium)."""
import re
from pathlib import Path

import nbformat
import nbgrader
import pytest
from nbconvert import HTMLExporter

from autograde import course
from autograde.feedback import TEMPLATES, typeset, typeset_markdown
from autograde.source import assignments, read_source

ENGLISH_FRAME = ["Score", "Student's answer", "Test cell", "Comments:", "(Top)", "In&nbsp;[", "Out["]


def test_every_formula_of_every_notebook_is_typeset():
    for a in assignments():
        for cell in read_source(a).cells:
            if cell.cell_type != "markdown" or "$" not in cell.source:
                continue
            out = typeset_markdown(cell.source)
            assert "bp-math-raw" not in out, (a, cell.source)
            assert not re.search(r"(?<!\\)\$", re.sub(r"`[^`]*`", "", out)), (a, out[:300])


def test_code_and_escaped_dollars_are_left_alone():
    out = typeset_markdown("цена \\$5, код `x = $a$` и $x_i^2$\n\n$$\\frac{a}{b} \\qquad (1)$$")
    assert "цена \\$5" in out and "`x = $a$`" in out
    assert out.count('class="bp-math"') == 2 and '<div class="bp-math-display">' in out
    assert 'alt="x&#95;i^2"' in out and "data:image/png;base64," in out


def test_the_notebooks_latex_that_mathtext_spells_differently_is_drawn():
    for tex in [r"E = \tfrac12 (t - o)^2", r"\nabla W = \frac1M \Delta Y^\top", r"\mathbf z = \mathbf W \mathbf x",
                r"\underbrace{W^{(l)}}_{(n_l,\ n_{l-1})}\ \underbrace{a^{(l-1)}}_{(n_{l-1},\ 1)}"]:
        for display in (False, True):
            assert "bp-math-raw" not in typeset(tex, display=display), tex


def test_boxed_formulas_get_a_box_and_undrawable_ones_stay_readable():
    boxed = typeset(r"\boxed{\frac{\partial L}{\partial z_i} = y_i - t_i} \qquad (68)")
    assert boxed.startswith('<span style="border:1px solid') and boxed.count("<img") == 2
    assert typeset(r"\notacommand{x}") == '<code class="bp-math-raw">\\notacommand{x}</code>'


def test_the_course_uses_the_russian_feedback_template(tmp_path):
    c = course.config(tmp_path)
    assert str(TEMPLATES) in c.HTMLExporter.get("extra_template_basedirs", []), (
        "autograde/course.py must set c.HTMLExporter.extra_template_basedirs = "
        "[str(Path(__file__).parent / 'templates')] for the Russian, offline feedback")


@pytest.fixture(scope="module")
def page():
    """The feedback template on a graded-looking notebook (nbgrader's resources faked)."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Заголовок\n\nФормула $y = \\mathrm{softmax}(z)$."),
        nbformat.v4.new_code_cell("def f():\n    return 1", metadata={"nbgrader": {
            "solution": True, "grade": False, "grade_id": "f", "comment": "Верно: $\\partial L$."}},
            execution_count=1),
        nbformat.v4.new_code_cell("assert f() == 1", metadata={"nbgrader": {
            "solution": False, "grade": True, "grade_id": "check_f", "points": 2, "score": 1.5}},
            execution_count=2),
    ])
    c = course.config(TEMPLATES)     # the course's exporter settings …
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]   # … with the template (course.py's line)
    c.HTMLExporter.template_name = "feedback"
    # what nbgrader's GenerateFeedback adds: its copy of bootstrap's CSS
    c.HTMLExporter.extra_template_paths = [str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
                                               / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    resources = {"nbgrader": {"notebook": "00_intro", "score": 1.5, "max_score": 2, "late_penalty": 0}}
    html, _ = HTMLExporter(config=c).from_notebook_node(nb, resources=resources)
    return html


def test_the_frame_is_russian(page):
    for word in ENGLISH_FRAME:
        assert word not in page, word
    for text in ["<html lang=\"ru\">", "баллы: 1,5 из 2", "Ваше решение", "Проверка: <code>check_f</code>",
                 "Комментарий проверяющего", "(наверх)", "[1]:"]:
        assert text in page, text


def test_no_mathjax_and_nothing_from_the_network(page):
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)   # (base64 may spell anything)
    assert "mathjax" not in text.lower() and "cdn" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert page.count('class="bp-math"') == 2      # the markdown's formula and the comment's
