"""The student bundle: an allow-list, with no reference code and no hidden-test text."""
import ast
import re
import tomllib
import zipfile

import pytest

from autograde.bundle import bundle, dependencies
from autograde.source import assignments, read_source


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    path = tmp_path_factory.mktemp("bundle") / "student.zip"
    names = bundle(path)
    with zipfile.ZipFile(path) as zf:
        texts = {n: zf.read(n).decode("utf-8") for n in zf.namelist()}
    return names, texts


def test_bundle_is_exactly_the_student_files(bundled):
    names, texts = bundled
    tops = {n.split("/")[0] for n in names}
    assert tops == {"notebooks", "bpcourse", "pyproject.toml", "environment.yml", "Makefile", "README.md", "lab"}
    for a in assignments():
        assert f"notebooks/{a}/{a}.ipynb" in names
    assert all(n.startswith("backprop-course/") for n in texts)


def test_student_setup_files_install_only_bpcourse_with_the_course_pins(bundled):
    _, texts = bundled
    project = tomllib.loads(texts["backprop-course/pyproject.toml"])
    assert project["project"]["dependencies"] == dependencies()
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["bpcourse*"]
    assert "lab:" in texts["backprop-course/Makefile"]


# Not "reference code": dtype conversions, and control-flow headers such as `for _ in range(epochs):`.
BOILERPLATE = re.compile(r"^(\w+ = np\.(asarray|zeros_like)\(\w+(, dtype=np\.float64)?\)"
                         r"|(for|while|if|elif|else|try|except|with)\b.*:)$")


def _function_bodies(path):
    """Non-trivial source lines of every function in a module (what "reference code" means)."""
    tree = ast.parse(path.read_text())
    lines = path.read_text().splitlines()
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            out[node.name] = [lines[i].strip() for b in body for i in range(b.lineno - 1, b.end_lineno)
                              if len(lines[i].strip()) > 15 and not lines[i].strip().startswith("#")
                              and not BOILERPLATE.match(lines[i].strip())]
    return out


def test_no_reference_code_in_the_bundle(bundled, repo):
    """No line of solutions/ or of the hidden specs appears in any bundled file.

    Exempt: the functions the student library ships *by design* under the same name
    (bpcourse.rel_error, bpcourse.numerical_gradient), which notebook 00 also asks students
    to write as a warm-up; the README says so.
    """
    _, texts = bundled
    import bpcourse
    shipped = set(bpcourse.__all__)
    everything = "\n".join(texts.values())
    # Public by the author's decision: the prose, and code given outside solution/hidden regions
    # (e.g. notebook 02's Value scaffold). Everything else of solutions/ must stay out.
    prose = "\n".join(re.sub(r"### BEGIN (SOLUTION|HIDDEN TESTS).*?### END (SOLUTION|HIDDEN TESTS)", "",
                              c.source, flags=re.S)
                       for a in assignments() for c in read_source(a).cells)
    checked = 0
    for path in list((repo / "solutions").glob("*.py")) + list((repo / "autograde" / "hidden").glob("*.py")):
        for name, body in _function_bodies(path).items():
            if name in shipped:
                continue
            for line in body:
                if line in prose:  # given on purpose: a hint in the text, or scaffold code
                    continue
                checked += 1
                assert line not in everything, f"{path.name}:{name}: {line}"
    assert checked > 50


def test_no_hidden_test_text_in_the_bundle(bundled):
    _, texts = bundled
    everything = "\n".join(texts.values())
    for a in assignments():
        for cell in read_source(a).cells:
            for region in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
                for line in region.splitlines():
                    if "import" not in line and line.strip():
                        assert line.strip() not in everything
    assert "BEGIN HIDDEN" not in everything
