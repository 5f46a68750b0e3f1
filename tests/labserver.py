"""A real JupyterLab for the tests, started by the real `make lab`.

:func:`running_lab` runs ``make lab`` of the repository (or of an unpacked student bundle, see
:func:`student_bundle`) with ``JUPYTER_ARGS`` for a free loopback port and a token, and waits
until the server answers. Nothing is installed: the Makefile's install stamp is taken as up to
date (``make -o``) and the tests' own Python environment is used.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent      # the tests' environment, as the Makefiles' VENV


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_env(home: Path, **extra: str) -> dict:
    """The environment of a `make lab`: ``home`` keeps jupyter's user config and runtime files
    out of the user's, and no JUPYTER_CONFIG_PATH of the caller leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_DATA_DIR=str(home / "data"))
    env.update(extra)
    return env


def make_lab_command(makedir: Path = REPO, *, jupyter_args: str = "", **variables: str) -> list[str]:
    """``make lab`` in ``makedir`` with the tests' environment and ``variables`` (e.g.
    LAB_DIR=..., EXCHANGE=1); the install step is not run."""
    if makedir == REPO:
        variables.setdefault("BIN", str(VENV / "bin"))
        stamp = ".venv/.installed"
    else:
        variables.setdefault("VENV", str(VENV))
        stamp = f"{variables['VENV']}/.installed"
    cmd = ["make", "--no-print-directory", "-C", str(makedir), "-o", stamp, "lab"]
    cmd += [f"{k}={v}" for k, v in variables.items()]
    return cmd + [f"JUPYTER_ARGS={jupyter_args}"]


@contextlib.contextmanager
def running_lab(home: Path, makedir: Path = REPO, **variables: str):
    """`make lab` (in ``makedir``, with make ``variables``) on a free loopback port with a token.

    Yields ``(base_url, token, get)`` where ``get(path)`` returns the JSON of a REST call (or,
    with ``raw=True``, ``(status, text)`` of any GET).
    """
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --IdentityProvider.token={token}"
    log = open(home / "lab.log", "w")
    proc = subprocess.Popen(make_lab_command(makedir, jupyter_args=args, **variables),
                            stdout=log, stderr=log, env=lab_env(home), start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def get(path: str, raw: bool = False):
        req = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, body = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            if not raw:
                raise
            status, body = e.code, e.read().decode(errors="replace")
        return (status, body) if raw else json.loads(body)

    try:
        deadline = time.time() + 180
        while True:
            try:
                get("/api/status")
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    log.flush()
                    raise RuntimeError(f"make lab did not start a server: see {log.name}:\n"
                                       + Path(log.name).read_text()[-3000:])
                time.sleep(0.5)
        yield base, token, get
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def page_config(get) -> dict:
    """The page config JupyterLab sends to the browser with /lab."""
    status, page = get("/lab", raw=True)
    assert status == 200, status
    data = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(data.group(1))


def student_bundle(dest: Path) -> Path:
    """The student bundle's files (autograde.bundle), unpacked into ``dest``; returns ``dest``."""
    from autograde.bundle import contents

    for name, data in contents().items():
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dest
