"""Hostile submissions graded for real (issue 10): real nbgrader, real sandboxed kernels.

One class is graded once per session (fixture ``graded``): honest classmates beside
submissions that attack what runs *after* or *beside* their kernel — the instructor's
browser, the trusted code that reads the kernel's folder, the host's users and network.
"""
from __future__ import annotations

import os
import socket
import stat
import threading
import time
from html.parser import HTMLParser
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from classes import BPCOURSE, bpcourse, insert_code, put, read_csv, sample, score
from conftest import tree_digest

pytestmark = pytest.mark.e2e
A = "00_intro"
FAST = ["--timeout", "10", "--cpu-seconds", "60", "--submission-timeout", "240"]

XSS_MARKDOWN = ("# Моё решение\n\n<script>window.XSS_MD=1</script>\n"
                "<img src=x onerror=\"window.XSS_IMG=1\">\n\n"
                "[нажми](javascript:window.XSS_LINK=1) и <a href=\"javascript:window.XSS_A=1\">сюда</a>\n")
XSS_CODE = r'''
from IPython.display import HTML, Javascript, SVG, Markdown, display
display(HTML('<b>bold</b><script>window.XSS_HTML=1</script><img src=x onerror="window.XSS_OUT=1">'
             '<a href="javascript:window.XSS_HREF=1">x</a>'))
display(Javascript('window.XSS_JS=1'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>window.XSS_SVG=1</script></svg>'))
display(Markdown('[m](javascript:window.XSS_MDOUT=1)'))
raise ValueError('<script>window.XSS_ERR=1</script>')
'''
class _Active(HTMLParser):
    """Every active thing a browser would run in a page: script elements (with their text),
    event-handler attributes, javascript:/data: URLs, SVG and iframes/objects."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._script = [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "svg", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
            self._script = tag == "script"
        for name, value in attrs:
            v = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action", "formaction", "xlink:href") and \
                    (v.startswith("javascript:") or v.startswith("vbscript:") or v.startswith("data:text")):
                self.found.append(f"{tag} {name}={value}")

    def handle_data(self, data):
        if self._script:
            self.found[-1] += data
            
    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def active(text: str) -> list[str]:
    """The active parts of a page that mention an XSS marker (nbconvert's own scripts, e.g.
    MathJax's, do not)."""
    parser = _Active()
    parser.feed(text)
    return [f for f in parser.found if "XSS" in f or not f.startswith("<script>")]


# Replaces its own notebook and plants links to what trusted code must never touch: run after
# the kernel, nbgrader would write the executed notebook through them, chmod their targets and
# copy them into the student's feedback.
LINKS = r'''
import os
course = {course!r}
targets = {{"00_intro.ipynb": course + "/gradebook.db",
            "secret.html": course + "/.bpcourse/secret",
            "config.py": course + "/nbgrader_config.py",
            "classmate.ipynb": course + "/submitted/honest/00_intro/00_intro.ipynb",
            "classmate_graded.ipynb": course + "/autograded/honest/00_intro/00_intro.ipynb",
            "00_intro.html": course + "/feedback/honest/00_intro/00_intro.html"}}
for name, target in targets.items():
    try:
        os.remove(name)
    except OSError:
        pass
    os.symlink(target, name)
os.makedirs(".bpcourse_out", exist_ok=True)
for name in ("squared_error.json", "worst_entry.json"):
    if os.path.lexists(".bpcourse_out/" + name):
        os.remove(".bpcourse_out/" + name)
os.mkfifo(".bpcourse_out/squared_error.json")
os.symlink("/dev/zero", ".bpcourse_out/worst_entry.json")
print("LINKS", sorted(os.listdir(".")))
'''

# Tries to become or reach more than its own submission: the host's root, the host's network,
# a classmate's kernel, unlimited processes.
ESCAPE = r'''
import os, socket, glob, stat, time
print("UID", os.getuid(), "EUID", os.geteuid())
fds = {{}}
for fd in os.listdir("/proc/self/fd"):
    try:
        fds[fd] = os.readlink("/proc/self/fd/" + fd)
    except OSError:
        pass
print("FDS", sorted(set(fds.values())))
try:
    open("/etc/shadow").read(10)
    print("SHADOW READ")
except OSError as e:
    print("SHADOW DENIED", type(e).__name__)
for path in ("setuid_here", "/tmp/setuid_tmp"):
    with open(path, "w") as f:
        f.write("#!/bin/sh\nid\n")
    os.chmod(path, 0o4755)
    st = os.stat(path)
    print("CREATED", path, "owner", st.st_uid, "setuid", bool(st.st_mode & stat.S_ISUID))
s = socket.socket()
s.settimeout(3)
try:
    s.connect(("127.0.0.1", {port}))
    print("NET CONNECTED")
except OSError as e:
    print("NET DENIED", type(e).__name__)
print("OTHERS", sorted(glob.glob("/tmp/bpcourse-*/k*")))
written = 0
try:
    for i in range(6):                      # 600 MB in files of 100 MB (each under the file cap)
        with open(f"disk{{i}}", "wb") as f:
            for _ in range(100):
                f.write(b"x" * (1 << 20))
                written += 1
except OSError as e:
    print("DISK FULL", type(e).__name__)
print("DISK", written)
for i in range(6):
    if os.path.exists(f"disk{{i}}"):
        os.remove(f"disk{{i}}")
forked = 0
for i in range(1000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    forked += 1
print("FORKED", forked)
'''


# Several processes, each under the per-process memory cap, together far over it.
# Each child says "up" once its 700 MB are written, so ALIVE counts children that hold their
# memory (not ones still blocked in the kernel's reclaim at the cgroup's limit).
HOG = r'''
import subprocess, sys, time
children = [subprocess.Popen([sys.executable, "-c", "import time; x = b'x' * (700 << 20); print('up', flush=True); time.sleep(30)"],
                             stdout=subprocess.PIPE, text=True)
            for _ in range(4)]
up = [c.stdout.readline() == "up\n" for c in children]   # "" when the child was killed first
time.sleep(2)
print("ALIVE", sum(u and c.poll() is None for u, c in zip(up, children)))
chunk = "y" * (1 << 20)
for _ in range(120):                        # 120 MB of output
    sys.stdout.write(chunk)
    sys.stdout.flush()
print("FLOODED")
'''


# One display call of 300 MB: a single kernel message, read whole before any output cap could
# look at it, unless the client refuses it (ZeroMQ's MAXMSGSIZE, autograde.preprocessors.CappedClient).
BIG_MESSAGE = r'''
from IPython.display import display
display({"text/plain": "z" * (300 << 20)}, raw=True)
'''


# 40 busy processes, then two idle cells: a classmate graded beside it must not be starved.
BURN = r'''
import os
burners = []
for i in range(40):
    pid = os.fork()
    if pid == 0:
        while True:
            pass
    burners.append(pid)
print("BURNERS", len(burners))
'''


def hostile_class(root: Path, course: Path, port: int) -> Path:
    nb = sample("solved")      # first in the queue, beside "honest" (sorted: "aaa..." < "honest")
    insert_code(nb, 1, BURN)
    insert_code(nb, 2, "import time\ntime.sleep(8)")
    insert_code(nb, 3, "import time, signal\ntime.sleep(8)\nfor pid in burners:\n    os.kill(pid, signal.SIGKILL)")
    put(root, "aaa_burner", nb)
    put(root, "honest", sample("solved"))
    nb = sample("solved")
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(XSS_MARKDOWN))
    insert_code(nb, 3, XSS_CODE)
    put(root, "xss", nb)
    nb = sample("solved")
    insert_code(nb, len(nb.cells), LINKS.format(course=str(course)))
    put(root, "links", nb)
    nb = sample("solved")
    insert_code(nb, 3, ESCAPE.format(port=port))
    put(root, "escape", nb)
    nb = sample("solved")
    insert_code(nb, len(nb.cells), HOG)
    put(root, "hog", nb)
    nb = sample("solved")
    insert_code(nb, 3, BIG_MESSAGE)
    put(root, "bigmsg", nb)
    # nbgrader would store "honest\n" as "honest": a blank notebook must not regrade the honest one
    put(root, "honest\n", sample("blank"))
    put(root, "\x1b[2J\x1b[31mred", sample("solved"))
    (root / "linked" / A).mkdir(parents=True)
    (root / "linked" / A / f"{A}.ipynb").symlink_to("/etc/passwd")
    return root


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile10")
    out = base / "course"
    listener = socket.socket()                     # a service on the host's loopback
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    accepted = []

    def accept():
        while not stop.is_set():
            try:
                accepted.append(listener.accept())
            except OSError:
                pass

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    submissions = hostile_class(base / "class", out, listener.getsockname()[1])
    before = tree_digest(submissions)
    run = bpcourse("grade", submissions, "--out", out, "--jobs", "2", *FAST, status=1)
    stop.set()
    thread.join()
    listener.close()
    (base / "grade.log").write_text(run.stdout + run.stderr, encoding="utf-8")
    return {"out": out, "class": submissions, "before": before, "log": run.stdout + run.stderr,
            "rows": read_csv(out / "bpcourse-grades.csv"), "accepted": accepted}


def outputs_text(graded, student) -> str:
    nb = nbformat.read(graded["out"] / "autograded" / student / A / f"{A}.ipynb", as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def formgrader_html(notebook: Path) -> str:
    """The page the formgrader renders for a submission: nbconvert's HTML of the stored
    autograded notebook, with nbconvert's defaults (no preprocessor of ours)."""
    from nbconvert import HTMLExporter
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(notebook, as_version=4))
    return body


def test_student_html_is_inert_in_the_autograded_notebook_and_the_feedback(graded):
    out = graded["out"]
    autograded = out / "autograded" / "xss" / A / f"{A}.ipynb"
    stored = autograded.read_text(encoding="utf-8")
    assert "XSS_HTML" in stored and "XSS_MD" in stored     # the attack was executed and kept as text
    page = formgrader_html(autograded)
    assert "XSS_MD" in page and "XSS_HTML" in page
    feedback = (out / "feedback" / "xss" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "XSS_MD" in feedback and "XSS_ERR" in feedback
    assert active(page) == [] and active(feedback) == [], (active(page), active(feedback))
    kinds = {k for c in nbformat.read(autograded, as_version=4).cells for o in c.get("outputs", [])
             for k in o.get("data", {})}
    assert "text/html" in kinds and not kinds & {"application/javascript", "image/svg+xml", "text/markdown"}
    assert score(graded["rows"], "xss") == (6.0, 6.0)
    assert score(graded["rows"], "honest") == (6.0, 6.0)


def test_trusted_code_never_follows_the_kernels_links(graded):
    """The kernel replaced its notebook by a link to the gradebook and planted links to the
    course secret, the course's nbgrader_config.py and a classmate's files: nothing outside its own
    folder changed, the classmate keeps full marks, and no target reached its feedback."""
    out = graded["out"]
    assert "LINKS" in outputs_text(graded, "links")           # the attack ran
    rows = graded["rows"]
    assert score(rows, "honest") == (6.0, 6.0) and rows["honest"]["status"] == "ok"
    # it names the recorder's folder (.bpcourse_out) in its cells: tampering, every exercise 0
    assert rows["links"]["status"] == "tampered", rows["links"]
    assert score(rows, "links") == (0.0, 6.0)
    secret = out / ".bpcourse" / "secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    config = out / "nbgrader_config.py"       # the course's configuration: not overwritten, not chmod 0444
    assert "protect(c)" in config.read_text() and stat.S_IMODE(config.stat().st_mode) & 0o200
    honest_in = (graded["class"] / "honest" / A / f"{A}.ipynb").read_bytes()
    assert (out / "submitted" / "honest" / A / f"{A}.ipynb").read_bytes() == honest_in
    assert "Скрытая проверка пройдена" in (out / "feedback" / "honest" / A / f"{A}.html").read_text()
    nbformat.read(out / "autograded" / "honest" / A / f"{A}.ipynb", as_version=4)
    graded_dir = out / "autograded" / "links" / A
    assert not [p for p in graded_dir.rglob("*") if p.is_symlink()]
    assert sorted(p.name for p in graded_dir.iterdir()) == [f"{A}.ipynb"]
    nbformat.read(graded_dir / f"{A}.ipynb", as_version=4)      # a notebook, not the gradebook
    feedback = [p for p in (out / "feedback" / "links").rglob("*") if p.is_file()]
    assert [p.name for p in feedback] == [f"{A}.html"]
    assert secret.read_text().strip() not in feedback[0].read_text()
    assert tree_digest(graded["class"]) == graded["before"]
    for student in ("honest", "links", "xss", "escape", "hog", "aaa_burner"):   # the gradebook works
        assert rows[student]["max_score"] == "6.0"


def test_kernel_is_unprivileged_and_leaves_nothing(graded):
    text = outputs_text(graded, "escape")
    uid = int(re.search(r"UID (\d+)", text).group(1))
    assert uid != 0 and f"EUID {uid}" in text
    assert "SHADOW DENIED" in text and "SHADOW READ" not in text
    if os.geteuid() == 0:   # the grader is root: the kernel is a host uid of its own, not root
        owners = {int(o) for o in re.findall(r"owner (\d+)", text)}
        assert owners == {uid} and uid >= 1_000_000_000, text
        for _ in range(50):   # killed processes may take a moment to be reaped
            if not any(int(line.split()[1]) == uid for line in _proc_uids()):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the kernel's processes outlived its submission")
    own = re.search(r"OTHERS \['(/tmp/bpcourse-[^/']+/k[^/']+)'\]", text).group(1)   # only its own
    assert not os.path.exists(own)                        # its files are gone, setuid ones too
    graded_dir = graded["out"] / "autograded" / "escape" / A
    for p in graded_dir.rglob("*"):
        st = p.lstat()
        assert not st.st_mode & (stat.S_ISUID | stat.S_ISGID), p
        assert p.name != "setuid_here"
    assert score(graded["rows"], "escape") == (6.0, 6.0)


def _proc_uids():
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as f:
                    yield next(ln for ln in f if ln.startswith("Uid:"))
            except (OSError, StopIteration):
                pass


def test_kernel_has_no_network_and_sees_no_other_kernel(graded):
    text = outputs_text(graded, "escape")
    assert "NET DENIED" in text and "NET CONNECTED" not in text
    assert graded["accepted"] == []
    others = re.search(r"OTHERS (\[.*?\])", text)
    assert others.group(1) == "[]" or others.group(1).count("/k") <= 1, others.group(1)


def test_processes_are_capped_per_submission(graded):
    from autograde.sandbox import MAX_PROCESSES

    forked = int(re.search(r"FORKED (\d+)", outputs_text(graded, "escape")).group(1))
    assert forked < MAX_PROCESSES, forked


def test_forged_and_escaping_names_are_rejected_and_printed_escaped(graded):
    rows = graded["rows"]
    assert score(rows, "honest") == (6.0, 6.0)
    assert rows["honest\\n"]["status"] == "bad_student_id"
    assert rows["\\x1b[2J\\x1b[31mred"]["status"] == "bad_student_id"
    assert rows["linked"]["status"] == "symlink" and "symbolic link" in rows["linked"]["message"]
    csv_text = (graded["out"] / "bpcourse-grades.csv").read_text(encoding="utf-8")
    for text in (csv_text, graded["log"]):
        assert "\x1b" not in text and "root:x:" not in text
    assert "honest\n," not in csv_text


def test_memory_is_capped_per_submission(graded):
    """Four processes of 700 MB each, every one under the per-process cap (2048 MB): the
    submission as a whole may not hold more than 2048 MB."""
    from autograde import sandbox

    if os.geteuid() != 0 or not any(sandbox._own_cgroup(c) for c in sandbox.CGROUP_CONTROLLERS):
        pytest.skip("per-submission cgroups need a root grader and writable cgroups")
    row = graded["rows"]["hog"]
    text = outputs_text(graded, "hog")
    alive = re.search(r"ALIVE (\d+)", text)
    assert (alive and int(alive.group(1)) <= 2) or row["status"] == "kernel_died", (text, row)


def test_a_busy_classmate_does_not_starve_an_honest_one(graded):
    """40 busy processes in one kernel while an honest classmate is graded beside it."""
    assert "BURNERS 40" in outputs_text(graded, "aaa_burner")
    assert "honest/00_intro: timed out beside" not in graded["log"]   # not even retried
    row = graded["rows"]["honest"]
    assert (row["status"], row["message"], score(graded["rows"], "honest")) == ("ok", "", (6.0, 6.0))


def test_doctor_reports_the_protections():
    run = subprocess.run(BPCOURSE + ["doctor"], capture_output=True, text=True)
    text = run.stdout
    for line in ("kernel runs as an unprivileged host uid", "no network (own network namespace)",
                 "per-submission process limit", "per-submission total memory"):
        assert line in text, text
    if os.geteuid() == 0:
        assert "yes kernel runs as an unprivileged host uid" in text
        assert "yes no network" in text and "yes per-submission process limit" in text


def test_grade_refuses_without_a_protection_unless_unsafe(tmp_path):
    """A grader that cannot give the kernel a uid of its own (not root: simulated) refuses;
    --unsafe grades anyway and says so."""
    put(tmp_path / "class", "honest", sample("solved"))
    code = ("import os, sys; os.geteuid = lambda: 1000; from autograde.cli import main; "
            "main(sys.argv[1:])")
    args = [sys.executable, "-c", code, "grade", str(tmp_path / "class"), "--out"]
    run = subprocess.run(args + [str(tmp_path / "out")], capture_output=True, text=True)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "NO  per-submission process limit" in run.stderr and "--unsafe" in run.stderr
    assert not (tmp_path / "out").exists()


def test_kernel_holds_no_descriptor_of_its_worker_log(graded):
    fds = re.search(r"FDS (\[.*?\])\n", outputs_text(graded, "escape")).group(1)
    assert ".log" not in fds and "/dev/null" in fds, fds


def test_the_kernels_folder_is_size_capped(graded):
    from autograde.sandbox import WORK_MB

    if os.geteuid() != 0:
        pytest.skip("the kernel's folder is a tmpfs only when the grader is root")
    written = int(re.search(r"DISK (\d+)", outputs_text(graded, "escape")).group(1))
    assert written <= WORK_MB, written


def test_a_flood_of_output_is_truncated_by_the_grader(graded):
    from autograde.preprocessors import MAX_KERNEL_OUTPUT

    notebook = graded["out"] / "autograded" / "hog" / A / f"{A}.ipynb"
    assert notebook.stat().st_size < 2 * MAX_KERNEL_OUTPUT
    assert "вывод обрезан" in outputs_text(graded, "hog")
    assert score(graded["rows"], "hog") == (6.0, 6.0)


def test_one_huge_message_is_refused_unread(graded):
    """A 300 MB display message never reaches the grader's memory: its worker peaks where an
    honest classmate's does, and the answers still get their points."""
    def peak(student):
        log = (graded["out"] / ".bpcourse" / "logs" / f"{student}__{A}.log").read_text(errors="replace")
        return int(re.search(r"worker peak memory: (\d+) MB", log).group(1))

    assert score(graded["rows"], "bigmsg") == (6.0, 6.0)
    assert peak("bigmsg") < peak("honest") + 100, (peak("bigmsg"), peak("honest"))



SLEEPER = r'''
import subprocess, time
subprocess.Popen(["sleep", "600"], start_new_session=True)   # a daemon of the kernel's own
time.sleep(600)
'''


def test_what_a_killed_grader_left_is_removed_by_the_next_run(tmp_path):
    """The grader, its worker and the kernel killed outright: the kernel's scratch folder, its
    tmpfs, its cgroups and its daemon are gone after the next run on the same course folder."""
    import signal
    import subprocess
    import time

    from autograde import sandbox

    nb = sample("solved")
    insert_code(nb, 3, SLEEPER)
    put(tmp_path / "class", "sleeper", nb)
    out = tmp_path / "out"
    log = open(tmp_path / "first-run.log", "w")
    proc = subprocess.Popen(BPCOURSE + ["grade", str(tmp_path / "class"), "--out", str(out)],
                            stdout=log, stderr=log, start_new_session=True)
    scratch = sandbox.scratch_root(out)
    for _ in range(3000):
        left = list(scratch.glob("k*"))
        if left and (left[0] / "work" / ".bpcourse_cases.json").exists():
            break
        time.sleep(0.1)
    else:
        proc.kill()
        worker_logs = "".join(p.read_text(errors="replace")[-2000:] for p in (out / ".bpcourse" / "logs").glob("*"))
        raise AssertionError("the kernel's scratch folder never appeared:\n"
                             + (tmp_path / "first-run.log").read_text()[-2000:] + worker_logs)
    time.sleep(5)                                        # the kernel is asleep in its cell
    # everything of this run at once (stopped first, so that none can clean up after another)
    pids = []
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
        try:
            if str(out).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGSTOP)
                pids.append(pid)
        except OSError:
            pass
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    proc.wait()
    time.sleep(1)
    uid = int(left[0].name.split("-")[0][1:])
    assert left[0].exists()                              # what the killed grader could not remove

    put(tmp_path / "class2", "honest", sample("solved"))
    bpcourse("grade", tmp_path / "class2", "--out", out)
    assert not list(scratch.glob("k*"))
    assert str(left[0]) not in Path("/proc/mounts").read_text()
    if os.geteuid() == 0 and uid:
        assert sandbox.kill_uid(uid) == 0, "a process of the killed kernel's uid survived"
        assert not [d for d in sandbox.cgroup_dirs(uid) if d.is_dir()]
