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
session the server is stopped and the folder removed. When PostgreSQL is missing or does not
start, the fixture fails with the reason: a gradebook test that did not run is not a pass.
"""
from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
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


class Server:
    """A PostgreSQL server in ``folder`` (data in ``folder/data``, socket in ``folder``)."""

    def __init__(self, bin: Path, folder: Path, user: pwd.struct_passwd | None):
        self.bin, self.folder, self.user = bin, folder, user
        self.data, self.log = folder / "data", folder / "server.log"

    def run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """A server program, as the server's user; fail the test with its output if it fails."""
        kwargs = {}
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        if self.user is not None:
            kwargs = dict(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
            env["HOME"] = str(self.folder)
            env["USER"] = env["LOGNAME"] = self.user.pw_name
        argv = [str(self.bin / argv[0]), *argv[1:]]
        try:
            out = subprocess.run(argv, cwd=self.folder, env=env, capture_output=True, text=True,
                                 timeout=timeout, **kwargs)
        except (OSError, subprocess.TimeoutExpired) as e:
            pytest.fail(f"PostgreSQL: {' '.join(argv)} could not run: {e}", pytrace=False)
        if out.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            pytest.fail(f"PostgreSQL: {' '.join(argv)} exited {out.returncode}:\n"
                        f"{out.stdout}\n{out.stderr}\n{log}", pytrace=False)
        return out

    def start(self) -> None:
        self.run("initdb", "--pgdata", str(self.data), "--username", ROLE, "--auth", "trust",
                 "--encoding", "UTF8", "--no-sync")
        # no TCP at all (listen_addresses empty): the UNIX socket in our private folder only;
        # durability is not needed for a throwaway gradebook
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.folder}' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self.run("pg_ctl", "--pgdata", str(self.data), "--log", str(self.log), "--options", options,
                 "--wait", "--timeout", "60", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "--pgdata", str(self.data), "--mode", "fast", "--wait", "stop")

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
