"""Feedback that reveals no hidden-test content (nbgrader shows hidden tests in feedback, #917).

:class:`HideHiddenTests` runs before nbgrader's ``GetGrades`` in ``generate_feedback``: it
replaces each ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` region by one comment and
reduces the tracebacks of those cells to the error line (a traceback quotes hidden lines). The trusted verdict for the exercise reaches the
student as a grader comment under their solution cell instead.
"""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor

BEGIN = "### BEGIN HIDDEN TESTS"
END = "### END HIDDEN TESTS"
PLACEHOLDER = "# (здесь были скрытые проверки; их результат — в комментарии к вашему решению)"


def strip_hidden(source: str) -> tuple[str, list[str]]:
    """``source`` without its hidden regions, and the hidden lines that were removed."""
    kept, hidden, inside = [], [], False
    for line in source.splitlines():
        if BEGIN in line:
            inside = True
            kept.append(line[: line.index(BEGIN)] + PLACEHOLDER)
        elif END in line:
            inside = False
        elif inside:
            hidden.append(line.strip())
        else:
            kept.append(line)
    return "\n".join(kept), [h for h in hidden if h]


class HideHiddenTests(Preprocessor):
    """Remove hidden-test regions (and traceback lines quoting them) from every cell."""

    def preprocess_cell(self, cell, resources, index):
        if BEGIN not in cell.source:
            return cell, resources
        cell.source, _ = strip_hidden(cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # A traceback quotes the lines around the failing one, hidden ones included:
                # keep only the error itself, which is what a check's message is for.
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
