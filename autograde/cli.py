"""The ``bpcourse`` command: release, grade, bundle, doctor.

    bpcourse release [ASSIGNMENT...] [--check]
    bpcourse grade SUBMISSIONS --out DIR [--assignment A...] [--jobs N] [--timeout S] [--unsafe]
    bpcourse bundle --out FILE.zip
    bpcourse doctor

Every command exits 0 on success, 1 when it ran but found a problem (stale notebooks, a
failed doctor check), and 2 on bad input, with a one-line reason on stderr.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


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

    opts = Options(jobs=args.jobs, timeout=args.timeout, submission_timeout=args.submission_timeout,
                   memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds, unsafe=args.unsafe)
    grade(args.submissions, args.out, assignments=args.assignment or None, opts=opts,
          log=lambda line: print(line, flush=True))
    return 0


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

    g = sub.add_parser("grade", help="autograde a class of submissions with nbgrader")
    g.add_argument("submissions", type=Path, help="folder <student>/<assignment>/<notebook>.ipynb, or a zip of one")
    g.add_argument("--out", type=Path, required=True, help="the working course directory (created or added to)")
    g.add_argument("--assignment", action="append", help="grade only this assignment (repeatable)")
    g.add_argument("--jobs", type=positive, default=1, help="submissions graded in parallel (default 1)")
    g.add_argument("--timeout", type=positive, default=30, help="seconds per cell (default 30)")
    g.add_argument("--submission-timeout", type=positive, default=600, help="wall seconds per submission (default 600)")
    g.add_argument("--memory-mb", type=positive, default=2048, help="memory cap of a grading kernel (default 2048)")
    g.add_argument("--cpu-seconds", type=positive, default=300, help="CPU-time cap of a grading kernel (default 300)")
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

    try:
        code = args.func(args)
    except (GradeError, SourceError, NbGraderError) as e:
        print(f"bpcourse {args.command}: {e}", file=sys.stderr)
        code = 2
    sys.exit(code)


if __name__ == "__main__":
    main()
