"""Run tasks in forked child processes, at most ``jobs`` at a time, each with a wall-clock limit.

Why fork: the parent has already imported nbgrader (seconds of start-up); a forked child
starts with it for free. The parent is single-threaded, so nothing is locked at fork time.
Each child gets its own session (process group); a child that overruns is killed with its
group, and the sandboxed kernel under it dies with it (bwrap ``--die-with-parent``).
"""
from __future__ import annotations

import json
import os
import signal
import tempfile
import time
import traceback
from typing import Callable, Iterable

POLL = 0.05  # seconds between checks of running children


def _child(task, fn: Callable, result_path: str, log_path: str | None) -> None:
    """In the forked child: run ``fn(task)``, write its dict result as JSON, exit hard."""
    code = 0
    try:
        os.setsid()
        if log_path:  # kernels and libraries print; keep it per task, off the terminal
            fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
        result = fn(task)
    except BaseException:  # noqa: BLE001 - the parent must always get an answer
        result = {"error": traceback.format_exc()[-5000:]}
        code = 1
    try:
        with open(result_path, "w", encoding="utf-8") as f:
            json.dump(result, f)
    finally:
        os._exit(code)


def run(tasks: Iterable, fn: Callable[[object], dict], *, jobs: int, limit: float,
        log_path: Callable[[object], str] | None = None,
        on_done: Callable[[object, dict, float], None]) -> None:
    """Run ``fn(task)`` for every task in a forked child; call ``on_done(task, result, seconds)``.

    ``result`` is what ``fn`` returned, ``{"error": traceback}`` if it raised, or
    ``{"timeout": True}`` if it ran longer than ``limit`` seconds and was killed (``on_done`` is
    called at once, before anyone cleans up what the child left).
    """
    pending = list(tasks)
    running: dict[int, tuple] = {}
    while pending or running:
        while pending and len(running) < max(1, jobs):
            task = pending.pop(0)
            fd, result_path = tempfile.mkstemp(prefix="bpcourse-task-", suffix=".json")
            os.close(fd)
            pid = os.fork()
            if pid == 0:
                _child(task, fn, result_path, log_path(task) if log_path else None)
            running[pid] = (task, result_path, time.perf_counter())
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid in running:
            task, result_path, start = running.pop(pid)
            try:
                with open(result_path, encoding="utf-8") as f:
                    result = json.load(f)
            except (OSError, ValueError):
                result = {"error": "the grading process ended without a result"}
            os.unlink(result_path)
            on_done(task, result, time.perf_counter() - start)
            continue
        now = time.perf_counter()
        for pid, (task, result_path, start) in list(running.items()):
            if now - start > limit:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                os.waitpid(pid, 0)
                running.pop(pid)
                os.unlink(result_path)
                on_done(task, {"timeout": True}, now - start)
        time.sleep(POLL)
