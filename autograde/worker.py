"""Autograde one submission in its own process: ``python -m autograde.worker ...``.

The grading pipeline (:mod:`autograde.grade`) starts one worker per submission, at most
``--jobs`` at a time, and kills the worker's whole process group if it overruns its wall-clock
limit. The worker runs nbgrader's ``autograde`` through its Python API; the kernel is the
sandbox unless ``--unsafe``. The result (nbgrader's success flag and log) is written as JSON
to ``--result``: only the parent writes verdicts and the CSV.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from autograde import course
from autograde.sandbox import KERNEL_NAME


def run(root: Path, assignment: str, student: str, *, timeout: int, unsafe: bool) -> dict:
    if not unsafe:  # where autograde.grade installed the sandbox kernelspec for this course
        os.environ["JUPYTER_PATH"] = str(Path(root).resolve() / ".bpcourse" / "jupyter")
    nb_api = course.api(root, timeout=timeout, kernel_name=None if unsafe else KERNEL_NAME)
    result = nb_api.autograde(assignment, student, force=True, create=True)
    return {"success": bool(result.get("success")),
            "log": (result.get("log") or "")[-20000:],
            "error": (result.get("error") or "")[-20000:]}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--course", required=True, type=Path)
    p.add_argument("--assignment", required=True)
    p.add_argument("--student", required=True)
    p.add_argument("--timeout", type=int, default=30)
    p.add_argument("--unsafe", action="store_true")
    p.add_argument("--result", required=True, type=Path)
    a = p.parse_args(argv)
    out = run(a.course, a.assignment, a.student, timeout=a.timeout, unsafe=a.unsafe)
    a.result.write_text(json.dumps(out), encoding="utf-8")


if __name__ == "__main__":
    main()
