"""End to end: hostile students on nbgrader's shared-folder exchange, with REAL system accounts.

Two accounts are created for the module (``useradd``, removed afterwards). Each runs the real
``nbgrader fetch_assignment`` / ``submit`` / ``fetch_feedback`` as itself (``setpriv``, its own
HOME), then does by hand what any account can do to its own inbound folder. The instructor (root,
as the guide asks) runs the real ``nbgrader collect`` in the course folder — which loads
``protect(c)`` and so :class:`autograde.exchange.SafeCollect` — then ``bpcourse grade
DIR/submitted --out DIR``, ``nbgrader generate_feedback``, ``release_feedback``.

The attacker:
- puts symbolic links into her own inbound submission, to the course secret, to the source
  notebook with the solutions and to a root-only file, named ``*.html`` so that
  ``release_feedback`` would hand them out, and fetches them with ``fetch_feedback``;
- submits a blank notebook in the victim's name, after the victim's real submission, and one in
  the name of an id that has no account;
- resubmits with a hard link and a FIFO in her inbound folder, and swaps the notebook of the
  victim's next submission for her own.
The victim resubmits late and forges her ``timestamp.txt`` (and her files' mtimes) to before the
due date.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest

from autograde import course
from classes import A, read_csv, sample
from test_instructor_cycle import FAST, NBGRADER, answer, clean_env, nbgrader

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"),
                                 reason="creates system accounts: needs root and useradd")]

COURSE_ID = course.COURSE_ID
FORGED = "2000-01-01 00:00:00.000000 UTC"


def python_view() -> tuple[Path, Path] | None:
    """(the Python installation, its first ancestor other users cannot enter), if there is one:
    a Python under /root must be shown to the students through a mount namespace."""
    home = Path(os.path.realpath(sys.base_prefix))
    for d in [*reversed(home.parents), home]:
        if not os.stat(d).st_mode & stat.S_IXOTH:
            return home, d
    return None


class Accounts:
    """Two real system accounts with their HOMEs under ``base/home``, removed by :meth:`remove`."""

    def __init__(self, base: Path):
        self.base = base
        tag = secrets.token_hex(3)
        self.attacker, self.victim = f"bpx{tag}m", f"bpx{tag}v"
        self.made: list[str] = []
        self.view = python_view()
        for user in (self.attacker, self.victim):
            home = self.home(user)
            subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
                            "--user-group", user], check=True, capture_output=True)
            self.made.append(user)
            home.mkdir(parents=True)
            shutil.chown(home, user, user)
            home.chmod(0o700)

    def home(self, user: str) -> Path:
        return self.base / "home" / user

    def remove(self) -> None:
        for user in self.made:
            subprocess.run(["userdel", user], capture_output=True)

    def run(self, user: str, *argv, cwd: Path | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
        """``argv`` as ``user`` (uid, gid and groups), with its HOME; a Python only root can reach
        is shown to it through a private mount namespace."""
        home = self.home(user)
        become = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--"]
        if self.view:
            python, blocked = self.view
            mnt = self.base / ".python-view"
            mnt.mkdir(exist_ok=True)
            script = (f'set -e; mount --bind "{python}" "{mnt}"; mount -t tmpfs -o mode=0755,size=1m none "{blocked}"; '
                      f'mkdir -p "{python}"; mount --bind "{mnt}" "{python}"; exec "$@"')
            cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *become, *argv]
        else:
            cmd = [*become, *argv]
        return subprocess.run([str(a) for a in cmd], cwd=cwd or home, env=clean_env(home), capture_output=True,
                              text=True, timeout=timeout)

    def nbgrader(self, user: str, *args, ok: bool = True) -> subprocess.CompletedProcess:
        out = self.run(user, NBGRADER, *args, "--course", COURSE_ID, f"--Exchange.root={self.base / 'exchange'}")
        if ok and out.returncode != 0:
            raise AssertionError(f"{user}: nbgrader {args} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
        return out

    def submit(self, user: str, *args) -> str:
        """``nbgrader submit`` as ``user``; the inbound folder it wrote (nbgrader logs it)."""
        out = self.nbgrader(user, "submit", A, *args)
        found = re.findall(r"Destination: (.+?)\s*$", out.stdout + out.stderr, re.M)
        assert found, out.stderr
        return found[-1]


class Setup:
    def __init__(self, base: Path, accounts: Accounts):
        self.base, self.acc = base, accounts
        self.dir = base / "course"
        self.exchange = base / "exchange"
        self.instructor = base / "home" / "instructor"

    def nbgrader(self, *args, timeout: int = 300) -> subprocess.CompletedProcess:
        self.instructor.mkdir(parents=True, exist_ok=True)
        return subprocess.run([NBGRADER, *map(str, args)], cwd=self.dir, env=clean_env(self.instructor),
                              capture_output=True, text=True, timeout=timeout)

    def grade(self) -> subprocess.CompletedProcess:
        from classes import BPCOURSE
        return subprocess.run(BPCOURSE + ["grade", str(self.dir / "submitted"), "--out", str(self.dir),
                                          "--jobs", "1", *FAST], env=clean_env(self.instructor),
                              capture_output=True, text=True, timeout=900)


def everything_under(*roots: Path) -> bytes:
    """The bytes of every plain file under ``roots`` (nothing followed)."""
    data = []
    for root in roots:
        for dirpath, _, files in os.walk(root):
            for f in files:
                p = os.path.join(dirpath, f)
                if stat.S_ISREG(os.lstat(p).st_mode):
                    with open(p, "rb") as fh:
                        data.append(fh.read())
    return b"\n".join(data)


@pytest.fixture(scope="module")
def attack():
    from autograde.preprocessors import course_secret
    from autograde.source import read_source

    base = Path(tempfile.mkdtemp(prefix="bpx-", dir="/tmp"))
    base.chmod(0o755)                               # the students reach the exchange under it
    acc = Accounts(base)
    try:
        s = Setup(base, acc)
        m, v = acc.attacker, acc.victim
        s.exchange.mkdir()
        s.exchange.chmod(0o777)
        s.dir.mkdir()
        course.ensure_config_file(s.dir)
        (s.dir / "source" / A).mkdir(parents=True)
        (s.dir / "source" / A / f"{A}.ipynb").write_text(nbformat.writes(read_source(A)), encoding="utf-8")
        with open(s.dir / course.CONFIG_FILE, "a", encoding="utf-8") as f:
            f.write(f"c.Exchange.root = {str(s.exchange)!r}\n")
        secret = course_secret(s.dir).encode()          # a course that has graded before has one
        root_only = base / "root-only.txt"
        root_only.write_text("ROOT-ONLY-" + secrets.token_hex(16))
        root_only.chmod(0o600)
        marks = {"the course secret": secret, "the source notebook": b"BEGIN SOLUTION",
                 "the root-only file": root_only.read_bytes()}
        assert marks["the source notebook"] in (s.dir / "source" / A / f"{A}.ipynb").read_bytes()

        for args in (("generate_assignment", A), ("release_assignment", A)):
            out = s.nbgrader(*args)
            assert out.returncode == 0, out.stderr
        due = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") + " UTC"
        assert s.nbgrader("db", "assignment", "add", A, f"--duedate={due}").returncode == 0
        time.sleep(1.5)                                 # every submission below is late

        # the victim: a correct notebook
        acc.nbgrader(v, "fetch_assignment", A)
        answer(acc.home(v) / A / f"{A}.ipynb", sample("solved"))   # as root; then given back
        shutil.chown(acc.home(v) / A / f"{A}.ipynb", v, v)
        acc.submit(v)
        time.sleep(1.1)

        # the attacker: a blank notebook in the victim's name and in a name without an account ...
        acc.nbgrader(m, "fetch_assignment", A)
        ghost = f"ghost{secrets.token_hex(3)}"
        acc.submit(m, f"--student={v}")
        acc.submit(m, f"--student={ghost}")
        # ... then her own, with links that release_feedback would hand back as *.html
        answer(acc.home(m) / A / f"{A}.ipynb", sample("solved"))
        shutil.chown(acc.home(m) / A / f"{A}.ipynb", m, m)
        own = acc.submit(m)
        links = {"secret": s.dir / ".bpcourse" / "secret", "source": s.dir / "source" / A / f"{A}.ipynb",
                 "rootonly": root_only}
        for name, target in links.items():
            out = acc.run(m, "ln", "-s", target, f"{own}/{name}.html")
            assert out.returncode == 0, out.stderr
        cache = next((acc.home(m) / ".local/share/jupyter/nbgrader_cache" / COURSE_ID).glob(f"{m}+{A}+*"))
        for name in links:   # fetch_feedback looks for a feedback page per notebook of the cache
            acc.run(m, "cp", cache / f"{A}.ipynb", cache / f"{name}.ipynb")

        collect = s.nbgrader("collect", A)
        assert collect.returncode == 0, collect.stderr
        grade = s.grade()
        rows = read_csv(s.dir / "bpcourse-grades.csv")
        feedback = s.nbgrader("generate_feedback", A, "--force")
        release = s.nbgrader("release_feedback", A)
        fetched = {u: acc.nbgrader(u, "fetch_feedback", A, ok=False) for u in (m, v)}
        yield {"s": s, "acc": acc, "m": m, "v": v, "ghost": ghost, "marks": marks, "collect": collect,
               "grade": grade, "rows": rows, "feedback": feedback, "release": release, "fetched": fetched,
               "due": due, "cache": cache}
    finally:
        acc.remove()
        shutil.rmtree(base, ignore_errors=True)


def test_symlinks_in_an_inbound_submission_leak_nothing(attack):
    s, m = attack["s"], attack["m"]
    leaked = everything_under(s.dir / "submitted", s.dir / "autograded", s.dir / "feedback",
                              s.exchange / COURSE_ID / "feedback", attack["acc"].home(m))
    for what, mark in attack["marks"].items():
        assert mark not in leaked, f"{what} reached the submission, the feedback or the student"
    # nothing of hers was collected: the refusal is her submission's status, named
    assert not list((s.dir / "submitted" / m / A).glob("*.html")), list((s.dir / "submitted" / m / A).iterdir())
    row = attack["rows"][m]
    assert row["status"] == "symlink", row
    assert all(f"{n}.html" in row["message"] for n in ("secret", "source", "rootonly")), row["message"]
    assert "symbolic link" in row["message"]
    log = attack["collect"].stderr
    assert re.search(rf"REFUSED {m} {A}: .*symbolic link.*\(symlink\)", log), log
    # feedback/ holds only what the grader generated: the victim's page (and nbgrader's two files)
    made = sorted(str(p.relative_to(s.dir / "feedback")) for p in (s.dir / "feedback").rglob("*") if p.is_file())
    v = attack["v"]
    assert made == [f"{v}/{A}/{A}.html", f"{v}/{A}/submission_secret.txt", f"{v}/{A}/timestamp.txt"], made
    assert attack["release"].returncode == 0, attack["release"].stderr


def test_a_submission_in_a_classmates_name_is_refused_and_hers_is_graded(attack):
    s, m, v, ghost = attack["s"], attack["m"], attack["v"], attack["ghost"]
    rows = attack["rows"]
    assert (float(rows[v]["raw_score"]), float(rows[v]["max_score"]), rows[v]["status"]) == (6, 6, "ok"), \
        f"{rows[v]}\n{attack['grade'].stdout}"
    log = attack["collect"].stderr
    forged = [ln for ln in log.splitlines() if f"REFUSED {v}+{A}+" in ln]
    assert len(forged) == 1 and "(wrong_owner)" in forged[0] and f"account {m}" in forged[0], log
    # a name with no genuine submission at all: the refusal is its status, naming who made it
    assert rows[ghost]["status"] == "wrong_owner" and f"account {m}" in rows[ghost]["message"], rows[ghost]
    with course.gradebook(s.dir) as gb:
        assert [x.id for x in gb.students if x.id == ghost] == []
    # and the victim gets her own feedback through the exchange
    got = list((attack["acc"].home(v) / A / "feedback").glob(f"*/{A}.html"))
    assert len(got) == 1, attack["fetched"][v].stderr
    assert got[0].read_bytes() == (s.dir / "feedback" / v / A / f"{A}.html").read_bytes()


def test_a_forged_timestamp_does_not_change_the_lateness(attack):
    """The victim resubmits (late), then sets her inbound timestamp.txt and her files' mtimes
    to 2000; the instructor collects with --update and grades."""
    from nbgrader.utils import parse_utc

    s, acc, v = attack["s"], attack["acc"], attack["v"]
    path = acc.home(v) / A / f"{A}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.metadata["resubmitted"] = True                  # another notebook: graded again
    nbformat.write(nb, path)
    inbound = acc.submit(v)
    forge = acc.run(v, "sh", "-c", f'printf "%s" "{FORGED}" > "$1/timestamp.txt" && '
                    'find "$1" -exec touch -h -d "2000-01-01 00:00:00 UTC" {} +', "sh", inbound)
    assert forge.returncode == 0, forge.stderr
    collect = s.nbgrader("collect", A, "--update")
    assert collect.returncode == 0, collect.stderr
    grade = s.grade()
    assert f"{v}/{A}: 6/6" in grade.stdout, grade.stdout
    stamp = (s.dir / "submitted" / v / A / "timestamp.txt").read_text()
    assert parse_utc(stamp) > parse_utc(attack["due"]), (stamp, attack["due"])
    with course.gradebook(s.dir) as gb:
        sub = gb.find_submission(A, v)
        assert sub.timestamp == parse_utc(stamp) and sub.total_seconds_late > 0, (sub.timestamp, attack["due"])
    assert re.search(r"timestamp\.txt says '2000-01-01", collect.stderr), collect.stderr


def test_a_hard_link_and_a_fifo_in_an_inbound_submission_are_refused(attack):
    """Last: the attacker resubmits, then adds a hard link to her own notebook and a FIFO (the
    default collect stops with a traceback on a FIFO, for the whole class); she also swaps the
    notebook in the victim's new inbound folder (nbgrader makes it writable by all) for her own.
    The instructor collects as the guide says, without --update: both resubmissions are taken,
    and refused; the victim keeps her earlier grade."""
    s, acc, m, v = attack["s"], attack["acc"], attack["m"], attack["v"]
    again = acc.submit(m)
    for argv in (["ln", acc.home(m) / A / f"{A}.ipynb", f"{again}/copy.ipynb"], ["mkfifo", f"{again}/pipe.html"]):
        out = acc.run(m, *argv)
        assert out.returncode == 0, out.stderr
    theirs = acc.submit(v)
    swap = acc.run(m, "sh", "-c", 'rm -f "$1/$2" && cp "$3" "$1/$2"', "sh", theirs, f"{A}.ipynb",
                   acc.home(m) / A / f"{A}.ipynb")
    assert swap.returncode == 0, swap.stderr
    try:
        collect = s.nbgrader("collect", A, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("nbgrader collect hung on a FIFO in a student's inbound folder")
    assert collect.returncode == 0, collect.stderr
    line = next((ln for ln in collect.stderr.splitlines() if f"REFUSED {m} {A}" in ln), "")
    assert "copy.ipynb is a hard link" in line and "pipe.html is a FIFO" in line and "(unsafe_file)" in line, \
        collect.stderr
    line = next((ln for ln in collect.stderr.splitlines() if f"REFUSED {v} {A}" in ln), "")
    assert f"{A}.ipynb was written by account {m}" in line and "(wrong_owner)" in line, collect.stderr
    grade = s.grade()
    rows = read_csv(s.dir / "bpcourse-grades.csv")
    assert rows[m]["status"] == "unsafe_file" and "hard link" in rows[m]["message"], rows[m]
    assert float(rows[v]["raw_score"]) == 6 and "rejected" in rows[v]["message"], (rows[v], grade.stdout)
    assert f"account {m}" in rows[v]["message"], rows[v]
    assert not [p for p in (s.dir / "submitted" / m).rglob("*") if p.name in ("copy.ipynb", "pipe.html")]
