"""Grading throughput: seconds per submission, as ratios against baselines measured in the same run.

    python bench/grade_throughput.py [--copies N]

Grades N copies of the sample class (solved, blank, mistake for every assignment) four ways:

- floor:    nbclient alone executes the same notebooks, one after another (plain kernel);
- nbgrader: plain serial `nbgrader autograde` over the class (plain kernel, no verdicts);
- bpcourse --jobs 1 and --jobs 2: the full pipeline (sandbox, trusted verdicts, feedback, CSV).

Prints seconds per submission and each one's ratio to the floor and to plain nbgrader.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograde.release import CLASS_DIR, generate  # noqa: E402
from autograde.source import assignments  # noqa: E402


def make_class(root: Path, copies: int) -> list[tuple[str, str, Path]]:
    subs = []
    for k in range(copies):
        for student_dir in sorted(CLASS_DIR.iterdir()):
            for a_dir in sorted(student_dir.iterdir()):
                student = f"{student_dir.name}_{k}"
                dest = root / student / a_dir.name
                dest.mkdir(parents=True)
                shutil.copy(a_dir / f"{a_dir.name}.ipynb", dest)
                subs.append((student, a_dir.name, dest / f"{a_dir.name}.ipynb"))
    return subs


def floor(subs) -> float:
    start = time.perf_counter()
    for _, _, path in subs:
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as tmp:
            NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3",
                           resources={"metadata": {"path": tmp}}).execute()
    return time.perf_counter() - start


def plain_nbgrader(class_root: Path, work: Path) -> float:
    course_root = work / "nbgrader-course"
    generate(assignments(), course_root)
    shutil.copytree(class_root, course_root / "submitted")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    start = time.perf_counter()
    for a in assignments():
        subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", a, "--force",
                        f"--CourseDirectory.root={course_root}", "--CourseDirectory.course_id=backprop-course"],
                       check=True, capture_output=True, env=env, cwd=course_root)
    return time.perf_counter() - start


def bpcourse(class_root: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall time of the whole command, and the mean time of one submission's worker."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograde.cli", "grade", str(class_root), "--out", str(out),
                    "--jobs", str(jobs)], check=True, capture_output=True)
    wall = time.perf_counter() - start
    from autograde.state import State

    with State.open(out) as state:
        per = [s["seconds"] for s in state.submissions().values() if "seconds" in s]
    return wall, sum(per) / len(per)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--copies", type=int, default=3, help="copies of the sample class (default 3)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bpcourse-bench-") as tmp:
        work = Path(tmp)
        subs = make_class(work / "class", args.copies)
        n = len(subs)
        print(f"{n} submissions ({args.copies} copies of the sample class), {os.cpu_count()} CPUs")
        timings = {
            "floor (nbclient only)": floor(subs),
            "nbgrader autograde (serial)": plain_nbgrader(work / "class", work),
        }
        for jobs in (1, 2):
            wall, worker = bpcourse(work / "class", work / f"out{jobs}", jobs)
            timings[f"bpcourse grade --jobs {jobs}"] = wall
            timings[f"  one worker, --jobs {jobs} (*)"] = worker * n
    base, nbg = timings["floor (nbclient only)"], timings["nbgrader autograde (serial)"]
    print(f"{'mode':<30}{'s/submission':>14}{'x floor':>10}{'x nbgrader':>12}")
    for mode, seconds in timings.items():
        print(f"{mode:<30}{seconds / n:>14.2f}{seconds / base:>10.2f}{seconds / nbg:>12.2f}")
    print("(*) mean wall time of one submission's worker (autograde in the sandbox, verdicts, feedback),\n"
          "    without the command's fixed start-up; with 2 jobs two workers share the 2 CPUs.")


if __name__ == "__main__":
    main()
