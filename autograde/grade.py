"""The grading pipeline: a class of submissions in, a gradebook, feedback and grades.csv out.

How a grade is computed (one submission of one assignment):

1. **Intake** (:mod:`autograde.intake`): the notebook is validated and *copied* into
   ``DIR/submitted/<student>/<assignment>/`` — the input is never modified — together with
   the student's hidden inputs (``.bpcourse_cases.json``, seeded per student).
2. **Autograde** (:mod:`autograde.worker`, one process per submission, ``--jobs`` at a time):
   nbgrader's ``autograde`` restores the test cells from the gradebook and executes the
   notebook in the sandbox kernel (:mod:`autograde.sandbox`). nbgrader scores each test
   cell: full points if it raised nothing. The hidden region of each test cell records the
   student's outputs on the hidden inputs.
3. **Verdict** (:mod:`autograde.verify`, here, outside the sandbox): the recorded outputs are
   compared with the reference. A test cell keeps nbgrader's score only if the trusted
   verdict passes too, so tampering inside the kernel cannot raise a grade. The verdict (with
   the mistake's hint, if one is recognised) is stored as the grader's comment.
4. **Feedback and grades**: nbgrader's ``generate_feedback`` (hidden tests stripped), then
   ``DIR/grades.csv`` from the gradebook.

Only this process writes verdicts; every submission's outcome is also kept in
``DIR/.bpcourse/state.json`` so that a second run on the same DIR adds to the first.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograde import course, hidden, report, sandbox
from autograde.intake import Found, IntakeError, extract_zip, scan
from autograde.source import assignments as source_assignments, read_source
from autograde.verify import read_outputs, verify
from bpcourse.cases import CASES_FILE, encode


class GradeError(RuntimeError):
    """Grading cannot start (bad arguments, no sandbox); nothing was changed."""


@dataclass(frozen=True)
class Options:
    jobs: int = 1
    timeout: int = 30                 # seconds per cell (nbgrader's Execute.timeout)
    submission_timeout: int = 600     # wall-clock seconds per submission, then the worker is killed
    memory_mb: int = sandbox.DEFAULT_MEMORY_MB
    cpu_seconds: int = sandbox.DEFAULT_CPU_SECONDS
    unsafe: bool = False


# --- the course directory -------------------------------------------------------------------

def _state_path(out: Path) -> Path:
    return out / ".bpcourse" / "state.json"


def load_state(out: Path) -> dict:
    path = _state_path(out)
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"assignments": {}, "submissions": {}}


def save_state(out: Path, state: dict) -> None:
    path = _state_path(out)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a killed run never leaves half a state file


def course_secret(out: Path) -> str:
    """``$BPCOURSE_SECRET``, or a random secret kept (mode 600) in ``DIR/.bpcourse/secret``."""
    if os.environ.get("BPCOURSE_SECRET"):
        return os.environ["BPCOURSE_SECRET"]
    path = out / ".bpcourse" / "secret"
    if not path.is_file():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def prepare_course(out: Path, assignments: list[str], state: dict) -> None:
    """Put ``assignments`` into the gradebook at ``out`` (again only if their source changed)."""
    (out / ".bpcourse").mkdir(parents=True, exist_ok=True)
    course.write_config_file(out)
    nb_api = course.api(out)
    for a in assignments:
        text = nbformat.writes(read_source(a))
        digest = hashlib.sha256(text.encode()).hexdigest()
        if state["assignments"].get(a) == digest:
            continue
        target = out / "source" / a / f"{a}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        course.check(nb_api.generate_assignment(a, force=True, create=True), f"generate_assignment {a}")
        state["assignments"][a] = digest


def stage(found: Found, out: Path, secret: str) -> None:
    """Copy the notebook (only it) into ``submitted/`` and write the student's hidden inputs."""
    dest = out / "submitted" / found.student / found.assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copyfile(found.notebook, dest / found.notebook.name)
    cases = hidden.make_cases(secret, found.student, found.assignment)
    encoded = {name: [{k: encode(v) for k, v in case.items()} for case in cs] for name, cs in cases.items()}
    (dest / CASES_FILE).write_text(json.dumps(encoded), encoding="utf-8")


# --- one submission ---------------------------------------------------------------------------

def run_worker(out: Path, found: Found, opts: Options) -> tuple[dict, float]:
    """Autograde one submission in a child process; kill its process group on overrun."""
    env = {k: v for k, v in os.environ.items() if k != "BPCOURSE_SECRET"}  # workers never need it
    with tempfile.NamedTemporaryFile(prefix="bpcourse-result-", suffix=".json", delete=False) as tmp:
        result_file = Path(tmp.name)
    cmd = [sys.executable, "-m", "autograde.worker", "--course", str(out), "--assignment", found.assignment,
           "--student", found.student, "--timeout", str(opts.timeout), "--result", str(result_file)]
    if opts.unsafe:
        cmd.append("--unsafe")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, text=True)
    try:
        _, stderr = proc.communicate(timeout=opts.submission_timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        result_file.unlink(missing_ok=True)
        return ({"success": False, "timeout": True,
                 "log": f"submission took longer than {opts.submission_timeout} s and was stopped"},
                time.perf_counter() - start)
    try:
        result = json.loads(result_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = {"success": False, "log": (stderr or "")[-5000:], "error": "worker crashed"}
    finally:
        result_file.unlink(missing_ok=True)
    return result, time.perf_counter() - start


def _failure_status(result: dict) -> tuple[str, str]:
    text = (result.get("log", "") + result.get("error", ""))
    if result.get("timeout"):
        return "timeout", result["log"]
    if "CellTimeoutError" in text:
        return "timeout", ("a cell was still running after the per-cell timeout and did not stop when "
                           "interrupted; the notebook could not be graded")
    if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text:
        return "kernel_died", ("the kernel died while executing the notebook (os._exit, a crash, "
                               "or the CPU-time limit); the notebook could not be graded")
    last = [ln for ln in text.strip().splitlines() if ln.strip()][-1:] or ["unknown error"]
    return "autograde_failed", f"nbgrader autograde failed: {last[0][:300]}"


def _cell_incidents(notebook: Path, submitted: Path, assignment: str) -> str:
    """Deleted test cells, timeouts and memory errors, for the log and the CSV."""
    try:
        nb = nbformat.read(notebook, as_version=4)
        ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
               for c in nbformat.read(submitted, as_version=4).cells}
    except Exception:  # noqa: BLE001
        return ""
    notes = []
    missing = [ex.grade_id for ex in hidden.exercises(assignment) if ex.grade_id not in ids]
    if missing:
        notes.append(f"test cells deleted from the submission: {', '.join(missing)}")
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error" and o.get("ename") in ("CellTimeoutError", "MemoryError"):
                what = "timed out" if o["ename"] == "CellTimeoutError" else "ran out of memory"
                notes.append(f"cell {cell.get('id', '?')} {what}")
    return "; ".join(dict.fromkeys(notes))


def apply_verdicts(out: Path, found: Found, secret: str) -> dict[str, bool]:
    """Trusted verdicts into the gradebook: a test cell keeps its points only if both agree."""
    cases = hidden.make_cases(secret, found.student, found.assignment)
    workdir = out / "autograded" / found.student / found.assignment
    verdicts = {}
    with Gradebook(course.config(out).CourseDirectory.db_url, course.COURSE_ID) as gb:
        sn = gb.find_submission_notebook(found.assignment, found.assignment, found.student)
        grades = {g.name: g for g in sn.grades}
        comments = {c.name: c for c in sn.comments}
        for ex in hidden.exercises(found.assignment):
            v = verify(ex, cases[ex.name], read_outputs(str(workdir), ex.name))
            g = grades.get(ex.grade_id)
            if g is None:
                continue
            kernel = g.auto_score or 0.0
            g.auto_score = kernel if v.passed else 0.0
            g.needs_manual_grade = False
            message = v.message
            if v.passed and kernel < g.max_score:
                message += (" Но видимая проверка в ячейке завершилась ошибкой (см. её вывод), "
                            "поэтому баллы не начислены.")
            if ex.name in comments:
                comments[ex.name].auto_comment = message
            verdicts[ex.name] = v.passed and kernel >= g.max_score
        gb.db.commit()
    return verdicts


def zero_submission(out: Path, found: Found, reason: str) -> None:
    """A submission that could not be executed scores 0 in the gradebook, with the reason."""
    with Gradebook(course.config(out).CourseDirectory.db_url, course.COURSE_ID) as gb:
        try:
            sn = gb.find_submission_notebook(found.assignment, found.assignment, found.student)
        except MissingEntry:
            return
        for g in sn.grades:
            g.auto_score = 0.0
            g.needs_manual_grade = False
        for c in sn.comments:
            c.auto_comment = f"Ноутбук не удалось оценить: {reason}"
        gb.db.commit()


def finish(out: Path, found: Found, result: dict, secret: str) -> tuple[str, str]:
    """Verdicts, feedback and a (status, message) for one finished worker."""
    if not result.get("success"):
        status, message = _failure_status(result)
        zero_submission(out, found, message)
        return status, message
    apply_verdicts(out, found, secret)
    notebook = out / "autograded" / found.student / found.assignment / f"{found.assignment}.ipynb"
    course.check(course.api(out).generate_feedback(found.assignment, found.student, force=True),
                 f"generate_feedback {found.student}/{found.assignment}")
    submitted = out / "submitted" / found.student / found.assignment / f"{found.assignment}.ipynb"
    return "ok", _cell_incidents(notebook, submitted, found.assignment)


# --- the class --------------------------------------------------------------------------------

def grade(submissions: Path, out: Path, *, assignments: list[str] | None = None,
          opts: Options = Options(), log: Callable[[str], None] = print) -> list[dict]:
    """Grade every submission under ``submissions`` (folder or zip) into the course at ``out``."""
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    known = source_assignments()
    if assignments:
        unknown = sorted(set(assignments) - set(known))
        if unknown:
            raise GradeError(f"unknown assignment(s): {', '.join(unknown)} (known: {', '.join(known)})")
    if not submissions.exists():
        raise GradeError(f"{submissions}: no such folder or zip file")
    if out == submissions or submissions in out.parents:
        raise GradeError("--out must not be inside the submissions folder (it must stay unmodified)")
    if not opts.unsafe:
        ok, why = sandbox.probe()
        if not ok:
            raise GradeError(f"the grading sandbox cannot start: {why}\n"
                             "Student code would run with access to the reference and the gradebook. "
                             "Fix the sandbox, or pass --unsafe to grade without it.")
    else:
        log("WARNING: --unsafe: student code runs without the sandbox and can read the reference")

    (out / ".bpcourse").mkdir(parents=True, exist_ok=True)
    if submissions.is_file():
        digest = hashlib.sha256(submissions.read_bytes()).hexdigest()[:16]
        dest = out / ".bpcourse" / "incoming" / digest
        if dest.exists():
            shutil.rmtree(dest)
        try:
            root = extract_zip(submissions, dest)
        except IntakeError as e:
            shutil.rmtree(dest, ignore_errors=True)
            raise GradeError(str(e)) from e
    else:
        root = submissions
    found = scan(root, known, assignments)
    if not found:
        raise GradeError(f"{submissions}: no <student>/<assignment>/ folders found")

    state = load_state(out)
    prepare_course(out, sorted({f.assignment for f in found if f.status == "ok"}), state)
    save_state(out, state)
    secret = course_secret(out)
    if not opts.unsafe:
        sandbox.install_kernelspec(out / ".bpcourse" / "jupyter", memory_mb=opts.memory_mb,
                                   cpu_seconds=opts.cpu_seconds)

    queue = []
    for f in found:
        key = f"{f.student}/{f.assignment}"
        prev = state["submissions"].get(key)
        if f.status != "ok":
            if prev and prev.get("status") == "ok":
                message = f"new submission rejected ({f.message}); the earlier grade is kept"
                state["submissions"][key] = dict(prev, message=message)
            else:
                state["submissions"][key] = {"status": f.status, "message": f.message, "hash": None}
            log(f"  {key}: {f.status}: {f.message}")
            continue
        digest = hashlib.sha256(f.notebook.read_bytes()).hexdigest()
        if prev and prev.get("hash") == digest:
            log(f"  {key}: unchanged since the last run, grade kept")
            continue
        stage(f, out, secret)
        queue.append((f, digest))

    log(f"grading {len(queue)} submission(s) with {opts.jobs} job(s)"
        + ("" if opts.unsafe else " in the sandbox"))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futures = {pool.submit(run_worker, out, f, opts): (f, digest) for f, digest in queue}
        for done, future in enumerate(as_completed(futures), start=1):
            f, digest = futures[future]
            result, seconds = future.result()
            status, message = finish(out, f, result, secret)
            state["submissions"][f"{f.student}/{f.assignment}"] = {
                "status": status, "message": message, "hash": digest, "seconds": round(seconds, 2)}
            save_state(out, state)
            score = report.score_of(out, f.student, f.assignment)
            log(f"[{done}/{len(queue)}] {f.student}/{f.assignment}: {score} {status}"
                f"{' (' + message + ')' if message else ''} in {seconds:.1f} s")
    if queue:
        log(f"graded {len(queue)} submission(s) in {time.perf_counter() - started:.1f} s")

    rows = report.rows(out, state)
    report.write_csv(out / "grades.csv", rows)
    log(report.table(rows))
    log(f"grades: {out / 'grades.csv'}   feedback: {out / 'feedback'}")
    return rows
