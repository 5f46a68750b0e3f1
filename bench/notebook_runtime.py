"""How long each notebook takes to run top to bottom with the solutions, against a baseline.

    python bench/notebook_runtime.py [ASSIGNMENT ...] [--repeat N]

Runs each source notebook (the solutions in place, as an instructor's "Restart and Run All")
in a fresh python3 kernel with nbclient, N times, and prints the median seconds. Baseline,
measured in the same run the same way: a two-cell notebook that imports numpy and matplotlib
and draws one figure (what any notebook of the course pays before its first exercise). The
ratio says how much of a notebook's time is its own; the seconds are what a student waits on
this machine (the course's budget is 30 s per notebook on 2 cores).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from autograde.source import assignments, read_source  # noqa: E402

BASELINE = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline"),
    nbformat.v4.new_code_cell("fig, ax = plt.subplots()\nax.plot(np.arange(10))\nplt.show()"),
])


def run_once(nb) -> float:
    nb = nbformat.from_dict(nb)      # a fresh copy: outputs of an earlier run do not carry over
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": scratch}}).execute()
        return time.perf_counter() - start


def median_seconds(nb, repeat: int) -> float:
    return statistics.median(run_once(nb) for _ in range(repeat))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="default: every source assignment")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    names = args.assignments or assignments()
    base = median_seconds(BASELINE, args.repeat)
    print(f"{'notebook':28} {'seconds':>8} {'ratio':>7}")
    print(f"{'baseline (numpy + 1 plot)':28} {base:8.1f} {1.0:7.2f}")
    for a in names:
        t = median_seconds(read_source(a), args.repeat)
        print(f"{a:28} {t:8.1f} {t / base:7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
