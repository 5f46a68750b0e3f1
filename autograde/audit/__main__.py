"""``python -m autograde.audit [--list] [--jobs N] [--assignment A ...]``: the mutation audit."""
from __future__ import annotations

import argparse
import sys
import time

from autograde.audit.run import BAR, SURVIVORS_FILE, ExerciseReport, audit


def table(reports: list[ExerciseReport]) -> str:
    head = (f"{'assignment':<26}{'exercise':<25}{'mutants':>8}{'equiv':>7}{'hidden caught':>19}"
            f"{'visible':>9}{'uneven':>8}{'hangs':>7}{'unreviewed':>12}")
    lines = [head, "-" * len(head)]
    for r in reports:
        if r.error:
            lines.append(f"{r.assignment:<26}{r.exercise:<25}  ERROR: {r.error}")
            continue
        equiv = len(r.auto_equivalent) + len(r.reviewed_survivors)
        hidden = f"{r.caught_hidden}/{r.denominator} {r.hidden_share:5.1f} %"
        mark = "" if r.ok else "  <-- FAIL"
        lines.append(f"{r.assignment:<26}{r.exercise:<25}{r.total:>8}{equiv:>7}{hidden:>19}"
                     f"{r.visible_share:>7.1f} %{len(r.uneven):>8}{len(r.timeouts):>7}{len(r.unreviewed):>12}{mark}")
    return "\n".join(lines)


def listing(reports: list[ExerciseReport]) -> str:
    """Every survivor (unreviewed, uneven, reviewed, equivalent) and hang, with its diff."""
    out = []
    for r in reports:
        from autograde.audit.notebook import solution_cell

        try:
            original = solution_cell(r.assignment, r.exercise).source
        except StopIteration:
            continue
        groups = [("HOLE (survivor not reviewed)", r.unreviewed), ("UNEVEN", r.uneven),
                  ("reviewed equivalent", r.reviewed_survivors), ("equivalent (same outputs)", r.auto_equivalent),
                  ("hang (caught)", r.timeouts)]
        for title, outcomes in groups:
            for o in outcomes:
                out.append(f"== {r.assignment} / {r.exercise}: {title}")
                out.append(f"   mutant = {o.mutant.key!r}")
                if o.mutant.key in r.reviewed:
                    out.append(f"   why: {r.reviewed[o.mutant.key]}")
                if o.detail:
                    out.append(f"   {o.detail}")
                out.append(f"   caught by the visible check: {'yes' if o.visible else 'no'}")
                out.append("   " + o.mutant.diff(original).replace("\n", "\n   ").rstrip())
        for key in r.stale:
            out.append(f"== {r.assignment} / {r.exercise}: stale entry in {SURVIVORS_FILE.name} (no such "
                       f"survivor any more): {key!r}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m autograde.audit", description=__doc__)
    p.add_argument("--list", action="store_true", help="print the survivors with their diffs")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--assignment", action="append", help="only these assignments (repeatable)")
    args = p.parse_args(argv)
    start = time.monotonic()
    reports = audit(args.assignment, jobs=args.jobs)
    print(table(reports))
    if args.list:
        print()
        print(listing(reports))
    failing = [r for r in reports if not r.ok]
    print(f"\n{sum(r.total for r in reports)} mutants of {len(reports)} exercises in "
          f"{time.monotonic() - start:.0f} s (--jobs {args.jobs}); bar: hidden checks catch >= {BAR:.0f} % "
          f"of the non-equivalent mutants, every survivor reviewed in {SURVIVORS_FILE.name}, none uneven.")
    if failing:
        print(f"FAIL: {len(failing)} exercise(s) below the bar: "
              + ", ".join(f"{r.assignment}/{r.exercise}" for r in failing))
        if not args.list:
            for r in failing:
                for o in r.unreviewed + r.uneven:
                    print(f"  {r.assignment}/{r.exercise}: {o.hidden}: {o.mutant.key}")
            print("(--list shows every survivor with its diff)")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
