"""The ``bpcourse`` command: release, grade, bundle, doctor.

    bpcourse release [ASSIGNMENT...] [--check]
    bpcourse grade SUBMISSIONS --out DIR [--assignment A...] [--jobs N] [--timeout S] [--unsafe]
    bpcourse bundle --out FILE.zip
    bpcourse doctor

Every command exits 0 on success, 1 when it ran but found a problem (stale notebooks, a
failed doctor check, a submission that could not be graded), and 2 when it could not do its
work at all (bad input, no sandbox, another grader running on the same DIR), with a one-line
reason on stderr.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEM = 1        # it ran, and found a problem: e.g. a submission that was not graded
EXIT_CANNOT_RUN = 2     # bad arguments or input, no sandbox, DIR locked by another grader

GRADE_EXIT_CODES = """exit status:
  0  every submission was graded (status "ok" in the table)
  1  grading ran, but at least one submission was rejected or could not be graded
     (a bad folder name, a corrupt or missing notebook, a timeout, a dead kernel, an error
     of the grader) or was graded but flagged (bad nbgrader metadata, a notebook that
     tampers with the grader): the last line says how many and where to look; the rest
     were graded
  2  grading could not start (bad arguments or input, no sandbox without --unsafe, another
     grader running on the same --out): nothing was graded; the reason is on stderr
"""


def _release(args) -> int:
    from autograde.release import release
    from autograde.source import REPO

    changed = release(args.assignments or None, check=args.check)
    for path in changed:
        rel = path.relative_to(REPO)
        print(f"stale: {rel}" if args.check else f"wrote: {rel}")
    if args.check and changed:
        print(f"{len(changed)} generated file(s) differ from source/: run `bpcourse release`", file=sys.stderr)
        return 1
    if not changed:
        print("notebooks/ and samples/ are up to date with source/")
    return 0


def _grade(args) -> int:
    from autograde.grade import Options, grade

    given = {"jobs": args.jobs, "timeout": args.timeout, "submission_timeout": args.submission_timeout,
             "memory_mb": args.memory_mb, "cpu_seconds": args.cpu_seconds}
    opts = Options(unsafe=args.unsafe, **{k: v for k, v in given.items() if v is not None})
    started = time.time()
    rows = grade(args.submissions, args.out, assignments=args.assignment or None, opts=opts,
                 log=lambda line: print(line, flush=True))
    summary = not_graded_summary(rows, args.out, since=started)
    if summary:
        sys.stdout.flush()
        print(summary, file=sys.stderr, flush=True)
        return EXIT_PROBLEM
    return EXIT_OK


#: statuses of a submission that was graded, whose grade an instructor should look at
GRADED_BUT_FLAGGED = ("bad_metadata", "tampered")


def not_graded_summary(rows: list[dict], out: Path, since: float = 0.0) -> str | None:
    """One line saying how many of ``rows`` (grade()'s table) are not graded and where to look,
    or None if every row has the status "ok" (a row marked ``"rejected"``, a new submission
    rejected while an earlier grade is kept, counts as not graded)."""
    from autograde.intake import shown

    def why(row: dict) -> str | None:
        status = row.get("status", "ok")
        if status != "ok":
            return status
        return "rejected (earlier grade kept)" if row.get("rejected") else None

    bad = [r for r in rows if why(r)]
    if not bad:
        return None
    statuses: dict[str, int] = {}
    for r in bad:
        statuses[why(r)] = statuses.get(why(r), 0) + 1
    kinds = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    names = [f"{shown(str(r['student_id']))}/{shown(str(r['assignment']))}" for r in bad[:5]]
    if len(bad) > 5:
        names.append(f"and {len(bad) - 5} more")
    out = Path(out)
    csvs = sorted((p for p in out.glob("*.csv") if p.stat().st_mtime >= since - 1),
                  key=lambda p: p.stat().st_mtime)   # the grades file this run wrote
    where = f"the status and message columns of the table above{f' and of {csvs[-1]}' if csvs else ''}"
    flagged = sum(1 for r in bad if why(r) in GRADED_BUT_FLAGGED)
    what = ("not graded" if not flagged else "graded but flagged" if flagged == len(bad)
            else "not graded or flagged")
    return (f"bpcourse grade: {len(bad)} of {len(rows)} submission(s) {what} ({kinds}): "
            f"{', '.join(names)}; see {where}, and the graders' logs in {out / '.bpcourse' / 'logs'}")


def _bundle(args) -> int:
    from autograde.bundle import bundle

    files = bundle(args.out)
    print(f"wrote {args.out} ({len(files)} files)")
    return 0


def _doctor(args) -> int:
    from autograde.doctor import doctor

    return 0 if doctor(print) else 1


def positive(text: str) -> int:
    """argparse type: a whole number > 0 (0 would mean "no limit" to nbclient)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bpcourse", description="backprop-course: release, grade, bundle.")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="regenerate notebooks/ (and the sample class) from source/")
    r.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    r.add_argument("--check", action="store_true", help="only compare; exit 1 naming each stale file")
    r.set_defaults(func=_release)

    g = sub.add_parser("grade", help="autograde a class of submissions with nbgrader",
                       description="Autograde a class of submissions with nbgrader into the course folder --out.",
                       epilog=GRADE_EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("submissions", type=Path, help="folder <student>/<assignment>/<notebook>.ipynb, or a zip of one")
    g.add_argument("--out", type=Path, required=True, help="the working course directory (created or added to)")
    g.add_argument("--assignment", action="append", help="grade only this assignment (repeatable)")
    g.add_argument("--jobs", type=positive,
                   help="submissions graded in parallel (default: the CPUs this process may use)")
    g.add_argument("--timeout", type=positive, help="seconds per cell (default: as the course's configuration says)")
    g.add_argument("--submission-timeout", type=positive, default=600, help="wall seconds per submission (default 600)")
    g.add_argument("--memory-mb", type=positive,
                   help="memory cap of a grading kernel (default: as the course's configuration says)")
    g.add_argument("--cpu-seconds", type=positive,
                   help="CPU-time cap of a grading kernel (default: as the course's configuration says)")
    g.add_argument("--unsafe", action="store_true", help="grade without the sandbox (student code can read everything)")
    g.set_defaults(func=_grade)

    b = sub.add_parser("bundle", help="zip what students get (notebooks, helpers, set-up files)")
    b.add_argument("--out", type=Path, required=True)
    b.set_defaults(func=_bundle)

    d = sub.add_parser("doctor", help="show versions and check the sandbox")
    d.set_defaults(func=_doctor)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    from autograde.course import NbGraderError
    from autograde.grade import GradeError
    from autograde.source import SourceError
    from autograde.state import StateError

    try:
        code = args.func(args)
    except (GradeError, SourceError, NbGraderError, StateError) as e:
        print(f"bpcourse {args.command}: {e}", file=sys.stderr)
        code = EXIT_CANNOT_RUN
    sys.exit(code)


if __name__ == "__main__":
    main()
