"""nbgrader's own doors grade as `bpcourse grade` does (issue 11), pressed in a real browser.

A course folder is graded by `bpcourse grade`; then a real JupyterLab with nbgrader's formgrader
is started in it (reading the course's nbgrader_config.py, as an instructor would) and driven
in Debian's Chromium: the ⚡ Autograde button on a submission that fools the visible checks,
Generate Feedback, and a TA's comment typed into the grading page. While ⚡ Autograde runs, the
server keeps answering (issue 21: it runs in a child process, autograde/formgrader.py).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from autograde import course, state
from classes import A, bpcourse, cell, insert_code, put, read_csv, sample, verdict
from test_hostile_browser import CHROMIUM, FLAGS, formgrader  # noqa: F401  (the server fixture)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"

# A wrong answer that the visible checks cannot see: every check the notebook can call is
# replaced by one that never raises.
FOOL_CHECKS = r'''
import bpcourse.checks as _c
for _n in dir(_c):
    if _n.startswith("check") and callable(getattr(_c, _n)):
        setattr(_c, _n, lambda *a, **k: None)
for _n in list(globals()):
    if _n.startswith("check") and callable(globals()[_n]):
        globals()[_n] = lambda *a, **k: None
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("formgrader")
    nb = sample("solved")
    cell(nb, "worst_entry").source = "def worst_entry(a, b):\n    return 0.0, (0,)"
    insert_code(nb, 3, FOOL_CHECKS)
    put(base / "class", "fools", nb)
    put(base / "class", "mistake_forward_difference", sample("mistake_forward_difference"))
    slow = sample("solved")
    insert_code(slow, 3, "import time\ntime.sleep(8)   # a slow notebook: the formgrader must not freeze on it")
    put(base / "class", "slow", slow)
    out = base / "course"
    bpcourse("grade", base / "class", "--out", out, "--timeout", "60")
    return out


def total(out: Path, student: str) -> float:
    with course.gradebook(out) as gb:
        return gb.find_submission(A, student).score


def nbgrader_alone_would_give_full_marks(out: Path, tmp: Path) -> float:
    """The same submission autograded by nbgrader without bpcourse's protections."""
    plain = tmp / "plain"
    plain.mkdir()
    subprocess.run(["cp", "-r", str(out / "source"), str(out / "submitted"), str(plain)], check=True)
    (plain / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'plain'\n", encoding="utf-8")
    bindir = str(Path(sys.executable).parent)   # nbgrader runs `alembic` from PATH (an activated venv)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    subprocess.run([nbgrader, "generate_assignment", A, "--force"], cwd=plain, check=True, capture_output=True, env=env)
    subprocess.run([nbgrader, "autograde", A, "--student", "fools", "--force"], cwd=plain, check=True,
                   capture_output=True, env=env)
    with course.gradebook(plain) as gb:
        return gb.find_submission(A, "fools").score


class StatusProbes:
    """While in use, asks the server's ``/api/status`` every 0.25 s (each answer awaited at most
    2 s) and counts the answers: a server busy inside one request answers none."""

    def __init__(self, base: str, token: str):
        self.url, self.token = f"{base}/api/status", token
        self.sent = self.answered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.sent += 1
            req = urllib.request.Request(self.url, headers={"Authorization": f"token {self.token}"})
            try:
                with urllib.request.urlopen(req, timeout=2) as r:
                    self.answered += r.status == 200
            except OSError:
                pass
            self._stop.wait(0.25)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)


def press(page, student: str, column: str) -> str:
    """Click a row's button on the formgrader's Manage Submissions page; the modal's text."""
    row = page.locator("tr", has=page.locator("td.student-id", has_text=re.compile(f"^{student}$")))
    row.locator(f"td.{column} a").click()
    modal = page.locator(".modal.in, .modal.show, #success-modal, #error-modal").first
    modal.wait_for(state="visible", timeout=180_000)
    text = modal.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"formgrader-{column}-{student}.png"))
    modal.locator("button[data-dismiss=modal]").first.click()
    modal.wait_for(state="hidden", timeout=30_000)
    page.wait_for_timeout(300)
    return text


def test_the_formgraders_buttons_grade_hide_and_keep_the_verdict(graded, formgrader, tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base, token = formgrader
    by_bpcourse = {s: total(graded, s) for s in ("fools", "mistake_forward_difference")}
    assert by_bpcourse == {"fools": 5.0, "mistake_forward_difference": 4.0}, by_bpcourse
    # what nbgrader's own pipeline would have given: the visible checks are fooled
    assert nbgrader_alone_would_give_full_marks(graded, tmp_path) == 6.0

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        # log in as the instructor does (a cookie), so that the page's own API calls are allowed
        page.goto(f"{base}/login", wait_until="load", timeout=60_000)
        page.fill("input[name=password]", token)
        page.click("button[type=submit], #login_submit")
        page.wait_for_load_state("load")
        page.goto(f"{base}/formgrader/manage_submissions/{A}?token={token}", wait_until="load", timeout=60_000)
        try:
            page.locator("td.student-id", has_text="fools").wait_for(timeout=60_000)
        finally:
            page.screenshot(path=str(ARTIFACTS / "formgrader-manage-submissions.png"))
        for student in by_bpcourse:
            text = press(page, student, "autograde")
            assert "Successfully autograded" in text, text
        with StatusProbes(base, token) as probes:   # a notebook that runs for 8 s
            text = press(page, "slow", "autograde")
        assert "Successfully autograded" in text, text
        assert probes.sent >= 8 and probes.answered >= 0.8 * probes.sent, (probes.sent, probes.answered)
        assert total(graded, "slow") == 6.0
        with state.lock(graded):   # as `bpcourse grade` holds it while it grades this folder
            text = press(page, "fools", "autograde")
        assert "There was an error autograding" in text, text
        assert {s: total(graded, s) for s in by_bpcourse} == by_bpcourse

        # a TA comments on the wrong exercise in the grading page
        with course.gradebook(graded) as gb:
            sid = gb.find_submission_notebook(A, A, "fools").id
        page.goto(f"{base}/formgrader/submissions/{sid}/?token={token}", wait_until="load", timeout=60_000)
        box = page.locator("#worst_entry-comment")
        box.wait_for(timeout=60_000)
        # the notebook's formulas, typeset offline, are drawn whole (no red frame of formgrade.css)
        formulas = page.evaluate("() => [...document.querySelectorAll('img.bp-math')].map("
                                 "i => [i.naturalWidth, getComputedStyle(i).borderTopWidth])")
        assert len(formulas) > 20 and all(w > 0 and border == "0px" for w, border in formulas), formulas[:5]
        box.fill("Посмотрите на знак разности.")
        box.blur()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "formgrader-ta-comment.png"), full_page=False)
        with course.gradebook(graded) as gb:
            assert gb.find_comment("worst_entry", A, A, "fools").manual_comment == "Посмотрите на знак разности."

        page.goto(f"{base}/formgrader/manage_submissions/{A}?token={token}", wait_until="load", timeout=60_000)
        page.locator("td.student-id", has_text="fools").wait_for(timeout=60_000)
        text = press(page, "fools", "generate-feedback")
        assert "Successfully generated feedback" in text, text
        browser.close()

    html = (graded / "feedback" / "fools" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in html and "record(" not in html
    assert "Посмотрите на знак разности." in html            # the TA's comment …
    wrong = verdict(graded, "fools", A, "worst_entry")
    assert wrong and re.sub(r"\s+", " ", wrong)[:60] in re.sub(r"\s+", " ", _text(html))   # … and the verdict
    rows = read_csv(graded / "bpcourse-grades.csv")
    assert float(rows["fools"]["score"]) == 5.0


def _text(html: str) -> str:
    import html as h
    return h.unescape(re.sub(r"<[^>]+>", " ", html))
