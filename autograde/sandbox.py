"""The kernel that runs student code during grading: ipykernel inside bubblewrap.

nbgrader's Execute (:class:`autograde.preprocessors.SandboxedExecute`) starts this module as
the kernel; it sets resource limits and replaces itself with ``bwrap`` running ``ipykernel``:

- the file system is read-only and holds only the OS, the Python installation, the
  student-side package ``bpcourse`` and the kernel's private scratch folder, mounted at the
  autograded folder's path (the one writable place besides ``/tmp``); ``solutions/``,
  ``source/``, the gradebook and the other submissions are simply not there, and a
  ``solutions`` or ``autograde`` package installed in site-packages is masked;
- the environment is cleared (no course secret); the PID, IPC, UTS and network namespaces are
  new: no network at all, the kernel talks to its client over UNIX sockets (IPC transport);
- run by root (the grader), bwrap only mounts and hands over to a host uid of the submission's
  own (``setpriv``, no capabilities, every mount ``nosuid``); run by another user, bwrap uses
  a user namespace;
- ``RLIMIT_AS`` caps memory (a 10 GB allocation raises ``MemoryError``), ``RLIMIT_CPU`` caps
  CPU time (a loop that swallows interrupts is killed), ``RLIMIT_FSIZE`` caps file size,
  ``RLIMIT_NPROC`` the processes of the kernel's uid; where cgroups are writable, the whole
  submission's memory, processes and CPU are capped too (:func:`make_cgroups`).

Interrupts are sent as messages (``interrupt_mode: message``), since signals to the
launcher's process group do not reach a kernel in its own session.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

KERNEL_NAME = "bpcourse-sandbox"
DEFAULT_MEMORY_MB = 2048
DEFAULT_CPU_SECONDS = 300
MAX_FILE_MB = 128
BPCOURSE_DIR = Path(__file__).resolve().parents[1] / "bpcourse"
HIDDEN_PACKAGES = ("solutions", "autograde")


def _package_dirs(name: str) -> list[str]:
    spec = importlib.util.find_spec(name)
    return [str(Path(p).resolve()) for p in (spec.submodule_search_locations or [])] if spec else []


UID_BASE = 1_000_000_000      # kernels run as UID_BASE + n on the host: no account, no files
MAX_PROCESSES = 128           # RLIMIT_NPROC of a kernel's uid (threads count too)
TMP_MB = 256                  # the sandbox's /tmp (a tmpfs)
WORK_MB = 256                 # the kernel's working folder (a tmpfs where the grader may mount one)
SCRATCH_ENV = "BPCOURSE_SCRATCH"    # set by SandboxedExecute: the kernel's private folder
UID_ENV = "BPCOURSE_KERNEL_UID"     # set by SandboxedExecute: the host uid the kernel runs as


def kernel_uid(run: int, index: int) -> int:
    """A host uid of its own for one submission's kernel (one grading run, one task)."""
    return UID_BASE + (run % 1_000_000) * 1000 + index % 1000


def kernel_env() -> dict[str, str]:
    """The whole environment of a grading kernel (nothing of the grader's)."""
    return {"HOME": "/tmp", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
            # only bpcourse/ is mounted from the repository, so this adds nothing else
            "PYTHONPATH": str(BPCOURSE_DIR.parent),
            "MPLCONFIGDIR": "/tmp/mpl", "IPYTHONDIR": "/tmp/ipython", "PYTHONDONTWRITEBYTECODE": "1",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde")}


KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]


def bwrap_argv(workdir: str, connection_file: str, *, scratch: str | None = None,
               uid: int | None = None, connection_source: str | None = None,
               command: list[str] | None = None) -> list[str]:
    """The full ``bwrap`` command that runs ipykernel for ``connection_file`` in ``workdir``.

    ``scratch`` (a folder made by the worker, see :func:`prepare_scratch`): its ``work`` is
    what the kernel sees at ``workdir`` (the real ``workdir`` is never writable by the kernel,
    so trusted code never meets a link the kernel made there), its ``ipc`` holds the kernel's
    sockets. ``uid``: run bwrap as root (the grader) and the kernel as this unprivileged host
    uid (no user namespace: files it creates belong to ``uid``, ``/etc/shadow`` is unreadable,
    RLIMIT_NPROC counts its processes); without it, bwrap runs in a user namespace as the
    (unprivileged) caller. Either way: no network at all (its own network namespace; the
    kernel talks to its client over UNIX sockets), every mount ``nosuid``. ``command``: run
    this in the sandbox instead of ipykernel (the warm kernel's stub, :func:`warm_kernel`).
    """
    workdir = str(Path(workdir).resolve())
    args = ["bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if uid is None:
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    made: set[str] = {"/tmp", "/proc", "/dev"}

    def parents(dest: str) -> None:   # mount points' parents readable by the kernel's uid
        for anc in reversed(Path(dest).parents):
            if str(anc) != "/" and str(anc) not in made:
                made.add(str(anc))
                args.extend(["--perms", "0755", "--dir", str(anc)])

    def mount(flag: str, src: str, dest: str) -> None:
        parents(dest)
        made.add(dest)
        args.extend([flag, src, dest])

    args += ["--perms", "01777", "--size", str(TMP_MB << 20), "--tmpfs", "/tmp",
             "--proc", "/proc", "--dev", "/dev"]
    mount("--ro-bind", "/usr", "/usr")
    mount("--ro-bind", "/etc", "/etc")
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            mount("--ro-bind", top, top)
    pythons = {sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"],
               str(Path(sys.executable).resolve().parent.parent)}
    for p in sorted(pythons):
        if not p.startswith("/usr/"):
            mount("--ro-bind", p, p)
    mount("--ro-bind", str(BPCOURSE_DIR), str(BPCOURSE_DIR))
    for name in HIDDEN_PACKAGES:   # installed (non-editable) copies of instructor code
        for d in _package_dirs(name):
            if any(d.startswith(p + "/") for p in pythons):
                args += ["--tmpfs", d]
    mount("--ro-bind", connection_source or connection_file, connection_file)
    if scratch:
        mount("--bind", str(Path(scratch) / "work"), workdir)
        ipc = str(Path(scratch) / "ipc")
        mount("--bind", ipc, ipc)
    else:
        mount("--bind", workdir, workdir)
    # the root is bwrap's own tmpfs, with the mount points in it: make it read-only too
    args += ["--chdir", workdir, "--remount-ro", "/", "--clearenv"]
    for key, value in kernel_env().items():
        args += ["--setenv", key, value]
    args.append("--")
    if uid is not None:   # bwrap (root, for the mounts) hands over to the kernel's own uid
        args += ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    # No JPY_PARENT_PID: in a new PID namespace the parent poller would see ppid 1 and exit.
    return args + (command or [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file, *KERNEL_ARGS])


def prepare_scratch(scratch: Path, uid: int | None, files: list[Path] = ()) -> Path:
    """The kernel's private folder: ``work`` (its working folder, holding copies of ``files``)
    and ``ipc`` (its sockets), owned by ``uid``; ``scratch`` itself root's, mode 0711."""
    scratch = Path(scratch)
    scratch.mkdir(mode=0o711, parents=True)
    for sub in ("work", "ipc"):
        (scratch / sub).mkdir(mode=0o700)
    if uid is not None:   # the kernel's folder on a size-capped tmpfs (it is memory: the cgroup counts it)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={WORK_MB}m,nosuid,nodev,mode=0700,uid={uid},gid={uid}",
                        "bpcourse-kernel", str(scratch / "work")], capture_output=True)
    for f in files:
        target = scratch / "work" / Path(f).name
        shutil.copyfile(f, target, follow_symlinks=False)
        os.chmod(target, 0o400)
    if uid is not None:
        for p in (scratch / "work", scratch / "ipc", *(scratch / "work").iterdir()):
            os.chown(p, uid, uid)
    return scratch


CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")   # cpuacct: no limit, the CPU time it used
CGROUP_ENV = "BPCOURSE_CGROUPS"     # set by SandboxedExecute: the cgroups the kernel joins
CPU_PERIOD_US = 100_000


def _own_cgroup(controller: str) -> Path | None:
    """This process's cgroup (v1) of ``controller``, as a folder, or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = CGROUP_ROOT / controller / path.lstrip("/")
            return folder if folder.is_dir() else None
    return None


def cgroup_dirs(uid: int) -> list[Path]:
    """The per-submission cgroups of the kernel running as ``uid`` (they may not exist); one per
    hierarchy (``cpu`` and ``cpuacct`` are often one, ``cpu,cpuacct``)."""
    found: dict[Path, Path] = {}
    for d in map(_own_cgroup, CGROUP_CONTROLLERS):
        if d is not None:
            found.setdefault(d.resolve(), d / f"bpcourse-{uid}")
    return list(found.values())


def kernel_cpu(uid: int) -> float | None:
    """CPU seconds used so far by the kernel running as ``uid``: its cgroup's ``cpuacct.usage``
    (every process it ever had), else the processes of its uid that are still there (their own
    and their reaped children's time); None when neither can be read."""
    for folder in cgroup_dirs(uid):
        try:
            return int((folder / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError):
            continue
    ticks, found = 0, False
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid != uid:
                    continue
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += sum(int(x) for x in fields[11:15])   # utime stime cutime cstime
                found = True
            except (OSError, ValueError, IndexError):
                continue
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


def children_cpu() -> float:
    """CPU seconds of this process's reaped children (a kernel without a uid of its own)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def make_cgroups(uid: int, memory_mb: int, processes: int = MAX_PROCESSES, cpus: float = 1.0) -> list[Path]:
    """One cgroup per controller for one submission: its total memory (every process and its
    /tmp, which is memory), its processes and its CPU (at most ``cpus`` CPUs, an equal share
    under contention). Returns the folders made; [] where cgroups are not writable here."""
    limits = {"memory": {"memory.limit_in_bytes": memory_mb << 20, "memory.memsw.limit_in_bytes": memory_mb << 20,
                         "memory.swappiness": 0},
              "pids": {"pids.max": processes},
              "cpu": {"cpu.cfs_period_us": CPU_PERIOD_US, "cpu.cfs_quota_us": int(CPU_PERIOD_US * cpus),
                      "cpu.shares": 1024},
              "cpuacct": {}}
    made = []
    for folder in cgroup_dirs(uid):
        controller = next(c for c in folder.parent.relative_to(CGROUP_ROOT).parts[0].split(",")
                          if c in limits)
        try:
            folder.mkdir()
        except OSError:
            continue
        made.append(folder)
        for name, value in limits[controller].items():
            try:
                (folder / name).write_text(str(value))
            except OSError:
                if name in ("memory.limit_in_bytes", "pids.max", "cpu.cfs_quota_us"):
                    remove_cgroups(made)
                    return []
    return made


def join_cgroups(folders: list[str]) -> None:
    for folder in folders:
        (Path(folder) / "cgroup.procs").write_text(str(os.getpid()))


def remove_cgroups(folders) -> None:
    """Kill what is left in each cgroup and remove it."""
    import signal
    import time

    for folder in folders:
        folder = Path(folder)
        for _ in range(50):
            try:
                pids = [int(x) for x in (folder / "cgroup.procs").read_text().split()]
            except OSError:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                folder.rmdir()
                break
            except OSError:
                time.sleep(0.05)


def kill_uid(uid: int) -> int:
    """SIGKILL every process whose real uid is ``uid`` (a kernel's leftovers); how many."""
    import signal

    killed = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as f:
                line = next(ln for ln in f if ln.startswith("Uid:"))
            if int(line.split()[1]) == uid:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
        except (OSError, StopIteration, ValueError):
            continue
    return killed


def remove_scratch(scratch: Path, uid: int | None) -> None:
    """Everything the kernel left: its processes and cgroups, then its folder (links are not
    followed)."""
    if uid is not None:
        kill_uid(uid)
        remove_cgroups([d for d in cgroup_dirs(uid) if d.is_dir()])
    work = Path(scratch) / "work"
    if os.path.ismount(work):
        subprocess.run(["umount", "-l", str(work)], capture_output=True)
    shutil.rmtree(scratch, ignore_errors=True)


def set_limits(memory_mb: int, cpu_seconds: int) -> None:
    """Resource limits inherited by bwrap and the kernel."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_MB << 20, MAX_FILE_MB << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # counted per real uid, so per submission once the kernel runs as its own uid (root,
    # bwrap itself, is exempt)
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))


def scratch_root(course: Path) -> Path:
    """Where the kernels of the course at ``course`` get their private folders: a short path
    (a UNIX socket's path must stay under 108 bytes, whatever the course folder's), one per
    course, owned by this user and private to it. Refuses one that another user made."""
    import hashlib
    import tempfile

    digest = hashlib.sha256(str(Path(course).resolve()).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"bpcourse-{os.geteuid()}-{digest}"
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(folder)
    import stat as st_
    if not st_.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        raise RuntimeError(f"{folder} exists but is not a private folder of this user: remove it")
    return folder


def leftover_cpu(root: Path) -> float | None:
    """CPU seconds used by the kernels whose grader is gone (killed: a submission over its time
    limit) in :func:`scratch_root` of the course at ``root``; None if none can be measured.
    Call it before :func:`clean_leftovers` removes them."""
    total = None
    for entry in scratch_root(root).iterdir():
        parts = entry.name.split("-")
        if len(parts) < 3 or not parts[0].startswith("k") or not (parts[0][1:] + parts[1]).isdigit():
            continue
        try:
            os.kill(int(parts[1]), 0)
            continue                        # its grader is still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        uid = int(parts[0][1:])
        cpu = kernel_cpu(uid) if uid >= UID_BASE else None
        if cpu is not None:
            total = (total or 0.0) + cpu
    return total


def clean_leftovers(root: Path) -> int:
    """Remove what kernels left in :func:`scratch_root` of the course at ``root`` when their grader was killed
    outright (its processes, cgroups, tmpfs and files); folders of a live grader are kept.
    Folder names are ``k<uid>-<grader pid>-…`` (:class:`autograde.preprocessors.SandboxedExecute`).
    Returns how many were removed."""
    removed = 0
    folder = scratch_root(root)
    for entry in folder.iterdir():
        parts = entry.name.split("-")
        if len(parts) < 3 or not parts[0].startswith("k") or not (parts[0][1:] + parts[1]).isdigit():
            continue
        uid, pid = int(parts[0][1:]), int(parts[1])
        try:
            os.kill(pid, 0)
            continue                        # its grader is still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        remove_scratch(entry, uid if uid >= UID_BASE and os.geteuid() == 0 else None)
        removed += 1
    return removed


def probe(timeout: float = 60) -> tuple[bool, str]:
    """Can the sandbox start here, with every protection? Runs numpy and bpcourse inside it
    and tries what a hostile kernel would; (ok, one line per protection)."""
    if shutil.which("bwrap") is None:
        return False, "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    import socket
    import tempfile

    uid = kernel_uid(os.getpid(), 999) if os.geteuid() == 0 else None
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="bpcourse-probe-") as tmp:
        scratch = prepare_scratch(Path(tmp) / "scratch", uid)
        conn = Path(tmp) / "conn.json"
        conn.write_text("{}")
        os.chmod(conn, 0o644)
        argv = bwrap_argv(tmp, str(conn), scratch=str(scratch), uid=uid)
        python_at = argv.index(sys.executable)
        code = ("import numpy, bpcourse, os, socket, resource; "
                "assert not os.path.exists(%r), 'repo visible'; "
                "import importlib.util as u; assert u.find_spec('solutions') is None, 'solutions importable'; "
                "print('uid', os.getuid()); open('probe', 'w').write('x')\n"
                "try: open('/etc/shadow').read(1); print('shadow READABLE')\n"
                "except OSError: print('shadow denied')\n"
                "s = socket.socket(); s.settimeout(3)\n"
                "try: s.connect(('127.0.0.1', %d)); print('network OPEN')\n"
                "except OSError: print('network none')\n"
                "print('nproc', resource.getrlimit(resource.RLIMIT_NPROC)[0]); print('sandbox ok')"
                % (str(BPCOURSE_DIR.parent / "solutions"), port))
        try:
            out = subprocess.run(argv[:python_at] + [sys.executable, "-c", code], capture_output=True,
                                 text=True, timeout=timeout, preexec_fn=lambda: set_limits(DEFAULT_MEMORY_MB, 60))
        except (OSError, subprocess.TimeoutExpired) as e:
            return False, f"bwrap could not run: {e}"
        finally:
            listener.close()
        created = scratch / "work" / "probe"
        owner = created.stat().st_uid if created.exists() else None
        capped = os.path.ismount(scratch / "work")
        remove_scratch(scratch, uid)
    if out.returncode != 0 or "sandbox ok" not in out.stdout:
        return False, f"bwrap failed (exit {out.returncode}): {(out.stderr or out.stdout).strip()[-500:]}"
    text = out.stdout
    checks = {
        "reference hidden, read-only view": True,
        f"kernel runs as an unprivileged host uid ({'uid %s' % owner})":
            owner is not None and owner != 0 and "shadow denied" in text,
        "no network (own network namespace)": "network none" in text,
        f"per-submission process limit ({MAX_PROCESSES}, RLIMIT_NPROC of the kernel's own uid)":
            uid is not None and f"nproc {MAX_PROCESSES}" in text,
    }
    lines = [f"{'yes' if ok else 'NO '} {what}" for what, ok in checks.items()]
    groups = make_cgroups(uid, DEFAULT_MEMORY_MB) if uid is not None else []
    remove_cgroups(groups)
    # not required: without writable cgroups memory is capped per process, and a timeout
    # beside other submissions is retried alone (docs/grading.md)
    lines.append(f"{'yes' if groups else 'no '} per-submission total memory, processes and CPU (cgroups"
                 + ("" if groups else ": not writable here; per-process caps only") + ")")
    lines.append(f"{'yes' if capped else 'no '} the kernel's folder is a {WORK_MB} MB tmpfs"
                 + ("" if capped else " (cannot mount here: its files are capped at 128 MB each)"))
    if uid is None:
        lines.append("    (run the grader as root: bwrap needs it to hand the kernel a uid of its own)")
    return all(checks.values()), "bubblewrap sandbox:\n  " + "\n  ".join(lines)


_verified: tuple[bool, str] | None = None


def verified() -> tuple[bool, str]:
    """:func:`probe`, once per process (a forked worker inherits its grader's answer)."""
    global _verified
    if _verified is None:
        _verified = probe()
    return _verified


# --- the warm kernel (autograde/zygote.py) ---------------------------------------------------
ZYGOTE_ENV = "BPCOURSE_ZYGOTE"      # set by `bpcourse grade` while its fork server runs: its socket
ZYGOTE_PY = Path(__file__).with_name("zygote.py")
STUB = ["/bin/sh", "-c", "echo ready; exec sleep infinity"]   # holds a warm kernel's sandbox open
WARM_TIMEOUT = 60


def start_zygote(root: Path):
    """Start the fork server of warm kernels for the course at ``root`` and announce its socket
    to the kernels' launchers (:data:`ZYGOTE_ENV`); the server process, or None where warm
    kernels cannot run (not root: no uid of their own) or it failed to start (then every
    kernel starts cold, as before). Stop it with :func:`stop_zygote`."""
    if os.geteuid() != 0 or shutil.which("bwrap") is None:
        return None
    import select

    folder = scratch_root(root)
    path = folder / f"zygote-{os.getpid()}.sock"
    private = folder / "zygote-home"          # matplotlib's font cache of the server
    private.mkdir(mode=0o700, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    env = {**kernel_env(), "HOME": str(private), "MPLCONFIGDIR": str(private / "mpl"), "IPYTHONDIR": str(private)}
    env.pop("PYTHONPATH")     # -I ignores it; the server puts the repository on sys.path itself
    try:
        proc = subprocess.Popen([sys.executable, "-I", str(ZYGOTE_PY), str(path), str(BPCOURSE_DIR.parent)],
                                env=env, cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    except OSError:
        return None
    ready, _, _ = select.select([proc.stdout], [], [], WARM_TIMEOUT)
    if not ready or proc.stdout.readline().strip() != "ready":
        proc.kill()
        proc.wait()
        return None
    os.environ[ZYGOTE_ENV] = str(path)
    proc.bpcourse_socket = path
    return proc


def stop_zygote(proc) -> None:
    os.environ.pop(ZYGOTE_ENV, None)
    if proc is None:
        return
    proc.kill()
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        stream.close()
    with contextlib.suppress(FileNotFoundError):
        proc.bpcourse_socket.unlink()


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def warm_kernel(args, connection_file: str, scratch: str, uid: int, copy: str) -> int | None:
    """Run the kernel as a fork of the warm server in a sandbox of its own: bwrap builds it as
    for a cold kernel, with :data:`STUB` inside, and the server's child enters it
    (autograde/zygote.py). Returns the kernel's exit status when it is over, or None when the
    server could not start it (nothing was run: the caller starts a cold kernel)."""
    import json
    import select
    import socket

    command = bwrap_argv(os.getcwd(), connection_file, scratch=scratch, uid=uid, connection_source=copy,
                         command=STUB)
    info_r, info_w = os.pipe()
    command[1:1] = ["--info-fd", str(info_w)]
    try:
        proc = subprocess.Popen(command, pass_fds=(info_w,), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
    except OSError:
        return None
    finally:
        os.close(info_w)
    conn = None
    try:
        ready, _, _ = select.select([proc.stdout], [], [], WARM_TIMEOUT)
        if not ready or proc.stdout.readline() != b"ready\n":
            raise OSError("the sandbox did not start")
        init = json.loads(os.read(info_r, 65536))["child-pid"]
        stubs = _children(init)
        if len(stubs) != 1:
            raise OSError("no stub in the sandbox")
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(WARM_TIMEOUT)
        conn.connect(os.environ[ZYGOTE_ENV])
        groups = [g for g in os.environ.get(CGROUP_ENV, "").split(os.pathsep) if g]
        conn.sendall((json.dumps({
            "pid": stubs[0], "uid": uid, "cgroups": groups, "workdir": str(Path(os.getcwd()).resolve()),
            "argv": ["-f", connection_file, *KERNEL_ARGS], "env": kernel_env(),
            "memory_mb": args.memory_mb, "cpu_seconds": args.cpu_seconds, "file_mb": MAX_FILE_MB,
            "processes": MAX_PROCESSES}) + "\n").encode())
        reader = conn.makefile("r", encoding="utf-8")
        first = json.loads(reader.readline() or "{}")
        if not first.get("started"):
            raise OSError(first.get("error", "the warm kernel did not start"))
    except (OSError, ValueError, KeyError):
        proc.kill()
        proc.wait()
        if conn is not None:
            conn.close()
        return None
    finally:
        os.close(info_r)
    conn.settimeout(None)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    try:
        code = json.loads(reader.readline() or '{"exit": 1}').get("exit", 1)
    except (OSError, ValueError):
        code = 1
    proc.kill()      # the sandbox's PID 1: with it goes every process the kernel started
    proc.wait()
    return code


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Start ipykernel inside the grading sandbox.")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
    parser.add_argument("--cpu-seconds", type=int, default=DEFAULT_CPU_SECONDS)
    parser.add_argument("connection_file")
    args, _ = parser.parse_known_args(argv)
    connection_file = str(Path(args.connection_file).resolve())
    scratch = os.environ.get(SCRATCH_ENV) or None
    uid = int(os.environ[UID_ENV]) if os.environ.get(UID_ENV) and os.geteuid() == 0 else None
    if scratch and uid is not None:
        # the kernel must read its connection file (the key): a copy only its uid can read
        copy = Path(scratch) / "connection.json"
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
        with os.fdopen(fd, "wb") as f:
            f.write(Path(connection_file).read_bytes())
        os.chown(copy, 0, uid)
        command = bwrap_argv(os.getcwd(), connection_file, scratch=scratch, uid=uid,
                             connection_source=str(copy))
    else:
        command = bwrap_argv(os.getcwd(), connection_file, scratch=scratch)
    set_limits(args.memory_mb, args.cpu_seconds)
    if scratch and uid is not None and os.environ.get(CGROUP_ENV):
        join_cgroups(os.environ[CGROUP_ENV].split(os.pathsep))
    if scratch and uid is not None and os.environ.get(ZYGOTE_ENV):
        code = warm_kernel(args, connection_file, scratch, uid, str(copy))
        if code is not None:
            sys.exit(code)
    # The kernel must not hold a writable descriptor of its worker's log (inherited stdout and
    # stderr): what it has to say reaches its client as messages.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    # bwrap itself becomes PID 1 of the sandbox, and /proc/1/environ is readable inside:
    # start it with an empty environment so that nothing (a course secret) can leak that way.
    os.execve(shutil.which("bwrap") or "/usr/bin/bwrap", command, {"PATH": "/usr/bin:/bin"})


if __name__ == "__main__":
    main()
