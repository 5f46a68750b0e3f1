"""The kernel that runs student code during grading: ipykernel inside bubblewrap.

nbgrader starts the kernel named :data:`KERNEL_NAME`; its kernelspec runs this module, which
sets resource limits and replaces itself with ``bwrap`` running ``ipykernel``:

- the file system is read-only and holds only the OS, the Python installation, the
  student-side package ``bpcourse`` and the submission's own folder (the one writable place);
  ``solutions/``, ``source/``, the gradebook and the other submissions are simply not there,
  and a ``solutions`` or ``autograde`` package installed in site-packages is masked;
- the environment is cleared (no course secret), the user is unprivileged, the PID, IPC,
  UTS and user namespaces are new; the network namespace is shared, because the kernel talks
  to its client over loopback TCP;
- ``RLIMIT_AS`` caps memory (a 10 GB allocation raises ``MemoryError``), ``RLIMIT_CPU`` caps
  CPU time (a loop that swallows interrupts is killed), ``RLIMIT_FSIZE`` caps file size.

Interrupts are sent as messages (``interrupt_mode: message``), since signals to the
launcher's process group do not reach a kernel in its own session.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
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


def bwrap_argv(workdir: str, connection_file: str) -> list[str]:
    """The full ``bwrap`` command that runs ipykernel for ``connection_file`` in ``workdir``."""
    workdir = str(Path(workdir).resolve())
    args = ["bwrap", "--unshare-all", "--share-net", "--die-with-parent", "--new-session",
            "--uid", "65534", "--gid", "65534", "--hostname", "sandbox",
            "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    pythons = {sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"],
               str(Path(sys.executable).resolve().parent.parent)}
    for p in sorted(pythons):
        if not p.startswith("/usr/"):
            args += ["--ro-bind", p, p]
    args += ["--ro-bind", str(BPCOURSE_DIR), str(BPCOURSE_DIR)]
    for name in HIDDEN_PACKAGES:   # installed (non-editable) copies of instructor code
        for d in _package_dirs(name):
            if any(d.startswith(p + "/") for p in pythons):
                args += ["--tmpfs", d]
    args += ["--ro-bind", connection_file, connection_file,
             "--bind", workdir, workdir, "--chdir", workdir,
             # the root is bwrap's own tmpfs, with the mount points in it: make it read-only too
             "--remount-ro", "/", "--clearenv"]
    env = {"HOME": "/tmp", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           # only bpcourse/ is mounted from the repository, so this adds nothing else
           "PYTHONPATH": str(BPCOURSE_DIR.parent),
           "MPLCONFIGDIR": "/tmp/mpl", "IPYTHONDIR": "/tmp/ipython", "PYTHONDONTWRITEBYTECODE": "1",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde")}
    for key, value in env.items():
        args += ["--setenv", key, value]
    # No JPY_PARENT_PID: in a new PID namespace the parent poller would see ppid 1 and exit.
    return args + [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file,
                   "--HistoryManager.hist_file=:memory:"]


def set_limits(memory_mb: int, cpu_seconds: int) -> None:
    """Resource limits inherited by bwrap and the kernel."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_MB << 20, MAX_FILE_MB << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def install_kernelspec(jupyter_dir: Path, *, memory_mb: int = DEFAULT_MEMORY_MB,
                       cpu_seconds: int = DEFAULT_CPU_SECONDS) -> Path:
    """Write the sandbox kernelspec under ``jupyter_dir/kernels``; put ``jupyter_dir`` on JUPYTER_PATH."""
    spec_dir = Path(jupyter_dir) / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "autograde.sandbox", "--memory-mb", str(memory_mb),
                 "--cpu-seconds", str(cpu_seconds), "{connection_file}"],
        "display_name": "Python 3 (bpcourse grading sandbox)",
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return spec_dir


def probe(timeout: float = 60) -> tuple[bool, str]:
    """Can the sandbox start here? Runs numpy and bpcourse inside it; (ok, explanation)."""
    if shutil.which("bwrap") is None:
        return False, "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bpcourse-probe-") as tmp:
        conn = Path(tmp) / "conn.json"
        conn.write_text("{}")
        argv = bwrap_argv(tmp, str(conn))
        python_at = argv.index(sys.executable)
        code = ("import numpy, bpcourse, os; "
                "assert not os.path.exists(%r), 'repo visible'; "
                "import importlib.util as u; assert u.find_spec('solutions') is None, 'solutions importable'; "
                "print('sandbox ok')" % str(BPCOURSE_DIR.parent / "solutions"))
        try:
            out = subprocess.run(argv[:python_at] + [sys.executable, "-c", code], capture_output=True,
                                 text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            return False, f"bwrap could not run: {e}"
    if out.returncode != 0 or "sandbox ok" not in out.stdout:
        return False, f"bwrap failed (exit {out.returncode}): {(out.stderr or out.stdout).strip()[-500:]}"
    return True, "bubblewrap sandbox works (read-only view, reference hidden)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Start ipykernel inside the grading sandbox.")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
    parser.add_argument("--cpu-seconds", type=int, default=DEFAULT_CPU_SECONDS)
    parser.add_argument("connection_file")
    args = parser.parse_args(argv)
    command = bwrap_argv(os.getcwd(), str(Path(args.connection_file).resolve()))
    set_limits(args.memory_mb, args.cpu_seconds)
    # bwrap itself becomes PID 1 of the sandbox, and /proc/1/environ is readable inside:
    # start it with an empty environment so that nothing (a course secret) can leak that way.
    os.execve(shutil.which("bwrap") or "/usr/bin/bwrap", command, {"PATH": "/usr/bin:/bin"})


if __name__ == "__main__":
    main()
