"""Reading a class of submissions: a folder ``<student>/<assignment>/<notebook>.ipynb`` or a zip of one.

Nothing here modifies the input. A zip is extracted (safely: no absolute paths, no ``..``,
no links, bounded sizes) into a folder the caller owns. Each ``<student>/<assignment>`` pair
becomes a :class:`Found` with a status: ``ok`` or the reason it cannot be graded.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat

STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")   # always re.fullmatch: "$" accepts "\n"
MAX_NAME_BYTES = 255             # one path component
MAX_PATH_BYTES = 4096            # a whole path (Linux's PATH_MAX), the extraction folder's included
MAX_FOLDER_ENTRIES = 10_000      # files and folders looked at in one submission folder
REFUSED = ".bpcourse-refused.json"   # written by nbgrader collect (autograde.exchange): why it refused
REFUSED_STATUSES = ("wrong_owner", "symlink", "unsafe_file", "too_large")
MAX_ZIP_FILES = 20_000
MAX_ZIP_BYTES = 1 << 30          # uncompressed, in all
MAX_NOTEBOOK_BYTES = 50 << 20    # one notebook


class IntakeError(ValueError):
    """The class as a whole cannot be read (missing path, bad zip, unsafe zip)."""


def shown(name: str) -> str:
    """An untrusted name as it may be printed (terminal, CSV, log): control characters,
    escapes, invisible characters and backslashes written as Python escapes."""
    out = []
    for ch in name:
        if ch == "\\":
            out.append("\\\\")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


def valid_student_id(name: str) -> bool:
    """Letters, digits, ``_ . -``, at most 64, starting with a letter or digit: the whole name
    (nbgrader would otherwise strip or normalise what it stores)."""
    return STUDENT_ID.fullmatch(name) is not None


@dataclass(frozen=True)
class Found:
    """One ``<student>/<assignment>`` folder of the input and what is wrong with it, if anything."""

    student: str
    assignment: str
    folder: Path
    # ok | unknown_assignment | missing_notebook | corrupt_notebook | bad_student_id | symlink |
    # unsafe_file (a hard link, device, FIFO, socket) | wrong_owner | too_large (the last two
    # from nbgrader collect, autograde.exchange)
    status: str = "ok"
    message: str = ""

    @property
    def notebook(self) -> Path:
        return self.folder / f"{self.assignment}.ipynb"


def extract_zip(path: Path, dest: Path, problems: list[str] | None = None) -> Path:
    """Extract ``path`` into ``dest`` safely and return the class root inside it.

    An entry that cannot be extracted on its own — a name longer than a file system allows, a
    file where another entry needs a folder (``x`` and ``x/y``), a duplicate — is skipped with a
    one-line reason appended to ``problems``; the rest is extracted."""
    problems = [] if problems is None else problems
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise IntakeError(f"{path}: not a readable zip file ({e})") from e
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_FILES:
            raise IntakeError(f"{path}: {len(infos)} entries, more than {MAX_ZIP_FILES}")
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise IntakeError(f"{path}: more than {MAX_ZIP_BYTES >> 20} MB uncompressed (zip bomb?)")
        for info in infos:
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
                raise IntakeError(f"{path}: unsafe path in zip: {info.filename!r}")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise IntakeError(f"{path}: the zip contains a symbolic link: {info.filename!r}")
        dest.mkdir(parents=True, exist_ok=True)
        entries = [(i, PurePosixPath(i.filename).parts) for i in infos]
        names = {parts for i, parts in entries if not i.is_dir()}
        prefixes = ({parts[:k] for _, parts in entries for k in range(1, len(parts))}
                    | {parts for i, parts in entries if i.is_dir()})
        written: set[tuple] = set()
        for info in infos:
            parts = PurePosixPath(info.filename).parts
            if not parts:
                continue
            if any(len(p.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES for p in parts):
                problems.append(f"zip entry {shown(info.filename[:80])}…: a name longer than "
                                f"{MAX_NAME_BYTES} bytes, skipped")
                continue
            if not info.is_dir() and (parts in prefixes or parts in written):
                problems.append(f"zip entry {shown(info.filename)}: "
                                + ("a file and a folder of the same name" if parts in prefixes
                                   else "a duplicate") + ", skipped")
                continue
            if any(parts[:k] in names for k in range(1, len(parts))) or (info.is_dir() and parts in names):
                problems.append(f"zip entry {shown(info.filename)}: inside a name that is also a file, skipped")
                continue
            target = dest.joinpath(*parts)
            if len(os.fsencode(target)) >= MAX_PATH_BYTES:
                problems.append(f"zip entry {shown(info.filename[:80])}…: a path longer than "
                                f"{MAX_PATH_BYTES} bytes once extracted, skipped")
                continue
            try:
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                out = open(target, "xb")
            except OSError as e:   # the file system's own limits: this entry, not the class
                problems.append(f"zip entry {shown(info.filename[:80])}: cannot be created here "
                                f"({e.strerror}), skipped")
                continue
            try:
                with zf.open(info) as src, out:
                    shutil.copyfileobj(src, out)
                written.add(parts)
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                raise IntakeError(f"{path}: entry {shown(info.filename)} is damaged ({e})") from e
    return _class_root(dest)


def _class_root(root: Path) -> Path:
    """Skip wrapper folders: a zip of ``class/`` holds ``class/<student>/...``."""
    while True:
        entries = [p for p in root.iterdir() if not _skipped(p)]
        if len(entries) != 1 or not entries[0].is_dir():
            return root
        child = entries[0]
        grandchildren = [p for p in child.iterdir() if not _skipped(p)]
        # child is a student if its folders look like assignments (they hold notebooks)
        if any(g.is_dir() and any(g.glob("*.ipynb")) for g in grandchildren):
            return root
        root = child


def _skipped(p: Path) -> bool:
    return p.name.startswith(".") or p.name == "__MACOSX"


def scan(root: Path, known: list[str], selected: list[str] | None = None) -> list[Found]:
    """Every ``<student>/<assignment>`` folder under ``root``, checked but not graded."""
    if not root.is_dir():
        raise IntakeError(f"{root}: no such folder of submissions")
    found = []
    for student_dir in sorted(p for p in root.iterdir() if p.is_dir() and not _skipped(p)):
        student = student_dir.name
        if student_dir.is_symlink():
            found.append(Found(shown(student), "-", student_dir, "symlink",
                               "the student folder is a symbolic link; not followed"))
            continue
        for folder in sorted(p for p in student_dir.iterdir() if p.is_dir() and not _skipped(p)):
            a = folder.name
            if selected and a not in selected:
                continue
            if not valid_student_id(student):
                found.append(Found(shown(student), shown(a), folder, "bad_student_id",
                                   f"student folder name '{shown(student)}' is not a valid id "
                                   "(letters, digits, _ . -; at most 64)"))
            elif a not in known:
                found.append(Found(student, shown(a), folder, "unknown_assignment",
                                   f"no assignment '{shown(a)}' in this course (known: {', '.join(known)})"))
            elif folder.is_symlink():
                found.append(Found(student, a, folder, "symlink",
                                   "the assignment folder is a symbolic link; not followed"))
            else:
                found.append(_check_notebook(Found(student, a, folder)))
    return found


def unsafe_entry(folder: Path) -> tuple[str, str] | None:
    """``(status, message)`` for the first thing in ``folder`` (a submission, looked at
    recursively, nothing followed) that no grader may read or copy: a symbolic link
    (``symlink``), a hard link, device, FIFO or socket (``unsafe_file``); None if there is none.

    nbgrader's converters copy every file of a submission folder into ``autograded/`` and
    ``feedback/`` with ``shutil.copy``, which follows links: what ``nbgrader collect`` or a
    copy put under ``submitted/`` is not trusted."""
    count = 0
    todo = [folder]
    while todo:
        d = todo.pop()
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as e:
            return "unsafe_file", f"{shown(str(d.relative_to(folder)) or '.')} cannot be read: {e.strerror}"
        for e in entries:
            count += 1
            if count > MAX_FOLDER_ENTRIES:
                return "unsafe_file", f"more than {MAX_FOLDER_ENTRIES} files and folders in the submission"
            rel = shown(str(Path(e.path).relative_to(folder)))
            st = e.stat(follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                return "symlink", f"{rel} is a symbolic link; not followed (submit the files themselves)"
            if stat.S_ISDIR(st.st_mode):
                todo.append(Path(e.path))
            elif not stat.S_ISREG(st.st_mode):
                return "unsafe_file", f"{rel} is not a plain file (a device, FIFO or socket); not read"
            elif st.st_nlink > 1:
                return "unsafe_file", f"{rel} is a hard link (a second name of a file elsewhere); not read"
    return None


def refusal_mac(key: str, student: str, assignment: str, record: dict) -> str:
    """The signature ``nbgrader collect`` (:mod:`autograde.exchange`) puts into its
    :data:`REFUSED` record: an HMAC, keyed by the course secret, of the record (its ``hmac``
    left out) and the submission it is about."""
    body = json.dumps(["bpcourse-refused", student, assignment, {k: v for k, v in record.items() if k != "hmac"}],
                      sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hmac.new(key.encode("utf-8", "surrogateescape"), body.encode("ascii"), hashlib.sha256).hexdigest()


def _course_key(course: Path) -> str | None:
    """The course secret as collect signed with it (``$BPCOURSE_SECRET`` or
    ``course/.bpcourse/secret``: no link on the way, owned by this account, root or the course
    folder's owner), read, never made."""
    if os.environ.get("BPCOURSE_SECRET"):
        return os.environ["BPCOURSE_SECRET"]
    path = course / ".bpcourse" / "secret"
    try:
        owners = {os.geteuid(), 0, course.stat().st_uid}
        if not stat.S_ISDIR(path.parent.lstat().st_mode):
            return None
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode) or st.st_uid not in owners or st.st_size > 4096:
            return None
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def refused_by_collect(folder: Path) -> tuple[str, str] | None:
    """``(status, message)`` that ``nbgrader collect`` (:mod:`autograde.exchange`) recorded in
    ``folder`` when it refused the newest submission; None if it did not.

    Only collect writes into a course's ``submitted/<student>/<assignment>/`` (``bpcourse grade
    DIR/submitted --out DIR``), and only there is a record read: it must carry collect's
    signature (:func:`refusal_mac`), or the submission is ``unsafe_file`` with a message of
    ours. Anywhere else (a folder or a zip of submissions) a file of that name is the student's
    own and is ignored: the submission is graded as it is."""
    marker = folder / REFUSED
    try:
        st = marker.lstat()
    except FileNotFoundError:
        return None
    if folder.parent.parent.name != "submitted" or ".bpcourse" in folder.parts:
        return None                       # not a course's submitted/: the student's file
    course = folder.parent.parent.parent
    unsigned = ("unsafe_file", f"{REFUSED} is not a record signed by this course's nbgrader collect "
                "(the course secret); not graded: run nbgrader collect again")
    if not stat.S_ISREG(st.st_mode) or st.st_size > 64_000:
        return unsigned
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        status, message = data["status"], str(data["message"])
        mac = str(data.get("hmac", ""))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return unsigned
    key = _course_key(course)
    if key is None or not hmac.compare_digest(mac, refusal_mac(key, folder.parent.name, folder.name, data)):
        return unsigned
    if status not in REFUSED_STATUSES:
        return "unsafe_file", f"{REFUSED} names an unknown status"
    return status, shown(message[:600])


def _check_notebook(f: Found) -> Found:
    nb = f.notebook
    if nb.is_symlink():
        return Found(f.student, f.assignment, f.folder, "symlink",
                     f"{nb.name} is a symbolic link; not followed (submit the notebook itself)")
    for why in (unsafe_entry(f.folder), refused_by_collect(f.folder)):
        if why:
            return Found(f.student, f.assignment, f.folder, *why)
    if not nb.is_file():
        others = ", ".join(shown(p.name) for p in f.folder.glob("*.ipynb")) or "none"
        return Found(f.student, f.assignment, f.folder, "missing_notebook",
                     f"{f.assignment}.ipynb not found (notebooks present: {others})")
    if nb.stat().st_size > MAX_NOTEBOOK_BYTES:
        return Found(f.student, f.assignment, f.folder, "corrupt_notebook",
                     f"{nb.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
    try:
        nbformat.validate(nbformat.read(nb, as_version=4))
    except Exception as e:  # noqa: BLE001 - JSON, schema and encoding errors alike
        return Found(f.student, f.assignment, f.folder, "corrupt_notebook",
                     f"{nb.name} cannot be read as a notebook: {type(e).__name__}: {str(e)[:200]}")
    return f
