"""A source notebook run in-process, as a student's submission would run in the grading kernel.

No kernel and no nbgrader: the code cells of ``source/<a>/<a>.py`` are executed with ``exec``
in one namespace, in notebook order, with some solution cells replaced. A test cell is executed
whole, with :func:`bpcourse.grading.record` replaced by a function of ours: where the hidden
region calls ``record("<exercise>", fn)`` we learn which callable the notebook grades and run
it, right there, through the real ``record`` on students' hidden inputs (a cases file written
as ``autograde.grade`` writes it); the outputs are judged by the trusted
:func:`autograde.verify.verify` — the same path as real grading, minus the kernel. Whether the
cell raises is the visible channel's verdict. (The hidden region cannot be run on its own: it
may sit inside a block, e.g. ``with np.errstate(...)``.)

Each run happens in a forked child (:func:`in_child`): a mutant may hang, loop, or change
global state, and must affect nothing else; the parent kills it after a time limit.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import select
import signal
import time
import traceback
from dataclasses import dataclass
from functools import lru_cache

from bpcourse.grading import record as REAL_RECORD   # before any test cell replaces it

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Cell:
    """One code cell: ``kind`` is "code" (not graded), "solution" or "test"."""

    index: int
    kind: str
    grade_id: str | None
    source: str


@lru_cache(maxsize=None)
def cells(assignment: str) -> tuple[Cell, ...]:
    """The code cells of the source notebook of ``assignment``."""
    from autograde.source import read_source

    out = []
    for i, c in enumerate(read_source(assignment).cells):
        if c.cell_type != "code":
            continue
        meta = c.metadata.get("nbgrader", {})
        if meta.get("solution"):
            kind = "solution"
        elif meta.get("grade"):
            kind = "test"
        else:
            kind = "code"
        out.append(Cell(i, kind, meta.get("grade_id"), c.source))
    return tuple(out)


def solution_cell(assignment: str, grade_id: str) -> Cell:
    return next(c for c in cells(assignment) if c.kind == "solution" and c.grade_id == grade_id)


def test_cell(assignment: str, grade_id: str) -> Cell:
    return next(c for c in cells(assignment) if c.kind == "test" and c.grade_id == grade_id)


# --- execution ----------------------------------------------------------------------------------

class Timeout(BaseException):
    """Raised by the alarm inside a child: a part of the run took too long."""


def prepare_process() -> None:
    """Once per process: headless matplotlib, grading mode (explorers stay off), one BLAS thread."""
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")


def warm(assignment: str) -> None:
    """Fill this process's caches (the parsed notebook, imports, pyplot on Agg) before forking
    children, so that each child does not pay for them again. No change of the environment."""
    import matplotlib

    import autograde.verify  # noqa: F401
    from autograde import hidden

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    cells(assignment)
    hidden.exercises(assignment)


def new_namespace() -> dict:
    return {"__name__": "__main__", "display": lambda *a, **k: None}


@contextlib.contextmanager
def quiet():
    """Student output (stdout, stderr, warnings) goes nowhere."""
    import warnings

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def run_code(source: str, ns: dict, name: str) -> BaseException | None:
    """Execute one cell's code in ``ns``; the exception it raised (None if it ran through).

    A cell that raises does not stop the notebook (nbgrader grades with errors allowed)."""
    try:
        with quiet():
            exec(compile(source, f"<{name}>", "exec"), ns)  # noqa: S102 - the whole point
    except Timeout:
        raise
    except BaseException as e:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: a failed cell too
        return e
    finally:
        _close_figures()
    return None


def _close_figures() -> None:
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


@contextlib.contextmanager
def alarm(seconds: float):
    """Raise :class:`Timeout` in this process after ``seconds`` (only in a forked child)."""
    def on_alarm(signum, frame):
        raise Timeout()

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def recording_disabled():
    """``record`` does nothing (as outside grading): for the test cells of other exercises."""
    import bpcourse.grading as grading

    real = grading.record
    grading.record = lambda *a, **k: None
    try:
        yield
    finally:
        grading.record = real


def run_test_cell(test: Cell, ns: dict, on_record) -> BaseException | None:
    """Run the whole test cell with ``record`` replaced by ``on_record(exercise, callable)``;
    the exception the cell raised, or None.

    The hidden region (possibly indented, e.g. inside a ``with``, so it cannot run alone) comes
    first in a test cell: ``on_record`` runs where the kernel's ``record`` would, before any
    visible check, and a visible failure after it does not undo it — as in the kernel. The
    exception is the visible channel's verdict."""
    import bpcourse.grading as grading

    real = grading.record
    grading.record = on_record
    try:
        return run_code(test.source, ns, test.grade_id)
    finally:
        grading.record = real


def record_outputs(exercise: str, fn, cases: list) -> dict | None:
    """What the grading kernel would record for ``fn`` on ``cases``: the real
    :func:`bpcourse.grading.record`, run in the current directory on a cases file written as
    ``autograde.grade.stage`` writes it; then read back as ``autograde.worker`` reads it."""
    import shutil

    from autograde.verify import read_outputs
    from bpcourse.cases import CASES_FILE, OUTPUT_DIR, encode

    shutil.rmtree(OUTPUT_DIR, ignore_errors=True)
    encoded = {exercise: [{k: encode(v) for k, v in case.items()} for case in cases]}
    with open(CASES_FILE, "w", encoding="utf-8") as f:
        json.dump(encoded, f)
    try:
        with quiet():
            REAL_RECORD(exercise, fn)
    finally:
        os.remove(CASES_FILE)
    return read_outputs(".", exercise)


def run_prefix(assignment: str, until: int, ns: dict, replace: dict[str, str] | None = None) -> None:
    """Execute the code cells before notebook cell ``until``: solution and plain cells, and test
    cells with ``record`` disabled (their visible checks run, as in the kernel)."""
    replace = replace or {}
    for c in cells(assignment):
        if c.index >= until:
            break
        run_cell(assignment, c, ns, replace)


def run_cell(assignment: str, c: Cell, ns: dict, replace: dict[str, str]) -> BaseException | None:
    if c.kind == "test":
        with recording_disabled():
            return run_code(c.source, ns, c.grade_id)
    source = replace.get(c.grade_id, c.source) if c.kind == "solution" else c.source
    return run_code(source, ns, c.grade_id or f"cell {c.index}")


def visible_failures(assignment: str, replace: dict[str, str]) -> dict[str, str]:
    """The whole notebook (up to its last test cell) with ``replace`` put into its solution
    cells: {test grade id: exception} for every test cell whose visible part raised."""
    ns = new_namespace()
    every = cells(assignment)
    last = max(c.index for c in every if c.kind == "test")
    failed = {}
    for c in every:
        if c.index > last:
            break
        if c.kind == "test":
            e = run_test_cell(c, ns, lambda name, fn: None)
            if e is not None:
                failed[c.grade_id] = f"{type(e).__name__}: {e}"[:300]
        else:
            run_cell(assignment, c, ns, replace)
    return failed


# --- forked children ----------------------------------------------------------------------------

def in_child(fn, *args, timeout: float = 30.0):
    """``fn(*args)`` in a forked child; ("ok", value), ("error", traceback) or ("timeout", None).

    The child starts from this process's state (the namespace built so far included) and ends
    with ``os._exit``; whatever the student's code does to its state dies with it."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        try:
            try:
                payload = ("ok", fn(*args))
            except BaseException:  # noqa: BLE001
                payload = ("error", traceback.format_exc()[-2000:])
            data = pickle.dumps(payload)
        except BaseException:  # noqa: BLE001 - an unpicklable result
            data = pickle.dumps(("error", traceback.format_exc()[-2000:]))
        with os.fdopen(w, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(w)
    chunks, deadline = [], time.monotonic() + timeout
    with os.fdopen(r, "rb") as f:
        fd = f.fileno()
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return ("timeout", None)
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - the child died before writing
        return ("error", "the child process died without a result")


# --- a whole notebook, graded in-process ---------------------------------------------------------

def grade_in_process(assignment: str, replace: dict[str, str], students: tuple[str, ...],
                     secret: str = "in-process") -> dict[str, dict]:
    """The notebook (up to its last test cell) with ``replace`` put into its solution cells,
    graded as the kernel and the trusted verdict would: for every exercise of the registry,
    ``{"visible": the test cell's exception or None, "hidden": [verdict message if it failed,
    else None, for each student]}``.

    Changes this process's state (working directory, environment): run it in :func:`in_child`.
    """
    import tempfile

    from autograde import hidden
    from autograde.verify import verify

    prepare_process()
    exercises = {ex.test_cell_id: ex for ex in hidden.exercises(assignment)}
    every = cells(assignment)
    last = max(c.index for c in every if c.kind == "test")
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bpcourse-inprocess-") as tmp:
        os.chdir(tmp)
        ns = new_namespace()
        for c in every:
            if c.index > last:
                break
            if c.kind != "test":
                run_cell(assignment, c, ns, replace)
                continue
            ex = exercises.get(c.grade_id)
            cases = [hidden.exercise_cases(secret, s, assignment, ex) for s in students] if ex else []
            recorded: dict = {}

            def on_record(name, fn, ex=ex, cases=cases, recorded=recorded):
                if ex is not None and name == ex.name and not recorded:
                    recorded.update(enumerate(record_outputs(name, fn, cs) for cs in cases))

            error = run_test_cell(c, ns, on_record)
            if ex is None:
                continue
            verdicts = []
            for i, cs in enumerate(cases):
                v = verify(ex, cs, recorded.get(i))
                verdicts.append(None if v.passed else v.message)
            out[ex.name] = {"visible": None if error is None else f"{type(error).__name__}: {error}"[:500],
                            "hidden": verdicts}
    return out
