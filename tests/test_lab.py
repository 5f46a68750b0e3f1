"""`make lab` (the repository's and the student bundle's): a real JupyterLab, asked over HTTP.

Started by the real Makefiles (tests/labserver.py) — as root when the tests run as root, which
is where jupyter refuses to start without --allow-root. Driving it in a browser is the job of
the browser suite.
"""
import json
import os
import shutil
import subprocess
import urllib.request

import nbformat
import pytest

from conftest import tree_digest
from labserver import REPO, VENV, lab_env, make_lab_command, page_config, running_lab, student_bundle

INSTRUCTOR_ONLY = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"]
EXCHANGE_ONLY = ["@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list",
                 "@jupyter/nbgrader:menu"]     # the Nbgrader menu: empty without the two


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("lab-work") / "work"


@pytest.fixture(scope="module")
def lab(work, tmp_path_factory):
    with running_lab(tmp_path_factory.mktemp("lab-home"), LAB_DIR=str(work)) as (base, token, get):
        get.base, get.token = base, token
        yield get


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory):
    return student_bundle(tmp_path_factory.mktemp("bundle") / "backprop-course")


def dry_run(makedir=REPO, fake_uid=None, tmp_path=None, **variables) -> str:
    """The commands `make -n lab` would run (as the user ``fake_uid`` says `id -u` is)."""
    env = lab_env(tmp_path)
    if fake_uid is not None:
        bindir = tmp_path / "fakebin"
        bindir.mkdir(exist_ok=True)
        (bindir / "id").write_text(f"#!/bin/sh\necho {fake_uid}\n")
        (bindir / "id").chmod(0o755)
        env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    jupyter_args = variables.pop("JUPYTER_ARGS", "")
    cmd = make_lab_command(makedir, jupyter_args=jupyter_args, **variables)
    return subprocess.run(cmd[:1] + ["-n"] + cmd[1:], env=env, capture_output=True, text=True,
                          check=True).stdout


def test_lab_serves_a_working_copy_of_the_released_notebooks(lab, work):
    listing = lab("/api/contents/00_intro")
    assert "00_intro.ipynb" in [item["name"] for item in listing["content"]]
    nb = lab("/api/contents/00_intro/00_intro.ipynb")["content"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert sorted(p.name for p in work.iterdir()) == sorted(p.name for p in (REPO / "notebooks").iterdir())
    assert lab("/api/status")["started"]


def test_saving_in_the_lab_writes_the_working_copy_not_the_release(lab, work):
    """What made `bpcourse release --check` fail: JupyterLab saving outputs into notebooks/."""
    released = (REPO / "notebooks" / "01_chain_rule" / "01_chain_rule.ipynb").read_bytes()
    model = lab("/api/contents/01_chain_rule/01_chain_rule.ipynb")
    model["content"]["cells"][0]["source"] = "сохранено из JupyterLab"
    body = json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode()
    req = urllib.request.Request(f"{lab.base}/api/contents/01_chain_rule/01_chain_rule.ipynb", data=body,
                                 method="PUT", headers={"Authorization": f"token {lab.token}",
                                                        "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200
    saved = nbformat.read(work / "01_chain_rule" / "01_chain_rule.ipynb", as_version=4)
    assert saved.cells[0].source == "сохранено из JupyterLab"
    assert (REPO / "notebooks" / "01_chain_rule" / "01_chain_rule.ipynb").read_bytes() == released


def test_make_lab_adds_allow_root_for_root_only_and_passes_jupyter_args(tmp_path, bundle_dir):
    for makedir in (REPO, bundle_dir):
        as_root = dry_run(makedir, fake_uid=0, tmp_path=tmp_path, JUPYTER_ARGS="--no-browser --port=8890")
        as_user = dry_run(makedir, fake_uid=1000, tmp_path=tmp_path, JUPYTER_ARGS="--no-browser --port=8890")
        assert "--allow-root" in as_root and "--allow-root" not in as_user, makedir
        for out in (as_root, as_user):
            assert "--no-browser --port=8890" in out and "jupyter lab" in out


@pytest.mark.skipif(os.getuid() != 0, reason="the tests run as an ordinary user: the lab above started without --allow-root")
def test_make_lab_starts_as_root(lab):
    # the module's lab was started by `make lab` as root: jupyter would have refused otherwise
    assert lab("/api/status")["started"]


def test_the_working_copy_keeps_the_students_work_and_adds_new_notebooks(tmp_path):
    repo = tmp_path / "repo"      # the repository's Makefile, lab/ and notebooks/, still as released
    for part in ("lab", "notebooks"):
        shutil.copytree(REPO / part, repo / part)
    shutil.copy2(REPO / "Makefile", repo / "Makefile")
    work = repo / "work"
    run = make_lab_command(repo, jupyter_args="--version", BIN=str(VENV / "bin"))   # copies, then exits
    before = tree_digest(repo / "notebooks")
    subprocess.run(run, env=lab_env(tmp_path), check=True, capture_output=True)
    assert tree_digest(work) == before                                             # a full copy
    mine = work / "00_intro" / "00_intro.ipynb"
    nb = nbformat.read(mine, as_version=4)
    nb.cells[0].source = "моя работа"
    nbformat.write(nb, mine)
    (work / "00_intro" / "notes.txt").write_text("мои заметки")
    gone = work / "01_chain_rule"
    shutil.rmtree(gone)
    subprocess.run(run, env=lab_env(tmp_path), check=True, capture_output=True)
    assert nbformat.read(mine, as_version=4).cells[0].source == "моя работа"      # never overwritten
    assert (work / "00_intro" / "notes.txt").read_text() == "мои заметки"
    assert (gone / "01_chain_rule.ipynb").exists()                                 # added again
    assert tree_digest(repo / "notebooks") == before                               # the release's copy untouched
    ignored = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", "work/00_intro/00_intro.ipynb"])
    assert ignored.returncode == 0, "the default working copy work/ must be git-ignored"


def test_students_lab_has_validate_but_no_instructor_items(lab):
    disabled = page_config(lab)["disabledExtensions"]
    for plugin in INSTRUCTOR_ONLY + EXCHANGE_ONLY:
        assert plugin in disabled, disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    assert lab("/formgrader", raw=True)[0] == 404          # the server extension is off too
    assert lab("/assignments", raw=True)[0] == 404
    extensions = {e["name"]: e for e in lab("/lab/api/extensions")}
    for name in ["jupyter-nbgrader", "jupyter-widgets-jupyterlab-manager"]:
        assert name in extensions, sorted(extensions)
        assert extensions[name]["enabled"] and extensions[name]["installed"]


def test_student_bundle_lab_starts_on_its_notebooks_with_the_students_view(bundle_dir, tmp_path):
    before = tree_digest(bundle_dir / "notebooks")
    with running_lab(tmp_path, bundle_dir) as (_, _, get):
        assert "00_intro.ipynb" in [i["name"] for i in get("/api/contents/00_intro")["content"]]
        disabled = page_config(get)["disabledExtensions"]
        assert all(p in disabled for p in INSTRUCTOR_ONLY + EXCHANGE_ONLY), disabled
        assert get("/formgrader", raw=True)[0] == 404
    assert tree_digest(bundle_dir / "notebooks") == before


def test_an_exchange_brings_the_assignment_list_and_instructors_see_everything(tmp_path):
    (tmp_path / "a").mkdir()
    with running_lab(tmp_path / "a", LAB_DIR=str(tmp_path / "work"), EXCHANGE="1") as (_, _, get):
        disabled = page_config(get)["disabledExtensions"]
        assert all(p in disabled for p in INSTRUCTOR_ONLY) and not any(p in disabled for p in EXCHANGE_ONLY)
        assert get("/assignments", raw=True)[0] != 404 and get("/formgrader", raw=True)[0] == 404
    (tmp_path / "b").mkdir()
    with running_lab(tmp_path / "b", LAB_DIR=str(tmp_path / "work"), INSTRUCTOR="1") as (_, _, get):
        disabled = page_config(get)["disabledExtensions"]
        assert not any(p in disabled for p in INSTRUCTOR_ONLY + EXCHANGE_ONLY), disabled
        assert get("/formgrader", raw=True)[0] != 404
