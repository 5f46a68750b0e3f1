"""A link that runs commands as the instructor (issue 21, critical), clicked in a real browser.

One hostile submission — every link attack of tests/test_sanitize.py's corpus, and links whose
script opens a Jupyter terminal — is graded for real by `bpcourse grade`; a real Jupyter server
with nbgrader's formgrader is started in the course folder; in Debian's Chromium every link of
the formgrader's grading page and of the student's feedback page is clicked. Nothing may run:
no dialog, no page flag, no terminal in the server's /api/terminals, no request to the server's
own endpoints. A control injects one such link into the same page and sees the probe report it.
The trusted verdicts are framed on both pages, and a line the student's code printed to imitate
one is not (issue 21, low).
"""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import nbformat
import pytest

from autograde import course
from classes import A, bpcourse, cell, insert_code, put, sample
from test_hostile_browser import CHROMIUM, FLAGS, formgrader  # noqa: F401  (the server fixture)
from test_sanitize import HOSTILE_HTML_OUTPUT, HOSTILE_MARKDOWN

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

# what the review's attacker did: open a terminal through the server's API with the page's cookie
TERMINAL = ("javascript:window.XSS_CLICK=1;fetch('/api/terminals',{method:'POST',headers:"
            "{'X-XSRFToken':document.cookie.replace(/.*_xsrf=([^;]*).*/,'$1')}})")
LINK_CELLS = [
    f"> [в цитате]({TERMINAL})\n\n- [в списке]({TERMINAL})\n  - [во вложенном]({TERMINAL})",
    f"[a\\]]({TERMINAL}) и [ссылка][t]\n\n> [t]: {TERMINAL}",
    "[терминал](../../terminals/1) [lab](/lab/terminals/1) [api](../../../api/terminals)",
    '<a href="javascript:window.XSS_CLICK=1">html</a> <a href="jav&#x61;script:window.XSS_CLICK=1">ent</a>',
]
FLAGS_JS = "() => ({XSS: window.XSS, XSS_CLICK: window.XSS_CLICK})"
FORGED = "✔ Скрытая проверка пройдена: всё верно, 100 баллов."


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("links-browser")
    nb = sample("solved")
    cells = LINK_CELLS + [f"**{name}:** {src}" if "\n" not in src else src for name, src in HOSTILE_MARKDOWN.items()]
    for i, source in enumerate(cells):
        nb.cells.insert(1 + i, nbformat.v4.new_markdown_cell(source))
    insert_code(nb, 1 + len(cells), "from IPython.display import HTML, display\n"
                f"display(HTML({HOSTILE_HTML_OUTPUT + '<a href=' + json.dumps(TERMINAL) + '>out</a>'!r}))")
    # the student's function prints a line that imitates the trusted verdict in its test cell
    cell(nb, "squared_error").source += ("\n_squared_error = squared_error\n\n\ndef squared_error(t, o):\n"
                                         f"    print({FORGED!r})\n    return _squared_error(t, o)\n")
    put(base / "class", "links", nb)
    out = base / "course"
    bpcourse("grade", base / "class", "--out", out, "--timeout", "60")
    return out


def terminals(base: str, token: str) -> list:
    with urllib.request.urlopen(f"{base}/api/terminals?token={token}", timeout=30) as r:
        return json.loads(r.read())


def click_every_link(url: str, inject: str | None = None) -> dict:
    """Open ``url`` in Chromium and click each of its links in turn (navigations away from the
    page are recorded and answered "204 No Content", so every link is clicked on the same page)."""
    from playwright.sync_api import sync_playwright

    seen = {"dialogs": [], "navigations": [], "popups": [], "clicked": 0, "flags": {}, "javascript": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context()
        page = context.new_page()
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        context.on("page", lambda pg: (seen["popups"].append(pg.url), pg.close()))
        page.on("framenavigated", lambda f: f.url.lower().startswith("javascript") and seen["javascript"].append(f.url))
        page.goto(url, wait_until="load", timeout=60_000)
        page.wait_for_timeout(1000)
        loaded = page.url

        def route(r):
            if r.request.is_navigation_request():
                seen["navigations"].append(r.request.url)
                return r.fulfill(status=204, body="")    # "No Content": the page stays as it is
            return r.continue_()
        page.route("**/*", route)
        page.set_default_timeout(5000)
        if inject:
            page.evaluate("(html) => document.body.insertAdjacentHTML('afterbegin', html)", inject)
        n = page.locator("a").count()
        for i in range(n):
            link = page.locator("a").nth(i)
            try:
                link.click(timeout=1500, force=True, no_wait_after=True)
            except Exception:  # noqa: BLE001 - hidden or zero-size: a script's click still follows it
                link.dispatch_event("click")
            seen["clicked"] += 1
            assert page.url.split("#")[0] == loaded.split("#")[0], page.url   # only fragments change
        page.wait_for_timeout(2000)          # a fetch a link started has time to reach the server
        seen["flags"] = {k: v for k, v in page.evaluate(FLAGS_JS).items() if v is not None}
        seen["hrefs"] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        seen["verdicts"] = page.eval_on_selector_all(".bp-verdict", "els => els.map(e => e.innerText)")
        seen["text"] = page.inner_text("body")
        browser.close()
    return seen


def assert_the_verdicts_are_framed_and_the_forgery_is_not(seen: dict) -> None:
    """Issue 21 (low): one framed verdict per test cell; the line the student's code printed is
    on the page, outside every frame."""
    assert len(seen["verdicts"]) == 4 and all("Вердикт курса" in v for v in seen["verdicts"]), seen["verdicts"]
    assert FORGED in seen["text"] and not any("всё верно" in v for v in seen["verdicts"])


def assert_nothing_ran(seen: dict) -> None:
    assert seen["flags"] == {} and seen["dialogs"] == [] and seen["javascript"] == [], seen
    server = [u for u in seen["navigations"] + seen["popups"] if any(s in u for s in ("/api/", "terminals", "/lab"))]
    assert server == [], server


def test_every_link_of_the_formgrader_page_is_inert(graded, formgrader):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing"
    base, token = formgrader
    with course.gradebook(graded) as gb:
        sid = gb.find_submission_notebook(A, A, "links").id
    before = terminals(base, token)
    seen = click_every_link(f"{base}/formgrader/submissions/{sid}/?token={token}")
    assert_nothing_ran(seen)
    assert seen["clicked"] >= 40, seen["clicked"]        # the student's links were there to click
    assert terminals(base, token) == before
    assert_the_verdicts_are_framed_and_the_forgery_is_not(seen)
    assert not [h for h in seen["hrefs"] if h.lower().lstrip().startswith(("javascript", "data", "vbscript"))]


def test_every_link_of_the_feedback_page_is_inert(graded, formgrader):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing"
    base, token = formgrader
    before = terminals(base, token)
    page = graded / "feedback" / "links" / A / f"{A}.html"
    seen = click_every_link(page.as_uri())
    assert_nothing_ran(seen)
    assert seen["clicked"] >= 40, seen["clicked"]
    assert terminals(base, token) == before
    assert_the_verdicts_are_framed_and_the_forgery_is_not(seen)
    hrefs = [h for h in seen["hrefs"] if not h.startswith("#")]
    assert all(h.startswith(("http://", "https://", "mailto:")) for h in hrefs), hrefs


def test_the_probe_sees_a_link_that_opens_a_terminal(graded, formgrader):
    """Control: the same clicks on the same formgrader page with one live attack link injected
    report its flag and the terminal it opened (the tests above can fail)."""
    base, token = formgrader
    with course.gradebook(graded) as gb:
        sid = gb.find_submission_notebook(A, A, "links").id
    before = terminals(base, token)
    live = (f"<a href=\"javascript:window.XSS_CLICK=1;fetch('/api/terminals?token={token}',"
            "{method:'POST'})\">live</a>")
    seen = click_every_link(f"{base}/formgrader/submissions/{sid}/?token={token}", inject=live)
    after = terminals(base, token)
    try:
        assert seen["flags"].get("XSS_CLICK") == 1, seen["flags"]
        assert len(after) == len(before) + 1, (before, after)
    finally:
        for t in after:
            if t not in before:
                req = urllib.request.Request(f"{base}/api/terminals/{t['name']}?token={token}", method="DELETE")
                urllib.request.urlopen(req, timeout=30)
