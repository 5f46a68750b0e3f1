"""A throwaway PostgreSQL server for the test session (`make test` installs it: `make pgdeps`).

Use in a test module::

    from pg import database, postgres_url  # noqa: F401

``postgres_url`` is a SQLAlchemy URL (``postgresql+psycopg2://``) of an empty database on a
server started for this session; :func:`database` creates one more database on that server, so
that each test can have a gradebook of its own.

The server is real (Debian's ``postgresql`` package): ``initdb`` into a fresh temporary folder,
no TCP port — it listens on a UNIX socket in that folder only, which is private to the user who
runs it (mode 0700). PostgreSQL refuses to run as root, so under root (CI) the folder is handed
to the ``postgres`` system user that the package creates (``nobody`` when there is none) and
every server command runs as that user; an ordinary user runs it as themself. At the end of the
session the server is stopped and the folder removed; a test run killed before its teardown
takes the server with it (the folder, about 40 MB, then stays in the temporary directory).
When PostgreSQL is missing or does not start, the fixture fails with the reason: a gradebook
test that did not run is not a pass.
"""
from __future__ import annotations

import ctypes
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROLE = "bpcourse"        # the server's superuser (initdb -U); local connections are trusted
FIRST_DB = "gradebook"


def bindir() -> Path:
    """The folder of PostgreSQL's server programs: that of ``initdb`` on PATH, else Debian's
    ``/usr/lib/postgresql/<version>/bin`` (the newest version installed)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: [int(n) for n in re.findall(r"\d+", Path(p).parts[-3])])
    if versions:
        return Path(versions[-1]).parent
    pytest.fail("PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): "
                "run `make pgdeps` or `apt-get install postgresql`", pytrace=False)


def server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None (this user) unless we are root, which PostgreSQL refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    pytest.fail("running as root and neither a 'postgres' nor a 'nobody' user exists to run "
                "the PostgreSQL server as (it refuses root)", pytrace=False)


def _die_with_parent() -> None:
    """In the server's process before exec: an immediate shutdown (SIGQUIT) when the test
    process dies (Linux PR_SET_PDEATHSIG; set after the switch to the server's user, which
    would clear it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGQUIT, 0, 0, 0)


class Server:
    """A PostgreSQL server in ``folder`` (data in ``folder/data``, socket in ``folder``)."""

    def __init__(self, bin: Path, folder: Path, user: pwd.struct_passwd | None):
        self.bin, self.folder, self.user = bin, folder, user
        self.data, self.log = folder / "data", folder / "server.log"

    def _as_user(self) -> dict:
        """subprocess arguments that run a server program as the server's user."""
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        kwargs = dict(cwd=self.folder, env=env)
        if self.user is not None:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
            env["HOME"] = str(self.folder)
            env["USER"] = env["LOGNAME"] = self.user.pw_name
        return kwargs

    def _fail(self, what: str) -> None:
        log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        pytest.fail(f"PostgreSQL: {what}\n{log}", pytrace=False)

    def start(self) -> None:
        initdb = [str(self.bin / "initdb"), "--pgdata", str(self.data), "--username", ROLE,
                  "--auth", "trust", "--encoding", "UTF8", "--no-sync"]
        try:
            out = subprocess.run(initdb, capture_output=True, text=True, timeout=120, **self._as_user())
        except (OSError, subprocess.TimeoutExpired) as e:
            self._fail(f"{' '.join(initdb)} could not run: {e}")
        if out.returncode != 0:
            self._fail(f"{' '.join(initdb)} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
        # The postmaster itself (not pg_ctl's daemon), a child of this process that the kernel
        # stops when the test run dies without its teardown (killed by `timeout`, say).
        # No TCP at all (listen_addresses empty): the UNIX socket in our private folder only;
        # durability is not needed for a throwaway gradebook.
        argv = [str(self.bin / "postgres"), "-D", str(self.data), "-c", "listen_addresses=",
                "-c", f"unix_socket_directories={self.folder}", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        with open(self.log, "ab") as log:
            try:
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             preexec_fn=_die_with_parent, **self._as_user())
            except OSError as e:
                self._fail(f"{' '.join(argv)} could not run: {e}")
        import psycopg2

        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                self._fail(f"the server exited {self.proc.returncode} while starting ({' '.join(argv)})")
            try:
                psycopg2.connect(host=str(self.folder), user=ROLE, dbname="postgres").close()
                return
            except psycopg2.OperationalError as e:
                if time.monotonic() > deadline:
                    self.stop()
                    self._fail(f"the server did not accept connections within 60 s: {e}")
            time.sleep(0.2)

    def stop(self) -> None:
        """Fast shutdown: open sessions are ended, nothing is waited for."""
        proc = getattr(self, "proc", None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg2://{ROLE}@/{dbname}?host={self.folder}"

    def create_database(self, dbname: str) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        import psycopg2

        conn = psycopg2.connect(host=str(self.folder), user=ROLE, dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{dbname}"')
        finally:
            conn.close()
        return self.url(dbname)


_SERVERS: dict[str, Server] = {}   # postgres_url -> its server, for database()


@pytest.fixture(scope="session")
def postgres_url():
    """The SQLAlchemy URL of an empty database on a PostgreSQL server run for this session."""
    try:
        import psycopg2  # noqa: F401  (nbgrader's SQLAlchemy needs the driver)
    except ImportError as e:
        pytest.fail(f"psycopg2 is missing ({e}): `pip install -e '.[test]'` installs it", pytrace=False)
    bin, user = bindir(), server_user()
    # not under pytest's basetemp: the server's user must be able to reach its folder (the
    # folder itself is 0700, private to that user); a short path for the socket's name
    folder = Path(tempfile.mkdtemp(prefix="bpcourse-pg-"))
    server = Server(bin, folder, user)
    try:
        if user is not None:
            os.chown(folder, user.pw_uid, user.pw_gid)
        server.start()
        url = server.create_database(FIRST_DB)
        _SERVERS[url] = server
        yield url
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def database(postgres_url: str, dbname: str) -> str:
    """Create database ``dbname`` on ``postgres_url``'s server; its SQLAlchemy URL."""
    return _SERVERS[postgres_url].create_database(dbname)
