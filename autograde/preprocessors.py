"""bpcourse's nbgrader plugins: how a test cell's points are decided, whichever door grades.

:func:`autograde.course.protect` puts them into nbgrader's ``Autograde`` pipeline, so that
``bpcourse grade``, ``nbgrader autograde`` and the formgrader's Autograde button run the same:

0. :class:`TrustedCellMetadata` (first of nbgrader's sanitizing preprocessors) takes every
   cell's nbgrader metadata from the gradebook, not from the submission: metadata that nbgrader
   would raise on (a locked cell without ``grade_id``, duplicate or unknown ids, a grade cell
   without points, values of the wrong type) is replaced or removed, the submission is graded
   and its status says ``bad_metadata`` (one bad notebook never stops a run or a door).
1. :class:`SandboxedExecute` (in place of nbgrader's ``Execute``) makes the submission's hidden
   inputs (seeded by the course secret, the student, the assignment and the submitted
   notebook's bytes), runs the notebook in the sandboxed kernel (:mod:`autograde.sandbox`) in
   a private scratch folder (:func:`autograde.sandbox.scratch_root`) with per-submission limits, and takes back only what the hidden
   test regions recorded, never following a link the kernel made. The kernel's messages are
   capped (one message, and all of a notebook's output together, display updates included);
   widget (comm) traffic is dropped unread.
2. :class:`TrustedVerdicts` (just before nbgrader's ``SaveAutoGrades``) compares the recorded
   outputs with the reference (:mod:`autograde.verify`) and settles each test cell's outputs
   so that nbgrader's own rule (an error output scores 0, otherwise full points) gives the
   trusted score: full points only if the verdict passes and no visible check raised. The
   verdict is the cell's last output, so the formgrader and the feedback show it, and a TA's
   comment cannot hide it.
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import secrets
import shutil
import stat
import sys
import tempfile
import time
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
MAX_QUEUED = 8                     # messages received and not yet read (ZeroMQ's RCVHWM)
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


# --- the submission's nbgrader metadata ------------------------------------------------------------

BAD_METADATA = "bad_metadata"      # incident (and status): nbgrader metadata replaced from the gradebook
TAMPERED = "tampered"              # status: a cell names the grading machinery (verify.tampering)
METADATA_KEY = "bpcourse_metadata"  # notebook metadata: what TrustedCellMetadata replaced (sanitized copy only)
KINDS = ("grade", "solution", "locked", "task")


def _source_metadata(gb, notebook: str, assignment: str) -> dict[str, tuple[str, dict]]:
    """``{grade_id: (cell_type, nbgrader metadata)}`` of the assignment's cells, from the gradebook."""
    nb = gb.find_notebook(notebook, assignment)
    grade = {c.name: c.max_score for c in nb.grade_cells}
    solution = {c.name for c in nb.solution_cells}
    task = {c.name for c in nb.task_cells}
    out = {}
    for c in nb.source_cells:
        meta = {"grade": c.name in grade, "grade_id": c.name, "locked": bool(c.locked),
                "schema_version": 3, "solution": c.name in solution, "task": c.name in task}
        if c.name in grade:
            meta["points"] = grade[c.name]
        out[c.name] = (c.cell_type, meta)
    return out


def _differs(raw: dict, cell_type: str, want_type: str, want: dict) -> str:
    """Why a submitted cell's nbgrader metadata is not the assignment's ("" if it is)."""
    for key in KINDS:
        got = raw.get(key, False)
        if not isinstance(got, bool):
            return f"{key!r} is {type(got).__name__}, not true/false"
    kind = {k: bool(raw.get(k, False)) for k in KINDS}
    kind["locked"] = not kind["solution"] and (kind["grade"] or kind["locked"])   # nbgrader's is_locked
    expected = dict((k, want[k]) for k in KINDS)
    expected["locked"] = not want["solution"] and (want["grade"] or want["locked"])
    if kind != expected:
        return "its kind (" + ", ".join(k for k in KINDS if kind[k]) + ") is not the assignment's (" \
            + ", ".join(k for k in KINDS if expected[k]) + ")"
    if want["grade"]:
        try:
            if float(raw.get("points")) != float(want["points"]):
                return f"its points ({raw.get('points')!r}) are not the assignment's ({want['points']:g})"
        except (TypeError, ValueError):
            return f"its points ({str(raw.get('points'))[:20]!r}) are not a number"
    if cell_type != want_type:
        return f"it is a {cell_type} cell, not a {want_type} cell"
    return ""


class TrustedCellMetadata(NbGraderPreprocessor):
    """Every cell's nbgrader metadata as the gradebook (the assignment's source) says, never as
    the submission says. Runs first in nbgrader's sanitizing stage, so that nothing after it
    (``DeduplicateIds``, ``OverwriteCells``, ``CheckCellMetadata``, ``SaveAutoGrades``) meets
    metadata it would raise on: a cell whose id the assignment does not know, without an id,
    or with nbgrader metadata that is not an object loses it (it is an ordinary cell); a cell
    with a known id gets the assignment's metadata (kind, points, cell type); of cells sharing
    an id the last keeps it (as nbgrader's ``DeduplicateIds``). What was replaced is recorded
    in the sanitized notebook's metadata; :class:`SandboxedExecute` reports it as the
    ``bad_metadata`` incident. The submitted file itself is never modified.

    ``from_source``: build the notebook from the assignment's cells alone (nothing of the
    submission): the last resort of a submission that cannot be graded at all (with
    ``SandboxedExecute.skip_reason``), so that even a notebook nbgrader cannot process gets
    its zeros and its reason."""

    from_source = Bool(False, help="Replace the submission by the assignment's own cells "
                                   "(a submission that cannot be processed: every test cell 0)").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            source = _source_metadata(gb, info["notebook"], info["assignment"])
            if self.from_source:
                nb.cells = [self._cell(c.cell_type, c.source, source[c.name][1])
                            for c in gb.find_notebook(info["notebook"], info["assignment"]).source_cells]
                nb.metadata[METADATA_KEY] = ["the notebook could not be processed: replaced by the assignment's cells"]
                return nb, resources
        problems: list[str] = []
        last: dict[str, int] = {}   # of cells sharing an id, the last keeps it (as DeduplicateIds)
        for i, cell in enumerate(nb.cells):
            raw = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
            gid = raw.get("grade_id") if isinstance(raw, dict) else None
            if isinstance(gid, str) and gid in source:
                last[gid] = i
        cells = []
        for i, cell in enumerate(nb.cells):
            try:
                cell = self._check(cell, i + 1, source, last, problems)
            except Exception as e:  # noqa: BLE001 - whatever it is, the cell becomes an ordinary one
                problems.append(f"cell {i + 1}: {type(e).__name__}")
                cell = nbformat.v4.new_markdown_cell(str(cell.get("source", "")) if isinstance(cell, dict) else "")
            cells.append(cell)
        nb.cells = cells
        nb.metadata[METADATA_KEY] = list(dict.fromkeys(problems))
        if problems:
            self.log.warning("nbgrader metadata replaced from the gradebook: %s", "; ".join(problems))
        return nb, resources

    @staticmethod
    def _cell(cell_type: str, text, meta: dict, old=None):
        text = text if isinstance(text, str) else ""
        cell = (nbformat.v4.new_code_cell(text) if cell_type == "code"
                else nbformat.v4.new_markdown_cell(text))
        if old is not None and isinstance(old.get("id"), str):
            cell["id"] = old["id"]
        cell.metadata["nbgrader"] = NotebookNode(dict(meta))
        return cell

    def _check(self, cell, number: int, source: dict, last: dict, problems: list[str]):
        if not isinstance(cell.get("metadata"), dict):
            problems.append(f"cell {number}: its metadata is not an object")
            cell["metadata"] = NotebookNode()
        if not isinstance(cell.get("source", ""), str):
            problems.append(f"cell {number}: its source is not text")
            cell["source"] = ""
        if "nbgrader" not in cell.metadata:
            return cell
        raw = cell.metadata["nbgrader"]
        gid = raw.get("grade_id") if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(gid, str) or gid not in source:
            claims = not isinstance(raw, dict) or any(raw.get(k) for k in KINDS) or gid is not None
            if claims:
                why = ("its nbgrader metadata is not an object" if not isinstance(raw, dict)
                       else "no grade id" if gid is None
                       else f"grade id {str(gid)[:60]!r} is not in the assignment")
                problems.append(f"cell {number}: {why}")
            del cell.metadata["nbgrader"]
            return cell
        if last[gid] != number - 1:
            problems.append(f"cell {number}: grade id {gid!r} repeated (the last cell keeps it)")
            del cell.metadata["nbgrader"]
            return cell
        want_type, want = source[gid]
        why = _differs(raw, cell.get("cell_type"), want_type, want)
        if why:
            problems.append(f"cell {number} ({gid}): {why}")
        if cell.get("cell_type") != want_type:   # nbgrader's own conversion can fail validation
            return self._cell(want_type, cell.get("source", ""), want, old=cell)
        cell.metadata["nbgrader"] = NotebookNode(dict(want))
        return cell


# --- the kernel -------------------------------------------------------------------------------------

class CappedClient(AsyncKernelClient):
    """A kernel client that refuses any single message over :data:`MAX_MESSAGE` bytes (ZeroMQ
    drops it unread), so one huge display call cannot fill the grader's memory, and queues at
    most :data:`MAX_QUEUED` messages unread (a kernel that sends faster than the grader reads
    loses its messages, not the grader its memory: at most ``MAX_QUEUED * MAX_MESSAGE`` bytes)."""

    def _context_default(self):
        import zmq
        import zmq.asyncio

        self._created_context = True
        ctx = zmq.asyncio.Context()
        ctx.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
        ctx.setsockopt(zmq.RCVHWM, MAX_QUEUED)
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
KEPT = {"stream", "display_data", "execute_result", "error", "update_display_data"}
# The last kernel run of this process: its wall-clock and CPU seconds (the kernel's cgroup, or its
# processes), read by `bpcourse grade`'s worker to tell a starved submission from a slow one.
LAST_RUN: dict = {}


#: nbgrader's own files of a submission (written by ``nbgrader submit``, copied by collect):
#: generate_feedback copies them into feedback/, where release_feedback reads them — with a
#: stand-in when the submitted one was not a plain file (nbgrader's timestamp format)
NBGRADER_FILES = {
    "timestamp.txt": lambda: time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime()),
    "submission_secret.txt": lambda: secrets.token_hex(16),
}


def _plain_small_file(path: Path) -> bool:
    """A regular file, not a link of any kind, of at most 4 KB (nothing followed)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_nlink == 1 and st.st_size <= 4096


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
    # Widget state is of no use to the grader (nbclient would keep every model's state and
    # buffers, uncapped, and write them into the notebook): comm traffic is dropped unread.
    store_widget_state = Bool(False).tag(config=True)

    def _submitted(self, resources) -> Path:
        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"])
        return Path(folder) / f"{info['notebook']}.ipynb"

    def _student_files(self, resources) -> str | None:
        """Before this runs, nbgrader's autograde has copied the submission folder's other files
        into ``autograded/`` with ``shutil.copy``, following links
        (``BaseConverter.init_assignment``), and its ``generate_feedback`` would copy them on into
        ``feedback/``. The kernel never sees ``autograded/`` (it works in its scratch folder), so
        those copies are of no use to a grade: they are removed, whichever door runs. Returns
        the reason not to grade when ``submitted/`` itself holds a link, a hard link or a special
        file (``bpcourse grade`` and ``nbgrader collect`` refuse those earlier; this is for a
        folder copied there by hand with its links)."""
        from autograde.intake import unsafe_entry

        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        folder = Path(coursedir.format_path(coursedir.autograded_directory, info["student"], info["assignment"]))
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        try:
            entries = list(os.scandir(folder))
        except OSError:
            entries = []
        for entry in entries:
            if entry.name.endswith(".ipynb") and entry.is_file(follow_symlinks=False):
                continue
            if entry.name in NBGRADER_FILES and entry.is_file(follow_symlinks=False) and \
                    _plain_small_file(submitted / entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
        for name, make in NBGRADER_FILES.items():   # one of them was a link: a harmless stand-in
            if os.path.lexists(submitted / name) and not os.path.lexists(folder / name) and folder.is_dir():
                (folder / name).write_text(make(), encoding="utf-8")
        found = unsafe_entry(submitted) if submitted.is_dir() and not submitted.is_symlink() else None
        if found:
            return ("в сданной папке есть символическая или жёсткая ссылка либо особый файл: такая работа "
                    f"не проверяется — сдайте обычные файлы ({found[0]})")
        return None

    def preprocess(self, nb: NotebookNode, resources: dict):
        trusted = resources.setdefault("bpcourse", {})
        self._bp_chars, self._bp_noted = 0, False
        replaced = nb.metadata.pop(METADATA_KEY, None)   # TrustedCellMetadata's findings
        if replaced:
            trusted["incidents"] = trusted.get("incidents", []) + [
                BAD_METADATA, "nbgrader metadata replaced from the assignment: " + "; ".join(replaced)[:600]]
        unsafe = self._student_files(resources)
        if unsafe and not self.skip_reason:
            trusted["skipped"] = unsafe
            return nb, resources
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
        started, children = time.monotonic(), sandbox.children_cpu()
        cpu, self._bp_uid, self._bp_timeouts = None, uid, []
        try:
            try:
                super().preprocess(nb, resources)
            except DeadKernelError as e:
                trusted["incidents"] = trusted.get("incidents", []) + ["kernel_died"]
                self._kernel_died(nb, str(e))
            trusted["outputs"] = take_outputs(scratch / "work", [ex.name for ex in hidden.exercises(info["assignment"])])
        finally:
            if uid is not None:
                cpu = sandbox.kernel_cpu(uid)   # before its cgroups and processes are removed
            sandbox.remove_scratch(scratch, uid)
            if cpu is None:   # no cgroup of its own: the kernel was this process's child
                cpu = sandbox.children_cpu() - children
            wall = time.monotonic() - started
            if self._bp_timeouts:   # what the cells that timed out got (startup time aside)
                cpu, wall = (sum(x) for x in zip(*self._bp_timeouts))
            LAST_RUN.update(wall=round(wall, 3), cpu=round(cpu, 3))
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        """nbgrader's cell execution, noting the kernel's CPU and wall-clock seconds in a cell
        that timed out (`bpcourse grade` grades it again alone only if it was starved)."""
        uid = getattr(self, "_bp_uid", None)
        before = sandbox.kernel_cpu(uid) if uid is not None else None
        started = time.monotonic()
        result = super().preprocess_cell(cell, resources, index)
        if before is not None and any(o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError"
                                      for o in cell.get("outputs", [])):
            after = sandbox.kernel_cpu(uid)
            if after is not None:
                self._bp_timeouts.append((after - before, time.monotonic() - started))
        return result

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

    def process_message(self, msg, cell, cell_index):
        """Keep at most :data:`MAX_KERNEL_OUTPUT` characters of a notebook's outputs, counting
        every message the client would keep: outputs, and display updates (an update replaces
        the data of every output shown under its display id, so it costs its size once per such
        output). A kernel that floods its client costs its own notebook a truncated output, not
        the grader. Widget (comm) messages are dropped: the grader keeps no widget state."""
        msg_type = msg.get("msg_type", "")
        if msg_type.startswith("comm"):
            return None
        if msg_type in KEPT:
            content = msg.get("content") or {}
            transient = content.get("transient") if isinstance(content, dict) else None
            display_id = transient.get("display_id") if isinstance(transient, dict) else None
            copies = 0 if msg_type == "update_display_data" else 1
            if display_id:
                try:
                    copies += sum(len(v) for v in self._display_id_map.get(display_id, {}).values())
                except (TypeError, AttributeError):
                    copies += 1
            self._bp_chars = getattr(self, "_bp_chars", 0) + _chars(content) * max(copies, 1)
            if self._bp_chars > MAX_KERNEL_OUTPUT:
                if not getattr(self, "_bp_noted", False):
                    self._bp_noted = True
                    cell.setdefault("outputs", []).append(nbformat.v4.new_output(
                        "stream", name="stdout",
                        text=f"\n[вывод обрезан: ноутбук вывел больше {MAX_KERNEL_OUTPUT >> 20} МБ]\n"))
                return None
        return super().process_message(msg, cell, cell_index)

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
