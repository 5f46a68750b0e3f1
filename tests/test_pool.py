"""autograde.pool: tasks in real forked children, at most ``jobs`` at a time, each killed with
its whole process group when it overruns its limit."""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from autograde import pool


def run(tasks, fn, *, jobs=2, limit=30.0, log_path=None):
    done = []
    pool.run(tasks, fn, jobs=jobs, limit=limit, log_path=log_path,
             on_done=lambda task, result, seconds: done.append((task, result, seconds)))
    return done


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper is dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _square(task):
    return {"square": task * task, "pid": os.getpid(), "pgid": os.getpgid(0)}


def _result_files():
    return set(Path(tempfile.gettempdir()).glob("bpcourse-task-*.json"))


def test_every_task_runs_in_its_own_child_and_session():
    before = _result_files()
    done = run(range(5), _square, jobs=2)
    assert sorted(t for t, _, _ in done) == [0, 1, 2, 3, 4]
    for task, result, seconds in done:
        assert result["square"] == task * task and seconds >= 0
        assert result["pid"] != os.getpid()
        assert result["pgid"] == result["pid"]        # its own process group (os.setsid)
    assert len({r["pid"] for _, r, _ in done}) == 5
    assert _result_files() <= before                   # the result files are removed


def _fails_on_two(task):
    if task == 2:
        raise ValueError("task two is broken")
    return {"ok": task}


def test_an_exception_is_the_tasks_error_and_the_others_go_on():
    done = dict((t, r) for t, r, _ in run([1, 2, 3], _fails_on_two))
    assert done[1] == {"ok": 1} and done[3] == {"ok": 3}
    assert set(done[2]) == {"error"}
    assert "ValueError: task two is broken" in done[2]["error"] and "_fails_on_two" in done[2]["error"]


def _dies(task):
    os._exit(3)        # e.g. killed by the kernel's OOM killer: no result file written


def test_a_child_that_dies_without_a_result_is_an_error():
    [(_, result, _)] = run(["x"], _dies)
    assert result == {"error": "the grading process ended without a result"}


def _hangs_with_a_grandchild(task):
    if task == "slow":
        child = subprocess.Popen(["sleep", "20"])      # in the task's process group
        Path(os.environ["POOL_TEST_PID"]).write_text(str(child.pid))
        time.sleep(20)       # (short: a broken kill must not hang the suite long)
    return {"ok": task}


def test_a_task_over_its_limit_is_killed_with_its_process_group(tmp_path, monkeypatch):
    monkeypatch.setenv("POOL_TEST_PID", str(tmp_path / "grandchild"))
    start = time.monotonic()
    done = {t: (r, s) for t, r, s in run(["slow", "fast"], _hangs_with_a_grandchild, jobs=2, limit=1.5)}
    assert done["fast"][0] == {"ok": "fast"}
    assert done["slow"][0] == {"timeout": True} and 1.5 <= done["slow"][1] < 10
    assert time.monotonic() - start < 10
    grandchild = int((tmp_path / "grandchild").read_text())
    for _ in range(100):                # SIGKILL is asynchronous: give it a moment
        if not alive(grandchild):
            break
        time.sleep(0.05)
    assert not alive(grandchild), "the task's own child outlived the timeout"


def _timed(task):
    start = time.monotonic()
    time.sleep(0.4)
    return {"start": start, "end": time.monotonic()}


def _most_at_once(results):
    events = sorted([(r["start"], 1) for r in results] + [(r["end"], -1) for r in results],
                    key=lambda e: (e[0], e[1]))
    running = most = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


def test_at_most_jobs_tasks_run_at_once():
    results = [r for _, r, _ in run(range(6), _timed, jobs=2)]
    assert _most_at_once(results) == 2
    results = [r for _, r, _ in run(range(3), _timed, jobs=1)]
    assert _most_at_once(results) == 1
    results = [r for _, r, _ in run(range(2), _timed, jobs=0)]     # 0 means 1, not a hang
    assert _most_at_once(results) == 1


def _prints(task):
    os.write(1, f"hello from {task}\n".encode())     # as a kernel or a library writes: to the fd
    os.write(2, b"to stderr\n")
    return {}


def test_a_tasks_output_goes_to_its_log(tmp_path, capfd):
    run(["a", "b"], _prints, log_path=lambda task: str(tmp_path / f"{task}.log"))
    assert (tmp_path / "a.log").read_text() == "hello from a\nto stderr\n"
    assert (tmp_path / "b.log").read_text() == "hello from b\nto stderr\n"
    out, err = capfd.readouterr()
    assert "hello" not in out and "to stderr" not in err
