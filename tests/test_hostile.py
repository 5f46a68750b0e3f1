"""Hostile submissions graded for real (issue 10): real nbgrader, real sandboxed kernels.

One class is graded once per session (fixture ``graded``): honest classmates beside
submissions that attack what runs *after* or *beside* their kernel — the instructor's
browser, the trusted code that reads the kernel's folder, the host's users and network.
"""
from __future__ import annotations

import csv
from html.parser import HTMLParser
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from classes import cell, insert_code, put, sample
from conftest import tree_digest

pytestmark = pytest.mark.e2e
A = "00_intro"
BPCOURSE = [sys.executable, "-m", "autograde.cli"]
FAST = ["--timeout", "10", "--cpu-seconds", "60", "--submission-timeout", "240"]

XSS_MARKDOWN = ("# Моё решение\n\n<script>window.XSS_MD=1</script>\n"
                "<img src=x onerror=\"window.XSS_IMG=1\">\n\n"
                "[нажми](javascript:window.XSS_LINK=1) и <a href=\"javascript:window.XSS_A=1\">сюда</a>\n")
XSS_CODE = r'''
from IPython.display import HTML, Javascript, SVG, Markdown, display
display(HTML('<b>bold</b><script>window.XSS_HTML=1</script><img src=x onerror="window.XSS_OUT=1">'
             '<a href="javascript:window.XSS_HREF=1">x</a>'))
display(Javascript('window.XSS_JS=1'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>window.XSS_SVG=1</script></svg>'))
display(Markdown('[m](javascript:window.XSS_MDOUT=1)'))
raise ValueError('<script>window.XSS_ERR=1</script>')
'''
class _Active(HTMLParser):
    """Every active thing a browser would run in a page: script elements (with their text),
    event-handler attributes, javascript:/data: URLs, SVG and iframes/objects."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._script = [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "svg", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
            self._script = tag == "script"
        for name, value in attrs:
            v = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action", "formaction", "xlink:href") and \
                    (v.startswith("javascript:") or v.startswith("vbscript:") or v.startswith("data:text")):
                self.found.append(f"{tag} {name}={value}")

    def handle_data(self, data):
        if self._script:
            self.found[-1] += data
            
    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def active(text: str) -> list[str]:
    """The active parts of a page that mention an XSS marker (nbconvert's own scripts, e.g.
    MathJax's, do not)."""
    parser = _Active()
    parser.feed(text)
    return [f for f in parser.found if "XSS" in f or not f.startswith("<script>")]


def bpcourse(*args, check=True):
    out = subprocess.run(BPCOURSE + [str(a) for a in args], capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError(f"bpcourse {args} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    return out


def read_csv(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def score(rows, student):
    return float(rows[student]["score"]), float(rows[student]["max_score"])


def hostile_class(root: Path) -> Path:
    put(root, "honest", sample("solved"))
    nb = sample("solved")
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(XSS_MARKDOWN))
    insert_code(nb, 3, XSS_CODE)
    put(root, "xss", nb)
    return root


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile10")
    out = base / "course"
    submissions = hostile_class(base / "class")
    before = tree_digest(submissions)
    run = bpcourse("grade", submissions, "--out", out, "--jobs", "2", *FAST)
    return {"out": out, "class": submissions, "before": before, "log": run.stdout + run.stderr,
            "rows": read_csv(out / "grades.csv")}


def active_html(text: str) -> list[str]:
    return [p.pattern for p in ACTIVE if p.search(text)]


def formgrader_html(notebook: Path) -> str:
    """The page the formgrader renders for a submission: nbconvert's HTML of the stored
    autograded notebook, with nbconvert's defaults (no preprocessor of ours)."""
    from nbconvert import HTMLExporter
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(notebook, as_version=4))
    return body


def test_student_html_is_inert_in_the_autograded_notebook_and_the_feedback(graded):
    out = graded["out"]
    autograded = out / "autograded" / "xss" / A / f"{A}.ipynb"
    stored = autograded.read_text(encoding="utf-8")
    assert "XSS_HTML" in stored and "XSS_MD" in stored     # the attack was executed and kept as text
    page = formgrader_html(autograded)
    assert "XSS_MD" in page and "XSS_HTML" in page
    feedback = (out / "feedback" / "xss" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "XSS_MD" in feedback and "XSS_ERR" in feedback
    assert active(page) == [] and active(feedback) == [], (active(page), active(feedback))
    kinds = {k for c in nbformat.read(autograded, as_version=4).cells for o in c.get("outputs", [])
             for k in o.get("data", {})}
    assert "text/html" in kinds and not kinds & {"application/javascript", "image/svg+xml", "text/markdown"}
    assert score(graded["rows"], "xss") == (6.0, 6.0)
    assert score(graded["rows"], "honest") == (6.0, 6.0)
