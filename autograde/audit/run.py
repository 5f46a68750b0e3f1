"""The audit proper: every mutant of every graded exercise through both channels."""
from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from autograde.audit import notebook as nbrun
from autograde.audit.mutate import MAY_BE_IDENTITY, Mutant, mutants

SURVIVORS_FILE = Path(__file__).resolve().parents[1] / "audit_survivors.toml"
SECRET = "mutation-audit"
STUDENTS = ("audit-student-1", "audit-student-2", "audit-student-3")
EQUIVALENCE_STUDENTS = tuple(f"audit-equivalence-{i}" for i in range(20))
BAR = 95.0          # % of the non-equivalent mutants the hidden checks must catch
TIMEOUT = 5.0       # seconds for each channel of one mutant


@dataclass
class Outcome:
    """What happened to one mutant."""

    mutant: Mutant
    hidden: str            # "caught", "survived", "uneven", "timeout"
    visible: bool          # the visible part raised (or hung)
    equivalent: bool = False   # may be an identity, and same outputs as the solution on 20 students
    detail: str = ""       # verdicts for an uneven mutant, the error of a broken run


@dataclass
class ExerciseReport:
    assignment: str
    exercise: str
    outcomes: list[Outcome] = field(default_factory=list)
    reviewed: dict[str, str] = field(default_factory=dict)   # survivor key -> why (from the file)
    error: str = ""          # the unmutated solution itself fails: the audit cannot judge
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def auto_equivalent(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.hidden == "survived" and o.equivalent]

    @property
    def reviewed_survivors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.hidden == "survived" and not o.equivalent and o.mutant.key in self.reviewed]

    @property
    def unreviewed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.hidden == "survived" and not o.equivalent
                and o.mutant.key not in self.reviewed]

    @property
    def uneven(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.hidden == "uneven"]

    @property
    def timeouts(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.hidden == "timeout"]

    @property
    def stale(self) -> list[str]:
        """Reviewed keys that no surviving mutant has any more."""
        alive = {o.mutant.key for o in self.outcomes if o.hidden == "survived"}
        return sorted(set(self.reviewed) - alive)

    @property
    def denominator(self) -> int:
        """Mutants that are not equivalent (automatically or by review)."""
        return self.total - len(self.auto_equivalent) - len(self.reviewed_survivors)

    @property
    def caught_hidden(self) -> int:
        return sum(o.hidden in ("caught", "timeout") for o in self.outcomes)

    @property
    def caught_visible(self) -> int:
        equivalent = {id(o) for o in self.auto_equivalent + self.reviewed_survivors}
        return sum(o.visible for o in self.outcomes if id(o) not in equivalent)

    @property
    def hidden_share(self) -> float:
        return 100.0 * self.caught_hidden / self.denominator if self.denominator else 100.0

    @property
    def visible_share(self) -> float:
        return 100.0 * self.caught_visible / self.denominator if self.denominator else 100.0

    @property
    def ok(self) -> bool:
        return not self.error and self.hidden_share >= BAR and not self.unreviewed and not self.uneven


# --- reviewed survivors -------------------------------------------------------------------------

def reviewed(path: Path = SURVIVORS_FILE) -> dict[tuple[str, str], dict[str, str]]:
    """{(assignment, exercise): {mutant key: why}} from the reviewed survivors file."""
    if not path.is_file():
        return {}
    with open(path, "rb") as f:
        data = tomllib.load(f)
    out: dict = {}
    for entry in data.get("survivor", []):
        why = entry.get("why", "").strip()
        if not why:
            raise ValueError(f"{path}: survivor {entry.get('mutant')!r} has no reason ('why')")
        out.setdefault((entry["assignment"], entry["exercise"]), {})[entry["mutant"]] = why
    return out


# --- one exercise ---------------------------------------------------------------------------------

def graded_exercises(assignments: list[str] | None = None) -> list[tuple[str, str]]:
    from autograde import hidden

    names = assignments or hidden.assignments()
    return [(a, ex.name) for a in names for ex in hidden.exercises(a)]


def _exercise(name: str):
    from autograde import hidden

    return hidden.catalog()[name]


def _run_mutant(assignment: str, exercise: str, code: str, ns: dict, student_cases: list,
                equivalence_cases: tuple | None, timeout: float) -> dict:
    """In a forked child: the mutated solution cell, then the hidden and the visible channel;
    with ``equivalence_cases`` = (the unmutated solution's outputs, their inputs), whether the mutant's
    outputs are the same on those inputs."""
    from autograde.verify import verify

    ex = _exercise(exercise)
    every = nbrun.cells(assignment)
    sol = nbrun.solution_cell(assignment, exercise)
    test = nbrun.test_cell(assignment, ex.test_cell_id)
    result = {"hidden": [], "visible": False, "equivalent": False, "messages": []}
    captured: dict = {}
    recorded: list = []
    phase = ["cell"]

    def on_record(name, fn):   # where the kernel's record() runs: the student's calls, now
        captured.setdefault(name, fn)
        if name == exercise and phase[0] == "cell":
            phase[0] = "hidden"
            recorded.extend(nbrun.record_outputs(exercise, fn, cases) for cases in student_cases)
            phase[0] = "visible"

    try:
        with nbrun.alarm(timeout * 3):
            nbrun.run_code(code, ns, exercise)
            for c in every:   # cells between the solution and its test cell, as in the notebook
                if sol.index < c.index < test.index:
                    nbrun.run_cell(assignment, c, ns, {})
            error = nbrun.run_test_cell(test, ns, on_record)
        result["visible"] = error is not None
        if error is not None:
            result["messages"].append(f"the test cell raised {type(error).__name__}: {str(error)[:300]}")
    except nbrun.Timeout:
        if phase[0] != "visible":   # the cell, or the student's function on the hidden inputs, hung
            return dict(result, hidden="timeout", visible=True)
        result["visible"] = True    # in the kernel: the cell times out and scores 0
    for i, cases in enumerate(student_cases):
        v = verify(ex, cases, recorded[i] if i < len(recorded) else None)
        result["hidden"].append(v.passed)
        result["messages"].append(v.message)
    fn = captured.get(exercise)
    if equivalence_cases is not None and result["hidden"] != "timeout" and all(result["hidden"]) \
            and not result["visible"]:
        baseline_outputs, cases_list = equivalence_cases
        try:
            with nbrun.alarm(timeout * 2):
                result["equivalent"] = all(
                    same_outputs(nbrun.record_outputs(exercise, fn, cases), base)
                    for cases, base in zip(cases_list, baseline_outputs))
        except nbrun.Timeout:
            pass
    return result


def _baseline(assignment: str, exercise: str, code: str, ns: dict, cases_list: list) -> list:
    """In a forked child: what the unmutated solution records on each of ``cases_list``."""
    ex = _exercise(exercise)
    captured: dict = {}
    nbrun.run_code(code, ns, exercise)
    nbrun.run_test_cell(nbrun.test_cell(assignment, ex.test_cell_id), ns, lambda name, fn: captured.setdefault(name, fn))
    return [nbrun.record_outputs(exercise, captured[exercise], cases) for cases in cases_list]


def same_outputs(a: dict | None, b: dict | None, rtol: float = 1e-12) -> bool:
    """Two recorded outputs hold the same results: the same exceptions, the same shapes, values
    equal to ``rtol`` (NaN equal to NaN)."""
    import numpy as np

    from autograde.verify import _as_array, _student_leaves

    if a is None or b is None or len(a.get("results", [])) != len(b.get("results", [])):
        return False
    for ra, rb in zip(a["results"], b["results"]):
        if "raised" in ra or "raised" in rb:
            if ra.get("raised") != rb.get("raised"):
                return False
            continue
        la, lb = _student_leaves(ra), _student_leaves(rb)
        if len(la) != len(lb):
            return False
        for x, y in zip(la, lb):
            xa, ya = _as_array(x), _as_array(y)
            if xa is None or ya is None or xa.shape != ya.shape \
                    or not np.allclose(xa, ya, rtol=rtol, atol=0.0, equal_nan=True):
                return False
        if ra.get("mutated") != rb.get("mutated"):
            return False
    return True


def audit_exercise(assignment: str, exercise: str, timeout: float = TIMEOUT,
                   review: dict | None = None) -> ExerciseReport:
    """Every mutant of one exercise; runs in the current process, one forked child per mutant."""
    from autograde import hidden

    start = time.monotonic()
    nbrun.prepare_process()
    report = ExerciseReport(assignment, exercise,
                            reviewed=(review if review is not None else reviewed()).get((assignment, exercise), {}))
    try:
        sol = nbrun.solution_cell(assignment, exercise)
        nbrun.test_cell(assignment, _exercise(exercise).test_cell_id)
    except StopIteration:
        report.error = f"the source notebook has no solution cell {exercise!r} or no test cell check_{exercise}"
        return report
    ex = next(e for e in hidden.exercises(assignment) if e.name == exercise)
    student_cases = [hidden.exercise_cases(SECRET, s, assignment, ex) for s in STUDENTS]
    equivalence_cases = [hidden.exercise_cases(SECRET, s, assignment, ex) for s in EQUIVALENCE_STUDENTS]
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="bpcourse-audit-") as tmp:
        os.chdir(tmp)
        try:
            ns = nbrun.new_namespace()
            nbrun.run_prefix(assignment, sol.index, ns)
            status, base = nbrun.in_child(_run_mutant, assignment, exercise, sol.source, ns, student_cases,
                                          None, timeout, timeout=timeout * 6)
            if status != "ok" or base["hidden"] == "timeout" or not all(base["hidden"]) or base["visible"]:
                report.error = (f"the unmutated solution does not pass: {status} "
                                f"{base if status != 'ok' else base['messages'][:2]}")[:600]
                return report
            status, baseline = nbrun.in_child(_baseline, assignment, exercise, sol.source, ns, equivalence_cases,
                                              timeout=timeout * 6)
            if status != "ok":
                report.error = f"the unmutated solution fails on the equivalence inputs: {status} {baseline}"[:1500]
                return report
            for m in mutants(sol.source):
                may_be_identity = m.op.split(" #")[0] in MAY_BE_IDENTITY
                report.outcomes.append(_judge(m, nbrun.in_child(
                    _run_mutant, assignment, exercise, m.code, ns, student_cases,
                    (baseline, equivalence_cases) if may_be_identity else None, timeout,
                    timeout=timeout * 6)))
        finally:
            os.chdir(cwd)
    report.seconds = time.monotonic() - start
    return report


def _judge(m: Mutant, run: tuple) -> Outcome:
    status, r = run
    if status == "timeout":
        return Outcome(m, "timeout", True, detail="the run was killed")
    if status == "error":   # the audit's own machinery failed for this mutant: count it against
        return Outcome(m, "survived", False, detail=f"audit error: {r}")
    if r["hidden"] == "timeout":
        return Outcome(m, "timeout", r["visible"], detail="the hidden channel hung")
    failed = [not p for p in r["hidden"]]
    if all(failed):
        hidden_state = "caught"
    elif any(failed):
        hidden_state = "uneven"
    else:
        hidden_state = "survived"
    equivalent = bool(r["equivalent"])
    detail = "; ".join(f"{s}: {'fails' if f else 'passes'}" for s, f in zip(STUDENTS, failed)) \
        if hidden_state == "uneven" else ""
    return Outcome(m, hidden_state, r["visible"], equivalent, detail)


# --- everything ----------------------------------------------------------------------------------

def _task(args):
    assignment, exercise, timeout, review = args
    return audit_exercise(assignment, exercise, timeout, review)


def audit(assignments: list[str] | None = None, jobs: int = 2, timeout: float = TIMEOUT) -> list[ExerciseReport]:
    """Reports of every graded exercise of ``assignments`` (every graded assignment by default), in order."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")   # one BLAS thread: the workers fork per mutant
    review = reviewed()
    tasks = [(a, e, timeout, review) for a, e in graded_exercises(assignments)]
    # the longest exercises first, so that the two workers finish together
    if jobs <= 1:
        reports = [_task(t) for t in tasks]
    else:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(jobs) as pool:
            reports = pool.map(_task, tasks, chunksize=1)
    return reports
