"""The documentation's links and paths: every one resolves to a file inside the repository.

Checked in README.md and docs/*.md:
- markdown links and images ``[text](target)``: a relative target is a file or folder of the
  repository (resolved from the page's folder), and its ``#anchor`` a heading of that page;
- paths written as code (```autograde/grade.py```): one that starts at a folder or file of the
  repository's source (``autograde/``, ``tests/``, ``Makefile``…) exists, unless it is a pattern
  (``<assignment>``, ``*``, ``…``); generated folders (``demo/``, ``work/``) are not checked;
- nothing points outside the repository: no ``../`` that leaves it, no absolute path into the
  checkout or into ``/work/`` (where the course's other material lives);
- every page of docs/ is linked from the README, and the heading that bpcourse's own messages
  send an instructor to exists.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
IDS = [str(p.relative_to(REPO)) for p in PAGES]

#: the repository's source entries a path written in the docs may start with (generated folders
#: such as demo/, work/, dist/ are not here: they exist only after a command ran)
SOURCE_TOP = {"autograde", "bpcourse", "solutions", "source", "notebooks", "samples", "tests", "docs", "lab",
              "bench", ".ci", "Makefile", "README.md", "pyproject.toml", "environment.yml"}

LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HREF = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
CODE = re.compile(r"(`+)(.+?)\1", re.S)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
PATH_TOKEN = re.compile(r"[\w.~/-]*\.\./[\w.~/<>*…-]*|(?:\./)?[\w.-]+(?:/[\w.<>*…-]*)+|[\w.-]+\.(?:md|py|toml|yml|json|txt|cfg)")


def text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes."""
    h = re.sub(r"[`*_]|<[^>]+>", "", heading.strip()).lower()
    h = "".join(ch for ch in h if ch in " -" or unicodedata.category(ch)[0] in "LNM")
    return h.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    body = FENCE.sub("", text(page))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", body, re.M)}


def links(page: Path) -> list[str]:
    body = FENCE.sub("", text(page))
    body_no_code = CODE.sub("", body)
    return LINK.findall(body_no_code) + HREF.findall(body_no_code)


def code_paths(page: Path) -> list[str]:
    """Path-like words inside code spans and fenced blocks of ``page``."""
    t = text(page)
    spans = [m.group(2) for m in CODE.finditer(FENCE.sub("", t))] + [m.group(0) for m in FENCE.finditer(t)]
    found = []
    for span in spans:
        for tok in PATH_TOKEN.findall(span):
            found.append(tok.rstrip(".,:;"))
    return found


def inside(path: Path) -> bool:
    return path == REPO or REPO in path.parents


def is_external(target: str) -> bool:
    return bool(re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target))   # https:, mailto:, …


def test_the_pages_are_found():
    assert (REPO / "README.md") in PAGES and len(PAGES) >= 4, IDS


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_relative_link_resolves_inside_the_repository(page):
    bad = []
    for target in links(page):
        if is_external(target):
            continue
        where, _, anchor = target.partition("#")
        dest = (page.parent / where).resolve() if where else page
        if not inside(dest):
            bad.append(f"{target}: outside the repository ({dest})")
        elif not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            bad.append(f"{target}: no heading #{anchor} in {dest.relative_to(REPO)}")
    assert not bad, bad


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_no_path_points_outside_the_repository(page):
    t = text(page)
    bad = []
    for p in code_paths(page) + links(page):
        if "../" in p and not is_external(p):    # read from the page's folder: inside, and there
            dest = (page.parent / p.split("#")[0]).resolve()
            if not inside(dest) or not dest.exists():
                bad.append(p)
    # absolute paths into this checkout, or into /work/ (where the course's other material lives)
    for root in (str(REPO), "/work"):
        bad += [m.group(0) for m in re.finditer(re.escape(root) + r"/[^\s`)\]]*", t)]
    assert not bad, bad


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_repository_path_written_in_the_docs_exists(page):
    missing = []
    for p in code_paths(page):
        p = p.removeprefix("./")
        top = p.split("/")[0]
        if top not in SOURCE_TOP or re.search(r"[<>*…]", p):
            continue
        if not (REPO / p).exists():
            missing.append(p)
    assert not missing, missing


def test_every_page_of_docs_is_linked_from_the_readme():
    readme = set(links(REPO / "README.md"))
    unlinked = [p.name for p in PAGES[1:] if f"docs/{p.name}" not in {t.partition("#")[0] for t in readme}]
    assert not unlinked, unlinked


def test_the_instructors_guide_is_linked_from_the_grading_model():
    assert any(t.partition("#")[0] == "instructor.md" for t in links(REPO / "docs" / "grading.md"))


def test_the_section_bpcourse_sends_an_instructor_to_exists():
    """`bpcourse grade` refuses a changed assignment with a pointer to a section of the guide."""
    from autograde.grade import changed_assignment_message

    message = changed_assignment_message("00_intro", {"log": "[ERROR] something", "error": ""})
    m = re.search(r"See (docs/[\w.]+\.md), \"([^\"]+)\"", message)
    assert m, message
    page = REPO / m.group(1)
    assert page.is_file(), m.group(1)
    assert slug(m.group(2)) in anchors(page), (m.group(2), sorted(anchors(page)))


@pytest.mark.parametrize("sample, expected", [
    ("see [the guide](docs/nope.md)", ["docs/nope.md"]),
    ("see ![x](../../elsewhere.png) and <a href=\"x.md\">", ["../../elsewhere.png", "x.md"]),
])
def test_the_link_finder_finds_links(tmp_path, sample, expected):
    page = tmp_path / "p.md"
    page.write_text(sample + "\n```\n[not](a-link.md)\n```\n")
    assert links(page) == expected


def test_the_path_finder_finds_paths_in_code(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("The plan is in `../shared/COURSE.md`; the code `autograde/worker.py: f` and "
                    "`python bench/x.py --n 1`; `DIR/bpcourse-grades.csv`.\n")
    assert code_paths(page) == ["../shared/COURSE.md", "autograde/worker.py", "bench/x.py",
                                "DIR/bpcourse-grades.csv"]


def test_slugs_follow_githubs_rule():
    assert slug("Changing an assignment mid-term") == "changing-an-assignment-mid-term"
    assert slug("The `bpcourse` command") == "the-bpcourse-command"
    assert slug("What `bpcourse doctor` says") == "what-bpcourse-doctor-says"
