"""`make lab`'s server: JupyterLab on notebooks/ with nbgrader's and the widgets' extensions.

A real `jupyter lab` on a free loopback port with a token, asked over its REST API. (Driving
it in a browser is the job of the browser suite.)
"""
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(repo, tmp_path_factory):
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path_factory.mktemp("lab") / "lab.log", "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={repo / 'notebooks'}", "--allow-root"],
        stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"

    def get(path):
        req = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    deadline = time.time() + 60
    while True:
        try:
            get("/api/status")
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"jupyter lab did not start: see {log.name}")
            time.sleep(0.5)
    yield get
    proc.terminate()
    proc.wait(timeout=30)


def test_lab_serves_the_released_notebooks(lab):
    listing = lab("/api/contents/00_intro")
    assert "00_intro.ipynb" in [item["name"] for item in listing["content"]]
    nb = lab("/api/contents/00_intro/00_intro.ipynb")["content"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_lab_has_nbgrader_and_widgets_extensions_enabled(lab):
    extensions = {e["name"]: e for e in lab("/lab/api/extensions")}
    # the extension manager lists prebuilt extensions under normalised names
    for name in ["jupyter-nbgrader", "jupyter-widgets-jupyterlab-manager"]:
        assert name in extensions, sorted(extensions)
        assert extensions[name]["enabled"] and extensions[name]["installed"]
