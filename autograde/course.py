"""An nbgrader course directory: its configuration, and nbgrader's API over it.

The course's configuration is ``DIR/nbgrader_config.py``, the instructor's file: bpcourse
writes it once when it is missing (course id, commented examples of the gradebook URL and the
limits) and afterwards only reads it, except to append the line that loads bpcourse's
protections (:func:`protect`) if someone removed it. nbgrader's own doors (``nbgrader
autograde``, ``generate_feedback``, the formgrader's buttons, started in DIR) read the same
file, so every door grades, hides and returns exactly as ``bpcourse grade`` does:

- ``Autograde.autograde_preprocessors``: nbgrader's list with its ``Execute`` replaced by
  :class:`autograde.preprocessors.SandboxedExecute` (the sandboxed kernel, hidden inputs per
  submission, the kernel's outputs taken back without following its links) and
  :class:`autograde.preprocessors.TrustedVerdicts` before ``SaveAutoGrades`` (each test cell's
  points from the trusted comparison with the reference);
- student-written HTML made inert before anything stores or renders it
  (:class:`autograde.feedback.Sanitize`), hidden tests removed from the feedback
  (:class:`autograde.feedback.HideHiddenTests`), the feedback in Russian (our template).
"""
from __future__ import annotations

import copy
import logging
import os
import sys
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

COURSE_ID = "backprop-course"      # the default course id of a new course folder
CONFIG_FILE = "nbgrader_config.py"
PROTECT_LINE = "protect(c)"

# Text copies and our own working files never reach a release or an autograded folder; a
# student's own *.html never reaches feedback/ (only the HTML the grader generated does), nor
# does collect's record of a refused submission (autograde.exchange.REFUSED).
IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py", "*.md", ".bpcourse", "*.html",
          ".bpcourse-refused.json"]

TEMPLATE = f'''\
# nbgrader configuration of this course: yours to edit. bpcourse wrote it once and never
# rewrites it; `bpcourse grade`, `nbgrader ...` and the formgrader (started in this folder)
# all read it.
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = {COURSE_ID!r}

# The gradebook: by default gradebook.db (SQLite) in this folder. PostgreSQL, for example:
# c.CourseDirectory.db_url = "postgresql+psycopg2://grader@/backprop?host=/var/run/postgresql"

# Limits of one submission, used by every door (`bpcourse grade` options override them for one run):
# c.Execute.timeout = 30                 # seconds per cell
# c.SandboxedExecute.memory_mb = 2048    # memory of all its processes
# c.SandboxedExecute.cpu_seconds = 300   # CPU time of its kernel

# Late submissions (nbgrader's own setting: "none" or "zero" for a late notebook):
# c.LateSubmissionPlugin.penalty_method = "zero"

# bpcourse's protections: the sandboxed kernel, trusted verdicts, hidden tests kept out of
# the feedback, student HTML made inert. Keep these lines last so nothing above undoes them.
from autograde.course import protect  # noqa: E402
{PROTECT_LINE}
'''


class NbGraderError(RuntimeError):
    """An nbgrader API call reported failure (its API returns a dict instead of raising)."""


def protect(c: Config) -> Config:
    """bpcourse's protections, added to nbgrader's configuration ``c`` (see the module doc)."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    from autograde.feedback import Sanitize
    from autograde.preprocessors import SandboxedExecute, TrustedCellMetadata, TrustedVerdicts

    c.CourseDirectory.ignore = IGNORE
    # nbgrader collect: nothing followed, the owner checked, the exchange's own time
    # (autograde.exchange). A collect configured above (an exchange service such as ngshare) stays.
    if "collect" not in c.ExchangeFactory:
        c.ExchangeFactory.collect = "autograde.exchange.SafeCollect"
    # Student-written HTML is made inert before nbgrader stores the submitted and the
    # executed notebook (the formgrader renders them).
    pre = list(Autograde.class_traits()["sanitize_preprocessors"].make_dynamic_default())
    # The nbgrader metadata of every cell comes from the gradebook, never from the submission
    # (TrustedCellMetadata first, before any of nbgrader's own preprocessors reads it).
    c.Autograde.sanitize_preprocessors = [TrustedCellMetadata] + pre[:1] + [Sanitize] + pre[1:]
    run = []
    for p in Autograde.class_traits()["autograde_preprocessors"].make_dynamic_default():
        if p is Execute:
            run += [SandboxedExecute, Sanitize]
        elif p is SaveAutoGrades:
            run += [TrustedVerdicts, SaveAutoGrades]
        else:
            run.append(p)
    c.Autograde.autograde_preprocessors = run
    # The feedback must not show hidden tests (nbgrader #917). GenerateFeedback's own list of
    # preprocessors is not configurable; the exporter's is, and it runs first.
    c.HTMLExporter.preprocessors = ["autograde.feedback.Sanitize", "autograde.feedback.HideHiddenTests"]
    # Our Russian feedback template first; nbgrader's own templates (the formgrader's pages) after
    # it, since a configured list replaces the one nbgrader's formgrader would set.
    import nbgrader.server_extensions.formgrader.handlers as formgrader
    c.HTMLExporter.extra_template_basedirs = [str(Path(__file__).parent / "templates"), formgrader.template_path]
    return c


def ensure_config_file(root: Path) -> Path:
    """``root/nbgrader_config.py``: written when missing; an existing one is kept as it is,
    except that the lines loading bpcourse's protections are appended if they are not there."""
    path = Path(root) / CONFIG_FILE
    if not path.exists():
        path.write_text(TEMPLATE, encoding="utf-8")
        return path
    text = path.read_text(encoding="utf-8")
    if not any(line.strip().startswith(PROTECT_LINE) for line in text.splitlines()):
        path.write_text(text.rstrip("\n") + "\n\n# added by bpcourse: its grading protections (keep last)\n"
                        "from autograde.course import protect  # noqa: E402\n" + PROTECT_LINE + "\n",
                        encoding="utf-8")
    return path


_loaded: dict = {}   # root -> (the config file's identity, its Config): read once per run


def load(root: Path) -> Config:
    """The configuration in ``root/nbgrader_config.py`` (bpcourse's defaults if there is none).

    The file is read once per process while it stays the same file with the same contents
    (its inode, size and modification time); each caller gets its own copy. A worker forked
    after the grader read it never reads it again."""
    root = Path(root).resolve()
    try:
        st = os.stat(root / CONFIG_FILE)
        identity = (st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        identity = None
    cached = _loaded.get(root)
    if cached is None or cached[0] != identity:
        cached = _loaded[root] = (identity, _read(root))
    return copy.deepcopy(cached[1])


def _read(root: Path) -> Config:
    if (root / CONFIG_FILE).is_file():
        c = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    else:
        c = Config()
        c.CourseDirectory.course_id = COURSE_ID
        protect(c)
    c.CourseDirectory.root = str(root)
    if not c.CourseDirectory.get("course_id"):
        c.CourseDirectory.course_id = COURSE_ID   # nbgrader's default '' breaks PostgreSQL's foreign keys
    if "db_url" not in c.CourseDirectory:
        # nbgrader's default gradebook, waiting while another worker holds the write lock
        c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}?timeout=60"
    return c


def config(root: Path, *, timeout: int | None = None, memory_mb: int | None = None,
           cpu_seconds: int | None = None, unsafe: bool = False, skip: str = "",
           from_source: bool = False) -> Config:
    """The course's configuration with this run's overrides: ``unsafe`` runs the kernel without
    the sandbox (``bpcourse grade --unsafe`` only; never written to a file); ``skip``: grade
    without executing, every test cell 0 with this reason (a submission that could not be
    graded)."""
    c = load(root)
    if timeout is not None:
        c.Execute.timeout = timeout
    if memory_mb is not None:
        c.SandboxedExecute.memory_mb = memory_mb
    if cpu_seconds is not None:
        c.SandboxedExecute.cpu_seconds = cpu_seconds
    if unsafe:
        c.SandboxedExecute.sandboxed = False
    if skip:
        c.SandboxedExecute.skip_reason = skip
    if from_source:   # the submission itself cannot be processed: the assignment's cells, all 0
        c.TrustedCellMetadata.from_source = True
    return c


def course_id(root: Path) -> str:
    return load(root).CourseDirectory.get("course_id", COURSE_ID)


def gradebook(root: Path) -> Gradebook:
    """nbgrader's gradebook of the course at ``root`` (use it as a context manager)."""
    c = load(root)
    return Gradebook(c.CourseDirectory.db_url, c.CourseDirectory.get("course_id", COURSE_ID))


def api(root: Path, **kwargs) -> NbGraderAPI:
    """nbgrader's Python API on the course at ``root`` (see :func:`config` for kwargs)."""
    # nbgrader runs the `alembic` command to open a gradebook: it must be on PATH even when
    # bpcourse is started as .venv/bin/bpcourse without activating the venv.
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    c = config(root, **kwargs)
    coursedir = CourseDirectory(config=c)
    nb_api = NbGraderAPI(coursedir=coursedir, config=c)
    nb_api.log.setLevel(logging.WARNING)
    return nb_api


def check(result: dict, what: str) -> dict:
    """Raise :class:`NbGraderError` when an nbgrader API call did not succeed."""
    if not result.get("success"):
        raise NbGraderError(f"nbgrader {what} failed:\n{result.get('error') or result.get('log', '')}")
    return result
