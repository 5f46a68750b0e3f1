"""The run state of a course folder (autograde/state.py): real files, real second processes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from autograde.state import State, StateError, StateLocked, lock

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def spawn(code: str, *args) -> subprocess.Popen:
    """A second Python process running ``code`` (with the repository importable), stdout piped."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_line(proc: subprocess.Popen, expected: str, seconds: float = 60) -> str:
    """The child's first stdout line; fail (with its stderr) unless it starts with ``expected``."""
    line = proc.stdout.readline()
    if not line.startswith(expected):
        proc.kill()
        raise AssertionError(f"child said {line!r}, expected {expected!r}; stderr:\n{proc.communicate(timeout=seconds)[1]}")
    return line


HOLDER = """
import sys, time
from autograde.state import State
state = State.open(sys.argv[1], lock=True)
state.put("holder/00_intro", {"status": "ok"})
print("locked", flush=True)
time.sleep(600)
"""


def test_entries_and_digests_survive_reopening(tmp_path):
    with State.open(tmp_path) as state:
        assert state.get("ana/00_intro") is None and state.submissions() == {} and len(state) == 0
        assert state.assignment_digest("00_intro") is None
        state.put("ana/00_intro", {"status": "ok", "message": "", "hash": "ab" * 32, "seconds": 3.25})
        state.put("bob/00_intro", {"status": "corrupt_notebook", "message": "не JSON", "hash": None})
        state.put("ana/00_intro", {"status": "timeout", "message": "stopped", "hash": "cd" * 32})  # replaces
        state.set_assignment("00_intro", "d1")
        state.set_assignment("00_intro", "d2")
        state.set_assignment("01_chain", "e1")
    assert (tmp_path / ".bpcourse" / "state.sqlite").is_file()
    with State.open(tmp_path) as state:
        assert state.submissions() == {
            "ana/00_intro": {"status": "timeout", "message": "stopped", "hash": "cd" * 32},
            "bob/00_intro": {"status": "corrupt_notebook", "message": "не JSON", "hash": None}}
        assert list(state.submissions()) == ["ana/00_intro", "bob/00_intro"]
        assert state.get("bob/00_intro")["message"] == "не JSON"
        assert state.assignment_digest("00_intro") == "d2"
        assert state.assignments() == {"00_intro": "d2", "01_chain": "e1"}
        assert len(state) == 2
        with pytest.raises(TypeError):
            state.put("x/y", ["not", "a", "dict"])
        state.put_many({"c/00_intro": {"status": "ok"}, "ana/00_intro": {"status": "ok", "hash": "ef"}})
        assert state.get("ana/00_intro") == {"status": "ok", "hash": "ef"} and len(state) == 3
        state.put("aa/00_intro", {"status": "ok"})                                # sorted by key
        assert list(state.submissions()) == ["aa/00_intro", "ana/00_intro", "bob/00_intro", "c/00_intro"]


def test_put_is_synced_before_it_returns(tmp_path):
    with State.open(tmp_path) as state:
        assert state._db.execute("PRAGMA synchronous").fetchone()[0] == 2        # FULL
        assert state._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert not state._db.in_transaction                                       # nothing pending


def test_a_process_killed_right_after_put_keeps_the_entry(tmp_path):
    child = spawn("""
        import os, signal, sys
        from autograde.state import State
        state = State.open(sys.argv[1], lock=True)
        for i in range(50):
            state.put(f"s{i}/00_intro", {"status": "ok", "i": i})
        os.kill(os.getpid(), signal.SIGKILL)     # no close(), no commit at exit, no atexit
        """, tmp_path)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    with State.open(tmp_path, lock=True) as state:   # the killed holder left no lock behind
        entries = state.submissions()
    assert entries == {f"s{i}/00_intro": {"status": "ok", "i": i} for i in range(50)}


def test_a_second_grader_is_refused_naming_the_first_and_the_lock_dies_with_it(tmp_path):
    holder = spawn(HOLDER, tmp_path)
    try:
        wait_for_line(holder, "locked")
        with pytest.raises(StateLocked) as refused:
            State.open(tmp_path, lock=True)
        message = str(refused.value)
        assert f"process {holder.pid} " in message and "started 20" in message
        assert f"kill {holder.pid}" in message and "another grader" in message
        assert refused.value.holder["pid"] == holder.pid
        with pytest.raises(StateLocked):                 # the plain lock, too
            lock(tmp_path)
        with State.open(tmp_path) as reader:             # reading without the lock is allowed
            assert reader.get("holder/00_intro") == {"status": "ok"}
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=60)
    with State.open(tmp_path, lock=True) as state:       # free at once after SIGKILL
        assert state.get("holder/00_intro") == {"status": "ok"}
        assert json.loads((tmp_path / ".bpcourse" / "lock").read_text())["pid"] == os.getpid()
    assert (tmp_path / ".bpcourse" / "lock").read_text() == ""     # released: details cleared
    with lock(tmp_path):
        pass


def test_while_one_grader_writes_the_second_is_refused_and_nothing_is_lost(tmp_path):
    writer = spawn("""
        import sys
        from autograde.state import State
        with State.open(sys.argv[1], lock=True) as state:
            for i in range(400):
                state.put(f"w{i}/00_intro", {"status": "ok", "i": i})
                if i == 100:
                    print("halfway", flush=True)
                    sys.stdin.readline()          # the second grader tries now
        print("done", flush=True)
        """, tmp_path)
    try:
        wait_for_line(writer, "halfway")
        second = subprocess.run([sys.executable, "-c", textwrap.dedent("""
            import sys
            from autograde.state import State, StateLocked
            try:
                state = State.open(sys.argv[1], lock=True)
            except StateLocked as e:
                print(e)
                sys.exit(3)
            state.put("second/00_intro", {"status": "ok"})
            """), str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert second.returncode == 3, second.stdout + second.stderr
        assert f"process {writer.pid} " in second.stdout
        out, err = writer.communicate(input="go on\n", timeout=120)
        assert writer.returncode == 0 and out == "done\n", err
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.communicate(timeout=60)
    with State.open(tmp_path, lock=True) as state:
        assert state.submissions() == {f"w{i}/00_intro": {"status": "ok", "i": i} for i in range(400)}


def test_writers_without_the_lock_lose_no_entries(tmp_path):
    """Processes that open the state without the lock (e.g. workers) may write at once."""
    code = """
        import sys
        from autograde.state import State
        name = sys.argv[2]
        with State.open(sys.argv[1]) as state:
            print("open", flush=True)
            sys.stdin.readline()
            for i in range(300):
                state.put(f"{name}{i}/00_intro", {"status": "ok", "by": name})
                state.put("shared/00_intro", {"status": "ok", "by": name})
        """
    writers = [spawn(code, tmp_path, name) for name in ("a", "b", "c")]
    try:
        for w in writers:
            wait_for_line(w, "open")
        for w in writers:                        # all three start writing together
            w.stdin.write("go\n")
            w.stdin.flush()
        for w in writers:
            out, err = w.communicate(timeout=300)
            assert w.returncode == 0, err
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()
                w.communicate(timeout=60)
    with State.open(tmp_path) as state:
        entries = state.submissions()
    assert len(entries) == 3 * 300 + 1
    for name in ("a", "b", "c"):
        assert all(entries[f"{name}{i}/00_intro"] == {"status": "ok", "by": name} for i in range(300))
    assert entries["shared/00_intro"]["by"] in {"a", "b", "c"}


def test_a_forked_child_cannot_release_its_parents_lock(tmp_path):
    held = lock(tmp_path)
    try:
        pid = os.fork()
        if pid == 0:                              # the child: a worker forked by the grader
            try:
                held.release()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        probe = subprocess.run([sys.executable, "-c", textwrap.dedent("""
            import sys
            from autograde.state import lock, StateLocked
            try:
                lock(sys.argv[1])
            except StateLocked:
                sys.exit(3)
            """), str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert probe.returncode == 3, probe.stderr
        assert held.held
    finally:
        held.release()
    assert not held.held
    with lock(tmp_path):                          # released by its owner
        pass


def test_a_forked_child_cannot_use_or_close_its_parents_state(tmp_path):
    state = State.open(tmp_path, lock=True)
    state.put("parent/00_intro", {"status": "ok"})
    pid = os.fork()
    if pid == 0:                                  # a worker forked while the grader holds the state
        code = 1
        try:
            try:
                state.put("child/00_intro", {"status": "ok"})
            except StateError as e:
                code = 3 if "another process" in str(e) else 4
            state.close()                         # must neither close the parent's database nor unlock
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 3
    try:
        state.put("parent2/00_intro", {"status": "ok"})    # the parent's connection still works
        with pytest.raises(StateLocked):
            lock(tmp_path)
        assert state.get("child/00_intro") is None
    finally:
        state.close()
    with pytest.raises(StateError, match="closed"):
        state.get("parent/00_intro")
    with State.open(tmp_path, lock=True) as again:
        assert again.submissions() == {"parent/00_intro": {"status": "ok"}, "parent2/00_intro": {"status": "ok"}}


def test_state_json_is_imported_once_and_kept(tmp_path):
    folder = tmp_path / ".bpcourse"
    folder.mkdir()
    old = {"assignments": {"00_intro": "d" * 64},
           "submissions": {"ana/00_intro": {"status": "ok", "message": "", "hash": "a" * 64, "seconds": 2.5},
                           "bad name!/00_intro": {"status": "bad_student_id", "message": "имя", "hash": None},
                           "bob/00_intro": {"status": "ok", "message": "new submission rejected (x); "
                                            "the earlier grade is kept", "hash": "b" * 64, "seconds": 1.0}}}
    text = json.dumps(old, indent=1, sort_keys=True)
    (folder / "state.json").write_text(text, encoding="utf-8")
    with State.open(tmp_path) as state:
        assert state.submissions() == old["submissions"]
        assert state.assignments() == old["assignments"]
        state.put("ana/00_intro", {"status": "timeout", "message": "", "hash": None})
    assert not (folder / "state.json").exists()
    assert (folder / "state.json.migrated").read_text(encoding="utf-8") == text
    (folder / "state.json").write_text(json.dumps({"assignments": {}, "submissions": {
        "ana/00_intro": {"status": "ok"}, "zed/00_intro": {"status": "ok"}}}), encoding="utf-8")
    with State.open(tmp_path) as state:           # not imported a second time
        assert state.get("ana/00_intro") == {"status": "timeout", "message": "", "hash": None}
        assert state.get("zed/00_intro") is None and len(state) == 3
    assert (folder / "state.json.migrated").read_text(encoding="utf-8") == text


def test_a_broken_state_json_or_database_is_a_clear_error(tmp_path):
    (tmp_path / "a" / ".bpcourse").mkdir(parents=True)
    (tmp_path / "a" / ".bpcourse" / "state.json").write_text("{broken")
    with pytest.raises(StateError, match="state.json: not valid JSON"):
        State.open(tmp_path / "a", lock=True)
    with lock(tmp_path / "a"):                    # the failed open released its lock
        pass
    (tmp_path / "b" / ".bpcourse").mkdir(parents=True)
    (tmp_path / "b" / ".bpcourse" / "state.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="cannot open the run state"):
        State.open(tmp_path / "b")
