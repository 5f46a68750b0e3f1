"""Recording one submission in the run state: autograde/state.py against the old state.json.

    python bench/bench_state.py [--sizes 1000,10000,100000] [--repeats R]

For each size N, a course folder's state holds N submissions (realistic entries: status,
message, a sha256 hash, seconds). Then one more submission is recorded, R times:

- state.sqlite: ``State.put()`` (one upsert in SQLite WAL, synced to disk before it returns);
- state.json:   the old way, the whole state written with ``json.dumps(indent=1,
  sort_keys=True)`` to a temporary file and ``os.replace``-d (no fsync: it was less durable).

Prints the median milliseconds of one record, each file's size, the ratios, and the time to
read every entry once (a run does it once, for its table).
Both are measured in the same run, on the same disk (a temporary folder; --dir to choose).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograde.state import State  # noqa: E402

ASSIGNMENTS = ["00_intro", "01_chain_rule", "02_graphs", "03_linear", "04_activations",
               "05_mlp", "06_training", "07_init", "08_batchnorm", "09_softmax_cross_entropy"]


def entries(n: int) -> dict[str, dict]:
    out = {}
    for i in range(n):
        student, a = divmod(i, len(ASSIGNMENTS))
        out[f"student{student:06d}/{ASSIGNMENTS[a]}"] = {
            "status": "ok", "message": "", "seconds": round(5 + (i % 997) / 100, 2),
            "hash": hashlib.sha256(str(i).encode()).hexdigest()}
    return out


def new_entry(k: int) -> tuple[str, dict]:
    return (f"late{k:06d}/00_intro",
            {"status": "ok", "message": "", "seconds": 7.5, "hash": hashlib.sha256(b"late%d" % k).hexdigest()})


def old_save(path: Path, state: dict) -> None:
    """autograde/grade.py's save_state before autograde/state.py."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def size(*paths: Path) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


def measure(root: Path, n: int, repeats: int) -> dict:
    existing = entries(n)
    digests = {a: hashlib.sha256(a.encode()).hexdigest() for a in ASSIGNMENTS}

    # the old state.json
    old_dir = root / f"json{n}" / ".bpcourse"
    old_dir.mkdir(parents=True)
    old_path = old_dir / "state.json"
    state = {"assignments": dict(digests), "submissions": dict(existing)}
    old_save(old_path, state)
    old_times = []
    for k in range(repeats):
        key, entry = new_entry(k)
        start = time.perf_counter()
        state["submissions"][key] = entry
        old_save(old_path, state)
        old_times.append(time.perf_counter() - start)
    old_size = size(old_path)
    start = time.perf_counter()
    json.loads(old_path.read_text(encoding="utf-8"))["submissions"]
    old_load = time.perf_counter() - start

    # state.sqlite: built, closed (as an earlier run leaves it), then reopened by the next run
    out = root / f"sqlite{n}"
    with State.open(out, lock=True) as st:
        for a, d in digests.items():
            st.set_assignment(a, d)
        st.put_many(existing)
    with State.open(out, lock=True) as st:
        new_times = []
        for k in range(repeats):
            key, entry = new_entry(k)
            start = time.perf_counter()
            st.put(key, entry)
            new_times.append(time.perf_counter() - start)
        assert len(st) == n + repeats
        db = st.path
    new_size = size(db, db.with_name(db.name + "-wal"))   # after close: the WAL is folded in
    start = time.perf_counter()
    with State.open(out) as st:
        st.submissions()
    new_load = time.perf_counter() - start
    return {"n": n, "old_ms": statistics.median(old_times) * 1000, "new_ms": statistics.median(new_times) * 1000,
            "old_mb": old_size / 1e6, "new_mb": new_size / 1e6,
            "old_load": old_load * 1000, "new_load": new_load * 1000}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1000,10000,100000", help="existing entries (default 1000,10000,100000)")
    p.add_argument("--repeats", type=int, default=15, help="records measured per size, median shown (default 15)")
    p.add_argument("--dir", type=Path, default=None, help="where to write (default: a temporary folder)")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bpcourse-bench-state-", dir=args.dir) as tmp:
        print(f"one more submission recorded into a state of N entries; median of {args.repeats}, "
              f"in {Path(tmp).parent}")
        print(f"{'N':>8}{'json ms':>10}{'sqlite ms':>11}{'x faster':>10}{'json MB':>10}{'sqlite MB':>11}{'size x':>8}"
              f"{'load json ms':>14}{'load sqlite ms':>16}")
        for n in sizes:
            r = measure(Path(tmp), n, args.repeats)
            print(f"{r['n']:>8}{r['old_ms']:>10.2f}{r['new_ms']:>11.2f}{r['old_ms'] / r['new_ms']:>10.1f}"
                  f"{r['old_mb']:>10.2f}{r['new_mb']:>11.2f}{r['new_mb'] / r['old_mb']:>8.2f}"
                  f"{r['old_load']:>14.1f}{r['new_load']:>16.1f}")
    print("json ms / sqlite ms: one submission recorded. json: the whole state rewritten\n"
          "(json.dumps(indent=1) + os.replace, not fsynced); sqlite: State.put(), one upsert synced to\n"
          "disk (synchronous=FULL) before it returns, so its time is mostly one fsync (noisy on a shared disk).\n"
          "x faster = json ms / sqlite ms; size x = sqlite MB / json MB; load: every entry read once\n"
          "(json.loads of the file / State.open() + submissions()), as a run does for its table.")


if __name__ == "__main__":
    main()
