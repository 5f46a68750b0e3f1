"""environment.yml (conda) and pyproject.toml (pip) list the same packages at the same versions."""
import re
import tomllib

import yaml


def test_environment_yml_agrees_with_pyproject(repo):
    with open(repo / "pyproject.toml", "rb") as f:
        deps = tomllib.load(f)["project"]["dependencies"]
    env = yaml.safe_load((repo / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert sorted(p for p in pip if not p.startswith("-e")) == sorted(deps)
    assert "-e ." in pip
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    with open(repo / "pyproject.toml", "rb") as f:
        requires = tomllib.load(f)["project"]["requires-python"]
    assert re.sub(r"^python", "", python) == requires


def test_every_dependency_is_pinned(repo):
    with open(repo / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    for dep in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert "==" in dep, f"{dep} is not pinned"
