"""autograde.sandbox, the parts that need no sandbox: the bwrap command (what the kernel sees and
what it does not), kernel uids, the private scratch root and the removal of leftovers.

What the sandbox does to a hostile kernel is tested by running one: tests/test_hostile.py.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from autograde import sandbox

REPO = Path(__file__).resolve().parents[1]
MOUNTS = ("--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try", "--dev-bind-try")


def mounts(argv):
    """(flag, source, destination) of every bind mount, in order."""
    before = argv[:argv.index("--")]
    return [(a, before[i + 1], before[i + 2]) for i, a in enumerate(before) if a in MOUNTS]


def inside(path, folder) -> bool:
    path, folder = Path(path), Path(folder)
    return path == folder or folder in path.parents


@pytest.fixture
def argv_of(tmp_path):
    work = tmp_path / "course" / "autograded" / "s1" / "a"
    work.mkdir(parents=True)
    scratch = tmp_path / "scratch"

    def argv_of(**kw):
        return sandbox.bwrap_argv(str(work), str(tmp_path / "kernel.json"), scratch=str(scratch), **kw)
    argv_of.work, argv_of.scratch, argv_of.course = str(work.resolve()), scratch, tmp_path / "course"
    return argv_of


def test_the_kernel_sees_no_instructor_file(argv_of):
    argv = argv_of(uid=sandbox.kernel_uid(1, 1))
    for flag, src, dest in mounts(argv):
        for secret in ("solutions", "source", "autograde", "gradebook.db", "nbgrader_config.py"):
            hidden = REPO / secret
            assert not inside(hidden, src) and not inside(hidden, dest), (flag, src, dest)
            assert not inside(src, hidden) and not inside(dest, hidden), (flag, src, dest)
        assert src != "/" and dest != "/" and Path(src) != REPO and Path(dest) != REPO
        # the course folder (other submissions, the gradebook): nothing of it is a source
        assert not inside(src, argv_of.course) and not inside(argv_of.course, src), (flag, src)
    bp = [m for m in mounts(argv) if m[2] == str(sandbox.BPCOURSE_DIR)]
    assert bp == [("--ro-bind", str(sandbox.BPCOURSE_DIR), str(sandbox.BPCOURSE_DIR))]


def test_only_the_kernels_own_folders_are_writable(argv_of):
    argv = argv_of(uid=sandbox.kernel_uid(1, 1))
    writable = [(src, dest) for flag, src, dest in mounts(argv) if flag != "--ro-bind"]
    ipc = str(argv_of.scratch / "ipc")
    # the kernel writes in scratch/work, seen at the submission's path; never in the real one
    assert writable == [(str(argv_of.scratch / "work"), argv_of.work), (ipc, ipc)]
    i = argv.index("--remount-ro")
    assert argv[i + 1] == "/" and i > max(argv.index(m[2]) for m in mounts(argv))   # after every mount
    assert argv[argv.index("--chdir") + 1] == argv_of.work


def test_without_scratch_the_workdir_itself_is_bound(tmp_path):
    argv = sandbox.bwrap_argv(str(tmp_path), str(tmp_path / "k.json"))
    assert [(s, d) for f, s, d in mounts(argv) if f == "--bind"] == [(str(tmp_path), str(tmp_path))]


def test_no_network_new_namespaces_and_dies_with_its_parent(argv_of):
    argv = argv_of()
    before = argv[:argv.index("--")]
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                 "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in before, flag
    assert "--share-net" not in argv
    tmp = before.index("--tmpfs")
    assert before[tmp + 1] == "/tmp" and before[tmp - 2:tmp] == ["--size", str(sandbox.TMP_MB << 20)]


def test_the_environment_is_cleared_and_rebuilt(argv_of, monkeypatch):
    monkeypatch.setenv("BPCOURSE_SECRET", "the-course-secret")
    argv = argv_of()
    assert "the-course-secret" not in " ".join(argv)
    before = argv[:argv.index("--")]
    env = {before[i + 1]: before[i + 2] for i, a in enumerate(before) if a == "--setenv"}
    assert before.index("--clearenv") < min(i for i, a in enumerate(before) if a == "--setenv")
    assert env["HOME"] == "/tmp" and env["PYTHONPATH"] == str(sandbox.BPCOURSE_DIR.parent)
    assert not any("SECRET" in k or "TOKEN" in k or k.startswith("BPCOURSE") for k in env)


def test_as_root_the_kernel_gets_its_own_uid_and_no_privileges(argv_of):
    uid = sandbox.kernel_uid(7, 3)
    argv = argv_of(uid=uid)
    after = argv[argv.index("--") + 1:]
    assert after[:2] == ["/usr/bin/setpriv", f"--reuid={uid}"]
    for flag in (f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"):
        assert flag in after[:after.index(sys.executable)], flag
    assert "--unshare-user" not in argv
    assert after[-5:] == ["-m", "ipykernel_launcher", "-f", argv[argv.index("-f") + 1],
                          "--HistoryManager.hist_file=:memory:"]


def test_not_as_root_bwrap_uses_a_user_namespace_as_nobody(argv_of):
    argv = argv_of()
    before = argv[:argv.index("--")]
    assert "--unshare-user" in before and before[before.index("--uid") + 1] == "65534"
    assert "/usr/bin/setpriv" not in argv


def test_the_connection_file_is_read_only_from_its_private_copy(argv_of, tmp_path):
    copy = str(tmp_path / "scratch" / "connection.json")
    argv = argv_of(connection_source=copy)
    assert ("--ro-bind", copy, str(tmp_path / "kernel.json")) in mounts(argv)


def test_mount_points_parents_are_made_before_the_mount(argv_of):
    argv = argv_of()
    for flag, src, dest in mounts(argv):
        at = argv.index(dest, argv.index(flag))
        for anc in Path(dest).parents:
            if str(anc) in ("/", "/tmp") or any(str(anc) == m[2] for m in mounts(argv)):
                continue
            made = [i for i, a in enumerate(argv) if a == str(anc) and argv[i - 1] == "--dir"]
            assert made and made[0] < at, (dest, anc)


@given(st.integers(0, 10**9), st.integers(0, 10**6), st.integers(0, 10**9), st.integers(0, 10**6))
def test_kernel_uids_are_unprivileged_and_distinct_within_a_run(run1, i1, run2, i2):
    u1, u2 = sandbox.kernel_uid(run1, i1), sandbox.kernel_uid(run2, i2)
    assert sandbox.UID_BASE <= u1 < 2**31 - 1           # no account's uid, a valid uid_t
    if run1 % 10**6 == run2 % 10**6 and i1 % 1000 != i2 % 1000:
        assert u1 != u2
    if run1 % 10**6 != run2 % 10**6:
        assert u1 != u2


@given(st.integers(0, 10**6 - 2))
def test_two_runs_never_share_a_kernel_uid(run):
    """A kernel left over from one grading run must not share a uid with a kernel of the next."""
    uids = {sandbox.kernel_uid(r, i) for r in (run, run + 1) for i in range(1000)}
    assert len(uids) == 2000


# --- scratch_root, clean_leftovers ---------------------------------------------------------

@pytest.fixture
def tmpdir_here(tmp_path, monkeypatch):
    top = tmp_path / "tmp"
    top.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(top))
    return top


def test_scratch_root_is_short_private_and_one_per_course(tmpdir_here, tmp_path):
    long_course = tmp_path / ("c" * 200) / ("d" * 200)
    root = sandbox.scratch_root(long_course)
    assert root.parent == tmpdir_here and len(root.name) < 40
    st_ = os.lstat(root)
    assert stat.S_ISDIR(st_.st_mode) and st_.st_uid == os.geteuid() and stat.S_IMODE(st_.st_mode) == 0o700
    assert sandbox.scratch_root(long_course) == root
    assert sandbox.scratch_root(tmp_path / "other") != root


@pytest.mark.parametrize("make", ["symlink", "open_mode", "a_file", "another_owner"])
def test_scratch_root_refuses_a_folder_it_cannot_trust(tmpdir_here, tmp_path, make):
    course = tmp_path / "course"
    place = sandbox.scratch_root(course)    # where it would be
    place.rmdir()
    if make == "symlink":
        target = tmp_path / "elsewhere"
        target.mkdir(mode=0o700)
        place.symlink_to(target)
    elif make == "open_mode":
        place.mkdir()
        place.chmod(0o755)
    elif make == "a_file":
        place.write_text("")
        place.chmod(0o600)
    else:
        if os.geteuid() != 0:
            pytest.skip("chown to another user needs root")
        place.mkdir(mode=0o700)
        os.chown(place, 12345, 12345)
    with pytest.raises(RuntimeError, match="not a private folder"):
        sandbox.scratch_root(course)


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_clean_leftovers_removes_only_folders_of_dead_graders(tmpdir_here, tmp_path):
    course = tmp_path / "course"
    root = sandbox.scratch_root(course)
    dead, live = root / f"k0-{_dead_pid()}-abc", root / f"k0-{os.getpid()}-def"
    for d in (dead, live):
        (d / "work").mkdir(parents=True)
        (d / "ipc").mkdir()
        (d / "work" / "nb.ipynb").write_text("{}")
    (dead / "work" / "link").symlink_to(tmp_path / "course")      # not followed
    course.mkdir()
    (course / "keep").write_text("x")
    other = root / "not-a-kernel-folder"
    other.mkdir()
    assert sandbox.clean_leftovers(course) == 1
    assert not dead.exists() and (live / "work" / "nb.ipynb").exists() and other.exists()
    assert (course / "keep").read_text() == "x"
    assert sandbox.clean_leftovers(course) == 0
