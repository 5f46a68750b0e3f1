"""What a released notebook says: lectures by their names, references to notebooks a student has."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RELEASED = sorted((REPO / "notebooks").glob("*/*.ipynb"))
SHIPPED = {p.parent.name[:2] for p in RELEASED}

#: how the course's lecture materials are named to students (COURSE.md, "How students see the
#: lectures"); the seed files' numbers 000–004 are ours
LECTURE_NAMES = ["«Лекция 2. Алгоритм обратного распространения ошибки»",
                 "«3Blue1Brown: Алгоритм обратного распространения ошибки»",
                 "«Р. Малашин. Алгоритм обратного распространения ошибки»",
                 "«MML minor #3. Нейронные сети»"]


def text(path: Path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])


def test_there_are_released_notebooks():
    assert len(RELEASED) >= 5 and {"00", "09"} <= SHIPPED


@pytest.mark.parametrize("path", RELEASED, ids=lambda p: p.parent.name)
def test_lectures_are_cited_by_name_never_by_the_seed_files_number(path):
    t = text(path)
    numbered = re.findall(r"(?i)(?:лекци|заметк|слайд|конспект|MML|seed)\w*\s+№?\s*0\d\d\b", t)
    assert not numbered, numbered
    assert not re.search(r"\b00[0-4]_[0-9a-f]+", t)
    assert any(name in t for name in LECTURE_NAMES), path.name


@pytest.mark.parametrize("path", RELEASED, ids=lambda p: p.parent.name)
def test_every_notebook_a_notebook_mentions_is_shipped(path):
    mentioned = {n for _, n in re.findall(r"(?i)(ноутбук\w*|notebook)\s+(\d\d)\b", text(path))}
    assert mentioned <= SHIPPED, sorted(mentioned - SHIPPED)


#: nbgrader's Validate dialog prints a failed test cell's source, then its error: a check cell
#: longer than this pushes the Russian message below the dialog's fold (tests/test_browser.py)
CHECK_CELL_LINES = 12


@pytest.mark.parametrize("path", RELEASED, ids=lambda p: p.parent.name)
def test_every_visible_check_is_short_enough_for_the_validate_dialog(path):
    cells = [c for c in json.loads(path.read_text())["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert cells
    # the lines Validate shows: the cell's source, stripped as nbgrader's Validator does
    lines = {c["metadata"]["nbgrader"]["grade_id"]: len("".join(c["source"]).strip().splitlines()) for c in cells}
    too_long = {name: n for name, n in lines.items() if n > CHECK_CELL_LINES}
    assert not too_long, f"check cells over {CHECK_CELL_LINES} lines (move the checking into bpcourse.checks): {too_long}"
