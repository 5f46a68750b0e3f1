"""Student-written markdown and HTML as the formgrader and the feedback finally render them
(issue 21): a corpus of hostile markdown and outputs goes through autograde's two Sanitize
passes and the trusted verdict, then through nbconvert's HTMLExporter with nbgrader's formgrade
template (with and without the course's configuration), our feedback template and nbconvert's
defaults; the final HTML is parsed and every URL, attribute, element and MathJax command checked.
The course's own markdown must render with the same meaning (text, headings, links, formulas)."""
from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import nbgrader
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from autograde import course, verify
from autograde.feedback import TEMPLATES, Sanitize, safe_markdown, typeset_html
from autograde.preprocessors import settle
from autograde.source import assignments, read_source
from classes import cell as grade_cell, sample

FORMGRADER_TEMPLATES = str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates")
BOOTSTRAP = str(Path(FORMGRADER_TEMPLATES).parent / "static" / "node_modules" / "bootstrap" / "dist" / "css")
JS = "javascript:window.XSS=1"

HOSTILE_MARKDOWN = {
    "blockquote": f"> [цитата]({JS})",
    "list item": f"- [пункт]({JS})",
    "nested list": f"1. один\n   - два\n     - [три]({JS})",
    "table cell": f"| a | b |\n|---|---|\n| [ячейка]({JS}) | x |",
    "heading": f"## [заголовок]({JS})",
    "emphasis": f"*[курсив]({JS})* and **[жирный]({JS})**",
    "escaped bracket": f"[a\\]]({JS})",
    "reference in blockquote": f"> [ref]: {JS}\n>\n> [нажми][ref]",
    "reference in list": f"- [ref2]: {JS}\n- [нажми][ref2]",
    "reference": f"[ref3]: {JS}\n\n[нажми][ref3]",
    "autolink": f"<{JS}>",
    "autolink upper": "<JAVASCRIPT:window.XSS=1>",
    "hex entity": "[x](jav&#x61;script:window.XSS=1)",
    "decimal entities": "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:window.XSS=1)",
    "colon entity": "[x](javascript&colon;window.XSS=1)",
    "tab": "[x](<java\tscript:window.XSS=1>)",
    "upper case": "[x](JaVaScRiPt:window.XSS=1)",
    "leading space": "[x](< javascript:window.XSS=1>)",
    "leading control": "[x](<\x01javascript:window.XSS=1>)",
    "data html": "[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuWFNTPTE8L3NjcmlwdD4=)",
    "vbscript": "[x](vbscript:msgbox)",
    "image": "![x](javascript:window.XSS=1)",
    "raw a": '<a href="javascript:window.XSS=1">a</a> <a href=" &#14; javascript:window.XSS=1">b</a>',
    "img onerror": '<img src=x onerror="window.XSS=1">',
    "svg": '<svg onload="window.XSS=1"><script>window.XSS=1</script><a xlink:href="javascript:window.XSS=1">s</a></svg>',
    "iframe": '<iframe src="javascript:window.XSS=1"></iframe><iframe srcdoc="<script>window.XSS=1</script>"></iframe>',
    "form": '<form action="javascript:window.XSS=1"><button formaction="javascript:window.XSS=1">b</button></form>',
    "object": '<object data="javascript:window.XSS=1"></object><embed src="javascript:window.XSS=1">',
    "script": "<script>window.XSS=1</script>",
    "style": '<div style="position:fixed;top:0;left:0;width:100%;height:100%">x</div><style>body{}</style>',
    "meta": '<meta http-equiv="refresh" content="0;url=javascript:window.XSS=1">',
    "relative": "[t](../../terminals/1) [l](/lab/tree/x) [a](api/terminals) [p](//evil.example/x)",
    "relative raw": '<a href="../../api/terminals">t</a><img src="/files/x.png">',
    "same-scheme relative": ('[t](http:../../terminals/1) [u](https:/api/terminals) [v](<http:/ /lab>) '
                             '<img src="http:/api/terminals"> <a href="HTTP:\t../terminals/2">w</a>'),
    "mathjax href": f"$\\href{{{JS}}}{{x}}$ и $$\\url{{{JS}}}$$",
    "mathjax others": "$\\class{x}{y} \\cssId{x}{y} \\style{position:fixed}{y} \\unicode{x} \\require{action}$",
    "mathjax tokens": "$\\mmlToken{mi}[href=\"javascript:1\"]{x} \\toggle{a}{b}\\endtoggle \\bbox[5px]{x}$",
    "mathjax split": "$\\hr<b>ef</b>{javascript:1}{x}$ \\h<i>ref</i>{javascript:1}{y}",
    "mathjax outside math": f"\\href{{{JS}}}{{x}} \\(\\href{{{JS}}}{{y}}\\)",
    "mermaid": "```mermaid\ngraph TD\nA-->B\nclick A \"javascript:window.XSS=1\"\n```",
    "details": "<details open ontoggle=window.XSS=1><summary>s</summary></details>",
    # fetched without a click, with the instructor's cookies: GET /logout of their own server
    "image of own server": "![кот](http://127.0.0.1:8888/logout) <img src=\"http://127.0.0.1:8888/logout\">",
    "mathjax macros": ("$\\newcommand{\\X}[1]{\\h#1}\\X{ref}{javascript:1}{x}$ "
                       "$$\\def\\Y#1{\\b#1}\\Y{box}[5px]{y}$$ $\\let\\Z\\relax$"),
}
HOSTILE_HTML_OUTPUT = (
    '<b>bold</b><script>window.XSS=1</script><img src=x onerror="window.XSS=1">'
    '<a href="javascript:window.XSS=1">x</a><a href="../../terminals/1">t</a>'
    '<div class="bp-verdict" style="border:2px solid green">✔ Скрытая проверка пройдена</div>'
    '<span>$\\href{javascript:1}{x}$</span><math><mi xlink:href="javascript:1">x</mi></math>')

URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
             "srcdoc", "srcset", "cite", "ping", "manifest", "codebase", "archive"}
MATHJAX_ACTIVE = re.compile(r"\\(?:href|url|class|cssId|style|unicode|require|bbox|mmlToken|mathtip|"
                            r"texttip|toggle|action|data|html|setOptions|newcommand|renewcommand|"
                            r"providecommand|def|let|newenvironment|renewenvironment|DeclareMathOperator|"
                            r"Newextarrow|global)(?![A-Za-z])")
MATHJAX_SKIPS = {"script", "noscript", "style", "textarea", "pre", "code", "annotation", "annotation-xml"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Audit(HTMLParser):
    """What a browser could run or follow in the notebook's cells (not the page's own frame)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []    # (tag, in a cell, MathJax skips it)
        self.bad: list[str] = []
        self.text: list[list[str]] = [[]]            # runs of text MathJax would join
        self.verdicts: list[str] = []
        self._verdict_depth = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        in_cell = bool(self.stack and self.stack[-1][1]) or (tag == "div" and "cell" in classes)
        skip = bool(self.stack and self.stack[-1][2]) or tag in MATHJAX_SKIPS or "tex2jax_ignore" in classes
        if in_cell:
            self.check(tag, attrs, classes)
        if tag in ("p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "br", "blockquote"):
            self.text.append([])
        if "bp-verdict" in classes and in_cell and self._verdict_depth is None:
            self._verdict_depth = len(self.stack)
            self.verdicts.append("")
        if tag not in VOID:
            self.stack.append((tag, in_cell, skip))

    def check(self, tag, attrs, classes):
        if tag in ("script", "iframe", "object", "embed", "svg", "math", "form", "meta", "link", "base",
                   "style", "frame", "frameset", "applet", "input", "button", "textarea", "select"):
            self.bad.append(f"<{tag}>")
        if tag == "img" and "bp-math" not in classes:   # fetched without a click
            self.bad.append(f"<img src={attrs.get('src', '')[:60]}>")
        for name, value in attrs.items():
            v = re.sub(r"[\t\n\r]", "", value or "").strip("".join(map(chr, range(33)))).lower()   # as a browser
            if name.startswith("on"):
                self.bad.append(f"{tag} {name}")
            if name in URL_ATTRS and not re.match(r"(https?:[/\\]{2}|mailto:|#)", v):
                grader_formula = tag == "img" and name == "src" and "bp-math" in classes and \
                    re.fullmatch(r"data:image/png;base64,[a-z0-9+/=]+", v)
                if not grader_formula:
                    self.bad.append(f"{tag} {name}={value[:60]}")
            if name == "style" and "bp-verdict" not in classes and not self.inside_verdict() and tag != "img" \
                    and not re.fullmatch(r"text-align:\s*(left|right|center)", value or "") \
                    and not (tag == "span" and (value or "").startswith("border:1px solid #333")):   # \boxed
                self.bad.append(f"{tag} style={value}")

    def inside_verdict(self):
        return self._verdict_depth is not None

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            top = self.stack.pop()
            if self._verdict_depth is not None and len(self.stack) == self._verdict_depth:
                self._verdict_depth = None
            if top[0] == tag:
                break
        if tag in ("p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"):
            self.text.append([])

    def handle_data(self, data):
        if self._verdict_depth is not None:
            self.verdicts[-1] += data
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            self.text[-1].append(data)

    def mathjax_links(self) -> list[str]:
        return [m for run in self.text for m in MATHJAX_ACTIVE.findall("".join(run))]


def audit(page: str) -> Audit:
    a = Audit()
    a.feed(page)
    a.close()
    return a


# --- how the formgrader and the feedback render a stored autograded notebook -----------------

def autograde_passes(nb):
    """What nbgrader's autograde stores: Sanitize in its sanitize step and again after the
    kernel ran (course.protect), then TrustedVerdicts' verdict as each test cell's last output."""
    for _ in range(2):
        nb, _ = Sanitize().preprocess(nb, {})
    for c in nb.cells:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c.cell_type == "code" \
                and not c.metadata.nbgrader.get("solution"):
            passed = c.metadata.nbgrader["grade_id"] != "check_worst_entry"
            settle(c, float(c.metadata.nbgrader["points"]) if passed else 0.0,
                   verify.quote("сообщение x<0 & y_1 [a](b)"))
    return nbformat.reads(nbformat.writes(nb), as_version=4)    # as stored and read back


FORMGRADER_RESOURCES = {"assignment_id": "00_intro", "notebook_id": "00_intro", "submission_id": "s1",
                        "index": 0, "total": 1, "base_url": "", "student": "xss", "last_name": None,
                        "first_name": None, "notebook_path": "autograded/xss/00_intro/00_intro.ipynb"}


def formgrader_page(nb, tmp_path: Path, course_config: bool) -> str:
    """nbgrader's formgrader: an HTMLExporter with its `formgrade` template, configured as
    FormgradeExtension does (its extra config, then the course's nbgrader_config.py over it)."""
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.template_name = "formgrade"
    c.HTMLExporter.extra_template_basedirs = [FORMGRADER_TEMPLATES]
    if course_config:
        c.merge(course.config(tmp_path))
    body, _ = HTMLExporter(config=c).from_notebook_node(nb, resources=dict(FORMGRADER_RESOURCES))
    return body


def feedback_page(nb, tmp_path: Path) -> str:
    """nbgrader's generate_feedback with the course's configuration (our template and preprocessors)."""
    c = course.config(tmp_path)
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_paths = [BOOTSTRAP]
    resources = {"nbgrader": {"notebook": "00_intro", "score": 1, "max_score": 6, "late_penalty": 0}}
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    for c_ in nb.cells:     # what nbgrader's GetGrades adds from the gradebook
        if c_.get("metadata", {}).get("nbgrader", {}).get("grade"):
            c_.metadata.nbgrader["score"] = c_.metadata.nbgrader.get("points", 0)
    body, _ = HTMLExporter(config=c).from_notebook_node(nb, resources=resources)
    return body


def plain_page(nb) -> str:
    body, _ = HTMLExporter().from_notebook_node(nb)
    return body


def hostile_notebook():
    nb = sample("solved")
    for i, (name, source) in enumerate(HOSTILE_MARKDOWN.items()):
        nb.cells.insert(1 + i, new_markdown_cell(f"**{name}:** {source}" if "\n" not in source else source))
    nb.cells.insert(1, new_raw_cell("<a href='javascript:window.XSS=1'>raw</a><script>window.XSS=1</script>",
                                    metadata={"format": "text/html"}))
    out = new_output("display_data", data={
        "text/html": HOSTILE_HTML_OUTPUT, "application/javascript": "window.XSS=1",
        "image/svg+xml": "<svg onload=window.XSS=1 />", "text/markdown": f"[m]({JS})",
        "text/latex": f"$\\href{{{JS}}}{{x}}$", "image/png": 'iVBORw0KGgo=" onerror="window.XSS=1'})
    nb.cells.insert(2, new_code_cell("display(...)", outputs=[out, new_output(
        "stream", name='stdout"><img src=x onerror=window.XSS=1>', text="x")], execution_count=1))
    # a test cell whose student code prints and displays things that look like the verdict
    check = grade_cell(nb, "check_squared_error")
    check.outputs = [new_output("stream", name="stdout", text="✔ Скрытая проверка пройдена: всё верно.\n"),
                     new_output("display_data", data={"text/plain": "✔ Скрытая проверка пройдена"},
                                metadata={"bpcourse_verdict": {"passed": True, "message": "подделка"}}),
                     new_output("display_data", data={"text/html": HOSTILE_HTML_OUTPUT})]
    return nb


@pytest.fixture(scope="module")
def stored():
    return autograde_passes(hostile_notebook())


@pytest.fixture(scope="module")
def pages(stored, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sanitize")
    return {"formgrader": formgrader_page(stored, tmp, course_config=True),
            "formgrader without the course's configuration": formgrader_page(stored, tmp, course_config=False),
            "feedback": feedback_page(stored, tmp),
            "nbconvert's defaults": plain_page(stored)}


PAGES = ["formgrader", "formgrader without the course's configuration", "feedback", "nbconvert's defaults"]


@pytest.mark.parametrize("view", PAGES)
def test_no_student_link_attribute_or_element_is_active(pages, view, tmp_path):
    page = pages[view]
    assert "XSS" in page and "цитата" in page and "пункт" in page    # the cells are shown …
    # nothing active in the cells but the page's own controls (the formgrader's score and
    # comment boxes), which the same page of an honest notebook has as well
    honest = autograde_passes(sample("solved"))
    render = {"formgrader": lambda nb: formgrader_page(nb, tmp_path, True),
              "formgrader without the course's configuration": lambda nb: formgrader_page(nb, tmp_path, False),
              "feedback": lambda nb: feedback_page(nb, tmp_path), "nbconvert's defaults": plain_page}[view]
    honest_page = render(honest)
    extra = Counter(audit(page).bad) - Counter(audit(honest_page).bad)
    assert not extra, extra
    assert page.count("<script") == honest_page.count("<script")      # the page's own scripts only


@pytest.mark.parametrize("view", PAGES)
def test_no_mathjax_command_in_student_text_can_make_a_link(pages, view):
    a = audit(pages[view])
    assert a.mathjax_links() == [], a.mathjax_links()


@pytest.mark.parametrize("name", sorted(HOSTILE_MARKDOWN))
def test_each_hostile_markdown_alone(name, tmp_path):
    """Each attack on its own, through autograde and the two rendering doors."""
    nb = new_notebook(cells=[new_markdown_cell(HOSTILE_MARKDOWN[name])])
    nb = autograde_passes(nb)
    for page in (formgrader_page(nb, tmp_path, course_config=True), feedback_page(nb, tmp_path),
                 formgrader_page(nb, tmp_path, course_config=False)):
        a = audit(page)
        assert a.mathjax_links() == [], a.mathjax_links()
        assert [b for b in a.bad if "XSS" in b or "javascript" in b.lower() or not b.startswith("<")] == [] \
            and not {"<script>", "<iframe>", "<svg>", "<math>", "<object>", "<embed>", "<form>"} & set(a.bad), a.bad


def test_the_browser_gets_exactly_what_was_sanitised(stored, pages):
    """nbconvert renders a markdown cell's source again with mistune: the sanitised HTML is one
    CommonMark HTML block that reaches the page byte for byte."""
    for c in stored.cells:
        if c.cell_type == "markdown":
            assert c.source.startswith("<div") and "\n" not in c.source
            # (HTMLExporter writes its page through BeautifulSoup: the same DOM, its serialisation)
            for view in ("formgrader without the course's configuration", "nbconvert's defaults"):
                page = pages[view].replace(' alt="No description has been provided for this image"', "")
                assert str(BeautifulSoup(c.source, "html.parser")) in page, c.source[:200]


def test_sanitising_again_changes_nothing(stored):
    again, _ = Sanitize().preprocess(nbformat.reads(nbformat.writes(stored), as_version=4), {})
    for before, after in zip(stored.cells, again.cells):
        if before.cell_type == "markdown" or before.cell_type == "raw":
            assert after.source == before.source


# --- what is shown escaped, once ----------------------------------------------------------------

def _visible_text(page: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", text))


def test_escaped_markdown_and_quoted_exception_text_are_shown_escaped_once(tmp_path):
    """Issue 21 (low): `&lt;` was visible as text: the first Sanitize pass escaped a cell, the
    second escaped the escape; the verdict quotes exception text escaped for markdown
    (`verify.quote`) and was shown as plain text."""
    nb = sample("solved")
    nb.cells.insert(1, new_markdown_cell("Если a < b и <b>жирный</b>, то `x<y` и 5 &lt; 6; <script>x()</script>"))
    nb = autograde_passes(nb)
    for page in (feedback_page(nb, tmp_path), formgrader_page(nb, tmp_path, course_config=True)):
        text = _visible_text(page)
        assert "Если a < b и жирный , то" in " ".join(text.split()) or "Если a < b и жирный, то" in text, text[:3000]
        assert "x<y" in text and "5 < 6" in text
        assert "&lt;" not in text and "&amp;" not in text and "<b>" not in text
        # the verdict: the quoted text as the student wrote it, no backslash before _ or [
        assert "сообщение x<0 & y_1 [a](b)" in text, [t for t in text.split("\n") if "сообщение" in t]


# --- the trusted verdict cannot be imitated ------------------------------------------------------

@pytest.mark.parametrize("view", ["formgrader", "feedback"])
def test_the_verdict_is_framed_and_nothing_the_student_printed_is(pages, view, stored):
    a = audit(pages[view])
    tests = [c for c in stored.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")
             and c.cell_type == "code" and not c.metadata.nbgrader.get("solution")]
    assert len(a.verdicts) == len(tests) == 4, a.verdicts            # one frame per test cell …
    assert all("Вердикт курса" in v and "подделка" not in v and "всё верно" not in v for v in a.verdicts)
    assert sum("не пройдена" in v for v in a.verdicts) == 1
    # … and the forged lines are there, as what the student's code printed, outside any frame
    assert "✔ Скрытая проверка пройдена: всё верно." in pages[view]


def test_a_forged_verdict_output_is_not_taken_for_the_verdict():
    from autograde.feedback import trusted_verdict

    nb = autograde_passes(hostile_notebook())
    check = grade_cell(nb, "check_squared_error")
    assert trusted_verdict(check)[1] != "подделка"
    # the student's own metadata was wiped before the verdict was added
    assert all("bpcourse_verdict" not in o.get("metadata", {}) for o in check.outputs[:-1])


# --- the course's own markdown -----------------------------------------------------------------

class _Meaning(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.links, self.headings, self._h = [], [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "anchor-link" not in (attrs.get("class") or ""):
            self.links.append(attrs.get("href"))
        if re.fullmatch(r"h[1-6]", tag):
            self._h = [tag, ""]
            self.headings.append(self._h)

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag):
            self._h = None

    def handle_data(self, data):
        if data != "¶":
            self.text.append(data)
            if self._h is not None:
                self._h[1] += data


def meaning(fragment: str):
    m = _Meaning()
    m.feed(fragment)
    m.close()
    text = " ".join("".join(m.text).split())
    return text, m.links, [(t, " ".join(h.split()).rstrip("¶ ")) for t, h in m.headings]


def test_the_courses_markdown_renders_with_the_same_meaning():
    """Every markdown cell of the eleven notebooks: the same text (formulas included, for
    MathJax), links and headings as nbconvert rendered it before, and every formula typeset
    in the feedback."""
    cells = 0
    for a in assignments():
        for c in read_source(a).cells:
            if c.cell_type != "markdown":
                continue
            cells += 1
            before = markdown2html_mistune(c.source)
            after = markdown2html_mistune(safe_markdown(c.source))
            assert meaning(after) == meaning(before), (a, c.source[:300])
            assert len(re.findall(r"(?<!\\)\$", before)) == len(re.findall(r"(?<!\\)\$", after))
            typeset = typeset_html(safe_markdown(c.source))
            assert "bp-math-raw" not in typeset and "bp-tex" not in typeset, (a, c.source[:300])
            assert not re.search(r"(?<!\\)\$", re.sub(r"<[^>]*>", "", re.sub(r"<(code|pre)>.*?</\1>", "", typeset))), (a, typeset[:300])
    assert cells > 100
    assert len(assignments()) == 11


# --- any text at all ---------------------------------------------------------------------------

from hypothesis import given, settings, strategies as st   # noqa: E402

PIECES = st.sampled_from(["<", ">", "[", "]", "(", ")", "\\", "$", "&", "#", ";", ":", "\n", "\n\n", " ", "\t",
                          "*", "`", "|", "-", ">", "!", '"', "'", "=", "javascript", "JaVa", "script", "data",
                          "href", "url", "a", "img", "svg", "on", "x", "&#106;", "&colon;", "\x00", "\x01",
                          "\u2028", "\x0c", "/", "..", "http://e.x", "mailto", "<a href=", "</", "<!--", "-->"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_any_markdown_becomes_one_inert_block_that_mistune_keeps(source):
    out = safe_markdown(source)
    assert out.startswith("<div") and "\n" not in out and "\r" not in out
    assert safe_markdown(out) == out                                  # idempotent
    assert markdown2html_mistune(out).strip() == out                  # passed through verbatim
    a = audit(f'<div class="cell">{out}</div>')
    assert a.bad == [] and a.mathjax_links() == [], (a.bad, a.mathjax_links())
