"""Runs inside the grading kernel: the student's function on the hidden inputs.

A hidden test cell of a source notebook calls::

    from bpcourse.grading import record
    record("<exercise>", <the student's function>)

:func:`record` reads the hidden inputs the grader wrote for this student, calls the
function on each, and writes what came back to ``.bpcourse_out/<exercise>.json``. It never
compares anything: the kernel runs student code, so a verdict reached here could be forged.
The grader compares the written outputs with the reference outside the sandbox.

While the student's function runs on hidden inputs, what it prints is not shown (a debug
``print`` would put the hidden inputs into the feedback) and nothing reaches stderr (nbgrader
scores a test cell with stderr output 0); its warnings become one short note each on stdout.

Outside grading (no cases file) it does nothing, so the source notebooks run as they are.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import warnings

from bpcourse.cases import CASES_FILE, OUTPUT_DIR, decode, encode_output
from bpcourse.checks import route_warnings, warning_note

MAX_OUTPUT_BYTES = 2_000_000
_NUMBER = re.compile(r"\d*\.\d+(?:[eE][+-]?\d+)?|\d{4,}")
MAX_MESSAGE = 300

route_warnings()  # the visible part of a test cell calls the student's code directly


def record(exercise: str, fn) -> None:
    """Call ``fn(**case)`` for each hidden case of ``exercise`` and write the outputs."""
    if not os.path.exists(CASES_FILE):
        return
    with open(CASES_FILE, encoding="utf-8") as f:
        cases = json.load(f).get(exercise, [])
    results = []
    noted: dict[tuple, str] = {}
    printed = False
    for case in cases:
        kwargs = {name: decode(value) for name, value in case.items()}
        before = copy.deepcopy(kwargs)
        sink = io.StringIO()
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            warnings.simplefilter("always")
            try:
                result = encode_output(fn(**kwargs))
            except Exception as e:  # noqa: BLE001 - the grader reports it; the cell must go on
                result = {"raised": type(e).__name__, "message": str(e)[:MAX_MESSAGE]}
        printed = printed or bool(sink.getvalue())
        for w in caught:
            text = _NUMBER.sub("…", str(w.message))   # a warning must not carry a hidden input out
            noted.setdefault((w.category.__name__, text), warning_note(text, w.category, " на скрытых входах"))
        if "raised" not in result:
            result["mutated"] = [k for k in kwargs if _changed(before[k], kwargs[k])]
        results.append(result)
    text = json.dumps({"exercise": exercise, "results": results})
    if len(text) > MAX_OUTPUT_BYTES:
        text = json.dumps({"exercise": exercise, "error": "outputs too large"})
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    with open(os.path.join(OUTPUT_DIR, f"{exercise}.json"), "w", encoding="utf-8") as f:
        f.write(text)
    for note in list(noted.values())[:5]:
        print(note)
    if printed:
        print("(то, что функция напечатала на скрытых входах, не показывается: там скрытые данные)")


def _changed(a, b) -> bool:
    """Whether the input ``a`` (a copy taken before the call) is no longer ``b``: an array
    changed in place, or a list of arrays (``Ws``, ``zs``) changed, shortened or refilled."""
    import numpy as np

    if isinstance(a, np.ndarray):
        return not (isinstance(b, np.ndarray) and a.shape == b.shape
                    and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)):
        return not (type(b) is type(a) and len(a) == len(b)) or any(_changed(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return not (isinstance(b, dict) and a.keys() == b.keys()) or any(_changed(a[k], b[k]) for k in a)
    return False


def is_grading() -> bool:
    """True while nbgrader executes the notebook (autograde or validate): skip explorers then,
    since nobody can move a slider and a widget must never hang or slow grading."""
    return os.environ.get("NBGRADER_EXECUTION") in ("autograde", "validate")
