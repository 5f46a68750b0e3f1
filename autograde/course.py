"""An nbgrader course directory: its layout, its configuration, and the API over it.

Every nbgrader call in this project goes through :func:`api`, so the configuration lives in
one place: the course id, the SQLite gradebook, the per-cell timeout and the kernel that
executes submissions (the sandbox, :mod:`autograde.sandbox`).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

COURSE_ID = "backprop-course"

# Text copies and our own working files never reach a release or an autograded folder.
IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py", "*.md",
          ".bpcourse_out", ".bpcourse"]
# The feedback folder is handed to students: it gets the feedback HTML and nothing else —
# not the student's hidden inputs (.bpcourse_cases.json), not the recorded outputs, not a file
# the student's code wrote while it was graded. (nbgrader matches these globs against each
# name; "*" does not match a name that starts with a dot, hence ".*".)
FEEDBACK_IGNORE = IGNORE + ["*", ".*"]


class NbGraderError(RuntimeError):
    """An nbgrader API call reported failure (its API returns a dict instead of raising)."""


def config(root: Path, *, timeout: int = 30, kernel_name: str | None = None,
           feedback: bool = False, ipc: str | None = None) -> Config:
    """The nbgrader configuration of the course at ``root``; ``feedback``: for
    ``generate_feedback``, which then copies no file besides the HTML (:data:`FEEDBACK_IGNORE`)."""
    root = Path(root).resolve()
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = COURSE_ID
    # timeout: a second process may hold the write lock briefly (parallel workers).
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}?timeout=60"
    c.CourseDirectory.ignore = FEEDBACK_IGNORE if feedback else IGNORE
    c.Execute.timeout = timeout
    c.Execute.allow_errors = True
    c.Execute.interrupt_on_timeout = True
    if kernel_name:
        c.Execute.kernel_name = kernel_name
    if ipc:   # the sandboxed kernel has no network: UNIX sockets at this path prefix
        c.KernelManager.transport = "ipc"
        c.KernelManager.ip = ipc
    # The feedback must not show hidden tests (nbgrader #917). GenerateFeedback's own list of
    # preprocessors is not configurable; the exporter's is, and it runs first.
    c.HTMLExporter.preprocessors = ["autograde.feedback.Sanitize", "autograde.feedback.HideHiddenTests"]
    # Student-written HTML is made inert before nbgrader stores the autograded notebook (the
    # formgrader renders it), the executed outputs too (autograde.feedback.Sanitize).
    from nbgrader.converters.autograde import Autograde
    from autograde.feedback import Sanitize
    pre = list(Autograde.class_traits()["sanitize_preprocessors"].make_dynamic_default())
    c.Autograde.sanitize_preprocessors = pre[:1] + [Sanitize] + pre[1:]
    from autograde.worker import capped_execute   # Execute keeping a bounded amount of output
    run = list(Autograde.class_traits()["autograde_preprocessors"].make_dynamic_default())
    c.Autograde.autograde_preprocessors = [capped_execute()] + [Sanitize] + run[1:]
    c.HTMLExporter.extra_template_basedirs = [str(Path(__file__).parent / "templates")]  # Russian feedback
    return c


def write_config_file(root: Path) -> None:
    """An ``nbgrader_config.py`` so that instructors can open the course in the formgrader."""
    root = Path(root).resolve()
    (root / "nbgrader_config.py").write_text(
        "# Written by bpcourse; the pipeline passes the same settings to nbgrader's API.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.ignore = {IGNORE!r}\n",
        encoding="utf-8")


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
