"""The formgrader's ⚡ Autograde, run beside the Jupyter server instead of inside it.

nbgrader's formgrader autogrades inside the button's HTTP request (``AutogradeHandler.post`` →
``NbGraderAPI.autograde``): the server's one event loop is busy until the student's notebook
has run, so for a whole submission the server answers nobody — not the instructor's other tabs,
not a TA, not the formgrader's own status requests. The same process also holds what the
submission makes the grader keep.

This Jupyter server extension answers the same URL with a subclass of nbgrader's handler (the
same authentication and XSRF checks) whose ``post`` runs nbgrader's own command,
``nbgrader autograde --assignment=A --student=S --force``, in a child process in the course
folder and awaits it. The child reads the same ``nbgrader_config.py`` (so the same sandbox and
trusted verdicts: one code path for every door), the server keeps serving, and the reply has
the shape nbgrader's API gives (``success``, ``log``, ``error``) so the formgrader's page shows
it as before. Autogrades started from the formgrader run one at a time, as they did, and each
holds the course folder's lock (``DIR/.bpcourse/lock``, :func:`autograde.state.lock`) while it
runs: a ``bpcourse grade`` on the same folder waits its turn instead of racing it, and the
button says so when ``bpcourse grade`` holds the lock.

It is enabled for every Jupyter server of the environment
(``jupyter-config/jupyter_server_config.d/backprop-course.json``, installed with the package)
and does nothing where nbgrader's formgrader is not enabled (the students' ``make lab``).
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tornado import web

FORMGRADER = "nbgrader.server_extensions.formgrader"
ROUTE = r"/formgrader/api/submission/([^/]+)/([^/]+)/autograde"
LOG_CHARS = 20_000          # the modal shows the log; a flood of log lines is cut to its end


def _jupyter_server_extension_points():
    return [{"module": "autograde.formgrader"}]


def _load_jupyter_server_extension(serverapp) -> None:
    if not serverapp.jpserver_extensions.get(FORMGRADER, False):
        return
    from jupyter_server.utils import url_path_join

    web_app = serverapp.web_app
    pattern = url_path_join(web_app.settings["base_url"], ROUTE.lstrip("/"))
    web_app.add_handlers(".*$", [(pattern, _handler_class())])
    # tornado takes the first rule that matches and appends new host rules after the earlier
    # extensions' ones (before its catch-all): move ours to the front, ahead of nbgrader's.
    rules = web_app.default_router.rules
    rules.insert(0, rules.pop(len(rules) - 2))
    serverapp.log.info("bpcourse: the formgrader's Autograde runs in a child process")


def _handler_class():
    # nbgrader's formgrader package is imported only where it is enabled
    from nbgrader.server_extensions.formgrader.apihandlers import AutogradeHandler
    from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf

    class ChildProcessAutograde(AutogradeHandler):
        """nbgrader's ⚡ Autograde handler, awaiting ``nbgrader autograde`` in a child process."""

        _one_at_a_time = asyncio.Lock()

        @web.authenticated
        @check_xsrf
        @check_notebook_dir
        async def post(self, assignment_id, student_id):
            from autograde import state

            root = Path(self.coursedir.root)
            async with self._one_at_a_time:
                try:
                    with state.lock(root):
                        result = await autograde_in_child(root, assignment_id, student_id)
                except state.StateError as e:     # bpcourse grade is working on this folder
                    result = {"success": False, "error": str(e), "log": ""}
            self.write(json.dumps(result))

    return ChildProcessAutograde


def autograde_command(assignment_id: str, student_id: str) -> list[str]:
    """nbgrader's CLI for one submission; ids as ``--name=value`` so none is read as a flag."""
    return [sys.executable, "-m", "nbgrader", "autograde", f"--assignment={assignment_id}",
            f"--student={student_id}", "--force"]


async def autograde_in_child(root: Path, assignment_id: str, student_id: str) -> dict:
    """Run :func:`autograde_command` in ``root``; nbgrader's API reply (success, log, error)."""
    bindir = str(Path(sys.executable).parent)   # nbgrader runs `alembic` from PATH
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    proc = await asyncio.create_subprocess_exec(
        *autograde_command(assignment_id, student_id), cwd=str(root), env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        start_new_session=True)
    out, _ = await proc.communicate()
    log = out.decode("utf-8", errors="replace")
    if len(log) > LOG_CHARS:
        log = "…\n" + log[-LOG_CHARS:]
    result = {"success": proc.returncode == 0, "log": log}
    if proc.returncode != 0:
        result["error"] = f"nbgrader autograde exited with status {proc.returncode}"
    return result
