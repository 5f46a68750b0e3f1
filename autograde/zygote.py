"""The warm grading kernel: a fork server that pays Python's, numpy's, matplotlib's and
ipykernel's start-up once per grading run, while every submission still gets a sandbox of its
own.

Started by ``bpcourse grade`` (:func:`autograde.sandbox.start_zygote`) as root, as a script
(``python -I autograde/zygote.py SOCKET REPO``), with an empty environment: it imports only
public libraries (:data:`PRELOAD`; never the ``autograde`` package, whose hidden specs hold
the reference) and then waits on a UNIX socket that only root can reach.

For each submission the launcher (:func:`autograde.sandbox.main`) first builds the sandbox
exactly as for a cold kernel — bubblewrap with the same mounts, namespaces, uid and cgroups —
but runs a stub in it (``sleep``) instead of Python. It then sends this server the stub's pid.
The server forks a child (root, on the host) that joins the submission's cgroups, enters the
stub's namespaces (IPC, UTS, network, cgroup, PID, mount) and root, and forks the kernel: a
fresh copy of the pre-imported process, in the sandbox's PID namespace, that sets the
submission's resource limits, drops every capability and becomes the submission's own uid
(``no_new_privs``) before it starts ipykernel. The kernel is never reused: the next submission
gets a new fork of the untouched server and a new sandbox. When the launcher goes, bubblewrap
goes, and with its PID namespace every process the kernel started.

Nothing here may import ``autograde``: this file runs outside the package (``-I``: no script
folder or environment on ``sys.path``).
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import socket
import struct
import sys

# What a cold kernel would import anyway (a notebook of the course and ipykernel itself); only
# modules without import-time side effects on the process (bpcourse.checks and
# bpcourse.grading install hooks when imported, so the kernel imports them itself).
PRELOAD = ("numpy", "numpy.linalg", "scipy.special", "threadpoolctl", "matplotlib", "matplotlib.pyplot",
           "matplotlib.figure", "matplotlib_inline.backend_inline", "IPython", "ipykernel.kernelapp",
           "ipykernel.ipkernel", "ipykernel.zmqshell", "zmq", "jupyter_client.session",
           "bpcourse", "bpcourse.gradcheck", "bpcourse.cases", "bpcourse.engine_probe",
           "bpcourse.layer_probe", "bpcourse.nn", "bpcourse.train_probe")
NAMESPACES = ("ipc", "uts", "net", "cgroup", "pid", "mnt")   # mnt last: /proc is the host's until then
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _send(conn: socket.socket, **message) -> None:
    try:
        conn.sendall((json.dumps(message) + "\n").encode())
    except OSError:
        pass


def _read_request(conn: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk or len(data) > 1 << 20:
            raise OSError("the launcher closed the connection")
        data += chunk
    return json.loads(data)


def _limits(req: dict) -> None:
    """The submission's resource limits, as :func:`autograde.sandbox.set_limits` sets them."""
    memory = req["memory_mb"] << 20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (req["cpu_seconds"], req["cpu_seconds"] + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (req["file_mb"] << 20, req["file_mb"] << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (req["processes"], req["processes"]))


def _become(uid: int) -> None:
    """Drop every capability (bounding set too) and become ``uid``, for good."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:   # EINVAL: no such cap
            _check(-1, f"dropping capability {cap}")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)   # every uid non-zero: the permitted and effective sets are emptied
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != uid:
        raise OSError("could not become the kernel's uid")
    with open("/proc/self/status", encoding="ascii") as f:
        caps = {ln.split(":")[0]: int(ln.split()[1], 16) for ln in f if ln.startswith("Cap")}
    if any(caps.get(k) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")):
        raise OSError(f"capabilities left after dropping them: {caps}")
    # as after an exec: the kernel may read its own /proc entries (same uid: no more than a cold kernel)
    _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)


def _kernel(req: dict) -> None:
    """In the sandbox's namespaces, as root: become the submission's kernel (never returns)."""
    code = 1
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(sig, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 65536)   # the server's socket, the namespaces' descriptors: nothing of the host
        os.chdir(req["workdir"])
        _limits(req)
        _become(req["uid"])
        os.environ.clear()
        os.environ.update(req["env"])
        import importlib
        import random

        import numpy as np

        np.random.seed()          # a fresh interpreter's entropy, not the server's
        random.seed()
        sys.path_importer_cache.clear()
        importlib.invalidate_caches()
        sys.argv = ["ipykernel_launcher", *req["argv"]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: BLE001 - nothing can be reported from here but the exit status
        code = 1
    os._exit(code)


def _serve(conn: socket.socket) -> None:
    """One submission (a forked child of the server, root on the host)."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        req = _read_request(conn)
        pid = int(req["pid"])
        if os.stat(f"/proc/{pid}").st_uid != req["uid"]:
            raise OSError(f"process {pid} is not the submission's sandbox")
        fds = [os.open(f"/proc/{pid}/ns/{ns}", os.O_RDONLY) for ns in NAMESPACES]
        root = os.open(f"/proc/{pid}/root", os.O_RDONLY | os.O_DIRECTORY)
        for folder in req["cgroups"]:
            with open(os.path.join(folder, "cgroup.procs"), "w", encoding="ascii") as f:
                f.write(str(os.getpid()))
        for fd, ns in zip(fds, NAMESPACES):
            _check(_libc.setns(fd, 0), f"entering the sandbox's {ns} namespace")
            os.close(fd)
        os.fchdir(root)
        os.chroot(".")
        os.close(root)
        child = os.fork()          # the first process of this PID namespace that is a kernel
        if child == 0:
            conn.close()
            _kernel(req)
        _send(conn, started=True)
        _, status = os.waitpid(child, 0)
        _send(conn, exit=os.waitstatus_to_exitcode(status))
    except Exception as e:  # noqa: BLE001 - the launcher falls back to a cold kernel
        _send(conn, error=f"{type(e).__name__}: {e}")
    os._exit(0)


def main(argv: list[str]) -> None:
    path, repo = argv[0], argv[1]
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)   # gone with the grader
    sys.path.insert(0, repo)      # as PYTHONPATH in the sandbox: only bpcourse/ of it is mounted there
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # children are reaped by the system
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(64)
    print("ready", flush=True)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    while True:
        conn, _ = server.accept()
        uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
        if uid != 0:
            conn.close()
            continue
        if os.fork() == 0:
            server.close()
            _serve(conn)
        conn.close()


if __name__ == "__main__":
    main(sys.argv[1:])
