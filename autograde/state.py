"""The run state of a course folder, and the lock that lets one grader at a time change it.

The state is what ``bpcourse grade`` remembers between runs on one ``DIR``:

- ``assignments``: ``{assignment: digest of the source notebook put into the gradebook}``;
- ``submissions``: ``{"student/assignment": {"status", "message", "hash", "seconds", ...}}``,
  one entry per submission, any JSON object.

It lives in ``DIR/.bpcourse/state.sqlite``: an SQLite database in WAL mode with one row per
key, so recording one submission is one upsert and one commit, whatever the number of
entries (the old ``state.json`` was rewritten whole after every submission). A commit is
synced to disk (``synchronous=FULL``) before :meth:`State.put` returns: an entry survives the
grader being killed, or the machine losing power, right after it was recorded. Several
processes may open the state at once (SQLite serialises their writes, no entry is lost), but
a grader should hold the lock (below) while it runs.

An existing ``DIR/.bpcourse/state.json`` (written by an older bpcourse) is imported, once,
the first time the state is opened, and renamed ``state.json.migrated`` (kept as it was).

``DIR/.bpcourse`` is private to the grader (0700, refused if another account made it), so no other
local account can read the state or take the lock; the lock is opened without following a link.

The lock: ``DIR/.bpcourse/lock``, held with ``flock(LOCK_EX | LOCK_NB)`` for as long as a
grader runs. Taking it never waits: when another grader holds it, :class:`StateLocked` says
which process (its pid, host, start time and command, written into the lock file by the
holder). The kernel releases a flock when the holder's file is closed, so a grader that was
killed (even with SIGKILL) leaves no stale lock. Processes forked by the holder inherit the
lock (it belongs to the open file, not to the process): it is released when the last of them
exits, and :meth:`Lock.release` called in a forked child does not release the parent's lock.

    with State.open(out, lock=True) as state:      # raises StateLocked if a grader runs on out
        if state.assignment_digest(a) != digest:
            ...
            state.set_assignment(a, digest)
        prev = state.get("ana/00_intro")           # dict or None
        state.put("ana/00_intro", {"status": "ok", "message": "", "hash": h, "seconds": 3.2})
        everything = state.submissions()           # {key: entry}

A :class:`State` is one SQLite connection: use it from the thread and process that opened it
(a forked worker opens its own, without ``lock=True``).
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import socket
import sqlite3
import stat
import sys
from pathlib import Path

STATE_FILE = "state.sqlite"
OLD_STATE_FILE = "state.json"
LOCK_FILE = "lock"
SCHEMA = 1

_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS assignments (name TEXT PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS submissions (key TEXT PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID;
"""


class StateError(RuntimeError):
    """The state of a course folder cannot be read or written (corrupt, or from a newer bpcourse)."""


class StateLocked(StateError):
    """Another grader holds the lock on this course folder."""

    def __init__(self, message: str, holder: dict):
        super().__init__(message)
        self.holder = holder


def _folder(out: Path) -> Path:
    """``DIR/.bpcourse``, private to this user (0700: no other local account can read the
    state, the secret or the logs, or open the lock to hold it); refused if it is a link or
    belongs to someone else."""
    folder = Path(out) / ".bpcourse"
    if not Path(out).exists():   # a course folder bpcourse makes is the grader's (and its group's)
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            Path(out).mkdir(mode=0o750)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise StateError(f"{folder} is not a folder of this user ({'a link' if stat.S_ISLNK(st.st_mode) else 'owner uid %d' % st.st_uid}): "
                         "another account made it; remove it and run again")
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(folder, 0o700)
    return folder


# --- the lock ---------------------------------------------------------------------------------

class Lock:
    """An exclusive flock on ``DIR/.bpcourse/lock``; see :func:`lock`."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd
        self._pid = os.getpid()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Release the lock (in the process that took it; elsewhere only close the copy)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if os.getpid() == self._pid:
                # Clear the holder's details first: the file stays (removing it would let a
                # waiting process lock an unlinked file while a third one creates a new one).
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> Lock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def __del__(self):
        try:
            self.release()
        except Exception:
            pass


def _holder(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}


def _locked_message(out: Path, path: Path, holder: dict) -> str:
    if holder.get("pid"):
        who = (f"process {holder['pid']} on {holder.get('host', '?')}, started "
               f"{holder.get('started', '?')}: {holder.get('command', '?')}")
    else:
        who = "a process that has not written its details yet (it has just started)"
    return (f"another grader is working on {out} ({who}).\n"
            f"Wait for it to finish, or stop it (kill {holder.get('pid', '<pid>')}) and run again: "
            f"a stopped grader releases the lock at once, and what it graded is kept. "
            f"The lock is {path}; do not delete it.")


def lock(out: Path) -> Lock:
    """Take the exclusive lock of the course folder ``out`` without waiting.

    Raises :class:`StateLocked` (naming the holder: pid, host, start time, command) if another
    grader holds it. The lock is released by :meth:`Lock.release` (or ``with``), and by the
    kernel when the holder exits or is killed."""
    out = Path(out)
    path = _folder(out) / LOCK_FILE
    try:   # never through a link planted in its place
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    except OSError as e:
        raise StateError(f"{path}: cannot open the lock ({e.strerror}); it must be a regular file of this user") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            raise StateError(f"{path} is not a regular file of this user: remove it and run again")
        os.fchmod(fd, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        holder = _holder(path)
        raise StateLocked(_locked_message(out, path, holder), holder) from None
    except BaseException:
        os.close(fd)
        raise
    holder = {"pid": os.getpid(), "host": socket.gethostname(),
              "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
              "command": " ".join([Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python",
                                   *sys.argv[1:]])[:500]}
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)
    return Lock(path, fd)


# --- the state --------------------------------------------------------------------------------

def _dumps(entry: dict) -> str:
    if not isinstance(entry, dict):
        raise TypeError(f"a state entry is a dict, not {type(entry).__name__}")
    return json.dumps(entry, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


class State:
    """The run state of one course folder (see the module's documentation)."""

    def __init__(self, out: Path, db: sqlite3.Connection, held: Lock | None):
        self.out = Path(out)
        self.path = self.out / ".bpcourse" / STATE_FILE
        self.__db = db
        self._pid = os.getpid()
        self.lock = held

    @property
    def _db(self) -> sqlite3.Connection:
        if os.getpid() != self._pid:
            raise StateError("this State was opened by another process (a forked worker must open its own)")
        if self.__db is None:
            raise StateError(f"{self.path} is closed")
        return self.__db

    @classmethod
    def open(cls, out: Path, *, lock: bool = False) -> State:
        """Open (creating, or importing ``state.json``) the state of the course folder ``out``.

        With ``lock=True`` take the folder's lock first (raises :class:`StateLocked` if another
        grader holds it); it is released by :meth:`close`."""
        out = Path(out)
        held = _lock_fn(out) if lock else None
        try:
            db = _connect(_folder(out) / STATE_FILE)
            try:
                _migrate(out, db)
            except BaseException:
                db.close()
                raise
        except BaseException:
            if held:
                held.release()
            raise
        return cls(out, db, held)

    # assignments
    def assignment_digest(self, assignment: str) -> str | None:
        """The digest recorded by :meth:`set_assignment`, or None."""
        row = self._db.execute("SELECT digest FROM assignments WHERE name = ?", (assignment,)).fetchone()
        return row[0] if row else None

    def set_assignment(self, assignment: str, digest: str) -> None:
        """Record the digest of the source put into the gradebook (durable on return)."""
        self._db.execute("INSERT INTO assignments (name, digest) VALUES (?, ?) "
                         "ON CONFLICT (name) DO UPDATE SET digest = excluded.digest", (assignment, str(digest)))

    def assignments(self) -> dict[str, str]:
        """``{assignment: digest}``."""
        return dict(self._db.execute("SELECT name, digest FROM assignments ORDER BY name"))

    # submissions
    def get(self, key: str) -> dict | None:
        """The entry of ``"student/assignment"``, or None."""
        row = self._db.execute("SELECT entry FROM submissions WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, entry: dict) -> None:
        """Record (replace) the entry of ``key``; it is on disk when this returns."""
        text = _dumps(entry)
        self._db.execute("INSERT INTO submissions (key, entry) VALUES (?, ?) "   # autocommit:
                         "ON CONFLICT (key) DO UPDATE SET entry = excluded.entry", (key, text))  # synced

    def put_many(self, entries: dict[str, dict]) -> None:
        """:meth:`put` of every ``{key: entry}``, in one transaction (all or none recorded)."""
        rows = [(k, _dumps(v)) for k, v in entries.items()]
        with _tx(self._db):
            self._db.executemany("INSERT INTO submissions (key, entry) VALUES (?, ?) "
                                 "ON CONFLICT (key) DO UPDATE SET entry = excluded.entry", rows)

    def submissions(self) -> dict[str, dict]:
        """Every entry, ``{key: entry}`` sorted by key."""
        row = self._db.execute("SELECT json_group_object(key, json(entry)) FROM submissions").fetchone()
        entries = json.loads(row[0]) if row and row[0] else {}   # one parse, not one per entry
        return {key: entries[key] for key in sorted(entries)}

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM submissions").fetchone()[0]

    def close(self) -> None:
        """Close the database, then release the lock if this state holds it."""
        try:
            if self.__db is not None and os.getpid() == self._pid:   # a forked copy is left alone
                self.__db.close()
            self.__db = None
        finally:
            if self.lock:
                self.lock.release()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_lock_fn = lock   # State.open's keyword ``lock`` shadows the function inside it


def _connect(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)   # transactions: _tx
        db.execute("PRAGMA busy_timeout = 60000")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":                # e.g. a file system without shared memory
            db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA synchronous = FULL")  # put() is durable when it returns
        with _tx(db, immediate=True):
            for statement in _SCHEMA_SQL.strip().split(";"):
                if statement.strip():
                    db.execute(statement)
            row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta (name, value) VALUES ('schema', ?)", (str(SCHEMA),))
            elif int(row[0]) > SCHEMA:
                raise StateError(f"{path} was written by a newer bpcourse (schema {row[0]}, "
                                 f"this one knows {SCHEMA}): upgrade bpcourse")
        return db
    except sqlite3.DatabaseError as e:
        raise StateError(f"{path}: cannot open the run state ({e}). If it is damaged, move it away: "
                         f"the next run grades every submission again.") from e


@contextlib.contextmanager
def _tx(db: sqlite3.Connection, immediate: bool = False):
    """One transaction: committed (and, with synchronous=FULL, synced) at the end, or rolled back."""
    db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _migrate(out: Path, db: sqlite3.Connection) -> None:
    """Import ``state.json`` once (in one transaction), then rename it ``state.json.migrated``."""
    old = out / ".bpcourse" / OLD_STATE_FILE
    if not old.is_file():
        return
    try:
        data = json.loads(old.read_text(encoding="utf-8"))
    except ValueError as e:
        raise StateError(f"{old}: not valid JSON ({e}); move it away to start a fresh state") from e
    with _tx(db, immediate=True):                # two processes opening at once: one imports
        imported = db.execute("SELECT value FROM meta WHERE name = 'migrated'").fetchone() is None
        if imported:
            db.executemany("INSERT OR IGNORE INTO assignments (name, digest) VALUES (?, ?)",
                           [(a, str(d)) for a, d in (data.get("assignments") or {}).items()])
            db.executemany("INSERT OR IGNORE INTO submissions (key, entry) VALUES (?, ?)",
                           [(k, _dumps(v)) for k, v in (data.get("submissions") or {}).items()])
            db.execute("INSERT INTO meta (name, value) VALUES ('migrated', ?)",
                       (f"{old} at {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",))
    if imported:
        try:
            os.replace(old, old.with_name(OLD_STATE_FILE + ".migrated"))
        except FileNotFoundError:
            pass
