"""The student's and the instructor's experience in a real browser.

A real JupyterLab started by the real `make lab` (as root when the tests run as root; free
loopback port and token through JUPYTER_ARGS; it serves its working copy of notebooks/), driven
through Python Playwright in Debian's Chromium (executable_path; nothing is downloaded). The
feedback page is a real one from `bpcourse grade`, opened from disk with the network cut off.
Every step saves a screenshot in test-artifacts/browser/; a failing step says which step failed
and where its screenshot is.
"""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from labserver import running_lab

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("BPCOURSE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def lab(repo, tmp_path_factory):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    root = tmp_path_factory.mktemp("lab-root") / "work"    # `make lab` copies notebooks/ there
    with running_lab(tmp_path_factory.mktemp("lab-home"), LAB_DIR=str(root)) as (base, token, get):
        yield {"base": base, "token": token, "root": root, "get": get}


@pytest.fixture
def page(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        yield pg
        context.close()
        browser.close()


@contextlib.contextmanager
def step(page, name: str, show=None):
    """One user-visible step: a screenshot after it (scrolled to ``show``, a locator, if
    given); on failure, which step failed and where its screenshot is."""
    shot = ARTIFACTS / f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.png"
    try:
        yield
        if show is not None:
            show.scroll_into_view_if_needed()
    except Exception as e:
        failed = shot.with_name("FAILED-" + shot.name)
        with contextlib.suppress(Exception):
            page.screenshot(path=str(failed), full_page=False)
        raise AssertionError(f"browser step '{name}' failed: {e}\nscreenshot: {failed}") from e
    page.screenshot(path=str(shot), full_page=False)


def open_notebook(page, lab, path: str):
    # a workspace of its own (reset): no tabs restored from another test's session
    workspace = re.sub(r"[^a-z0-9]+", "-", path.lower())
    page.goto(f"{lab['base']}/lab/workspaces/{workspace}/tree/{path}?reset&token={lab['token']}")
    page.locator(".jp-Notebook").first.wait_for()
    wait_idle(page)


def wait_idle(page, timeout: float = 90):
    """Until the kernel has started and no cell is queued or running."""
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status='idle']"
                 ).first.wait_for(timeout=timeout * 1000)
    page.wait_for_function("document.querySelectorAll('.jp-InputPrompt').length > 0 && "
                           "![...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'))",
                           timeout=timeout * 1000)


def menu(page, top: str, item: str, attempts: int = 20):
    """Click ``top`` > ``item`` once the item is enabled (right after a notebook opens, its
    commands stay disabled until the notebook is the current, kernel-connected widget)."""
    label = re.compile(f"^{re.escape(item)}$")
    for _ in range(attempts):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
        entry = page.locator(".lm-Menu-item", has=page.locator(".lm-Menu-itemLabel", has_text=label)).first
        entry.wait_for()
        if "lm-mod-disabled" not in (entry.get_attribute("class") or ""):
            entry.click()
            return
        page.keyboard.press("Escape")
        page.wait_for_timeout(500)
    raise AssertionError(f"menu {top} > {item} stayed disabled")


def run_all_until(page, cell, text: str, timeout: float = 90):
    """Run → Run All Cells, then wait until ``cell``'s output shows ``text`` (the kernel may
    still report idle for a moment after the click, so idleness alone proves nothing)."""
    from playwright.sync_api import expect

    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.click()   # focus the notebook
    for attempt in range(3):
        menu(page, "Run", "Run All Cells")
        try:   # a first cell must start (its prompt leaves "[ ]") or the click is retried
            page.wait_for_function("[...document.querySelectorAll('.jp-InputPrompt')]"
                                   ".some(e => /\\[(\\*|\\d+)\\]/.test(e.textContent))", timeout=15_000)
            break
        except Exception:
            if attempt == 2:
                raise
    expect(cell.locator(".jp-OutputArea")).to_contain_text(text, timeout=timeout * 1000)
    wait_idle(page)


def code_cell(page, contains: str):
    return page.locator(".jp-CodeCell", has=page.locator(".jp-InputArea", has_text=contains)).first


def set_cell_source(page, cell, code: str):
    cell.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)   # one input event: no auto-indent of the pasted lines


def run_cell(page, cell):
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    wait_idle(page)


def shown_T(page) -> str:
    """The explorer's T, as the kernel holds it (repr of the float)."""
    return page.locator(".bp-T").get_attribute("data-value")


def wait_T(page, value: str, timeout: float = 60):
    page.wait_for_function(f"document.querySelector('.bp-T') && "
                           f"document.querySelector('.bp-T').dataset.value === {value!r}", timeout=timeout * 1000)


def test_temperature_explorer_responds_to_the_slider(page, lab):
    with step(page, "10: open the released notebook"):
        open_notebook(page, lab, "10_temperature/10_temperature.ipynb")
    with step(page, "10: run all cells", show=code_cell(page, "Проверка softmax_t")):
        check = code_cell(page, "Проверка softmax_t")
        run_all_until(page, check, "NotImplementedError")
        out = check.locator(".jp-OutputArea").inner_text().lstrip()
        assert out.startswith("NotImplementedError: Упражнение «softmax_t» ещё не решено"), out[:300]
        assert not any(w in out for w in COURSE_INTERNALS), out
    with step(page, "10: run the explorer cell: it starts at T = 1 exactly"):
        run_cell(page, code_cell(page, "TemperatureExplorer(softmax_t)"))
        entropy = page.locator(".bp-entropy")
        entropy.wait_for()
        assert shown_T(page) == "1.0"
        before = float(entropy.inner_text().split("=")[1])
        probs_before = [float(t) for t in page.locator(".bp-prob").all_inner_texts()]
        assert len(probs_before) == 4 and abs(sum(probs_before) - 1) < 1e-3
        assert page.locator(".bp-row", has_text="y0").count() == 1          # rows are y_i, not z_i
    with step(page, "10: move the temperature slider to high T"):
        track = page.locator(".widget-hslider .noUi-target, .widget-slider .noUi-target").first
        box = track.bounding_box()
        page.mouse.click(box["x"] + 0.95 * box["width"], box["y"] + box["height"] / 2)
        page.wait_for_function(f"parseFloat(document.querySelector('.bp-entropy').textContent.split('=')[1]) > {before + 0.1}")
        after = float(entropy.inner_text().split("=")[1])
        probs_after = [float(t) for t in page.locator(".bp-prob").all_inner_texts()]
        assert after > before and max(probs_after) < max(probs_before)
    with step(page, "10: move the temperature slider to low T with the keyboard"):
        handle = page.locator(".noUi-handle").first
        handle.focus()
        page.keyboard.press("Home")
        page.wait_for_function(f"parseFloat(document.querySelector('.bp-entropy').textContent.split('=')[1]) < {before - 0.1}")
        assert max(float(t) for t in page.locator(".bp-prob").all_inner_texts()) > 0.9
    with step(page, "10: the keyboard brings the slider to T = 100, then to the lecture's T = 1 exactly"):
        handle.focus()
        page.keyboard.press("End")
        wait_T(page, "100.0")
        for _ in range(40):              # PageDown: 5 positions of 0.01 decade each
            page.keyboard.press("PageDown")
        wait_T(page, "1.0")
        page.wait_for_function("document.querySelector('.bp-entropy').textContent.includes('H = 0.9')")
    with step(page, "10: a typed temperature is kept", show=page.locator(".bp-axis")):
        box = page.locator(".widget-hbox .widget-text input").first
        box.fill("0.5")
        box.press("Enter")
        wait_T(page, "0.5")
        wait_idle(page)
        assert shown_T(page) == "0.5" and box.input_value() == "0.5"
        # the gradient bars are on the fixed log scale: its axis and reference line are drawn
        assert page.locator(".bp-axis").count() == 1 and page.locator(".bp-grad").count() == 4
    with step(page, "10: the gradient at T = 100 is drawn two decades shorter than at T = 1",
              show=page.locator(".bp-axis")):
        longest = {}
        for T in ("1", "100"):
            box.fill(T)
            box.press("Enter")
            wait_T(page, f"{float(T)!r}")
            longest[T] = max(float(w) for w in page.locator(".bp-axis ~ .bp-row .bp-bar").evaluate_all(
                "bars => bars.map(b => b.dataset.width)"))
        assert 25 < longest["1"] - longest["100"] < 40, longest     # 2 decades = 33 % of the scale


CORRECT = '''def squared_error(t, o):
    t = np.asarray(t, dtype=float)
    o = np.asarray(o, dtype=float)
    if t.shape != o.shape:
        raise ValueError("shapes differ")
    return float(0.5 * np.sum((t - o) ** 2))
'''
NO_HALF = CORRECT.replace("0.5 * np.sum", "np.sum")


def test_an_exercise_passes_with_correct_code_and_names_a_mistake(page, lab):
    with step(page, "00: open the released notebook"):
        open_notebook(page, lab, "00_intro/00_intro.ipynb")
    solution = code_cell(page, "def squared_error(t, o):")
    check = code_cell(page, "Проверка squared_error")
    with step(page, "00: write a correct squared_error and run its check", show=check):
        set_cell_source(page, solution, CORRECT)
        run_all_until(page, check, "squared_error(t, o): верно")
        out = check.locator(".jp-OutputArea").inner_text()
        assert "✔ squared_error(t, o): верно" in out and "ValueError поднята" in out, out
    with step(page, "00: write the squared error without ½ and run its check", show=check):
        set_cell_source(page, solution, NO_HALF)
        run_all_until(page, check, "CheckError")
        out = check.locator(".jp-OutputArea").inner_text()
        assert "CheckError" in out and "нет множителя ½" in out, out
        # the Russian message first, the student's line, nothing of the course's internals
        assert out.lstrip().startswith("CheckError: squared_error(t, o): неверное значение."), out
        assert "----> 3 checks.check_squared_error(squared_error)" in out and not any(w in out for w in COURSE_INTERNALS), out


COURSE_INTERNALS = ("checks.py", "_fail", "bpcourse/", "skipping hidden")

# Where a piece of text in the Validate dialog is drawn, and whether a user sees it there: inside
# the window, and the topmost element at its centre is the dialog's text (not clipped by a
# scrolling box, not covered by the dialog's footer).
WHERE_SHOWN = """(needle) => {
    const box = document.querySelector('#validation-message');
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
        const i = node.textContent.indexOf(needle);
        if (i < 0) continue;
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + needle.length);
        const r = range.getBoundingClientRect();
        const x = r.left + Math.min(r.width / 2, 20), y = r.top + r.height / 2;
        const hit = document.elementFromPoint(x, y);
        const scrolled = [...document.querySelectorAll('.jp-Dialog *')].some(e => e.scrollTop > 0);
        return {top: r.top, bottom: r.bottom, inWindow: r.top >= 0 && r.bottom <= window.innerHeight,
                visible: !!hit && box.contains(hit), scrolled};
    }
    return null;
}"""


def test_validate_shows_the_russian_message_of_a_failed_check_without_scrolling(page, lab, repo):
    with step(page, "validate: open 00 and write squared_error without ½"):
        open_notebook(page, lab, "00_intro/00_intro.ipynb")
        set_cell_source(page, code_cell(page, "def squared_error(t, o):"), NO_HALF)
    with step(page, "validate: save the notebook"):
        page.keyboard.press("ControlOrMeta+s")
        saved = lab["root"] / "00_intro" / "00_intro.ipynb"
        page.wait_for_function("!document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
                               ".classList.contains('jp-mod-dirty') && "
                               "!document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')")
        for _ in range(60):
            if "return float(np.sum((t - o) ** 2))" in saved.read_text():
                break
            page.wait_for_timeout(500)
        assert "return float(np.sum((t - o) ** 2))" in saved.read_text()
    dialog = page.locator(".jp-Dialog")
    with step(page, "validate: press Validate; the Russian message is visible without scrolling"):
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar").get_by_text("Validate").click()
        dialog.locator("#validation-message").wait_for(timeout=240_000)
        text = dialog.locator("#validation-message").inner_text()
        assert "The following cell failed" in text and "Проверка squared_error" in text, text[:500]
        assert not any(w in text for w in COURSE_INTERNALS), text
        for needle in ("squared_error(t, o): неверное значение.", "Подсказка: нет множителя ½"):
            where = page.evaluate(WHERE_SHOWN, needle)
            assert where and where["inWindow"] and where["visible"] and not where["scrolled"], (needle, where)
        # the failed check's message is the first error shown
        errors = text.split("CheckError: ", 1)
        assert "NotImplementedError" not in errors[0] and len(errors) == 2, text[:800]
        # the exercises not done yet are named in Russian too
        assert "Упражнение «numerical_derivative» ещё не решено" in text, text
    with step(page, "validate: close the dialog"):
        dialog.get_by_role("button", name="Ok").click()
        dialog.wait_for(state="detached")
    # 09 solved but for one mistake (dZ without 1/M, the sample class's student): its check cell
    # was 43 lines long, the dialog prints a failed cell's source before its error, and the message
    # was far below the fold; the check cell is now one call, and the message is in view
    a = "09_softmax_cross_entropy"
    mistaken = lab["root"] / a / "validate_missing_1_over_M.ipynb"
    mistaken.write_bytes((repo / "samples" / "class" / "mistake_missing_1_over_M" / a / f"{a}.ipynb").read_bytes())
    with step(page, "validate: open 09 solved but with dZ missing 1/M and press Validate"):
        open_notebook(page, lab, f"{a}/{mistaken.name}")
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar").get_by_text("Validate").click()
        dialog.locator("#validation-message").wait_for(timeout=240_000)
    with step(page, "validate: 09's Russian message about 1/M is visible without scrolling"):
        text = dialog.locator("#validation-message").inner_text()
        assert text.count("The following cell failed") == 1, text[:800]
        assert "checks.check_softmax_cross_entropy(softmax_cross_entropy)" in text, text[:800]
        assert not any(w in text for w in COURSE_INTERNALS), text
        for needle in ("dZ: неверное значение.", "Подсказка: потери усредняются по пакету: dZ = (y − t) / M"):
            where = page.evaluate(WHERE_SHOWN, needle)
            assert where and where["inWindow"] and where["visible"] and not where["scrolled"], (needle, where)
    with step(page, "validate: close 09's dialog"):
        dialog.get_by_role("button", name="Ok").click()
        dialog.wait_for(state="detached")


INSTRUCTOR_TOOLS = ["Formgrader", "Create Assignment", "Assignment List", "Course List"]


def nbgrader_items(page) -> list[str]:
    """What of nbgrader's instructor tools the open lab shows: menu items, sidebar panels."""
    found = []
    labels = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    if "Nbgrader" in labels:
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Nbgrader$")).click()
        page.locator(".lm-Menu-item").first.wait_for()
        found += [t for t in page.locator(".lm-Menu-itemLabel").all_inner_texts() if t in INSTRUCTOR_TOOLS]
        page.keyboard.press("Escape")
    for tool in INSTRUCTOR_TOOLS:
        if page.locator(f'.jp-SideBar [title*="{tool}"], .jp-SideBar [aria-label*="{tool}"]').count():
            found.append(tool)
    return found


def test_make_lab_as_root_gives_students_the_notebooks_and_validate_only(page, lab):
    with step(page, "lab: make lab (as root) serves the working copy of the notebooks"):
        page.goto(f"{lab['base']}/lab/workspaces/student?reset&token={lab['token']}")
        page.locator(".jp-DirListing-item", has_text="10_temperature").wait_for()
        assert lab["get"]("/api/status")["started"]
        assert (lab["root"] / "00_intro" / "00_intro.ipynb").exists()
    with step(page, "lab: a notebook has nbgrader's Validate button"):
        open_notebook(page, lab, "00_intro/00_intro.ipynb")
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar").get_by_text("Validate").wait_for()
    with step(page, "lab: no Formgrader, Create Assignment or assignment list for students"):
        assert nbgrader_items(page) == []


def test_instructors_lab_has_nbgrader_s_tools(page, tmp_path_factory):
    """The positive control of the test above: with INSTRUCTOR=1 the same checks find them."""
    with running_lab(tmp_path_factory.mktemp("instructor-home"), INSTRUCTOR="1",
                     LAB_DIR=str(tmp_path_factory.mktemp("instructor-work") / "work")) as (base, token, _):
        with step(page, "lab: the instructor's lab (make lab INSTRUCTOR=1)"):
            page.goto(f"{base}/lab/workspaces/instructor?reset&token={token}")
            page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for()
            found = nbgrader_items(page)
            assert "Formgrader" in found and "Create Assignment" in found, found


@pytest.fixture(scope="module")
def feedback_page(repo, tmp_path_factory):
    """A real feedback HTML: `bpcourse grade` of one solved 10_temperature."""
    tmp = tmp_path_factory.mktemp("feedback")
    a = "10_temperature"
    sub = tmp / "class" / "solved" / a
    sub.mkdir(parents=True)
    (sub / f"{a}.ipynb").write_bytes((repo / "samples" / "class" / "solved" / a / f"{a}.ipynb").read_bytes())
    subprocess.run([str(Path(sys.executable).parent / "bpcourse"), "grade", str(tmp / "class"), "--out", str(tmp / "out"),
                    "--assignment", a, "--jobs", "1"], check=True, capture_output=True, timeout=900)
    return tmp / "out" / "feedback" / "solved" / a / f"{a}.html"


def test_feedback_page_is_russian_and_renders_its_formulas_offline(feedback_page):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
        asked = []
        context.route("**/*", lambda route: (asked.append(route.request.url), route.abort())
                      if not route.request.url.startswith(("file:", "data:")) else route.continue_())
        pg = context.new_page()
        try:
            with step(pg, "feedback: open the page from disk, offline"):
                pg.goto(feedback_page.as_uri())
                pg.wait_for_load_state("load")
                text = pg.locator("body").inner_text()
                for word in ["Ваше решение", "баллы:", "(наверх)", "Скрытая проверка"]:   # the verdict lines
                    assert word in text, word
                for word in ["Student's answer", "Score:", "(Top)", "Comments:"]:
                    assert word not in text, word
            formulas = pg.locator("img.bp-math")
            display = pg.locator(".bp-math-display").first
            with step(pg, "feedback: every formula is drawn", show=display):
                n = formulas.count()
                assert n > 20, n
                pg.wait_for_function("[...document.querySelectorAll('img.bp-math')]"
                                     ".every(i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 5)")
                assert pg.locator(".bp-math-raw").count() == 0
                assert "$" not in display.inner_text() and asked == [], asked
        finally:
            context.close()
            browser.close()


def solved_copy(lab, repo, a: str) -> str:
    """The solved sample of ``a`` copied into the lab's working directory; its path there."""
    dest = lab["root"] / "solved" / a
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"{a}.ipynb").write_bytes((repo / "samples" / "class" / "solved" / a / f"{a}.ipynb").read_bytes())
    return f"solved/{a}/{a}.ipynb"


def shown_image(cell):
    """The one image of ``cell``'s output, drawn (not an empty placeholder)."""
    img = cell.locator(".jp-OutputArea img")
    assert img.count() == 1, img.count()
    width = img.evaluate("i => i.complete ? i.naturalWidth : 0")
    assert width > 300, width
    return img


def test_the_graphs_of_01_and_02_are_drawn(page, lab, repo):
    """The figures a student looks at (their geometry — no edge through a node, readable and
    distinct labels — is tested in tests/test_graphs.py; here: drawn in JupyterLab, screenshots)."""
    with step(page, "01: open a solved notebook"):
        open_notebook(page, lab, solved_copy(lab, repo, "01_chain_rule"))
    cell = code_cell(page, "def draw_chain_graph(values, derivs, title):")
    with step(page, "01: the computation graph of f(x, y) with its edge derivatives", show=cell.locator("img")):
        run_all_until(page, cell, "по путям", timeout=180)
        shown_image(cell)
        assert "Граф не нарисован" not in cell.locator(".jp-OutputArea").inner_text()
    with step(page, "02: open a solved notebook"):
        open_notebook(page, lab, solved_copy(lab, repo, "02_reverse_mode"))
    neuron = code_cell(page, "draw_graph(L, title=")
    with step(page, "02: the neuron's graph: leaves w, x, b, t", show=neuron.locator("img")):
        run_all_until(page, neuron, "∂L/∂w", timeout=180)
        shown_image(neuron)
        assert "∂L/∂b" in neuron.locator(".jp-OutputArea").inner_text()


def test_09_run_top_to_bottom_before_the_exercises_says_what_to_solve(page, lab):
    """(CodeMirror draws only the lines of a long cell near the screen: cells are found by
    their first line.)"""
    from playwright.sync_api import expect

    with step(page, "09: open the released notebook"):
        open_notebook(page, lab, "09_softmax_cross_entropy/09_softmax_cross_entropy.ipynb")
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    with step(page, "09: run every cell from top to bottom, one by one"):
        for i in range(cells.count()):
            cell = cells.nth(i)
            run_cell(page, cell)
            expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=180_000)
    plot = code_cell(page, "def composed_vs_fused(scale, dtype")
    with step(page, "09: the float32 plot cell asks for exercises 1, 4 and 5 instead of empty axes",
              show=plot.locator(".jp-OutputArea")):
        out = plot.locator(".jp-OutputArea")
        assert out.inner_text().strip() == "Сначала решите упражнения 1, 4 и 5 — тогда здесь появится график."
        assert out.locator("img").count() == 0
    digits = code_cell(page, "from sklearn.datasets import load_digits")
    with step(page, "09: the classifier cell asks for exercise 4", show=digits.locator(".jp-OutputArea")):
        assert "Сначала решите упражнение 4" in digits.locator(".jp-OutputArea").inner_text()
        # nowhere an empty or broken picture
        assert page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea img").count() == 0


FORWARD_222 = '''def forward_222(w, i1, i2, t1, t2, b1, b2):
    w1, w2, w3, w4, w5, w6, w7, w8 = w
    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
    o1 = sigmoid(w5 * h1 + w6 * h2 + b2)
    o2 = sigmoid(w7 * h1 + w8 * h2 + b2)
    return h1, h2, o1, o2, ((t1 - o1) ** 2 + (t2 - o2) ** 2) / 2'''


def test_04_a_check_passes_and_names_a_forgotten_hidden_sigmoid(page, lab):
    with step(page, "04: open the released notebook"):
        open_notebook(page, lab, "04_network_by_hand/04_network_by_hand.ipynb")
    solution = code_cell(page, "def forward_222(w, i1, i2, t1, t2, b1, b2):")
    check = code_cell(page, "Проверка forward_222")
    with step(page, "04: a correct forward pass passes its check against the published figures", show=check):
        set_cell_source(page, solution, FORWARD_222)
        run_all_until(page, check, "верно", timeout=180)
        out = check.locator(".jp-OutputArea").inner_text()
        assert "✔ forward_222" in out and "CheckError" not in out, out
    with step(page, "04: the hidden layer's sigmoid left out: the check names it", show=check):
        set_cell_source(page, solution, FORWARD_222.replace("h1 = sigmoid(w1 * i1 + w2 * i2 + b1)", "h1 = w1 * i1 + w2 * i2 + b1")
                        .replace("h2 = sigmoid(w3 * i1 + w4 * i2 + b1)", "h2 = w3 * i1 + w4 * i2 + b1"))
        run_all_until(page, check, "CheckError", timeout=180)
        out = check.locator(".jp-OutputArea").inner_text()
        assert out.lstrip().startswith("CheckError: forward_222"), out
        assert "сигмоида скрытого слоя пропущена" in out, out
        assert not any(w in out for w in COURSE_INTERNALS), out


CANVAS_SUM = """() => {
    const c = document.querySelector('.bp-pg-boundary');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0, colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
        h = (Math.imul(h, 31) + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0;
        if (i % 64 === 0) colours.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
    }
    return {sum: h, colours: colours.size};
}"""


def playground_state(page) -> dict:
    """What the page shows: the boundary canvas's checksum, the losses and counters drawn."""
    state = page.evaluate(CANVAS_SUM)
    root = page.locator(".bp-playground")
    state.update(train=page.locator(".bp-pg-train").inner_text(), test=page.locator(".bp-pg-test").inner_text(),
                 step=root.get_attribute("data-step"), frame=root.get_attribute("data-frame"),
                 fps=root.get_attribute("data-fps"), draw_ms=root.get_attribute("data-draw-ms"),
                 wait_ms=root.get_attribute("data-wait-ms"))
    return state


def test_08_the_training_playground_trains_live_in_the_browser(page, lab):
    """The released notebook, exercises blank: the playground runs on bpcourse.nn by default."""
    from playwright.sync_api import expect

    with step(page, "08: open the released notebook"):
        open_notebook(page, lab, "08_training/08_training.ipynb")
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    playground_cell = code_cell(page, "from bpcourse.playground import Playground")
    with step(page, "08: run the cells one by one up to the playground (unsolved checks fail on their own)"):
        for i in range(cells.count()):
            cell = cells.nth(i)
            for attempt in range(5):     # right after opening, Ctrl+Enter may come before the commands work
                run_cell(page, cell)
                if cell.locator(".jp-InputPrompt").inner_text().strip() != "[ ]:":
                    break
                page.wait_for_timeout(1000)
            expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=180_000)
            if "from bpcourse.playground import Playground" in cell.locator(".jp-InputArea").inner_text():
                break
        else:
            raise AssertionError("no playground cell")
        out = playground_cell.locator(".jp-OutputArea")
        assert "Error" not in out.inner_text(), out.inner_text()[:500]
    root = page.locator(".bp-playground")
    play = page.locator(".widget-toggle-button")
    with step(page, "08: the playground is drawn: controls, the boundary with the points, the losses", show=root):
        root.wait_for()
        page.wait_for_function("document.querySelector('.bp-playground').dataset.frame >= 1 && "
                               "/^\\d/.test(document.querySelector('.bp-pg-train').textContent)")
        for label in ("данные", "шум", "скрытые слои", "активация", "скорость обучения α", "размер пакета"):
            assert page.locator(".widget-label", has_text=label).count() >= 1, label
        expect(play).to_have_text("▶ пуск")
        before = playground_state(page)
        assert before["step"] == "0" and before["colours"] > 3, before     # a shaded grid, not a blank canvas
        assert "модель: bpcourse.nn" in page.locator(".jp-OutputArea", has=root).inner_text()
    with step(page, "08: press play: the loss and the boundary change as it trains", show=root):
        play.click()
        expect(play).to_have_text("❚❚ пауза")
        page.wait_for_function(
            "([train, sum]) => +document.querySelector('.bp-playground').dataset.step >= 100 && "
            f"document.querySelector('.bp-pg-train').textContent !== train && ({CANVAS_SUM})().sum !== sum",
            arg=[before["train"], before["sum"]], timeout=60_000)
        playing = playground_state(page)
        print(f"\nplayground in Chromium: {playing['fps']} frames per second (frame {playing['frame']}; "
              f"drawing {playing['draw_ms']} ms, tick to frame {playing['wait_ms']} ms)")
        assert playing["sum"] != before["sum"] and playing["train"] != before["train"], (before, playing)
        assert int(playing["step"]) > 0 and playing["colours"] > 3, playing
    with step(page, "08: it keeps training: the loss falls on the circles", show=root):
        page.wait_for_function("+document.querySelector('.bp-playground').dataset.step >= 1000", timeout=120_000)
        trained = playground_state(page)
        assert float(trained["train"]) < float(before["train"]), (before, trained)
    with step(page, "08: pause: no more frames", show=root):
        play.click()
        expect(play).to_have_text("▶ пуск")
        page.wait_for_timeout(1000)                      # a frame asked for before the click may land
        paused = playground_state(page)
        page.wait_for_timeout(1500)
        assert playground_state(page)["step"] == paused["step"], paused
    with step(page, "08: change the data set to XOR: new points, new weights, the page redraws", show=root):
        page.locator(".widget-dropdown", has_text="данные").locator("select").select_option(label="XOR")
        page.wait_for_function("document.querySelector('.bp-playground').dataset.step === '0'")
        xor = playground_state(page)
        assert xor["sum"] != paused["sum"] and xor["train"] != paused["train"], (paused, xor)
    with step(page, "08: learning rate 3 and one step at a time: the step counter and the canvas move", show=root):
        page.locator(".widget-dropdown", has_text="скорость обучения").locator("select").select_option(label="3")
        wait_idle(page)
        page.get_by_role("button", name="шаг", exact=True).click()
        page.wait_for_function("document.querySelector('.bp-playground').dataset.step === '2'")
        stepped = playground_state(page)
        assert stepped["sum"] != xor["sum"] and stepped["train"] != xor["train"], (xor, stepped)
    with step(page, "08: play on XOR at learning rate 3", show=root):
        play.click()
        page.wait_for_function("+document.querySelector('.bp-playground').dataset.step >= 600", timeout=120_000)
        play.click()
        expect(play).to_have_text("▶ пуск")
        wait_idle(page)
        assert page.locator(".jp-OutputArea", has=root).locator(".jp-RenderedText[data-mime-type*='stderr']").count() == 0
