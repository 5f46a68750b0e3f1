"""``bpcourse doctor``: what is installed, in which versions, and whether grading can run."""
from __future__ import annotations

import os
import platform
import shutil
import stat
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Callable

PACKAGES = ["numpy", "matplotlib", "scikit-learn", "ipywidgets", "ipykernel", "jupyterlab", "notebook",
            "nbgrader", "nbclient", "nbconvert", "nbformat", "jupytext"]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "NOT INSTALLED"


def _lab_extensions() -> str:
    jupyter = shutil.which("jupyter", path=f"{sys.prefix}/bin") or shutil.which("jupyter")
    if not jupyter:
        return "jupyter not found"
    out = subprocess.run([jupyter, "labextension", "list"], capture_output=True, text=True, timeout=60)
    lines = (out.stdout + out.stderr).splitlines()
    wanted = ["@jupyter/nbgrader", "@jupyter-widgets/jupyterlab-manager"]
    state = {w: next(("enabled" if "enabled" in ln else "disabled" for ln in lines if w in ln), "MISSING")
             for w in wanted}
    return ", ".join(f"{w}: {s}" for w, s in state.items())


def doctor(say: Callable[[str], None] = print) -> bool:
    """Print the report; True when everything grading needs is there."""
    from autograde.sandbox import probe

    ok = True
    say(f"python       {sys.version.split()[0]} ({sys.executable})")
    say(f"platform     {platform.platform()}")
    for name in PACKAGES:
        v = _version(name)
        ok &= v != "NOT INSTALLED"
        say(f"{name:<13}{v}")
    say(f"lab ext      {_lab_extensions()}")
    sandbox_ok, why = probe()
    ok &= sandbox_ok
    say(f"sandbox      {'OK' if sandbox_ok else 'FAILED'}: {why}")
    if not sandbox_ok:
        say("             `bpcourse grade` refuses to run without these protections unless --unsafe")
    bwrap = shutil.which("bwrap")
    if bwrap:
        v = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
        say(f"bwrap        {v} ({bwrap})")
    say("verdict     " + ("ready to release and grade" if ok else "NOT ready: see the lines above"))
    return ok


def course_folder(out: Path) -> list[str]:
    """Warnings about who else can read the course folder ``out`` (a shared host): ``bpcourse
    grade`` makes its own parts private (:func:`autograde.grade.make_private`), but what else
    the instructor keeps in DIR stays as readable as DIR is."""
    try:
        mode = stat.S_IMODE(os.stat(out).st_mode)
    except OSError:
        return []
    if not mode & 0o005:
        return []
    return [f"{out} is readable by other local accounts (mode {mode:04o}). bpcourse keeps the gradebook, "
            "submitted/, autograded/, source/, feedback/, .bpcourse/, the grades and nbgrader_config.py "
            f"private to you; anything else you put there is not. On a shared host: chmod o-rwx {out}"]
