"""One submission, start to finish: autograde, trusted verdicts, feedback.

Runs in a child process forked by :mod:`autograde.pool` (one per submission, ``--jobs`` at a
time). Student code runs only in the sandboxed kernel that nbgrader starts from here; this
process is trusted: it compares the kernel's recorded outputs with the reference and writes
the verdicts into the gradebook.

A test cell gets its points only if the trusted verdict passes and none of its visible checks
raised (:func:`score_and_comment`), so tampering inside the kernel can only lower a grade.
"""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograde import course, hidden
from autograde.intake import Found
from autograde import sandbox
from autograde.sandbox import KERNEL_NAME
from autograde.verify import MAX_OUTPUT_FILE, OUTPUT_DIR, read_outputs, verify
from bpcourse.cases import CASES_FILE


def autograde(out: Path, found: Found, *, timeout: int, unsafe: bool, scratch: Path | None = None) -> dict:
    """nbgrader's autograde of one submission; the kernel is the sandbox unless ``unsafe``.

    With ``scratch`` (:func:`autograde.sandbox.prepare_scratch`), the kernel works in
    ``scratch/work`` (it sees it at the autograded folder's path, which it cannot write) and
    talks to its client over UNIX sockets in ``scratch/ipc``."""
    if not unsafe:  # where autograde.grade installed the sandbox kernelspec for this course
        os.environ["JUPYTER_PATH"] = str(Path(out) / ".bpcourse" / "jupyter")
    nb_api = course.api(out, timeout=timeout, kernel_name=None if unsafe else KERNEL_NAME,
                        ipc=str(scratch / "ipc" / "kernel") if scratch else None)
    result = nb_api.autograde(found.assignment, found.student, force=True, create=True)
    print(result.get("log", ""), result.get("error", ""), sep="\n", flush=True)  # into the task's log
    return result


def cell_outcome(nb, grade_id: str) -> str:
    """How the test cell ``grade_id`` of an executed notebook ended: ``"error"`` (a visible
    check raised, or the cell timed out), ``"stderr"`` (it ran to the end but wrote to stderr,
    which nbgrader scores 0), ``"clean"``, or ``"missing"``."""
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != grade_id:
            continue
        outputs = cell.get("outputs", [])
        if any(o.get("output_type") == "error" for o in outputs):
            return "error"
        if any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in outputs):
            return "stderr"
        return "clean"
    return "missing"


def score_and_comment(v, outcome: str, max_score: float) -> tuple[float, str]:
    """A test cell's points from the trusted verdict and how its visible part ended.

    Full points only if the hidden verdict passes and no visible check raised. Output on stderr
    alone (a warning that escaped the notebook's routing, a library's message) does not cost a
    correct answer its points, although nbgrader's own score for such a cell is 0.
    """
    if outcome in ("error", "missing"):
        why = ("видимая проверка в ячейке не пройдена (см. её вывод)" if outcome == "error"
               else "ячейки проверки нет в ноутбуке")
        if v.passed:
            return 0.0, f"{v.message} Но {why}, поэтому баллы не начислены."
        return 0.0, f"{v.message} Кроме того, {why}."
    if not v.passed:
        return 0.0, (f"{v.message} (Видимая проверка в ячейке прошла, но она смотрит один малый "
                     "пример; скрытая проверяет другие входы.)")
    if outcome == "stderr":
        return max_score, (f"{v.message} Ячейка проверки вывела текст в поток ошибок (stderr) — "
                           "nbgrader за это ставит 0, но проверки пройдены, и баллы начислены.")
    return max_score, v.message


def submission_secret(secret: str, notebook: Path) -> str:
    """What seeds one submission's hidden inputs: the course secret and the submitted notebook.

    The same notebook always gets the same inputs (a regrade is reproducible); a changed one
    gets new inputs of the same structure (grading rule 3). So hidden inputs a student managed
    to print into one submission's feedback (e.g. by reading them in the kernel) are of no use
    for hard-coding answers into the next submission.
    """
    digest = hashlib.sha256(Path(notebook).read_bytes()).hexdigest()
    return hashlib.sha256(f"{secret}\x1f{digest}".encode()).hexdigest()


def submitted_notebook(out: Path, found: Found) -> Path:
    return out / "submitted" / found.student / found.assignment / f"{found.assignment}.ipynb"


def take_outputs(kernel_dir: Path, dest: Path) -> Path:
    """Copy the kernel's recorded outputs (``kernel_dir/.bpcourse_out/*.json``) into ``dest``,
    never following a link the kernel made: regular files only, opened with ``O_NOFOLLOW`` and
    ``O_NONBLOCK`` (a FIFO cannot hang the worker), at most ``MAX_OUTPUT_FILE`` bytes read of
    each. Returns ``dest`` (the folder :func:`autograde.verify.read_outputs` reads)."""
    target = Path(dest) / OUTPUT_DIR
    target.mkdir(parents=True, exist_ok=True)
    try:
        dfd = os.open(Path(kernel_dir) / OUTPUT_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return Path(dest)
    try:
        for name in os.listdir(dfd)[:1000]:
            if not name.endswith(".json") or "/" in name:
                continue
            try:
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dfd)
            except OSError:
                continue
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_OUTPUT_FILE:
                    continue
                data = os.read(fd, MAX_OUTPUT_FILE + 1)
            finally:
                os.close(fd)
            if len(data) <= MAX_OUTPUT_FILE:
                (target / name).write_bytes(data)
    finally:
        os.close(dfd)
    return Path(dest)


def apply_verdicts(out: Path, found: Found, secret: str, outputs: Path | None = None) -> None:
    """Trusted verdicts into the gradebook, and each one as the grader's comment; the recorded
    outputs are read from ``outputs`` (a copy made by :func:`take_outputs`)."""
    cases = hidden.make_cases(submission_secret(secret, submitted_notebook(out, found)),
                              found.student, found.assignment)
    workdir = out / "autograded" / found.student / found.assignment
    try:
        executed = nbformat.read(workdir / f"{found.assignment}.ipynb", as_version=4)
    except Exception:  # noqa: BLE001 - unreadable: every cell counts as failed
        executed = nbformat.v4.new_notebook()
    with Gradebook(course.config(out).CourseDirectory.db_url, course.COURSE_ID) as gb:
        sn = gb.find_submission_notebook(found.assignment, found.assignment, found.student)
        grades = {g.name: g for g in sn.grades}
        comments = {c.name: c for c in sn.comments}
        for ex in hidden.exercises(found.assignment):
            v = verify(ex, cases[ex.name], read_outputs(str(outputs or workdir), ex.name))
            g = grades.get(ex.grade_id)
            if g is None:
                continue
            g.auto_score, message = score_and_comment(v, cell_outcome(executed, ex.grade_id), g.max_score)
            g.needs_manual_grade = False
            if ex.name in comments:
                comments[ex.name].auto_comment = message
        gb.db.commit()


def remove_hidden_inputs(out: Path, found: Found) -> None:
    """Delete the student's hidden inputs from the autograded folder once the verdicts are in,
    so that no feedback generated from it (ours, or the formgrader's) can carry them."""
    (out / "autograded" / found.student / found.assignment / CASES_FILE).unlink(missing_ok=True)


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


def failure(result: dict) -> tuple[str, str]:
    """(status, message) of a submission that nbgrader could not autograde."""
    text = (result.get("log") or "") + (result.get("error") or "")
    if "CellTimeoutError" in text:
        return "timeout", ("a cell was still running after the per-cell timeout and did not stop when "
                           "interrupted; the notebook could not be graded")
    if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text:
        return "kernel_died", ("the kernel died while executing the notebook (os._exit, a crash, "
                               "or the CPU-time limit); the notebook could not be graded")
    last = [ln for ln in text.strip().splitlines() if ln.strip()][-1:] or ["unknown error"]
    return "autograde_failed", f"nbgrader autograde failed: {last[0][:300]}"


def incidents(out: Path, found: Found) -> str:
    """Deleted test cells, timeouts and memory errors, for the log and the CSV."""
    a, s = found.assignment, found.student
    try:
        executed = nbformat.read(out / "autograded" / s / a / f"{a}.ipynb", as_version=4)
        submitted = nbformat.read(out / "submitted" / s / a / f"{a}.ipynb", as_version=4)
    except Exception:  # noqa: BLE001
        return ""
    ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in submitted.cells}
    notes = []
    missing = [ex.grade_id for ex in hidden.exercises(a) if ex.grade_id not in ids]
    if missing:
        notes.append(f"test cells deleted from the submission: {', '.join(missing)}")
    for cell in executed.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error" and o.get("ename") in ("CellTimeoutError", "MemoryError"):
                what = "timed out" if o["ename"] == "CellTimeoutError" else "ran out of memory"
                notes.append(f"cell {cell.get('id', '?')} {what}")
    return "; ".join(dict.fromkeys(notes))


MAX_KERNEL_OUTPUT = 16 << 20   # characters of a notebook's outputs the worker keeps


def _chars(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_chars(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_chars(v) for v in value)
    return 8


def capped_execute():
    """nbgrader's ``Execute`` keeping at most :data:`MAX_KERNEL_OUTPUT` characters of a
    notebook's outputs: a kernel that floods its client (hundreds of MB of display output)
    costs its own notebook a truncated output, not the worker's memory or the disk."""
    from nbgrader.preprocessors import Execute

    class CappedExecute(Execute):
        def output(self, outs, msg, display_id, cell_index):
            self._bp_chars = getattr(self, "_bp_chars", 0) + _chars(msg.get("content", {}))
            if self._bp_chars > MAX_KERNEL_OUTPUT:
                if not getattr(self, "_bp_noted", False):
                    self._bp_noted = True
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stdout",
                        text=f"\n[вывод обрезан: ноутбук вывел больше {MAX_KERNEL_OUTPUT >> 20} МБ]\n"))
                return None
            return super().output(outs, msg, display_id, cell_index)

    return CappedExecute


WORKER_MEMORY_MB = 4096     # the trusted worker's own address space (nbgrader, the outputs it holds)
WORKER_FILE_MB = 512        # the largest file it writes (an executed notebook)


def limit_worker() -> None:
    """Cap this worker's own memory and file size: a kernel that floods its client with output
    costs its own submission (an error), not the machine. A file too large fails the write
    (EFBIG) instead of killing the process (SIGXFSZ ignored)."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    for what, mb in ((resource.RLIMIT_AS, WORKER_MEMORY_MB), (resource.RLIMIT_FSIZE, WORKER_FILE_MB)):
        soft, hard = resource.getrlimit(what)
        value = mb << 20
        if soft == resource.RLIM_INFINITY or soft > value:
            resource.setrlimit(what, (value, hard))


def grade_one(out: Path, found: Found, secret: str, *, timeout: int, unsafe: bool,
              scratch: Path | None = None, uid: int | None = None,
              memory_mb: int = sandbox.DEFAULT_MEMORY_MB) -> dict:
    """Autograde, verdicts and feedback for one staged submission: ``{"status", "message"}``.

    ``scratch`` (a path that does not exist yet): the kernel's private folder, removed with
    everything in it (and every process of ``uid``) when this returns, however it returns;
    the parent removes it too if this process is killed."""
    limit_worker()
    if unsafe or scratch is None:
        return _grade(out, found, secret, timeout=timeout, unsafe=unsafe, scratch=None)
    cases = out / "submitted" / found.student / found.assignment / CASES_FILE
    sandbox.prepare_scratch(scratch, uid, [cases] if cases.is_file() else [])
    os.environ[sandbox.SCRATCH_ENV] = str(scratch)
    if uid is not None:
        os.environ[sandbox.UID_ENV] = str(uid)
        # the whole submission (all its processes and its /tmp) within memory_mb, one CPU
        groups = sandbox.make_cgroups(uid, memory_mb)
        os.environ[sandbox.CGROUP_ENV] = os.pathsep.join(map(str, groups))
    try:
        return _grade(out, found, secret, timeout=timeout, unsafe=unsafe, scratch=scratch)
    finally:
        sandbox.remove_scratch(scratch, uid)


def _grade(out: Path, found: Found, secret: str, *, timeout: int, unsafe: bool, scratch: Path | None) -> dict:
    result = autograde(out, found, timeout=timeout, unsafe=unsafe, scratch=scratch)
    if not result.get("success"):
        status, message = failure(result)
        zero_submission(out, found, message)
        return {"status": status, "message": message}
    with tempfile.TemporaryDirectory(prefix="bpcourse-outputs-") as trusted:
        if scratch is not None:
            apply_verdicts(out, found, secret, take_outputs(scratch / "work", Path(trusted)))
        else:
            apply_verdicts(out, found, secret)
    remove_hidden_inputs(out, found)
    course.check(course.api(out, feedback=True).generate_feedback(found.assignment, found.student, force=True),
                 f"generate_feedback {found.student}/{found.assignment}")
    return {"status": "ok", "message": incidents(out, found)}
