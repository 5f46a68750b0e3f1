"""Stored XSS (issue 10) in a real browser: the formgrader page of a hostile submission, served
by a real Jupyter server with nbgrader's formgrader, and its feedback page, opened in Debian's
Chromium through Playwright. No script of the student's runs."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest


from autograde import course
from classes import insert_code, put, sample
from labserver import free_port, lab_env
from test_hostile import XSS_CODE, XSS_MARKDOWN

pytestmark = pytest.mark.browser
A = "00_intro"
CHROMIUM = os.environ.get("BPCOURSE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MARKERS = ["XSS_MD", "XSS_IMG", "XSS_LINK", "XSS_A", "XSS_HTML", "XSS_OUT", "XSS_HREF", "XSS_JS",
           "XSS_SVG", "XSS_MDOUT", "XSS_ERR"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("xss-browser")
    nb = sample("solved")
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(XSS_MARKDOWN))
    insert_code(nb, 3, XSS_CODE)
    put(base / "class", "xss", nb)
    out = base / "course"
    subprocess.run([sys.executable, "-m", "autograde.cli", "grade", str(base / "class"), "--out", str(out),
                    "--timeout", "10"], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    import urllib.request

    home = tmp_path_factory.mktemp("fg-home")
    port, token = free_port(), "t" + os.urandom(12).hex()
    jupyter = Path(sys.executable).parent / "jupyter"
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([str(jupyter), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={graded}",
                             "--allow-root"], cwd=graded, stdout=log, stderr=log, env=lab_env(home),
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                time.sleep(1)
        else:
            raise AssertionError((home / "server.log").read_text()[-3000:])
        yield base, token
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(30)


def run_page(url: str) -> tuple[dict, list, str]:
    """Open ``url`` in Chromium: (the markers the page's scripts set, dialogs, the page's text)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url, wait_until="load", timeout=60_000)
        page.wait_for_timeout(3000)
        for link in page.locator("a[href^='javascript' i]").all()[:5]:   # a click must do nothing
            link.click(timeout=2000)
        set_ = page.evaluate(f"() => Object.fromEntries({MARKERS!r}.map(k => [k, window[k] === undefined ? null : window[k]]))")
        text = page.inner_text("body")
        browser.close()
    return {k: v for k, v in set_.items() if v is not None}, dialogs, text


def test_the_formgrader_page_runs_no_student_script(graded, formgrader):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing"
    base, token = formgrader
    with course.gradebook(graded) as gb:
        sid = gb.find_submission_notebook(A, A, "xss").id
    ran, dialogs, text = run_page(f"{base}/formgrader/submissions/{sid}/?token={token}")
    assert "XSS_MD" in text and "XSS_HTML" not in ran, text[:2000]   # the page shows the submission
    assert ran == {} and dialogs == []


def test_the_feedback_page_runs_no_student_script(graded):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing"
    page = graded / "feedback" / "xss" / A / f"{A}.html"
    ran, dialogs, text = run_page(page.as_uri())
    assert "XSS_MD" in text
    assert ran == {} and dialogs == []


def test_the_probe_sees_a_script_that_runs(tmp_path):
    """Control: the same probe on a page with the raw attack reports it (the tests above can fail)."""
    page = tmp_path / "raw.html"
    page.write_text("<html><body><p>x</p><script>window.XSS_MD=1</script>"
                    "<img src=x onerror=\"window.XSS_IMG=1\"><a href=\"javascript:window.XSS_A=1\">a</a></body></html>")
    ran, _, _ = run_page(page.as_uri())
    assert ran == {"XSS_MD": 1, "XSS_IMG": 1, "XSS_A": 1}
