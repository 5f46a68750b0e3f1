"""The grading driver: a class of submissions in, nbgrader's gradebook, feedback and a grade
table out. It decides no points itself: every submission goes through nbgrader's own
``autograde`` with the course's configuration (:mod:`autograde.course`), exactly as
``nbgrader autograde`` or the formgrader's Autograde button would grade it.

How a grade is computed (one submission of one assignment):

1. **Intake** (here, with :mod:`autograde.intake`): names and notebooks are validated; the
   notebook (and nbgrader's ``timestamp.txt``, for late penalties) is *copied* into
   ``DIR/submitted/<student>/<assignment>/`` — the input is never modified. Submissions that
   are already there (``nbgrader collect``'s output, ``bpcourse grade DIR/submitted --out DIR``)
   are graded in place and not touched.
2. **Autograde** (:mod:`autograde.worker`, one forked process per submission, ``--jobs`` at a
   time, :mod:`autograde.pool`): nbgrader restores the test cells and runs its preprocessors,
   among them bpcourse's (:mod:`autograde.preprocessors`): the notebook runs in the sandbox
   kernel on the submission's own hidden inputs, and each test cell gets its points only if
   the trusted comparison with the reference passes and no visible check raised; the verdict
   (naming the mistake, if recognised) is the cell's last output. nbgrader's
   ``generate_feedback`` then writes the feedback HTML (hidden tests stripped).
3. **Report** (here): ``DIR/bpcourse-grades.csv`` from the gradebook, and the table.

Every submission's outcome is kept in the run state (:mod:`autograde.state`), so that a second
run on the same DIR adds to the first; each worker's log is in ``DIR/.bpcourse/logs/``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

from autograde import course, doctor, pool, report, sandbox, worker
from autograde.state import State, StateError
from autograde.intake import Found, IntakeError, extract_zip, scan
from autograde.source import assignments as source_assignments, read_source


class GradeError(RuntimeError):
    """Grading cannot start (bad arguments, no sandbox); nothing was changed."""


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity: a container's or a batch job's share),
    the default number of submissions graded at once."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Options:
    jobs: int = field(default_factory=usable_cpus)
    submission_timeout: int = 600     # wall-clock seconds per submission, then the worker is killed
    # None: as DIR/nbgrader_config.py says (nbgrader's Execute.timeout, SandboxedExecute.*)
    timeout: int | None = None        # seconds per cell
    memory_mb: int | None = None
    cpu_seconds: int | None = None
    unsafe: bool = False
    warm: bool = True                 # kernels forked from a pre-started server (autograde/zygote.py)


# --- the course directory -------------------------------------------------------------------

def prepare_course(out: Path, assignments: list[str], state: State) -> None:
    """Put ``assignments`` into the gradebook at ``out`` (again only if their source changed)."""
    (out / ".bpcourse").mkdir(parents=True, exist_ok=True)
    course.ensure_config_file(out)
    nb_api = course.api(out)
    for a in assignments:
        text = nbformat.writes(read_source(a))
        digest = hashlib.sha256(text.encode()).hexdigest()
        if state.assignment_digest(a) == digest:
            continue
        target = out / "source" / a / f"{a}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        before = target.read_bytes() if target.is_file() else None
        target.write_text(text, encoding="utf-8")
        result = nb_api.generate_assignment(a, force=True, create=True)
        if not result.get("success"):
            if before is not None:   # the course keeps the version its gradebook agrees with
                target.write_bytes(before)
            raise GradeError(changed_assignment_message(a, result))
        state.set_assignment(a, digest)


def ensure_students(out: Path, students: set[str]) -> None:
    """Create the students in the gradebook before any worker starts.

    nbgrader's autograde creates a missing student itself; two workers grading two assignments
    of one new student at once would both insert it, and one would fail (UNIQUE constraint).
    """
    with course.gradebook(out) as gb:
        for student in sorted(students):
            gb.update_or_create_student(student)


def changed_assignment_message(a: str, result: dict) -> str:
    """Why nbgrader would not put a changed assignment into the gradebook, and what to do."""
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    reasons = [ln.strip() for ln in text.splitlines() if "[ERROR]" in ln or "Error" in ln]
    reason = "\n  ".join(dict.fromkeys(reasons)) or text.strip()[-800:]
    return (f"nbgrader refused to update assignment {a} in the gradebook, because its source changed "
            f"after submissions were graded:\n  {reason}\n"
            "nbgrader keeps graded submissions consistent with the assignment's cells. Either revert "
            f"the change to source/{a}/ (fixing text and solutions is fine; adding, removing or "
            "renaming graded cells is not), or grade the changed assignment into a new course "
            "folder (--out NEWDIR). See docs/instructor.md, \"Changing an assignment mid-term\".")


TIMESTAMP = "timestamp.txt"   # nbgrader's submission time (late penalties, release_feedback)


def stage(found: Found, out: Path) -> None:
    """Copy the notebook and its ``timestamp.txt`` into ``submitted/`` (nothing else); a
    submission already there (graded in place) is left as it is."""
    dest = out / "submitted" / found.student / found.assignment
    if found.notebook.parent.resolve() == dest.resolve():
        return
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copyfile(found.notebook, dest / found.notebook.name, follow_symlinks=False)
    stamp = found.notebook.parent / TIMESTAMP
    if stamp.is_file() and not stamp.is_symlink() and stamp.stat().st_size < 1000:
        shutil.copyfile(stamp, dest / TIMESTAMP)


def prefill_formulas(out: Path, assignments: list[str], jobs: int, log: Callable[[str], None]) -> None:
    """Draw the assignments' formulas into the course's formula cache before the workers fork
    (:func:`autograde.feedback.prefill`): each is drawn once per course folder, not per student.
    One forked process per assignment, ``jobs`` at a time; a failure costs only the cache."""
    from autograde import feedback

    todo = [a for a in assignments if (out / "release" / a / f"{a}.ipynb").is_file()]
    drawn = []

    def task(a):
        return {"drawn": feedback.prefill(out, out / "release" / a / f"{a}.ipynb")}

    def done(a, result, seconds):
        if "drawn" in result:
            drawn.append(result["drawn"])
        else:
            log(f"  formulas of {a} not cached: {str(result.get('error', result))[-200:]}")

    started = time.perf_counter()
    pool.run(todo, task, jobs=jobs, limit=600, on_done=done)
    if sum(drawn):
        log(f"typeset {sum(drawn)} formula(s) of {len(todo)} assignment(s) once for every feedback page "
            f"in {time.perf_counter() - started:.1f} s")


# --- the class --------------------------------------------------------------------------------

# A kernel that timed out beside other submissions is graded again alone only if it got less
# than this share of the one CPU it may use, in the cells that timed out (CPU seconds of its
# cgroup per wall-clock second; for a killed worker, over its whole run). A starved honest kernel
# gets a small share: without cgroups, beside a classmate's 40 busy processes, 2 CPUs / 42
# processes = 0.05. One that loops through its time gets what the machine gives one process:
# measured beside a classmate on 2 CPUs shared with other test runs, 0.99 at load average 3
# and 0.46 at 5.6, in a timed-out cell and over a whole killed submission alike
# (tests/test_robust_run.py prints it). A machine loaded far beyond its CPUs starves everyone:
# then a loop, too, is graded again alone.
STARVED_SHARE = 0.25


def starved(usage: dict) -> bool:
    """Whether a timed-out submission may have been starved by its neighbours (True when its
    kernel's CPU time could not be measured: the old rule, graded again alone)."""
    cpu, wall = usage.get("cpu"), usage.get("wall")
    if cpu is None or not wall:
        return True
    return cpu < STARVED_SHARE * wall


def _share(usage: dict) -> str:
    if usage.get("cpu") is None or not usage.get("wall"):
        return ""
    return f" (its kernel used {usage['cpu']:.1f} CPU s in {usage['wall']:.1f} s)"


def eta(elapsed: float, done: int, total: int) -> str:
    """``"; about 2 min 10 s left"`` from the pace so far (nothing when done or not yet known)."""
    if done <= 0 or done >= total:
        return ""
    left = round(elapsed / done * (total - done))
    return f"; about {left // 60} min {left % 60:02d} s left" if left >= 60 else f"; about {left} s left"


PRIVATE_DIRS = ("submitted", "autograded", "source", "feedback", ".bpcourse")
PRIVATE_FILES = ("gradebook.db", "gradebook.db-journal", "gradebook.db-wal", "gradebook.db-shm",
                 report.GRADES_FILE, course.CONFIG_FILE)


def make_private(out: Path) -> None:
    """What bpcourse and nbgrader keep in DIR, private to the grader: solutions (``source/``),
    submissions, autograded notebooks, feedback not yet released, the gradebook, the grades and
    the configuration (it may hold a database password). Folders 0700, files without group or
    other permissions. ``release/`` (what students get anyway) is left as it is; nbgrader's
    exchange commands run as the grader and set their own permissions in the exchange. With
    nbgrader's ``CourseDirectory.groupshared`` (a team of graders sharing the folder through a
    group) the group keeps its permissions: only other accounts lose theirs."""
    import stat

    try:
        keep = 0o770 if course.load(out).CourseDirectory.get("groupshared", False) else 0o700
    except Exception:  # noqa: BLE001 - an unreadable configuration fails elsewhere, with its reason
        keep = 0o700
    for name in ("submitted", "autograded", "feedback"):   # made before nbgrader writes into them
        (out / name).mkdir(mode=0o700, exist_ok=True)
    for name in PRIVATE_DIRS + PRIVATE_FILES:
        path = out / name
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode) or st.st_uid != os.geteuid():
            continue
        mode = stat.S_IMODE(st.st_mode)
        if name == ".bpcourse":
            private = 0o700           # the run state, the secret and the lock: the grader's alone
        elif stat.S_ISDIR(st.st_mode):
            private = keep | (mode & stat.S_ISGID)
        else:
            private = mode & keep
        if mode != private:
            os.chmod(path, private)


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
    if out.exists() and not out.is_dir():
        raise GradeError(f"--out {out} exists and is not a folder")
    in_place = submissions == out / "submitted"
    if not in_place and (out == submissions or submissions in out.parents):
        raise GradeError("--out must not be inside the submissions folder (it must stay unmodified)")
    if not opts.unsafe:
        ok, why = sandbox.verified()
        if not ok:
            raise GradeError(f"the grading sandbox cannot start with every protection: {why}\n"
                             "Student code could read the reference and the gradebook, or reach beyond "
                             "its own submission. Fix the sandbox (see `bpcourse doctor`), or pass "
                             "--unsafe to grade without it.")
    else:
        log("WARNING: --unsafe: student code runs without the sandbox and can read the reference")

    try:
        state = State.open(out, lock=True)   # one grader at a time on a course folder
    except StateError as e:
        raise GradeError(str(e)) from e
    for warning in doctor.course_folder(out):
        log(f"WARNING: {warning}")
    with state:
        # warm kernels: one fork server per run, importing while the course is prepared
        zygote = None if opts.unsafe or not opts.warm else sandbox.start_zygote(out)
        try:
            return _grade_locked(submissions, out, known, assignments, opts, log, state)
        finally:
            sandbox.stop_zygote(zygote)
            make_private(out)


def _grade_locked(submissions: Path, out: Path, known: list[str], assignments: list[str] | None,
                  opts: Options, log: Callable[[str], None], state: State) -> list[dict]:
    if submissions.is_file():
        digest = hashlib.sha256(submissions.read_bytes()).hexdigest()[:16]
        dest = out / ".bpcourse" / "incoming" / digest
        if dest.exists():
            shutil.rmtree(dest)
        problems: list[str] = []
        try:
            root = extract_zip(submissions, dest, problems)
        except IntakeError as e:
            shutil.rmtree(dest, ignore_errors=True)
            raise GradeError(str(e)) from e
        for problem in problems:
            log(f"  {problem}")
    else:
        root = submissions
    found = scan(root, known, assignments)
    if not found:
        raise GradeError(f"{submissions}: no <student>/<assignment>/ folders found")

    prepare_course(out, sorted({f.assignment for f in found if f.status == "ok"}), state)
    make_private(out)
    sandbox.clean_leftovers(out)   # of an earlier run that was killed outright

    queue = []
    autoscores = report.auto_scores(out)   # what the gradebook holds now (it may have changed elsewhere)
    for f in found:
        key = f"{f.student}/{f.assignment}"
        prev = state.get(key)
        if f.status != "ok":
            if prev and prev.get("status") == "ok":
                message = f"new submission rejected ({f.message}); the earlier grade is kept"
                state.put(key, dict(prev, message=message, rejected=True))
            else:
                state.put(key, {"status": f.status, "message": f.message, "hash": None})
            log(f"  {key}: {f.status}: {f.message}")
            continue
        digest = hashlib.sha256(f.notebook.read_bytes()).hexdigest()
        if prev and prev.get("hash") == digest:
            if prev.get("auto") == autoscores.get(key):
                log(f"  {key}: unchanged since the last run, grade kept")
                if prev.get("rejected"):   # the graded notebook is back: no longer a rejection
                    state.put(key, {**{k: v for k, v in prev.items() if k != "rejected"}, "message": ""})
                continue
            log(f"  {key}: unchanged, but its grade in the gradebook changed since the last run: graded again")
        stage(f, out)
        queue.append((f, digest))

    ensure_students(out, {f.student for f, _ in queue})
    if queue:   # before the formulas' workers fork too
        worker.warm(out, sorted({f.assignment for f, _ in queue}))
    prefill_formulas(out, sorted({f.assignment for f, _ in queue}), opts.jobs, log)
    log(f"grading {len(queue)} submission(s) with {opts.jobs} job(s)"
        + ("" if opts.unsafe else " in the sandbox"))
    logs = out / ".bpcourse" / "logs"
    logs.mkdir(exist_ok=True)
    started = time.perf_counter()
    done = 0

    def grade_task(task):
        return worker.grade_one(out, task[0], timeout=opts.timeout, memory_mb=opts.memory_mb,
                                cpu_seconds=opts.cpu_seconds, unsafe=opts.unsafe)

    # A submission that timed out (as a whole, or in a cell) while others were graded beside it
    # may have been starved by them: it is graded again alone before a timeout is recorded,
    # unless its kernel used its time (see `starved`).
    alone: list = []
    retrying = False

    def finished(task, result, seconds):
        nonlocal done
        done += 1
        f, digest = task
        key = f"{f.student}/{f.assignment}"
        usage = result.get("usage") or {}
        if result.get("timeout"):   # the worker was killed: measure what its kernel used first
            usage = {"wall": seconds, "cpu": sandbox.leftover_cpu(out)}
        sandbox.clean_leftovers(out)   # a killed worker could not clean up after its kernel
        timed_out = (result.get("timeout") or result.get("status") == "timeout"
                     or "timed out" in result.get("message", ""))
        if timed_out and opts.jobs > 1 and not retrying:
            if starved(usage):
                done -= 1
                alone.append(task)
                log(f"  {key}: timed out beside other submissions{_share(usage)}; graded again alone at the end")
                return
            log(f"  {key}: timed out{_share(usage)}: it used its time, not graded again")
        if result.get("timeout"):
            result, reason = ({"status": "timeout", "message": f"grading took longer than {opts.submission_timeout} s "
                               "and was stopped"}, f"проверка заняла больше {opts.submission_timeout} с и была остановлена")
        elif "error" in result:
            last = (result["error"].strip().splitlines() or ["?"])[-1][:300]
            result, reason = {"status": "grader_error", "message": last}, f"ошибка проверяющей программы: {last}"
        else:
            reason = ""
        if reason:   # its zeros, with the reason, through nbgrader (never the end of the run)
            try:
                worker.record_failure(out, f, reason)
            except Exception as e:  # noqa: BLE001 - one submission's failure is its status, never the run's
                why = (str(e).strip().splitlines() or [type(e).__name__])[-1][:300]
                result = {**result, "message": f"{result['message']}; its zero could not be recorded either: {why}"}
        try:
            auto = report.auto_scores(out, f.student, f.assignment).get(key)
            score = report.score_of(out, f.student, f.assignment)
        except Exception as e:  # noqa: BLE001
            auto, score = None, "-"
            result = {**result, "message": f"{result['message']} (gradebook: {type(e).__name__})"}
        state.put(key, {"status": result["status"], "message": result["message"], "hash": digest,
                        "seconds": round(seconds, 2), "auto": auto, **({"usage": usage} if usage else {}),
                        **({"steps": result["steps"]} if result.get("steps") else {})})
        message = result["message"]
        log(f"[{done}/{len(queue)}] {key}: {score} "
            f"{result['status']}{' (' + message + ')' if message else ''} in {seconds:.1f} s"
            + eta(time.perf_counter() - started, done, len(queue) + len(alone)))

    try:
        pool.run(queue, grade_task, jobs=opts.jobs, limit=opts.submission_timeout, on_done=finished,
                 log_path=lambda task: str(logs / f"{task[0].student}__{task[0].assignment}.log"))
        if alone:
            retrying = True
            pool.run(alone, grade_task, jobs=1, limit=opts.submission_timeout, on_done=finished,
                     log_path=lambda task: str(logs / f"{task[0].student}__{task[0].assignment}.log"))
    finally:
        sandbox.clean_leftovers(out)
    if queue:
        log(f"graded {len(queue)} submission(s) in {time.perf_counter() - started:.1f} s")

    rows = report.rows(out, state.submissions())
    report.write_csv(out / report.GRADES_FILE, rows)
    log(report.table(rows))
    log(f"grades: {out / report.GRADES_FILE}   feedback: {out / 'feedback'}")
    return rows
