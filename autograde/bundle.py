"""What students get: a zip built from an allow-list, never from the whole repository.

Contents: ``notebooks/`` (the released notebooks), ``bpcourse/`` (the student-side helpers),
and set-up files made for students — a ``pyproject.toml`` that installs only ``bpcourse`` with
the course's pinned dependencies (taken from the main ``pyproject.toml``, so they cannot
drift), an ``environment.yml``, a ``Makefile`` whose ``make lab`` opens JupyterLab, a README.
``solutions/``, ``source/``, ``autograde/`` and ``samples/`` are never read.
"""
from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

from autograde.source import REPO

STUDENT_FILES = Path(__file__).parent / "student_files"
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed, so the same inputs give the same zip


def dependencies() -> list[str]:
    """The course's runtime dependencies, from the main pyproject.toml."""
    with open(REPO / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["dependencies"]


def student_pyproject() -> str:
    deps = "\n".join(f'    "{d}",' for d in dependencies())
    return f'''[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "backprop-course-student"
version = "0.1.0"
description = "backprop-course: notebooks and helpers for students"
requires-python = ">=3.11"
dependencies = [
{deps}
]

[tool.setuptools.packages.find]
include = ["bpcourse*"]
'''


def student_environment() -> str:
    deps = "\n".join(f"      - {d}" for d in dependencies())
    return ("name: backprop-course\nchannels:\n  - conda-forge\ndependencies:\n  - python>=3.11\n"
            f"  - pip\n  - pip:\n{deps}\n      - -e .\n")


def contents() -> dict[str, bytes]:
    """Archive path -> bytes, for every file of the bundle."""
    files: dict[str, bytes] = {}
    for folder, pattern in (("notebooks", "*.ipynb"), ("bpcourse", "*.py")):
        for path in sorted((REPO / folder).rglob(pattern)):
            if ".ipynb_checkpoints" in path.parts or "__pycache__" in path.parts:
                continue
            files[path.relative_to(REPO).as_posix()] = path.read_bytes()
    files["pyproject.toml"] = student_pyproject().encode()
    files["environment.yml"] = student_environment().encode()
    files["Makefile"] = (STUDENT_FILES / "Makefile").read_bytes()
    for path in sorted((REPO / "lab").rglob("*.json")):   # settings, and the student's lab config
        files[path.relative_to(REPO).as_posix()] = path.read_bytes()
    files["README.md"] = (STUDENT_FILES / "README.md").read_bytes()
    return files


def bundle(out: Path) -> list[str]:
    """Write the student zip to ``out``; returns the archive paths."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    files = contents()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"backprop-course/{name}", date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return sorted(files)
