"""`make lab`'s server: JupyterLab on notebooks/ with nbgrader's and the widgets' extensions.

A real `jupyter lab` on a free loopback port with a token, asked over its REST API. (Driving
it in a browser is the job of the browser suite.)
"""
import pytest

from labserver import running_lab


@pytest.fixture(scope="module")
def lab(repo, tmp_path_factory):
    with running_lab(repo / "notebooks", tmp_path_factory.mktemp("lab-home")) as (_, _, get):
        yield get


def test_lab_serves_the_released_notebooks(lab):
    listing = lab("/api/contents/00_intro")
    assert "00_intro.ipynb" in [item["name"] for item in listing["content"]]
    nb = lab("/api/contents/00_intro/00_intro.ipynb")["content"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_lab_has_nbgrader_and_widgets_extensions_enabled(lab):
    extensions = {e["name"]: e for e in lab("/lab/api/extensions")}
    # the extension manager lists prebuilt extensions under normalised names
    for name in ["jupyter-nbgrader", "jupyter-widgets-jupyterlab-manager"]:
        assert name in extensions, sorted(extensions)
        assert extensions[name]["enabled"] and extensions[name]["installed"]
