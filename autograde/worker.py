"""One submission, start to finish, in a forked process of :mod:`autograde.pool`: nbgrader's
autograde with the course's configuration (the sandbox and the trusted verdicts are its
preprocessors, :mod:`autograde.preprocessors`), then nbgrader's feedback.

The worker itself decides nothing about points: it runs the same nbgrader pipeline as the
formgrader's Autograde button, and reads the outcome back from the autograded notebook.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from autograde import course
from autograde.intake import Found
from autograde.preprocessors import BAD_METADATA, LAST_RUN, TAMPERED


def autograded_notebook(out: Path, found: Found) -> Path:
    return out / "autograded" / found.student / found.assignment / f"{found.assignment}.ipynb"


def outcome(out: Path, found: Found) -> dict:
    """``{"status", "message"}`` of an autograded submission, from what the preprocessors wrote
    into its notebook: ``ok`` (with incidents: deleted test cells, timeouts, memory errors, as
    the message), ``kernel_died``, ``bad_metadata`` (graded, after its nbgrader metadata was
    replaced from the assignment: the message says which cells), ``tampered`` (a cell names the
    grading machinery: every exercise 0, :func:`autograde.verify.tampering`), or ``not_graded`` (with the
    reason)."""
    try:
        nb = nbformat.read(autograded_notebook(out, found), as_version=4)
    except Exception as e:  # noqa: BLE001
        return {"status": "grader_error", "message": f"the autograded notebook is unreadable: {e}"}
    info = nb.metadata.get("bpcourse", {})
    if info.get("skipped"):
        return {"status": "not_graded", "message": info["skipped"]}
    incidents = info.get("incidents", [])
    status = ("kernel_died" if "kernel_died" in incidents
              else BAD_METADATA if BAD_METADATA in incidents
              else TAMPERED if info.get("tampered") else "ok")
    notes = [n for n in incidents if n not in ("kernel_died", BAD_METADATA)]
    if status == "kernel_died":
        notes.insert(0, "the kernel died (os._exit, a crash, or a memory or CPU-time limit); the cells after it were not run")
    return {"status": status, "message": "; ".join(notes)}


def record_failure(out: Path, found: Found, reason: str) -> None:
    """A submission that could not be graded at all (the whole-submission time limit, a grader
    error) scores 0 with the reason, through nbgrader's own pipeline (nothing is executed).
    If nbgrader cannot process even that notebook, the assignment's own cells stand in for it
    (:class:`autograde.preprocessors.TrustedCellMetadata` ``from_source``): the gradebook gets
    its zeros whatever the submission holds. Raises :class:`course.NbGraderError` only when
    neither works (the gradebook itself fails)."""
    result = course.api(out, skip=reason).autograde(found.assignment, found.student, force=True, create=True)
    if not result.get("success"):
        print(result.get("log", ""), result.get("error", ""), sep="\n", flush=True)
        result = course.api(out, skip=reason, from_source=True).autograde(
            found.assignment, found.student, force=True, create=True)
    course.check(result, f"autograde {found.student}/{found.assignment}")
    feedback(out, found)


def feedback(out: Path, found: Found) -> None:
    course.check(course.api(out).generate_feedback(found.assignment, found.student, force=True),
                 f"generate_feedback {found.student}/{found.assignment}")


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


def failure_reason(result: dict) -> str:
    """The line of a failed nbgrader call that says why: its exception, not the generic
    "Please see the above traceback" it ends with."""
    lines = [ln.strip() for ln in ((result.get("log") or "") + "\n" + (result.get("error") or "")).splitlines()
             if ln.strip()]
    generic = ("Please see the", "There was an error processing", "Traceback (most recent call last)")
    useful = [ln for ln in lines if not any(g in ln for g in generic)
              and (ln.split(":", 1)[0].endswith(("Error", "Exception")) or "[ERROR]" in ln)]
    return (useful or lines or ["no reason given"])[-1][:300]


def warm(out: Path, assignments: list[str]) -> None:
    """Do in the grader, once, before it forks its workers, what every worker would otherwise
    do for each submission: import the hidden specs (and the libraries they use) and build the
    catalogue of exercises, read the course's configuration, import nbgrader's converters and
    nbconvert's HTML exporter, and compile the regular expressions and CSS selectors of the
    feedback page (measured on 04: 1.6 s of a 7.2 s worker). Nothing of a submission is here:
    the forked worker starts from the same state for every student."""
    import bs4
    from nbconvert.exporters import HTMLExporter
    from nbgrader.converters import Autograde, GenerateFeedback  # noqa: F401
    import matplotlib.mathtext  # noqa: F401

    from autograde import feedback, hidden, verify  # noqa: F401

    for a in assignments:
        hidden.exercises(a)
    course.load(out)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$x$ <b>x</b>"),
                                         nbformat.v4.new_code_cell("x = 1")])
    for cell in nb.cells:
        feedback.safe_markdown(cell.source)
    html, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    bs4.BeautifulSoup(html, features="html.parser").select("img:not([alt])")


def grade_one(out: Path, found: Found, *, timeout: int | None = None, memory_mb: int | None = None,
              cpu_seconds: int | None = None, unsafe: bool = False) -> dict:
    """nbgrader's autograde and feedback for one staged submission: ``{"status", "message"}``."""
    import time

    limit_worker()
    LAST_RUN.clear()
    started = time.perf_counter()
    result = course.api(out, timeout=timeout, memory_mb=memory_mb, cpu_seconds=cpu_seconds,
                        unsafe=unsafe).autograde(found.assignment, found.student, force=True, create=True)
    print(result.get("log", ""), result.get("error", ""), sep="\n", flush=True)  # into the task's log
    usage = dict(LAST_RUN)   # the kernel's wall-clock and CPU seconds (if it ran)
    if not result.get("success"):
        reason = f"nbgrader autograde failed: {failure_reason(result)}"
        record_failure(out, found, f"ошибка nbgrader при обработке ноутбука: {failure_reason(result)}")
        return {"status": "autograde_failed", "message": reason, "usage": usage}
    graded = time.perf_counter()
    feedback(out, found)
    seconds = {"autograde": round(graded - started, 3), "feedback": round(time.perf_counter() - graded, 3)}
    import resource
    print(f"worker peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10} MB", flush=True)
    print(f"kernel usage: {usage}; seconds: {seconds}", flush=True)
    return {**outcome(out, found), "usage": usage, "steps": seconds}
