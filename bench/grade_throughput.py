"""Grading throughput: seconds per submission, as ratios against baselines measured in the same run.

    python bench/grade_throughput.py [--copies N] [--jobs-1]

Grades N copies of the sample class (samples/class: solved, blank and a recognised mistake for
each of the eleven assignments, 33 submissions per copy) these ways, one after another:

- floor, serial:     nbclient alone executes the same notebooks (plain ``python3`` kernel), one
                     after another: the cost of running the students' code and nothing else;
- floor, 2 processes: the same, two notebooks at a time (two processes);
- nbgrader:          what an instructor would otherwise run: plain serial ``nbgrader autograde``
                     of every assignment, then ``nbgrader generate_feedback`` (plain kernel, no
                     hidden inputs, no verdicts, no sandbox), each its own command;
- bpcourse grade:    the whole command with its default ``--jobs`` (the usable CPUs): sandboxed
                     kernels, per-student hidden inputs, trusted verdicts, feedback, the CSV;
                     ``--jobs-1`` adds a run with one job.

Prints seconds per submission and the ratios, the mean cost of one feedback page (the workers'
own measurement), and a last line a script can read::

    speedup: X.XX× serial nbgrader autograde+generate_feedback; Y.YY× the 2-process floor

(X: how many times faster than nbgrader; Y: bpcourse's time over the 2-process floor's.)
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograde.grade import usable_cpus  # noqa: E402
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


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                       resources={"metadata": {"path": tmp}}).execute()


def floor(subs, processes: int) -> float:
    start = time.perf_counter()
    if processes == 1:
        for _, _, path in subs:
            execute(path)
    else:
        with get_context("spawn").Pool(processes) as pool:
            pool.map(execute, [path for _, _, path in subs], chunksize=1)
    return time.perf_counter() - start


def plain_nbgrader(class_root: Path, work: Path) -> float:
    course_root = work / "nbgrader-course"
    generate(assignments(), course_root)
    shutil.copytree(class_root, course_root / "submitted")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    common = [f"--CourseDirectory.root={course_root}", "--CourseDirectory.course_id=backprop-course"]
    start = time.perf_counter()
    for a in assignments():
        for command in ("autograde", "generate_feedback"):
            subprocess.run([nbgrader, command, a, "--force", *common],
                           check=True, capture_output=True, env=env, cwd=course_root)
    return time.perf_counter() - start


def bpcourse(class_root: Path, out: Path, jobs: int | None) -> tuple[float, float]:
    """Wall time of the whole command, and the mean time of one feedback page."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograde.cli", "grade", str(class_root), "--out", str(out),
                    *(["--jobs", str(jobs)] if jobs else [])], check=True, capture_output=True)
    wall = time.perf_counter() - start
    from autograde.state import State

    with State.open(out) as state:
        pages = [s["steps"]["feedback"] for s in state.submissions().values() if s.get("steps")]
    return wall, sum(pages) / max(1, len(pages))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--copies", type=int, default=1, help="copies of the sample class (default 1: 33 submissions)")
    p.add_argument("--jobs-1", action="store_true", help="also time bpcourse grade --jobs 1")
    args = p.parse_args()
    jobs = usable_cpus()
    with tempfile.TemporaryDirectory(prefix="bpcourse-bench-") as tmp:
        work = Path(tmp)
        subs = make_class(work / "class", args.copies)
        n = len(subs)
        print(f"{n} submissions ({args.copies} cop{'y' if args.copies == 1 else 'ies'} of the sample class, "
              f"{len(assignments())} assignments); {jobs} usable CPUs; load average before: "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        timings = {"floor: nbclient, serial": floor(subs, 1),
                   "floor: nbclient, 2 processes": floor(subs, 2),
                   "nbgrader autograde + generate_feedback, serial": plain_nbgrader(work / "class", work)}
        wall, page = bpcourse(work / "class", work / "out", None)
        timings[f"bpcourse grade (default --jobs {jobs})"] = wall
        if args.jobs_1:
            timings["bpcourse grade --jobs 1"], _ = bpcourse(work / "class", work / "out1", 1)
    floor2 = timings["floor: nbclient, 2 processes"]
    nbg = timings["nbgrader autograde + generate_feedback, serial"]
    ours = timings[f"bpcourse grade (default --jobs {jobs})"]
    print(f"\n{'mode':<50}{'s/submission':>14}{'x 2-proc floor':>16}{'x nbgrader':>12}")
    for mode, seconds in timings.items():
        print(f"{mode:<50}{seconds / n:>14.2f}{seconds / floor2:>16.2f}{seconds / nbg:>12.2f}")
    print(f"\none feedback page (mean of bpcourse's workers, formulas from the course's cache): {page:.2f} s")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"speedup: {nbg / ours:.2f}× serial nbgrader autograde+generate_feedback; {ours / floor2:.2f}× the 2-process floor")


if __name__ == "__main__":
    main()
