"""bpcourse's nbgrader plugins: how a test cell's points are decided, whichever door grades.

:func:`autograde.course.protect` puts them into nbgrader's ``Autograde`` pipeline, so that
``bpcourse grade``, ``nbgrader autograde`` and the formgrader's Autograde button run the same:

1. :class:`SandboxedExecute` (in place of nbgrader's ``Execute``) makes the submission's hidden
   inputs (seeded by the course secret, the student, the assignment and the submitted
   notebook's bytes), runs the notebook in the sandboxed kernel (:mod:`autograde.sandbox`) in
   a private scratch folder (:func:`autograde.sandbox.scratch_root`) with per-submission limits, and takes back only what the hidden
   test regions recorded, never following a link the kernel made. The kernel's messages are
   capped (one message, and all of a notebook's output together).
2. :class:`TrustedVerdicts` (just before nbgrader's ``SaveAutoGrades``) compares the recorded
   outputs with the reference (:mod:`autograde.verify`) and settles each test cell's outputs
   so that nbgrader's own rule (an error output scores 0, otherwise full points) gives the
   trusted score: full points only if the verdict passes and no visible check raised. The
   verdict is the cell's last output, so the formgrader and the feedback show it, and a TA's
   comment cannot hide it.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import secrets
import stat
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, DottedObjectName, Integer, Unicode, default

from autograde import hidden, sandbox
from autograde.verify import MAX_OUTPUT_FILE, borrowed, parse_outputs, tampering, verify
from bpcourse.cases import CASES_FILE, OUTPUT_DIR, encode

MAX_KERNEL_OUTPUT = 16 << 20       # characters of a notebook's outputs kept
MAX_MESSAGE = MAX_KERNEL_OUTPUT + (1 << 20)   # bytes of one kernel message read at all
VERDICT_ENAME = "Скрытая проверка"
VERDICT_KEY = "bpcourse_verdict"   # metadata of the output that shows a passed verdict


# --- the course secret and the per-submission seed ----------------------------------------------

def course_secret(root: Path) -> str:
    """``$BPCOURSE_SECRET``, or a random secret kept (mode 600) in ``DIR/.bpcourse/secret``."""
    if os.environ.get("BPCOURSE_SECRET"):
        return os.environ["BPCOURSE_SECRET"]
    path = Path(root) / ".bpcourse" / "secret"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    if not path.is_file():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()


def submission_secret(secret: str, notebook_bytes: bytes) -> str:
    """What seeds one submission's hidden inputs: the course secret and the submitted notebook.

    The same notebook always gets the same inputs (a regrade is reproducible); a changed one
    gets new inputs of the same structure (grading rule 3). So hidden inputs a student managed
    to print into one submission's feedback are of no use for hard-coding answers into the next.
    """
    digest = hashlib.sha256(notebook_bytes).hexdigest()
    return hashlib.sha256(f"{secret}\x1f{digest}".encode()).hexdigest()


def read_regular(path: Path, limit: int, dir_fd: int | None = None) -> bytes | None:
    """A regular file's bytes, never following a link, never blocking on a FIFO; None if it is
    not a regular file or is larger than ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        data = os.read(fd, limit + 1)
        return data if len(data) <= limit else None
    finally:
        os.close(fd)


def take_outputs(kernel_dir: Path, names) -> dict:
    """The kernel's recorded outputs (``kernel_dir/.bpcourse_out/<name>.json``) for ``names``:
    regular files only, at most ``MAX_OUTPUT_FILE`` bytes each, parsed; absent or bad ones None."""
    out = {name: None for name in names}
    try:
        dfd = os.open(Path(kernel_dir) / OUTPUT_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return out
    try:
        for name in out:
            data = read_regular(Path(f"{name}.json"), MAX_OUTPUT_FILE, dir_fd=dfd)
            if data is not None:
                out[name] = parse_outputs(data)
    finally:
        os.close(dfd)
    return out


# --- the kernel -------------------------------------------------------------------------------------

class CappedClient(AsyncKernelClient):
    """A kernel client that refuses any single message over :data:`MAX_MESSAGE` bytes (ZeroMQ
    drops it unread), so one huge display call cannot fill the grader's memory."""

    def _context_default(self):
        import zmq
        import zmq.asyncio

        self._created_context = True
        ctx = zmq.asyncio.Context()
        ctx.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
        ctx.setsockopt(zmq.LINGER, 0)   # closing never waits for a kernel that is gone
        return ctx


class SandboxKernelManager(AsyncKernelManager):
    """Starts the sandbox launcher (:func:`autograde.sandbox.main`) whatever kernel the notebook
    names; no kernelspec has to be installed."""

    memory_mb = Integer(sandbox.DEFAULT_MEMORY_MB)
    cpu_seconds = Integer(sandbox.DEFAULT_CPU_SECONDS)
    client_class = DottedObjectName("autograde.preprocessors.CappedClient")

    @default("client_factory")
    def _client_factory_default(self):
        return CappedClient

    @property
    def kernel_spec(self):
        return KernelSpec(
            argv=[sys.executable, "-m", "autograde.sandbox", "--memory-mb", str(self.memory_mb),
                  "--cpu-seconds", str(self.cpu_seconds), "{connection_file}"],
            display_name="Python 3 (bpcourse grading sandbox)", language="python",
            interrupt_mode="message", metadata={"debugger": False})


class UnsafeKernelManager(AsyncKernelManager):
    client_class = DottedObjectName("autograde.preprocessors.CappedClient")

    @default("client_factory")
    def _client_factory_default(self):
        return CappedClient


_kernels = itertools.count()


class SandboxedExecute(Execute):
    """nbgrader's ``Execute`` in the grading sandbox, with the submission's hidden inputs."""

    sandboxed = Bool(True, help="Run student code in the bubblewrap sandbox. False only for "
                              "`bpcourse grade --unsafe` on a machine without bubblewrap.").tag(config=True)
    memory_mb = Integer(sandbox.DEFAULT_MEMORY_MB, help="Memory of one submission (all its processes, "
                        "its /tmp), MB").tag(config=True)
    cpu_seconds = Integer(sandbox.DEFAULT_CPU_SECONDS, help="CPU time of one kernel, s").tag(config=True)
    skip_reason = Unicode("", help="Do not execute: every test cell scores 0 with this reason "
                                   "(a submission that could not be graded)").tag(config=True)
    # A message dropped for its size (CappedClient) must not stop the notebook: the cell keeps
    # the outputs that arrived.
    raise_on_iopub_timeout = Bool(False).tag(config=True)

    def _submitted(self, resources) -> Path:
        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"])
        return Path(folder) / f"{info['notebook']}.ipynb"

    def preprocess(self, nb: NotebookNode, resources: dict):
        trusted = resources.setdefault("bpcourse", {})
        if self.skip_reason:
            trusted["skipped"] = self.skip_reason
            return nb, resources
        if self.sandboxed:
            ok, why = sandbox.verified()
            if not ok:   # every door refuses as `bpcourse grade` does
                raise RuntimeError(
                    "the grading sandbox cannot start here with every protection, so student code is "
                    f"not run: {why}\nSee `bpcourse doctor` and docs/instructor.md. "
                    "(c.SandboxedExecute.sandboxed = False grades without the sandbox: unsafe.)")
        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        submitted = read_regular(self._submitted(resources), 64 << 20)
        if submitted is None:
            trusted["skipped"] = "сданный ноутбук не найден или не является обычным файлом"
            return nb, resources
        cases = hidden.make_cases(submission_secret(course_secret(coursedir.root), submitted),
                                  info["student"], info["assignment"])
        trusted["cases"] = cases
        encoded = json.dumps({n: [{k: encode(v) for k, v in c.items()} for c in cs] for n, cs in cases.items()})
        root = sandbox.scratch_root(coursedir.root)
        uid = sandbox.kernel_uid(os.getpid(), next(_kernels)) if self.sandboxed and os.geteuid() == 0 else None
        scratch = Path(tempfile.mkdtemp(prefix=f"k{uid or 0}-{os.getpid()}-", dir=root))
        os.rmdir(scratch)   # prepare_scratch makes it, with its own permissions
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / CASES_FILE).write_text(encoded, encoding="utf-8")
            sandbox.prepare_scratch(scratch, uid, [Path(tmp) / CASES_FILE])
        self._bp_env = {sandbox.SCRATCH_ENV: str(scratch)}
        if uid is not None:
            self._bp_env[sandbox.UID_ENV] = str(uid)
            # the whole submission (all its processes and its /tmp) within memory_mb, one CPU
            self._bp_env[sandbox.CGROUP_ENV] = os.pathsep.join(map(str, sandbox.make_cgroups(uid, self.memory_mb)))
        self._bp_scratch = scratch
        self.kernel_manager_class = SandboxKernelManager if self.sandboxed else UnsafeKernelManager
        try:
            try:
                super().preprocess(nb, resources)
            except DeadKernelError as e:
                trusted["incidents"] = trusted.get("incidents", []) + ["kernel_died"]
                self._kernel_died(nb, str(e))
            trusted["outputs"] = take_outputs(scratch / "work", [ex.name for ex in hidden.exercises(info["assignment"])])
        finally:
            sandbox.remove_scratch(scratch, uid)
        return nb, resources

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, SandboxKernelManager):
            km.kernel_name = sandbox.KERNEL_NAME   # not "python3": nbclient adds no ipykernel options
            km.memory_mb, km.cpu_seconds = self.memory_mb, self.cpu_seconds
            # no network in the sandbox: UNIX sockets in a folder only this client can reach
            km.transport = "ipc"
            km.ip = str(self._bp_scratch / "ipc" / "kernel")
        return km

    async def async_start_new_kernel(self, **kwargs):
        if self.sandboxed:
            kwargs["env"] = {**os.environ, **self._bp_env}
        else:   # unsafe: the kernel works in the scratch folder, not in the autograded one
            kwargs["cwd"] = str(self._bp_scratch / "work")
        return await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)   # nbclient binds the sync one to its own

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most :data:`MAX_KERNEL_OUTPUT` characters of a notebook's outputs: a kernel
        that floods its client costs its own notebook a truncated output, not the grader."""
        self._bp_chars = getattr(self, "_bp_chars", 0) + _chars(msg.get("content", {}))
        if self._bp_chars > MAX_KERNEL_OUTPUT:
            if not getattr(self, "_bp_noted", False):
                self._bp_noted = True
                outs.append(nbformat.v4.new_output(
                    "stream", name="stdout",
                    text=f"\n[вывод обрезан: ноутбук вывел больше {MAX_KERNEL_OUTPUT >> 20} МБ]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _kernel_died(self, nb, why: str) -> None:
        """The cell that was running gets the reason; the cells after it are not executed."""
        index = getattr(self, "code_cells_executed", 0)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if code:
            cell = code[min(max(index - 1, 0), len(code) - 1)]
            cell.setdefault("outputs", []).append(nbformat.v4.new_output(
                "error", ename="DeadKernelError",
                evalue="ядро Python остановилось (os._exit, сбой, или превышен лимит памяти или процессорного времени)",
                traceback=["Ядро Python остановилось во время выполнения этой ячейки (os._exit, сбой, "
                           "или превышен лимит памяти или процессорного времени); ячейки после неё не выполнены."]))


def _chars(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_chars(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_chars(v) for v in value)
    return 8


# --- the verdicts -----------------------------------------------------------------------------------

def cell_outcome(cell) -> str:
    """How an executed test cell ended: ``"error"`` (a visible check raised, or the cell timed
    out), ``"stderr"`` (it ran to the end but wrote to stderr), ``"clean"``."""
    outputs = cell.get("outputs", [])
    if any(o.get("output_type") == "error" for o in outputs):
        return "error"
    if any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in outputs):
        return "stderr"
    return "clean"


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
                           "он показан как обычный вывод; проверки пройдены, и баллы начислены.")
    return max_score, v.message


def settle(cell, score: float, message: str) -> None:
    """Make nbgrader's own rule (``nbgrader.utils.determine_grade``) give ``score`` (0 or the
    cell's points) for this test cell, and show the verdict as its last output."""
    outs = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "execute_result":   # nbgrader reads a number there as partial credit
            o = nbformat.v4.new_output("display_data", data=o.get("data", {}), metadata=o.get("metadata", {}))
        elif score and o.get("output_type") == "stream" and o.get("name") == "stderr":
            o = nbformat.v4.new_output("stream", name="stdout", text=o.get("text", ""))
        elif score and o.get("output_type") == "error":
            continue
        outs.append(o)
    if score:
        outs.append(nbformat.v4.new_output("display_data", data={"text/plain": f"✔ {message}"},
                                           metadata={VERDICT_KEY: {"passed": True, "message": message}}))
    else:
        outs.append(nbformat.v4.new_output("error", ename=VERDICT_ENAME, evalue=message,
                                           traceback=[f"Скрытая проверка: {message}"]))
    cell.outputs = outs
    got, _ = utils.determine_grade(cell)
    assert got == score, (got, score)


def verdict_of(cell) -> tuple[bool, str] | None:
    """(passed, message) of an autograded test cell, read back from its outputs; None if the
    cell carries no verdict."""
    for o in reversed(cell.get("outputs", [])):
        if o.get("output_type") == "error" and o.get("ename") == VERDICT_ENAME:
            return False, o.get("evalue", "")
        meta = o.get("metadata", {}).get(VERDICT_KEY) if o.get("output_type") == "display_data" else None
        if meta:
            return True, meta.get("message", "")
    return None


class TrustedVerdicts(NbGraderPreprocessor):
    """Each test cell's points from the trusted verdict (see the module doc). Runs after the
    notebook was executed by :class:`SandboxedExecute`; without what it took back (nbgrader's
    own ``Execute`` configured instead, by mistake) every test cell scores 0."""

    def preprocess(self, nb: NotebookNode, resources: dict):
        trusted = resources.get("bpcourse") or {}
        assignment = resources["nbgrader"]["assignment"]
        exercises = {ex.test_cell_id: ex for ex in hidden.exercises(assignment)}
        tampered = None if trusted.get("skipped") else tampering(assignment, nb)   # the notebook's text, not the kernel's word
        not_own = {} if trusted.get("skipped") else borrowed(assignment, nb)
        present = set()
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
                continue
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            present.add(grade_id)
            ex = exercises.get(grade_id)
            points = float(cell.metadata["nbgrader"]["points"])
            if trusted.get("skipped"):
                score, message = 0.0, f"Ноутбук не удалось оценить: {trusted['skipped']}"
            elif ex is None:
                score, message = 0.0, "У этой ячейки нет скрытой проверки (ошибка курса: сообщите преподавателю)."
                self.log.error("test cell %s has no hidden check in autograde/hidden", grade_id)
            elif tampered:
                score, message = 0.0, tampered
            elif ex.name in not_own:
                score, message = 0.0, not_own[ex.name]
            elif "cases" not in trusted or "outputs" not in trusted:
                score, message = 0.0, "Ноутбук выполнен не в песочнице курса: оценка не доверенная (ошибка настройки)."
                self.log.error("autograde ran without SandboxedExecute: check nbgrader_config.py")
            else:
                v = verify(ex, trusted["cases"][ex.name], trusted["outputs"].get(ex.name))
                score, message = score_and_comment(v, cell_outcome(cell), points)
            settle(cell, score, message)
        notes = list(trusted.get("incidents", [])) + (["tampered: a cell names the grading modules"] if tampered else [])
        missing = [g for g in exercises if g not in present]
        if missing:
            notes.append("test cells deleted from the submission: " + ", ".join(missing))
            self._restore(nb, resources, missing)
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                if o.get("output_type") == "error" and o.get("ename") in ("CellTimeoutError", "MemoryError"):
                    what = "timed out" if o["ename"] == "CellTimeoutError" else "ran out of memory"
                    notes.append(f"cell {cell.get('id', '?')} {what}")
        nb.metadata["bpcourse"] = {"skipped": trusted.get("skipped", ""), "incidents": list(dict.fromkeys(notes)),
                                   "tampered": tampered or ""}
        return nb, resources

    def _restore(self, nb, resources, grade_ids) -> None:
        """A test cell the student deleted comes back, empty, scoring 0: nbgrader would leave
        its grade from an earlier submission in the gradebook."""
        from nbgrader.api import Gradebook, MissingEntry

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            for grade_id in grade_ids:
                try:
                    points = gb.find_grade_cell(grade_id, info["notebook"], info["assignment"]).max_score
                except MissingEntry:
                    continue
                cell = nbformat.v4.new_code_cell(
                    "# ячейка проверки была удалена из ноутбука",
                    metadata={"nbgrader": {"grade": True, "solution": False, "locked": True,
                                           "grade_id": grade_id, "points": points, "schema_version": 3}})
                settle(cell, 0.0, "Ячейки проверки нет в сданном ноутбуке: упражнение не оценено.")
                nb.cells.append(cell)
