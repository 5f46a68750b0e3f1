"""The warm kernel (autograde/zygote.py): kernels forked from a pre-started server, each in a
sandbox of its own, graded for real by `bpcourse grade` with one job, one after another.

Two consecutive students share nothing: the second sees none of the first one's files (its
working folder, /tmp), modules, module attributes, builtins, environment, random state or
processes; each runs as its own uid with no capability, no network and no view of the grader.
Grades of the sample class are the same warm and cold.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import nbformat
import pytest

from classes import A, insert_code, put, read_csv, sample
from autograde import grade, sandbox

pytestmark = pytest.mark.e2e

PROBE = r'''
import builtins, importlib, json, os, socket, sys
import numpy, bpcourse.nn
def _seen():
    procs = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                procs.append(open(f"/proc/{p}/cmdline", "rb").read().replace(b"\0", b" ").decode())
            except OSError:
                pass
    with open("/proc/self/status") as f:
        caps = {l.split(":")[0]: l.split()[1] for l in f if l.startswith("Cap")}
    s = socket.socket(); s.settimeout(2)
    try:
        s.connect(("127.0.0.1", PORT)); net = "open"
    except OSError:
        net = "none"
    try:
        import autograde; grader = "importable"
    except Exception:
        grader = "not importable"
    return {
        "uid": os.getuid(), "caps": caps, "net": net, "grader": grader,
        "warm": "zygote.py" in open("/proc/self/cmdline", "rb").read().decode(errors="replace"),
        "files": sorted(n for n in os.listdir(".") + os.listdir("/tmp") if "leak" in n),
        "numpy_attr": hasattr(numpy, "leak"), "nn_attr": hasattr(bpcourse.nn, "leak"),
        "builtin": hasattr(builtins, "leak"), "module": "leak_module" in sys.modules,
        "env": "LEAK" in os.environ, "secret_modules": sorted(m for m in sys.modules if m.split(".")[0] in ("autograde", "solutions")),
        "sleepers": [p for p in procs if "sleep 777" in p],
        "random": float(numpy.random.random()),
        "repo": os.path.exists(REPO + "/autograde") or os.path.exists(REPO + "/solutions"),
    }
print("BPSEEN " + json.dumps(_seen()))
if os.path.exists("plant"):
    open("leak_here.txt", "w").write("x"); open("/tmp/leak_tmp.txt", "w").write("x")
    numpy.leak = 1; bpcourse.nn.leak = 1; builtins.leak = 1; sys.modules["leak_module"] = os
    os.environ["LEAK"] = "1"
    import subprocess; subprocess.Popen(["sleep", "777"])
'''


def seen(out: Path, student: str) -> dict:
    nb = nbformat.read(out / "autograded" / student / A / f"{A}.ipynb", as_version=4)
    for c in nb.cells:
        for o in c.get("outputs", []):
            text = o.get("text", "")
            if "BPSEEN " in text:
                return json.loads(text.split("BPSEEN ", 1)[1].splitlines()[0])
    raise AssertionError(f"{student}: the probe cell printed nothing")


@pytest.mark.skipif(os.geteuid() != 0, reason="kernels get a uid of their own only when the grader is root")
def test_two_consecutive_submissions_share_nothing(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    repo = str(Path(sandbox.BPCOURSE_DIR).parent)
    code = PROBE.replace("PORT", str(port)).replace("REPO", repr(repo))
    cls = tmp_path / "class"
    for student, plant in (("a_first", True), ("b_second", False)):
        nb = sample("solved")
        insert_code(nb, 1, (f"open('plant', 'w').close()\n" if plant else "") + code)
        put(cls, student, nb)
    out = tmp_path / "out"
    rows = grade.grade(cls, out, opts=grade.Options(jobs=1), log=lambda line: None)
    listener.close()
    first, second = seen(out, "a_first"), seen(out, "b_second")
    for who in (first, second):
        assert who["warm"], "the kernel was not forked from the warm server"
        assert who["uid"] >= sandbox.UID_BASE
        assert set(who["caps"].values()) == {"0000000000000000"}, who["caps"]
        assert who["net"] == "none" and who["grader"] == "not importable" and not who["repo"]
        assert who["secret_modules"] == []
    assert first["uid"] != second["uid"]
    assert second["files"] == [] and second["sleepers"] == [], second
    assert not any(second[k] for k in ("numpy_attr", "nn_attr", "builtin", "module", "env")), second
    assert first["random"] != second["random"]       # each kernel is seeded afresh
    # the first one's background process did not outlive its sandbox
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p) == "sleep 777"]
    grades = read_csv(out / "bpcourse-grades.csv")
    assert {s: grades[s]["score"] for s in grades} == {"a_first": "6.0", "b_second": "6.0"}, rows
    assert not (sandbox.scratch_root(out) / f"zygote-{os.getpid()}.sock").exists()
    assert sandbox.ZYGOTE_ENV not in os.environ


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


@pytest.mark.skipif(os.geteuid() != 0, reason="kernels get a uid of their own only when the grader is root")
def test_the_sample_class_grades_the_same_warm_and_cold(tmp_path):
    from autograde.release import CLASS_DIR

    cls = tmp_path / "class"
    for student in ("solved", "blank", "mistake_forward_difference", "mistake_missing_1_over_M"):
        shutil.copytree(CLASS_DIR / student, cls / student)
    warm = grade.grade(cls, tmp_path / "warm", opts=grade.Options(jobs=2), log=lambda line: None)
    cold = grade.grade(cls, tmp_path / "cold", opts=grade.Options(jobs=2, warm=False), log=lambda line: None)
    key = lambda rows: sorted(json.dumps(r, sort_keys=True) for r in rows)  # noqa: E731 - every column
    assert key(warm) == key(cold)
    assert len(warm) == 11 + 11 + 2
