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
    """No line of solutions/ or of the hidden specs appears in any bundled file — with no
    exemption: the library's own rel_error and numerical_gradient answer no exercise, which
    test_no_library_callable_passes_an_exercise checks by running them.
    """
    _, texts = bundled
    everything = "\n".join(texts.values())
    # Public by the author's decision: the prose, and code given outside solution/hidden regions
    # (e.g. notebook 02's Value scaffold). Everything else of solutions/ must stay out.
    prose = "\n".join(re.sub(r"### BEGIN (SOLUTION|HIDDEN TESTS).*?### END (SOLUTION|HIDDEN TESTS)", "",
                              c.source, flags=re.S)
                       for a in assignments() for c in read_source(a).cells)
    checked = 0
    for path in list((repo / "solutions").glob("*.py")) + list((repo / "autograde" / "hidden").glob("*.py")):
        for name, body in _function_bodies(path).items():
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


# --- the student library holds no answer (grading rule 8) -------------------------------------

import contextlib  # noqa: E402
import importlib  # noqa: E402
import inspect  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pkgutil  # noqa: E402
import signal  # noqa: E402

import nbformat  # noqa: E402

from autograde import hidden  # noqa: E402
from autograde.source import REPO  # noqa: E402

SECRET = "library-answer-probe"


def library_callables() -> dict[str, object]:
    """Every public callable defined in the bpcourse package: module functions and classes,
    and the static methods of its classes."""
    import bpcourse

    found = {}
    for info in pkgutil.walk_packages(bpcourse.__path__, "bpcourse."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not callable(obj):
                continue
            if not getattr(obj, "__module__", "").startswith("bpcourse"):
                continue
            found.setdefault(f"{obj.__module__}.{getattr(obj, '__qualname__', name)}", obj)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and isinstance(member, staticmethod):
                        found.setdefault(f"{obj.__module__}.{obj.__qualname__}.{attr}", getattr(obj, attr))
    return found


class _CellTimeout(Exception):
    pass


@contextlib.contextmanager
def _alarm(seconds):
    def handler(signum, frame):
        raise _CellTimeout()
    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def blank_namespace(assignment: str, workdir) -> dict:
    """What a student has who writes no code: the released notebook's cells run in order
    (test cells left out, magics dropped, a failing cell skipped), as during grading."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = nbformat.read(REPO / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
    ns = {"__name__": "__main__"}
    cwd, env = os.getcwd(), os.environ.get("NBGRADER_EXECUTION")
    os.chdir(workdir)
    os.environ["NBGRADER_EXECUTION"] = "autograde"   # explorers stay off, as in grading
    try:
        for cell in nb.cells:
            if cell.cell_type != "code" or cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
                continue
            source = "\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!")))
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                try:
                    with _alarm(30):
                        exec(compile(source, f"<{assignment}>", "exec"), ns)
                except Exception:  # noqa: BLE001 - a blank exercise raises NotImplementedError
                    pass
            plt.close("all")
    finally:
        os.chdir(cwd)
        if env is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = env
    return ns


def as_student_functions(obj, ex, case: dict, namespace: dict) -> list:
    """The ways a student could hand ``obj`` in as their function for ``ex``: called with the
    case's arguments by name; by position; and by name with its other required parameters taken,
    by name, from the student's (blank) notebook, or else the exercise's name (e.g. an operation)."""
    ways = [("keywords", lambda **kw: obj(**kw)), ("positions", lambda **kw: obj(*kw.values()))]
    try:
        params = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return ways
    missing = [p for p in params.values()
               if p.name not in case and p.default is p.empty
               and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if missing and not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        names = set(params)
        extra = {p.name: namespace.get(p.name, ex.name) for p in missing}

        def filled(**kw):
            kw = {k: v for k, v in kw.items() if k in names}
            result = obj(**kw, **extra)
            # a factory (e.g. a probe built from the notebook's class) is the function itself
            if callable(result) and not isinstance(result, type):
                return result(**{k: v for k, v in kw.items()})
            return result
        ways.append(("filled from the notebook", filled))
    return ways


def run_as_student(tmp_path, ex, cases, fn):
    """Record ``fn`` on the hidden ``cases`` exactly as the grading kernel does; the verdict."""
    from autograde.audit.notebook import record_outputs
    from autograde.verify import verify

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with _alarm(60):
            return verify(ex, cases, record_outputs(ex.name, fn, cases))
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("assignment", hidden.assignments())
def test_no_library_callable_passes_an_exercise(assignment, tmp_path):
    """Rule 8: for every exercise of every assignment, no public callable of bpcourse, handed in
    as the student's function in any of the ways above, passes the trusted verdict."""
    import matplotlib
    matplotlib.use("Agg")

    namespace = blank_namespace(assignment, tmp_path)
    callables = library_callables()
    assert len(callables) > 10
    passing, tried = [], 0
    for ex in hidden.exercises(assignment):
        cases = hidden.exercise_cases(SECRET, "library", assignment, ex)
        for qualname, obj in sorted(callables.items()):
            for how, fn in as_student_functions(obj, ex, cases[0] if cases else {}, namespace):
                tried += 1
                work = tmp_path / f"run{tried}"
                work.mkdir()
                try:
                    v = run_as_student(work, ex, cases, fn)
                except _CellTimeout:
                    continue
                if v.passed:
                    passing.append(f"{ex.name} ← {qualname} ({how})")
    assert tried > 20
    assert not passing, "the student library answers: " + "; ".join(passing)


SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _normalised(line: str) -> str:
    """A code line without its comment and without any whitespace."""
    return re.sub(r"\s+", "", line.split("#", 1)[0])


def test_no_solution_line_of_any_notebook_is_in_the_library(bundled):
    """Rule 8, textually: no normalised line of a solution region of source/ appears in the
    shipped bpcourse/ (boilerplate such as dtype conversions and loop headers aside)."""
    _, texts = bundled
    library = {_normalised(line) for name, text in texts.items()
               if name.startswith("backprop-course/bpcourse/") for line in text.splitlines()}
    library.discard("")
    found, checked = [], 0
    for a in assignments():
        for cell in read_source(a).cells:
            for region in SOLUTION_REGION.findall(cell.source):
                for line in region.splitlines():
                    stripped = line.strip()
                    norm = _normalised(stripped)
                    if len(norm) < 12 or BOILERPLATE.match(stripped) or norm.startswith(("return", "def")) \
                            and len(norm) < 20:
                        continue
                    checked += 1
                    if norm in library:
                        found.append(f"{a}: {stripped}")
    assert checked > 30
    assert not found, "solution lines in the student library: " + "; ".join(found)


@pytest.mark.parametrize("assignment", hidden.assignments())
def test_the_library_probe_would_see_an_answer(assignment, tmp_path):
    """The harness above is not vacuous: the reference itself, handed in the same ways, passes."""
    for ex in hidden.exercises(assignment):
        cases = hidden.exercise_cases(SECRET, "library", assignment, ex)
        ways = dict(as_student_functions(ex.reference, ex, cases[0], {}))
        work = tmp_path / ex.name
        work.mkdir()
        v = run_as_student(work, ex, cases, ways["keywords"])
        assert v.passed, (ex.name, v.message)
