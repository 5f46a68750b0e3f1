"""Hidden checks: for each graded exercise, the inputs a student never sees and its mistakes.

One module per reference module: ``autograde/hidden/<m>.py`` checks ``solutions/<m>.py``. An
exercise is a class named after the graded function, decorated with :func:`exercise`::

    @exercise(tol=1e-9)
    class cube:
        def cases(rng):                    # the hidden inputs, drawn per student
            return [{"x": rng.normal(size=3)}]

        class mistakes:                    # each written once, as the student would write it
            def squared(x):
                \"\"\"Russian hint: names the mistake, never the answer.\"\"\"
                return x ** 2

Everything else is derived, here and in :mod:`autograde.source`, from that and the source
notebook (``tests/test_hidden_structure.py`` checks each derivation against its source):

- the reference: ``solutions.<m>.<name>`` (or ``reference=`` when it is named differently);
- the test cell ``check_<name>`` and its hidden region ``record("<name>", <name>)``
  (:func:`hidden_region`), inserted by :func:`autograde.source.read_source`;
- which exercises an assignment grades, in notebook order: the solution cells of its source
  notebook that name an exercise (:func:`exercises`);
- each mistake's two forms: the student's solution cell (:attr:`Mistake.code`, the function
  renamed to the exercise, docstring dropped; graded end to end by the tests and given to the
  demo class) and the grader's callable (:attr:`Mistake.fn`, that same code run in the
  reference module's namespace, whose names are the notebook's);
- the demo class's mistaken student ``mistake_<m>`` of an assignment (``demo="<m>"``).

The inputs are drawn from a generator seeded by (course secret, student, assignment,
exercise), so a hard-coded answer, or one copied from another student, fails.
The expected outputs are computed here, on the trusted side, from :mod:`solutions`.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import inspect
import pkgutil
import textwrap
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np


@dataclass(frozen=True)
class Mistake:
    """One typical wrong variant of a graded exercise."""

    name: str          # short identifier, e.g. "forward_difference"
    fn: Callable       # the grader's form: same signature as the reference
    hint: str          # Russian, names the mistake without giving the answer away
    code: str = ""     # the student's form: the whole solution cell


@dataclass(frozen=True)
class Exercise:
    """One graded function (or class method, or whole cell) of one notebook."""

    name: str                                   # solution cell id; test cell is check_<name>
    reference: Callable                         # from solutions/
    cases: Callable[[np.random.Generator], list]  # rng -> list of kwargs (encodable values)
    mistakes: Sequence[Mistake] = field(default_factory=tuple)
    tol: float = 1e-9                           # rel_error accepted as "equal to the reference"
    #: cases -> hashable: the edge-case structure every student's cases must share (grading
    #: rule 3), e.g. "a zero in the ReLU input", "a probability below 1e-8", "M != K". The
    #: property test also compares types and shapes of every input, so list only what those miss.
    features: Callable[[list], object] | None = None
    #: names of the outputs of a function returning several (e.g. ("loss", "dZ")), for feedback
    outputs: Sequence[str] = ()
    #: the expression the hidden region records, evaluated in the notebook (default: ``name``)
    recorded: str = ""
    #: a statement run before it in the hidden region (e.g. an import the expression needs)
    setup: str = ""
    #: the mistake of this exercise that the demo class's mistaken student makes
    demo: str | None = None

    @property
    def test_cell_id(self) -> str:
        """The nbgrader id of the exercise's test cell (the solution cell's id is ``name``)."""
        return f"check_{self.name}"


def exercise(*, reference: Callable | None = None, tol: float = 1e-9, outputs: Sequence[str] = (),
             recorded: str = "", setup: str = "", whole_cell: bool = False, demo: str | None = None):
    """Class decorator: the class body of an exercise spec becomes an :class:`Exercise`.

    The class is named after the exercise and holds ``cases(rng)``, optionally
    ``features(cases)``, and a nested class ``mistakes`` of functions written as the student
    would write the solution (the docstring is the hint). With ``whole_cell``, each mistake
    takes no argument and its body is the whole solution cell (e.g. a method defined and
    attached to a class); the grader's callable is then ``recorded`` evaluated after it.
    """
    def build(spec: type) -> Exercise:
        name = spec.__name__
        module = importlib.import_module("solutions." + spec.__module__.rsplit(".", 1)[-1])
        ref = reference if reference is not None else getattr(module, name)
        namespace = vars(module)   # the notebook's names, also when reference= is a probe from elsewhere
        mistakes = tuple(
            _mistake(name, fn, namespace, whole_cell, recorded or name, setup)
            for fn in vars(getattr(spec, "mistakes", object)).values() if inspect.isfunction(fn))
        if demo is not None and demo not in {m.name for m in mistakes}:
            raise ValueError(f"{name}: demo={demo!r} is not one of its mistakes")
        return Exercise(name=name, reference=ref, cases=spec.cases, mistakes=mistakes, tol=tol,
                        features=getattr(spec, "features", None), outputs=tuple(outputs),
                        recorded=recorded, setup=setup, demo=demo)
    return build


def mistake_code(name: str, fn: Callable, whole_cell: bool = False) -> str:
    """The solution cell a student making mistake ``fn`` of exercise ``name`` writes: the
    function's own text (comments and layout kept), docstring dropped, renamed to ``name``;
    with ``whole_cell``, the function's body."""
    text = textwrap.dedent(inspect.getsource(fn))
    func = ast.parse(text).body[0]
    assert isinstance(func, ast.FunctionDef), f"mistake {fn.__qualname__} is not a function"
    lines = text.splitlines()
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]                                   # the hint is for the grader only
    if not body:
        raise ValueError(f"mistake {fn.__qualname__} has no code")
    code = textwrap.dedent("\n".join(lines[body[0].lineno - 1:func.end_lineno]))
    if whole_cell:
        return code
    header = "\n".join(lines[func.lineno - 1:func.body[0].lineno - 1])
    header = header.replace(f"def {fn.__name__}(", f"def {name}(", 1)
    return header + "\n" + textwrap.indent(code, "    ")


def _mistake(name, fn, namespace, whole_cell, recorded, setup) -> Mistake:
    code = mistake_code(name, fn, whole_cell)
    hint = inspect.getdoc(fn)
    if not hint:
        raise ValueError(f"mistake {fn.__qualname__} has no hint (its docstring)")
    ns = dict(namespace)
    if whole_cell:   # the cell patches classes: give it its own subclasses, never the reference's
        ns.update({k: type(v.__name__, (v,), {"__module__": v.__module__})
                   for k, v in namespace.items() if inspect.isclass(v) and v.__module__ == namespace["__name__"]})
    exec(compile(setup + "\n" + code, f"<mistake {name}.{fn.__name__}>", "exec"), ns)  # noqa: S102 - our own code
    graded = eval(recorded, ns)                                                        # noqa: S307
    return Mistake(fn.__name__, graded, " ".join(hint.split()), code)


def hidden_region(ex: Exercise) -> str:
    """The hidden region of ``ex``'s test cell (inserted by :func:`autograde.source.read_source`)."""
    lines = ["### BEGIN HIDDEN TESTS"]
    if ex.setup:
        lines.append(ex.setup)
    lines += ["from bpcourse.grading import record",
              f"record({ex.name!r}, {ex.recorded or ex.name})".replace("'", '"'),
              "### END HIDDEN TESTS"]
    return "\n".join(lines)


def seed_for(secret: str, student: str, assignment: str, exercise: str) -> int:
    """A 64-bit seed from the course secret and the submission's identity."""
    digest = hashlib.sha256("\x1f".join([secret, student, assignment, exercise]).encode()).digest()
    return int.from_bytes(digest[:8], "little")


@functools.cache
def modules() -> dict[str, object]:
    """Every hidden-spec module, by name (each named after the reference module it checks)."""
    return {info.name: importlib.import_module(f"{__name__}.{info.name}")
            for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")}


@functools.cache
def catalog() -> dict[str, Exercise]:
    """Every exercise of every module, by name — including those whose notebook is not written
    yet, so that the whole mistake bank is tested."""
    out: dict[str, Exercise] = {}
    for module in modules().values():
        for ex in vars(module).values():
            if isinstance(ex, Exercise) and out.get(ex.name) is not ex:
                if ex.name in out:
                    raise ValueError(f"two exercises named {ex.name!r}")
                out[ex.name] = ex
    return out


@functools.cache
def _graded(assignment: str) -> tuple[str, ...]:
    from autograde import source

    if assignment not in source.assignments():
        return ()
    every = catalog()
    return tuple(n for n in source.solution_ids(assignment) if n in every)


def exercises(assignment: str) -> list[Exercise]:
    """The graded exercises of an assignment, in notebook order (empty for an unknown one):
    the solution cells of its source notebook that name an exercise."""
    every = catalog()
    return [every[n] for n in _graded(assignment)]


def assignments() -> list[str]:
    """The source assignments that grade at least one exercise."""
    from autograde import source

    return [a for a in source.assignments() if exercises(a)]


def variants(assignment: str) -> dict[tuple[str, str], str]:
    """(exercise, mistake) -> the student's solution cell, for every mistake of ``assignment``."""
    return {(ex.name, m.name): m.code for ex in exercises(assignment) for m in ex.mistakes}


def demo_students(assignment: str) -> dict[str, dict[str, str]]:
    """The demo class's mistaken students: ``{"mistake_<m>": {grade_id: code}}``."""
    out = {}
    for ex in exercises(assignment):
        if ex.demo:
            out[f"mistake_{ex.demo}"] = {ex.name: next(m.code for m in ex.mistakes if m.name == ex.demo)}
    return out


def make_cases(secret: str, student: str, assignment: str) -> dict[str, list]:
    """Hidden inputs of every exercise of ``assignment`` for ``student`` (not yet encoded)."""
    return {ex.name: exercise_cases(secret, student, assignment, ex) for ex in exercises(assignment)}


def exercise_cases(secret: str, student: str, assignment: str, ex) -> list:
    """Hidden inputs of one exercise ``ex`` for ``student``: what :func:`make_cases` gives for
    it (each exercise has its own seed), drawn without drawing the others'."""
    return ex.cases(np.random.default_rng(seed_for(secret, student, assignment, ex.name)))
