"""nbgrader's ``collect``, made safe to run as the instructor (or root) on a shared exchange.

nbgrader's default collect (``nbgrader.exchange.default.ExchangeCollect``) trusts what a student
wrote into the exchange's ``inbound/`` folder: it copies with ``shutil.copytree``, which follows
symbolic links (a link to the course secret arrives in ``submitted/`` as the secret itself) and
stops with a traceback, for the whole class, on a FIFO; it only *warns* when a folder named ``bob+…`` belongs to another
account (nbgrader #1097); it takes the newest submission by the timestamp in the folder's name
and the submission time from ``timestamp.txt`` — both written by the student (#1104).

:class:`SafeCollect` is the same collect with those doors closed. It is nbgrader's documented
plugin point, ``c.ExchangeFactory.collect``, set by :func:`autograde.course.protect`, so
``nbgrader collect`` and the formgrader's collect in the course folder both use it:

- **nothing is followed**: the inbound folder is read through file descriptors opened with
  ``O_NOFOLLOW`` one level at a time; a symbolic link, a hard link (a file with a second name
  elsewhere), a device, a FIFO or a socket anywhere in it refuses the whole submission, and
  nothing of it is copied;
- **the owner is the student** (``check_owner``, nbgrader's own switch, on by default): the
  folder must belong to the account named like the student id, and everything in it to the same
  uid; a submission in someone else's name is refused, never chosen over the real student's.
  Folders of root and of the account that collects (the instructor, who can write
  ``submitted/`` anyway) are taken in any name, with a warning;
- **the time is the exchange's**: the submission time is the newest *ctime* of the folder and
  everything in it. The kernel sets a ctime to "now" on every change of an inode (writing,
  renaming, ``chmod``, ``utime``) and no ordinary user can set it back, so it is the last moment
  the submission was changed; ``timestamp.txt`` and the folder's name are the student's and only
  logged. ``timestamp.txt`` in ``submitted/`` is written from the ctime. Every file is
  ``fstat``-ed again after it is copied: one written meanwhile (its size, mtime or ctime
  changed) refuses the submission this time, so content is never stamped older than itself;
- **one submission cannot stop the class**: the folder is walked with an explicit stack, at
  most :data:`MAX_DEPTH` levels and :data:`MAX_REL_PATH` bytes of path deep (``too_large``
  beyond: nbgrader's recursive ``copytree``/``rmtree`` never see a deeper tree); any error
  one submission causes becomes its refusal (``unsafe_file``) and collect goes on; names are
  written escaped (:func:`autograde.intake.shown`), so a name that is not UTF-8 writes too;
- **a refusal is data**: a refused submission is written as ``submitted/<student>/<assignment>/``
  + :data:`REFUSED` (``{"status", "message", "inbound", "exchange_time", "hmac"}``, status one
  of :data:`STATUSES`), signed with the course secret
  (:func:`autograde.intake.refusal_mac`), which ``bpcourse grade`` reports as the submission's
  status (:mod:`autograde.intake`) — a record without collect's signature is never a status,
  and a student's own file of that name is never copied; an earlier collected submission in
  that folder stays. The collect log names every refusal;
- **resubmissions are collected** by default (``update`` is on: ``nbgrader collect`` takes each
  student's newest submission, as ``--update`` does in nbgrader).
"""
from __future__ import annotations

import datetime
import fnmatch
import json
import os
import shutil
import stat
import time
from dataclasses import dataclass, field

from dateutil.tz import gettz
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import check_mode, parse_utc
from traitlets import Bool

from autograde.intake import REFUSED, REFUSED_STATUSES as STATUSES, refusal_mac, shown, valid_student_id

try:
    import pwd
except ImportError:   # not on Windows, where nbgrader's exchange does not run either
    pwd = None

# REFUSED: in submitted/<student>/<assignment>/, read by bpcourse's intake, ignored by nbgrader's
# converters (autograde.course.IGNORE); STATUSES: the refusals' status ids, the gravest first
TIMESTAMP = "timestamp.txt"
MAX_ENTRIES = 10_000                 # files and folders in one submission
MAX_DEPTH = 64                       # folder levels in one submission
MAX_REL_PATH = 1024                  # bytes of a path inside one submission
SHOWN_PROBLEMS = 3                   # problems quoted in a message
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)


def account(uid: int) -> str:
    """The login name of ``uid``, or ``uid N`` when it has none."""
    try:
        return pwd.getpwuid(uid).pw_name if pwd else f"uid {uid}"
    except KeyError:
        return f"uid {uid} (no account)"


def kind(mode: int) -> str:
    for test, what in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return "not a plain file"


@dataclass
class Inbound:
    """One folder ``<student>+<assignment>+…`` of the exchange's ``inbound/``, as found."""

    name: str
    student: str
    uid: int = -1
    ctime_ns: int = 0
    entries: int = 0
    size: int = 0
    problems: list = field(default_factory=list)      # [(status, text)]
    skipped: list = field(default_factory=list)       # files not copied (ignored, too large)
    stamp: str = ""                                   # the student's timestamp.txt (logged only)
    time: datetime.datetime | None = None             # when the exchange last saw it change (UTC, naive)
    forged: bool = False      # the folder itself belongs to another account than the student's

    @property
    def status(self) -> str:
        for s in STATUSES:
            if any(p[0] == s for p in self.problems):
                return s
        return "ok"

    def message(self) -> str:
        texts = [t for _, t in self.problems]
        more = f" (and {len(texts) - SHOWN_PROBLEMS} more)" if len(texts) > SHOWN_PROBLEMS else ""
        return "; ".join(texts[:SHOWN_PROBLEMS]) + more


class SafeCollect(ExchangeCollect):
    """nbgrader's collect without following links, with the owner checked and the time taken
    from the exchange (see the module's doc). Configured as ``c.ExchangeFactory.collect``."""

    update = Bool(
        True,
        help="Collect a newer submission over an already collected one (nbgrader's --update, "
             "on by default here: the newest submission is the one that counts).",
    ).tag(config=True)

    # --- which submissions ------------------------------------------------------------------

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None

        assignment = self.coursedir.assignment_id
        wanted = self.coursedir.student_id or "*"
        self.trusted_owner: list[str] = []   # submissions made by root or by this account, in any name
        found: list[Inbound] = []
        inbound_fd = os.open(self.inbound_path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for name in sorted(os.listdir(inbound_fd)):
                student, _, rest = name.partition("+")
                if not rest.startswith(assignment + "+") or not fnmatch.fnmatchcase(student, wanted):
                    continue
                if not valid_student_id(student):
                    self.log.error("REFUSED %s: '%s' is not a valid student id; not collected",
                                   shown(name), shown(student))
                    continue
                found.append(self.inspect(inbound_fd, name, student))
        finally:
            os.close(inbound_fd)

        if self.trusted_owner:
            self.log.warning("%d submission(s) belong to %s, not to the students they name (e.g. %s): "
                             "collected as the instructor's. If students' servers run as this account, who "
                             "submitted cannot be checked on this exchange (see docs/instructor.md, "
                             "\"What the exchange protects\")", len(self.trusted_owner), account(os.geteuid()),
                             shown(self.trusted_owner[0]))
        self.src_records = []     # (student, the submission to collect or to refuse)
        for student in sorted({s.student for s in found}):
            mine = [s for s in found if s.student == student]
            genuine = [s for s in mine if not s.forged]
            for s in mine:
                if s.forged:
                    self.log.error("REFUSED %s: %s; not collected (wrong_owner)", shown(s.name), s.message())
            if genuine:
                self.src_records.append((student, self.choose(genuine)))
            else:   # only submissions made by others in this name: the newest is reported
                self.src_records.append((student, max(mine, key=lambda s: s.time)))

    def choose(self, subs: list[Inbound]) -> Inbound:
        """The newest submission by the exchange's time (the newest before the due date, with
        ``before_duedate``, if there is one)."""
        subs = sorted(subs, key=lambda s: s.time, reverse=True)
        if self.before_duedate and self.duedate is not None:
            early = [s for s in subs if s.time <= self.duedate]
            if early:
                return early[0]
        return subs[0]

    def inspect(self, inbound_fd: int, name: str, student: str) -> Inbound:
        """Walk one inbound folder without following anything: owner, time, problems."""
        sub = Inbound(name, student)
        try:
            self.look(inbound_fd, sub)
        except OSError as e:   # removed or changed while collect looked at it
            sub.problems.append(("unsafe_file", f"{shown(name)} changed while it was collected "
                                 f"({e.strerror}); not read"))
        except Exception as e:  # noqa: BLE001 - anything one submission causes is its refusal
            self.log.exception("%s could not be inspected", shown(name))
            sub.problems.append(("unsafe_file", f"{shown(name)} could not be read ({failure(e)}); not collected"))
        sub.time = parse_utc(self.format_time(sub.ctime_ns or time.time_ns()))
        return sub

    def look(self, inbound_fd: int, sub: Inbound) -> None:
        name = sub.name
        st = os.stat(name, dir_fd=inbound_fd, follow_symlinks=False)
        sub.uid, sub.ctime_ns = st.st_uid, st.st_ctime_ns
        self.check_owner_of(sub)
        if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
            what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a folder"
            sub.problems.append(("symlink" if stat.S_ISLNK(st.st_mode) else "unsafe_file",
                                 f"the inbound entry {shown(name)} is {what}"))
        else:
            try:
                fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=inbound_fd)
            except OSError as e:
                sub.problems.append(("unsafe_file", f"{shown(name)} cannot be opened: {e.strerror}"))
            else:
                try:
                    self.walk(fd, sub, None)
                finally:
                    os.close(fd)

    def check_owner_of(self, sub: Inbound) -> None:
        """With ``check_owner``: the folder must be the student's own account's, or root's or
        the collecting account's (the instructor's: those can write ``submitted/`` anyway)."""
        if not self.check_owner or pwd is None:
            return
        owner = account(sub.uid)
        if owner != sub.student and sub.uid in (0, os.geteuid()):
            self.trusted_owner.append(sub.name)
        elif owner != sub.student:
            sub.forged = True
            sub.problems.append(("wrong_owner", f"it claims to be {shown(sub.student)}'s submission, but the "
                                 f"folder belongs to account {shown(owner)} (uid {sub.uid}); if students are "
                                 "not system users here, see docs/instructor.md (ExchangeCollect.check_owner)"))

    def walk(self, top: int, sub: Inbound, dest: str | None) -> None:
        """Look at (and, when ``dest`` is given, copy) everything under the folder ``top``.

        Every entry is ``lstat``-ed through its parent's descriptor and opened with
        ``O_NOFOLLOW``; a file is copied from the descriptor it was checked on, so a link swapped
        in between is refused, not followed. An explicit stack, not recursion: a folder nested
        deeper than :data:`MAX_DEPTH` (or a path longer than :data:`MAX_REL_PATH` bytes) refuses
        the submission, and nothing below it is opened — nbgrader's own copies (``copytree``,
        ``rmtree``, which recurse) never see a deeper tree."""
        stack = [(top, "", dest, sorted(os.listdir(top), reverse=True), 0)]
        try:
            while stack:
                dfd, rel, d_dest, names, depth = stack[-1]
                if not names:
                    stack.pop()
                    # a change to the folder while it was read (an entry added, renamed) is as late
                    sub.ctime_ns = max(sub.ctime_ns, os.fstat(dfd).st_ctime_ns)
                    if dfd != top:
                        os.close(dfd)
                    continue
                name = names.pop()
                path = rel + name
                sub.entries += 1
                if sub.entries > MAX_ENTRIES:
                    self.problem_once(sub, "too_large", f"more than {MAX_ENTRIES} files and folders")
                    return
                if len(os.fsencode(path)) > MAX_REL_PATH:
                    self.problem_once(sub, "too_large", f"a path longer than {MAX_REL_PATH} bytes "
                                      f"({shown(path[:80])}…)")
                    continue
                st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
                sub.ctime_ns = max(sub.ctime_ns, st.st_ctime_ns)
                if self.check_owner and pwd is not None and st.st_uid != sub.uid:
                    sub.problems.append(("wrong_owner", f"{shown(path)} was written by account {shown(account(st.st_uid))}, "
                                         f"not by the folder's owner {shown(account(sub.uid))}"))
                ignored = any(fnmatch.fnmatch(name, g) for g in self.coursedir.ignore)
                if stat.S_ISLNK(st.st_mode):
                    try:
                        target = os.readlink(name, dir_fd=dfd)
                    except OSError:
                        target = "?"
                    sub.problems.append(("symlink", f"{shown(path)} is a symbolic link (to {shown(target[:120])}); not followed"))
                elif stat.S_ISDIR(st.st_mode):
                    if depth + 1 > MAX_DEPTH:
                        self.problem_once(sub, "too_large", f"folders nested more than {MAX_DEPTH} levels deep "
                                          f"({shown(path[:80])}…); not read")
                        continue
                    try:
                        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dfd)
                    except OSError as e:
                        sub.problems.append(("unsafe_file", f"{shown(path)} cannot be opened: {e.strerror}"))
                        continue
                    try:
                        sub_dest = None if d_dest is None or ignored else os.path.join(d_dest, name)
                        if sub_dest:
                            os.mkdir(sub_dest, 0o755)
                        listing = sorted(os.listdir(fd), reverse=True)
                    except BaseException:
                        os.close(fd)
                        raise
                    stack.append((fd, path + "/", sub_dest, listing, depth + 1))
                elif not stat.S_ISREG(st.st_mode):
                    sub.problems.append(("unsafe_file", f"{shown(path)} is {kind(st.st_mode)}; not read"))
                elif st.st_nlink > 1:
                    sub.problems.append(("unsafe_file", f"{shown(path)} is a hard link (a second name of a file "
                                         "elsewhere); not read"))
                else:
                    self.take_file(dfd, name, path, st, sub, d_dest, ignored)
        finally:
            for dfd, *_ in stack:
                if dfd != top:
                    os.close(dfd)

    @staticmethod
    def problem_once(sub: Inbound, status: str, text: str) -> None:
        if not any(p[0] == status for p in sub.problems):
            sub.problems.append((status, text))

    def take_file(self, dfd, name, path, st, sub: Inbound, dest, ignored) -> None:
        if rel_top(path) and name in (TIMESTAMP, REFUSED):
            if name == TIMESTAMP:
                sub.stamp = self.read_small(dfd, name, st) or ""
            return                        # the student's; the exchange's time is written instead
        if ignored or not any(fnmatch.fnmatch(name, g) for g in self.coursedir.include):
            sub.skipped.append(path)
            return
        if self.coursedir.max_file_size and st.st_size > 1000 * self.coursedir.max_file_size:
            if dest is not None:
                self.log.warning("%s: %s is larger than %s kB (CourseDirectory.max_file_size); not collected",
                                 shown(sub.name), shown(path), self.coursedir.max_file_size)
            sub.skipped.append(path)
            return
        sub.size += st.st_size
        if self.coursedir.max_dir_size and sub.size > 1000 * self.coursedir.max_dir_size:
            if not any(p[0] == "too_large" for p in sub.problems):
                sub.problems.append(("too_large", f"more than {self.coursedir.max_dir_size} kB in all "
                                     "(CourseDirectory.max_dir_size)"))
            return
        if dest is None or sub.problems:
            return
        try:
            fd = os.open(name, OPEN_FLAGS, dir_fd=dfd)
        except OSError as e:
            sub.problems.append(("unsafe_file", f"{shown(path)} cannot be opened without following it: {e.strerror}"))
            return
        try:
            now = os.fstat(fd)
            if (not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino)
                    or now.st_nlink > 1):
                sub.problems.append(("unsafe_file", f"{shown(path)} changed while it was collected; not read"))
                return
            os.set_blocking(fd, True)
            with open(os.path.join(dest, name), "xb") as out:
                left = st.st_size             # what was checked, not what a writer appends meanwhile
                while left > 0:
                    chunk = os.read(fd, min(left, 1 << 20))
                    if not chunk:
                        break
                    out.write(chunk)
                    left -= len(chunk)
            # written while it was read (pwrite into a padded notebook): what was copied may be
            # newer than the time read before, so it is not collected with that time
            after = os.fstat(fd)
            sub.ctime_ns = max(sub.ctime_ns, after.st_ctime_ns)
            if (after.st_size, after.st_mtime_ns, after.st_ctime_ns) != (st.st_size, st.st_mtime_ns, st.st_ctime_ns):
                sub.problems.append(("unsafe_file", f"{shown(path)} changed while it was collected; not "
                                     "collected this time (run nbgrader collect again)"))
        finally:
            os.close(fd)

    @staticmethod
    def read_small(dfd, name, st) -> str | None:
        if st.st_size > 1000:
            return None
        fd = os.open(name, OPEN_FLAGS, dir_fd=dfd)
        try:
            return os.read(fd, 1000).decode("utf-8", "replace").strip()
        finally:
            os.close(fd)

    def format_time(self, ns: int) -> str:
        tz = gettz(self.timezone)
        if tz is None:
            self.fail(f"Invalid timezone: {self.timezone}")
        return datetime.datetime.fromtimestamp(ns / 1e9, tz).strftime(self.timestamp_format)

    # --- into submitted/ ----------------------------------------------------------------------

    def copy_files(self):
        assignment, course = self.coursedir.assignment_id, self.coursedir.course_id
        if not self.src_records:
            self.log.warning("No submissions of '%s' for course '%s' to collect", assignment, course)
            return
        self.log.info("Processing %d submissions of '%s' for course '%s'", len(self.src_records), assignment, course)
        for student, sub in self.src_records:
            dest = self.coursedir.format_path(self.coursedir.submitted_directory, student, assignment)
            try:
                self.collect_or_refuse(student, sub, dest)
            except Exception as e:  # noqa: BLE001 - one submission's error is its refusal; collect goes on
                self.log.exception("%s could not be collected", shown(sub.name))
                failed = Inbound(sub.name, student, ctime_ns=sub.ctime_ns, problems=[
                    ("unsafe_file", f"collect failed on it ({failure(e)})")])
                try:
                    self.refuse(student, failed, dest)
                except Exception:  # noqa: BLE001
                    self.log.exception("REFUSED %s %s: the refusal could not be recorded in %s",
                                       student, assignment, shown(dest))

    def collect_or_refuse(self, student: str, sub: Inbound, dest: str) -> None:
        assignment = self.coursedir.assignment_id
        existing = self.coursedir.get_existing_timestamp(dest) if os.path.isdir(dest) else None
        if os.path.isdir(dest) and not os.path.exists(os.path.join(dest, REFUSED)):
            newer = existing is None or sub.time > existing
            if not ((self.update and newer) or (self.before_duedate and existing != sub.time)):
                self.log.info("No newer submission to collect: %s %s", student, assignment)
                return
        if sub.status == "ok":
            self.collect_one(student, sub, dest)
        else:
            self.refuse(student, sub, dest)

    def collect_one(self, student: str, sub: Inbound, dest: str) -> None:
        """Copy ``sub`` into ``dest`` (replacing an earlier collected submission), or refuse it
        if anything in it changed into something that must not be copied meanwhile (or anything
        else went wrong with it: nothing of it then reaches ``dest``)."""
        parent = os.path.dirname(dest)
        os.makedirs(parent, exist_ok=True)
        tmp = os.path.join(parent, f".{os.path.basename(dest)}.collecting")
        shutil.rmtree(tmp, ignore_errors=True)
        os.mkdir(tmp, 0o755)
        inbound_fd = os.open(self.inbound_path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            again = Inbound(sub.name, student, uid=sub.uid, ctime_ns=sub.ctime_ns)
            fd = os.open(sub.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=inbound_fd)
            try:
                if os.fstat(fd).st_uid != sub.uid:
                    again.problems.append(("wrong_owner", f"{shown(sub.name)} changed owner while it was collected"))
                else:
                    self.walk(fd, again, tmp)
            finally:
                os.close(fd)
        except OSError as e:
            again.problems.append(("unsafe_file", f"{shown(sub.name)} could not be read: {e.strerror}"))
        except Exception as e:  # noqa: BLE001 - one submission's error is its refusal
            self.log.exception("%s could not be collected", shown(sub.name))
            again.problems.append(("unsafe_file", f"{shown(sub.name)} could not be read ({failure(e)})"))
        finally:
            os.close(inbound_fd)
        if again.status != "ok":
            shutil.rmtree(tmp, ignore_errors=True)
            self.refuse(student, again, dest)
            return
        stamp = self.format_time(max(again.ctime_ns, sub.ctime_ns))
        with open(os.path.join(tmp, TIMESTAMP), "w", encoding="utf-8") as f:
            f.write(stamp)
        if again.stamp and again.stamp != stamp:
            self.log.info("%s: its timestamp.txt says %r; the exchange recorded %s, which is used",
                          shown(sub.name), shown(again.stamp[:60]), stamp)
        if again.skipped:
            self.log.info("%s: not collected (CourseDirectory.ignore/include/max_file_size): %s",
                          shown(sub.name), ", ".join(shown(p) for p in again.skipped[:10]))
        if os.path.isdir(dest):
            self.log.info("Updating submission: %s %s", student, self.coursedir.assignment_id)
            shutil.rmtree(dest)
        else:
            self.log.info("Collecting submission: %s %s", student, self.coursedir.assignment_id)
        os.rename(tmp, dest)

    def refuse(self, student: str, sub: Inbound, dest: str) -> None:
        """Record why ``sub`` was not collected where ``bpcourse grade`` reads it; an earlier
        collected submission in ``dest`` stays as it was."""
        message = f"the submission {shown(sub.name)} was not collected: {sub.message()}"
        self.log.error("REFUSED %s %s: %s (%s)", student, self.coursedir.assignment_id, message, sub.status)
        os.makedirs(dest, exist_ok=True)
        record = {"status": sub.status, "message": message, "inbound": shown(sub.name),
                  "exchange_time": self.format_time(sub.ctime_ns or time.time_ns())}
        # signed with the course secret: intake takes no record as a status that collect did not write
        record["hmac"] = refusal_mac(self.signing_key(), student, self.coursedir.assignment_id, record)
        tmp = os.path.join(dest, REFUSED + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=True)   # a name that is not UTF-8 cannot stop the write
        os.replace(tmp, os.path.join(dest, REFUSED))

    def signing_key(self) -> str:
        """The course secret (``$BPCOURSE_SECRET`` or ``DIR/.bpcourse/secret``, made if missing).
        Made by root for a course folder owned by the instructor, it is given to the folder's
        owner: ``bpcourse grade`` refuses a ``.bpcourse`` another account made."""
        from autograde.preprocessors import course_secret   # nbgrader's preprocessors: loaded only here

        root = self.coursedir.root
        made = not os.path.lexists(os.path.join(root, ".bpcourse"))
        key = course_secret(root)
        bp = os.path.join(root, ".bpcourse")
        if made and os.geteuid() == 0 and os.path.isdir(bp):
            owner = os.stat(root)
            if owner.st_uid != 0:
                for p in (bp, os.path.join(bp, "secret")):
                    if os.path.lexists(p):
                        os.lchown(p, owner.st_uid, owner.st_gid)
        return key


def failure(e: BaseException) -> str:
    """An exception as one escaped line of a refusal's message."""
    return shown(f"{type(e).__name__}: {str(e)[:200]}")


def rel_top(path: str) -> bool:
    return "/" not in path
