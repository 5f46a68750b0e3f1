"""Trusted verdicts: a kernel's recorded outputs against the reference, outside the sandbox.

The kernel only *records* what the student's function returned on the hidden inputs
(:mod:`bpcourse.grading`). Here the same inputs are rebuilt from the seed, the reference and
the known wrong variants are run on them, and the verdict is reached with no student code
running. A kernel whose checks were tampered with therefore cannot gain points.

Messages are Russian and go to the student's feedback (markdown, rendered to HTML). They name
the real cause — the recognised mistake, the exception and the kind of input that raised it
(argument types and shapes, never values), a wrong result type or shape, a loss of precision —
and never contain expected values, hidden inputs or reference code. Text that comes from the
student's kernel (an exception's message) is cut to one short line and escaped.
"""
from __future__ import annotations

import copy
import html
import json
import math
import os
import re
from dataclasses import dataclass

import numpy as np

from autograde.hidden import Exercise
from bpcourse.cases import OUTPUT_DIR, decode, encode, encode_output, is_multi
from bpcourse.gradcheck import rel_error
from bpcourse.ru import count, plural

MAX_OUTPUT_FILE = 4_000_000  # bytes; a larger file is not read (and the exercise fails)
MAX_QUOTE = 160              # characters of a student's exception message quoted back

GENERIC_HINT = "сверьте формулу с лекцией и проверьте формы массивов."
HINTS = {
    "value": GENERIC_HINT,
    "raised": ("вызовите функцию сами на входах таких типов и форм — в видимой проверке их могло "
               "не быть; функция должна принимать всё, что обещает задание."),
    "nonfinite": "переполнение exp, деление на ноль или log(0) на входах такого вида?",
    "type": "верните то, что обещает задание (массив numpy — np.asarray(...), число — float(...)).",
    "precision": ("считайте всё в float64 (тип по умолчанию в numpy), без приведения к float32 или "
                  "float16 и без лишних округлений; если с типами всё верно, сверьте формулу с лекцией."),
    "mutated": "не меняйте входные массивы на месте: работайте с копией (x.copy()) или с новыми массивами.",
    "raise_expected": "на таких входах задание требует поднять исключение.",
}
ORDINALS = ["первый", "второй", "третий", "четвёртый", "пятый", "шестой", "седьмой", "восьмой",
            "девятый", "десятый"]
LOW_PRECISION = ("float32", "float16")


#: Exercises whose kernel records raw evidence rather than the answer itself: name ->
#: ``read(case, leaves) -> (value, problem)``, run here in the grader's process on every
#: outcome alike (the student's recording, the reference's, each mistake's). ``leaves`` are
#: the recorded outputs as float64 arrays; ``value`` is what is compared (an array, or a list
#: of arrays); ``problem`` is None or a Russian verdict that fails the student's exercise
#: whatever the values (e.g. the method delegated its work to the course's library). A hidden
#: spec registers its reader with :func:`reads_evidence`.
EVIDENCE: dict = {}
#: hint texts of one exercise that replace :data:`HINTS`' (name -> {hint key: text})
HINT_OVERRIDES: dict = {}


def reads_evidence(name: str, read, hints: dict | None = None) -> None:
    """Register how the grader reads exercise ``name``'s raw evidence (see :data:`EVIDENCE`)."""
    EVIDENCE[name] = read
    if hints:
        HINT_OVERRIDES[name] = dict(hints)


def library_count_reader(hint: str):
    """An evidence reader (:func:`reads_evidence`) for a probe whose last output is how many
    computations of ``bpcourse.nn`` ran inside the student's method (``bpcourse.nn.probe_calls``)
    and the rest the method's outputs: a whole count of at least one fails with ``hint``. Anything
    else was not counted by ``bpcourse.nn`` (the kernel's word is believed only when it costs the
    student), so it is then ignored."""
    def read(case, leaves):
        *outputs, used = leaves
        if used.size != 1 or not outputs:
            raise ValueError("not a probe's record")
        n = float(used[0])
        problem = f"Скрытая проверка: {hint}" if math.isfinite(n) and n >= 1 and n == round(n) else None
        return (outputs[0] if len(outputs) == 1 else outputs), problem
    return read


@dataclass(frozen=True)
class Verdict:
    """The trusted outcome of one exercise for one submission."""

    exercise: str
    passed: bool
    message: str              # Russian, shown in the feedback
    mistake: str | None = None  # name of the recognised wrong variant, if any


def _inputs(n: int, case: str = "nom") -> str:
    """«входа/входов/…» agreeing with ``n`` in the grammatical case the sentence needs."""
    forms = {"nom": ("вход", "входа", "входов"), "gen": ("входа", "входов", "входов"),
             "prep": ("входе", "входах", "входах")}[case]
    return plural(n, *forms)


#: numbers that could carry a hidden input out in a message: decimals, and long digit runs
#: (shapes, axes and small indices stay readable)
NUMBER = re.compile(r"\d*\.\d+(?:[eE][+-]?\d+)?|\d{4,}")


def quote(text) -> str:
    """Student-controlled text made safe for the feedback: one line, at most MAX_QUOTE
    characters, HTML and markdown escaped (it cannot add a line, a link or a tag), and no
    decimal number in it (an exception's message must not carry a hidden input out)."""
    text = NUMBER.sub("…", " ".join(str(text).split()))
    if len(text) > MAX_QUOTE:
        text = text[:MAX_QUOTE - 1] + "…"
    text = html.escape(text, quote=True)
    return re.sub(r"([\\`*_\[\]{}#|~!])", r"\\\1", text)


def _outcome(fn, kwargs_encoded, read=None):
    """Run ``fn`` on decoded (fresh) inputs.

    Returns ('value', ndarray), ('value', [ndarray, ...]) for a function with several outputs,
    or ('raised', exception name). With ``read`` (:data:`EVIDENCE`), the value is what the
    grader reads from ``fn``'s raw evidence.
    """
    kwargs = {k: decode(v) for k, v in kwargs_encoded.items()}
    try:
        with np.errstate(all="ignore"):
            value = fn(**kwargs)
    except Exception as e:  # noqa: BLE001 - a reference may raise on purpose (ValueError)
        return ("raised", type(e).__name__)
    if read is not None:
        with np.errstate(all="ignore"):
            value, _ = read({k: decode(v) for k, v in kwargs_encoded.items()}, _leaves(value))
    if is_multi(value):
        return ("value", _leaves(value))
    return ("value", np.asarray(value, dtype=np.float64))


def _read_recorded(read, case_encoded, res):
    """(the student's recording as the grader reads it, problem or None): the raw leaves
    recorded by the kernel go through ``read`` here; a recording that raised or is not numbers
    is left as it is (the comparison then fails and says why), one that cannot be read at all
    becomes an error."""
    if not isinstance(res, dict) or "raised" in res or "error" in res:
        return res, None
    leaves = [_as_array(leaf) for leaf in _student_leaves(res)]
    if not leaves or any(leaf is None for leaf in leaves):
        return res, None
    try:
        with np.errstate(all="ignore"):
            value, problem = read({k: decode(v) for k, v in case_encoded.items()}, leaves)
        out = encode_output(tuple(value) if isinstance(value, list) else value)
    except Exception:  # noqa: BLE001 - a forged recording must not break the grader
        return {"type": res.get("type", "?"), "error": "запись проверки не прочитана"}, None
    if res.get("mutated"):
        out["mutated"] = res["mutated"]
    return out, problem


def _leaves(value) -> list:
    """Nested tuples/lists of arrays (e.g. (dWs, dbs)) as one flat list of float64 arrays."""
    if is_multi(value):
        return [leaf for v in value for leaf in _leaves(v)]
    return [np.asarray(value, dtype=np.float64)]


def _student_leaves(student: dict) -> list:
    """The same flattening of a recorded output (``{"items": [...]}`` nests)."""
    if isinstance(student.get("items"), list):
        return [leaf for item in student["items"] if isinstance(item, dict) for leaf in _student_leaves(item)]
    return [student]


def _as_array(student: dict) -> np.ndarray | None:
    if "value" not in student or "shape" not in student:
        return None
    try:
        return np.asarray(student["value"], dtype=np.float64).reshape(student["shape"])
    except (TypeError, ValueError):
        return None


def _matches(student: dict, expected: tuple, tol: float) -> bool:
    kind, exp = expected
    if kind == "raised":
        return student.get("raised") == exp
    if "raised" in student:
        return False
    if isinstance(exp, list):
        items = _student_leaves(student)
        return len(items) == len(exp) and all(_matches(i, ("value", e), tol) for i, e in zip(items, exp))
    got = _as_array(student)
    if got is None or got.shape != exp.shape:
        return False
    if not (np.isfinite(got) == np.isfinite(exp)).all():
        return False
    finite = np.isfinite(exp)
    return rel_error(got[finite], exp[finite]) <= tol and np.array_equal(got[~finite], exp[~finite], equal_nan=True)


def parse_outputs(text: str | bytes) -> dict | None:
    """What a kernel recorded for one exercise (its JSON file's content), or None if it is not
    a recording (:func:`bpcourse.grading.record`'s results, or its "outputs too large")."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if not isinstance(data.get("results"), list):
        return {"error": "outputs too large"} if data.get("error") == "outputs too large" else None
    return data


def read_outputs(workdir: str, exercise: str) -> dict | None:
    """The JSON a kernel recorded for ``exercise`` in ``workdir``, or None if absent or bad."""
    path = os.path.join(workdir, OUTPUT_DIR, f"{exercise}.json")
    try:
        if os.path.islink(path) or os.path.getsize(path) > MAX_OUTPUT_FILE:
            return None
        with open(path, encoding="utf-8") as f:
            return parse_outputs(f.read())
    except (OSError, ValueError):
        return None


# --- describing inputs and results (types and shapes, never values) -------------------------------

def describe_argument(value) -> str:
    """What kind of value a hidden input is, as the student's function receives it."""
    if callable(value):
        return "функция (принимает число или массив numpy)"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "целое число (int)"
    if isinstance(value, (float, np.floating)):
        return "число (float)"
    if isinstance(value, str):
        return "строка (str)"
    if isinstance(value, np.ndarray):
        return f"массив формы {value.shape}"
    if isinstance(value, (list, tuple)):
        kinds = list(dict.fromkeys(describe_argument(v) for v in value))
        what = kinds[0] if len(kinds) == 1 else "разные значения"
        return f"список из {count(len(value), 'элемента', 'элементов', 'элементов')} ({what})"
    return type(value).__name__


def describe_inputs(case: dict) -> str:
    """``case`` (kwargs as written by the hidden spec) as the kinds of its arguments."""
    parts = []
    for name, value in case.items():
        try:
            parts.append(f"{name} — {describe_argument(decode(encode(value)))}")
        except Exception:  # noqa: BLE001 - a description must never break a verdict
            parts.append(name)
    return ", ".join(parts)


def _describe_result(res: dict) -> str:
    """What the student's function returned: its type and shape (no values)."""
    kind = res.get("type", "?")
    named = {"list": "список (list)", "tuple": "кортеж (tuple)"}.get(kind, quote(kind))
    if isinstance(res.get("items"), list):
        n = len(res["items"])
        return f"{named} из {count(n, 'элемента', 'элементов', 'элементов')}"
    shape = tuple(res.get("shape", ()))
    if kind in ("list", "tuple"):
        return f"{named} из {count(shape[0] if shape else 0, 'элемента', 'элементов', 'элементов')}"
    if kind == "ndarray":
        return f"массив формы {shape}"
    if not shape:
        return f"число ({quote(kind)})"
    return f"{quote(kind)} формы {shape}"


def _describe_expected(value) -> str:
    """«ожидалось число…» / «ожидался массив…», with the verb agreeing."""
    if value.shape == ():
        return "ожидалось число (float)"
    return f"ожидался массив numpy формы {value.shape}"


def _output_name(ex: Exercise, k: int, n: int) -> str:
    if len(ex.outputs) == n:
        return f"результат {ex.outputs[k]}"
    return f"{ORDINALS[k]} результат" if k < len(ORDINALS) else f"результат №{k + 1}"


def _describe(ex: Exercise, res: dict, exp: tuple, tol: float) -> tuple[str, str]:
    """What is wrong with one result, without revealing the expected value: (text, hint key)."""
    kind, value = exp
    if "raised" in res:
        name = quote(res["raised"])
        message = quote(res.get("message", ""))
        raised = f"{name}: «{message}»" if message else name
        if kind == "raised":
            return f"ожидалось исключение {value}, а поднято {raised}", "raise_expected"
        return f"функция подняла исключение {raised}", "raised"
    if kind == "raised":
        return f"ожидалось исключение {value}, а функция вернула значение", "raise_expected"
    if "error" in res:
        return f"результат — {quote(res['error'])}", "type"
    if isinstance(value, list):
        items = _student_leaves(res)
        if len(items) != len(value):
            names = f" ({', '.join(ex.outputs)})" if len(ex.outputs) == len(value) else ""
            got = count(len(items), "результат", "результата", "результатов")
            if "items" not in res:
                got = f"один результат — {_describe_result(res)}"
            return (f"функция вернула {got}, а нужно "
                    f"{count(len(value), 'результат', 'результата', 'результатов')}{names}"), "type"
        for k, (item, v) in enumerate(zip(items, value)):
            if not _matches(item, ("value", v), tol):
                text, hint = _describe(ex, item, ("value", v), tol)
                return f"{_output_name(ex, k, len(value))}: {text}", hint
        return "значения отличаются от эталона", "value"
    if isinstance(res.get("items"), list):
        return (f"функция вернула {_describe_result(res)}, а нужен один результат "
                f"({_describe_expected(value)})"), "type"
    shape = tuple(res.get("shape", ()))
    if shape != value.shape:
        got = _describe_result(res)
        if res.get("type") in ("list", "tuple"):
            return f"результат — {got}, а {_describe_expected(value)}", "type"
        return f"форма результата {shape}, а должна быть {value.shape}", "value"
    got = _as_array(res)
    if got is None:
        return "результат не прочитан", "type"
    if not np.isfinite(got).all() and np.isfinite(value).all():
        return "в результате есть NaN или бесконечность (inf), а должны быть конечные числа", "nonfinite"
    finite = np.isfinite(got) & np.isfinite(value)
    err = rel_error(got[finite], value[finite])
    dtype = res.get("dtype", "")
    if dtype in LOW_PRECISION:
        return (f"точность: результат в {dtype}, а требуется float64 "
                f"(относительная ошибка {err:.1e})"), "precision"
    if err <= 1e-5:
        return (f"точность: относительная ошибка {err:.1e} — мала, но больше допустимой ({tol:.0e}); "
                "так бывает, если вычисления идут в float32 (а требуется float64) или формула лишь "
                "приближённо равна нужной"), "precision"
    return f"значение отличается от эталона (относительная ошибка {err:.1e})", "value"


def verify(ex: Exercise, cases: list, recorded: dict | None) -> Verdict:
    """Compare recorded outputs on ``cases`` (kwargs, not encoded) with ``ex.reference``."""
    if recorded is None:
        return Verdict(ex.name, False,
                       "Скрытая проверка не получила результатов: функция не определена, ячейка "
                       "проверки не выполнилась до конца или ноутбук прервался раньше.")
    if "results" not in recorded:
        return Verdict(ex.name, False,
                       "Скрытая проверка: результаты функции слишком велики, чтобы их сравнить "
                       "(сверьте формы того, что она возвращает).")
    encoded = [{k: encode(v) for k, v in case.items()} for case in cases]
    results = recorded["results"]
    n = len(encoded)
    if len(results) != n:
        return Verdict(ex.name, False,
                       f"Скрытая проверка: получено {count(len(results), 'результат', 'результата', 'результатов')} "
                       f"на {n} {_inputs(n, 'prep')} — ячейка проверки выполнилась не до конца.")

    read = EVIDENCE.get(ex.name)
    hints = {**HINTS, **HINT_OVERRIDES.get(ex.name, {})}
    if read is not None:
        pairs = [_read_recorded(read, case, res) for case, res in zip(encoded, results)]
        problem = next((p for _, p in pairs if p), None)
        if problem:
            return Verdict(ex.name, False, problem, "evidence")
        results = [res for res, _ in pairs]
    expected = [_outcome(ex.reference, case, read) for case in encoded]
    failures = []
    for i, (res, exp, case) in enumerate(zip(results, expected, cases), start=1):
        if not isinstance(res, dict):
            failures.append((i, "результат не прочитан", "type", case))
        elif res.get("raised") == "NotImplementedError":
            return Verdict(ex.name, False, "Функция ещё не реализована (осталось `raise NotImplementedError`).")
        elif not _matches(res, exp, ex.tol):
            failures.append((i, *_describe(ex, res, exp, ex.tol), case))
        elif res.get("mutated"):
            names = [quote(m) for m in res["mutated"] if isinstance(m, str)]
            what = plural(len(names), "входной массив", "входные массивы", "входные массивы")
            failures.append((i, f"функция изменила {what} {', '.join(names)}", "mutated", case))
    if not failures:
        return Verdict(ex.name, True, f"Скрытая проверка пройдена на {n} {_inputs(n, 'prep')}.")

    for mistake in ex.mistakes:
        # Only where the reference returns a value: cases that must raise test another aspect.
        pairs = [(res, case) for res, case, exp in zip(results, encoded, expected) if exp[0] == "value"]
        if pairs and all(isinstance(res, dict) and _matches(res, _outcome(mistake.fn, copy.deepcopy(case), read), ex.tol)
                         for res, case in pairs):
            return Verdict(ex.name, False, f"Похоже на типичную ошибку: {mistake.hint}", mistake.name)

    i, what, hint, case = failures[0]
    return Verdict(ex.name, False,
                   f"Скрытая проверка не пройдена на {len(failures)} из {n} {_inputs(n, 'gen')} "
                   f"(первый — вход №{i}, где {describe_inputs(case)}: {what}). Подсказка: {hints[hint]}")


# --- tampering with the grading modules, seen in the notebook's own text -------------------------

#: what only the grading machinery is called: the probes, the recorder and its files, the
#: counter of bpcourse.nn's work. No exercise needs any of them, so a line of the student's that
#: names one (and is not a line of the course's own notebook) reaches for the grading itself.
#: Matched in the code without its comments (a string that names them still counts), after NFKC
#: normalisation, which Python applies to identifiers: ``import bpcourse.ｇrading`` imports
#: bpcourse.grading.
TAMPER = re.compile(r"engine_probe|layer_probe|train_probe|probe_calls|bpcourse_out|bpcourse_cases"
                    r"|bpcourse\s*\.\s*(?:grading|cases)\b|from\s+bpcourse\s+import\s+[^\n#]*\b(?:grading|cases)\b")
#: the one public name of bpcourse.grading a notebook may import (08 does: skip a widget while graded)
ALLOWED = re.compile(r"from\s+bpcourse\.grading\s+import\s+is_grading\s*")


def _normal(source: str) -> str:
    """``source`` as Python reads its identifiers (NFKC: ``ｃmath`` is ``cmath``)."""
    import unicodedata

    return unicodedata.normalize("NFKC", source)


def _without_comments(source: str) -> list[str]:
    """The lines of ``source`` with their comments cut (strings kept); every line as it is if
    the cell does not tokenize (a mention in a comment is not a use)."""
    import io
    import tokenize

    lines = source.splitlines()
    try:
        cuts = {t.start[0] - 1: t.start[1] for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type == tokenize.COMMENT}
    except (tokenize.TokenError, IndentationError, SyntaxError, ValueError):
        return lines
    return [line[:cuts[i]] if i in cuts else line for i, line in enumerate(lines)]


def _course_lines(assignment: str) -> set[str]:
    from autograde import source

    try:
        nb = source.read_source(assignment)
    except Exception:  # noqa: BLE001 - an unknown assignment has no course lines
        return set()
    return {line.strip() for cell in nb.cells if cell.cell_type == "code"
            for line in _without_comments(_normal(cell.source))}


def tampering(assignment: str, nb) -> str | None:
    """A Russian verdict if a code cell of the submitted notebook names the grading machinery
    (:data:`TAMPER`) in a line that is not the course's own, else None. This is read from the
    notebook's text in the grader's process, never from what the kernel says; it catches the
    plain attempt, and the evidence each probe records (:data:`EVIDENCE`) stops the disguised one."""
    course = _course_lines(assignment)
    for index, cell in enumerate(nb.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = str(cell.get("source", ""))
        shown = source.splitlines()
        for k, line in enumerate(_without_comments(_normal(source))):
            text = line.strip()
            if text and text not in course and TAMPER.search(text) and not ALLOWED.fullmatch(text):
                original = shown[k].strip() if k < len(shown) else text
                return ("Вмешательство в проверку: ячейка №{} обращается к модулям, которые проверяют "
                        "ноутбук (строка «{}»). Проверка не доверяет такой сдаче: все упражнения "
                        "ноутбука оценены в 0, преподаватель видит пометку «tampered».").format(index, quote(original))
    return None


# --- an exercise answered by a route that is not the student's own formula --------------------

#: exercises that ask for an analytic derivative or a backward method (COURSE.md, rule 9): their
#: solution cell must not differentiate numerically or by a library. Registered by the hidden specs.
OWN_FORMULA: set = set()

COMPLEX_STEP = "комплексным шагом"
GRADCHECK = "численно через bpcourse.gradcheck"
NN = "через слои bpcourse.nn"
LIBRARY = "библиотекой дифференцирования"
HIDDEN_IMPORT = "через модуль, импортированный в обход текста решения (importlib, __import__, sys.modules)"
INTERNALS = "через внутренности чужих функций (__wrapped__, __code__, __closure__, __globals__)"
DYNAMIC_ATTRIBUTE = "через атрибут, имя которого вычисляется (getattr и подобные с нелитеральным именем)"

#: names (identifiers, attributes, imported modules; lower-cased, after NFKC) whose use is a route
COMPLEX_PARTS = ("complex", "cmath", "emath", "scimath")
COMPLEX_NAMES = {"imag", "real", "angle", "conj", "conjugate", "csingle", "cdouble", "clongdouble",
                 "cfloat", "clongfloat", "longcomplex", "singlecomplex", "iscomplexobj", "iscomplex",
                 "isreal", "isrealobj", "real_if_close", "sort_complex"}
GRADCHECK_NAMES = {"gradcheck", "numerical_gradient", "numerical_gradient_array"}
LIBRARIES = {"sympy", "mpmath", "torch", "jax", "jaxlib", "autograd", "tensorflow", "numdifftools",
             "casadi", "findiff"}
IMPORTERS = {"__import__", "import_module", "__builtins__", "builtins", "importlib", "__loader__", "__spec__"}
INTERNAL_ATTRS = {"__wrapped__", "__code__", "__closure__", "__globals__", "cell_contents"}
ATTRIBUTE_GETTERS = {"getattr", "attrgetter", "methodcaller", "__getattribute__", "__getattr__"}
#: a string that, as an attribute's name or a dtype, reaches the complex numbers
COMPLEX_STRING = re.compile(r"[<>=|]?(?:complex\w*|c8|c16|c32|[FDG]|imag|real|angle|conj(?:ugate)?)", re.I)
DTYPE_TAKERS = {"dtype", "astype", "view", "array", "asarray", "asanyarray", "zeros", "ones", "empty",
                "full", "zeros_like", "ones_like", "empty_like", "full_like", "arange", "linspace",
                "fromiter", "frombuffer", "result_type", "can_cast", "sctype2char", "obj2sctype"}


def _name_of(node) -> str | None:
    """The last name of a call's function (``np.zeros`` -> ``zeros``)."""
    import ast

    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal(node) -> str | None:
    """The text of a string literal (a plain f-string too), else None."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values)
    return None


def _routes_in(tree) -> str | None:
    """The first route of :data:`ROUTES`' kind found in a parsed solution cell, else None. Names
    are the code's (identifiers, attributes, imports); strings count only where Python reads them
    as a name (getattr's, a dtype), so a mention in a message or an f-string's text is not a use."""
    import ast

    def name_route(name: str) -> str | None:
        low = name.lower()
        if any(part in low for part in COMPLEX_PARTS) or low in COMPLEX_NAMES:
            return COMPLEX_STEP
        if low in GRADCHECK_NAMES:
            return GRADCHECK
        if low in LIBRARIES:
            return LIBRARY
        if name in IMPORTERS:
            return HIDDEN_IMPORT
        if name in INTERNAL_ATTRS:
            return INTERNALS
        return None

    def module_route(module: str) -> str | None:
        parts = module.split(".")
        if parts[:2] == ["bpcourse", "nn"]:
            return NN
        if parts[:2] == ["bpcourse", "gradcheck"]:
            return GRADCHECK
        for part in parts:
            found = name_route(part)
            if found:
                return found
        return None

    for node in ast.walk(tree):
        found = None
        if isinstance(node, ast.Constant) and isinstance(node.value, complex):
            found = COMPLEX_STEP
        elif isinstance(node, ast.Name):
            found = name_route(node.id)
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "bpcourse" and node.attr in ("nn", "gradcheck"):
                found = NN if node.attr == "nn" else GRADCHECK
            elif isinstance(node.value, ast.Name) and node.value.id == "sys" and node.attr == "modules":
                found = HIDDEN_IMPORT
            else:
                found = name_route(node.attr)
        elif isinstance(node, ast.Import):
            found = next(filter(None, (module_route(a.name) or (a.asname and name_route(a.asname))
                                       for a in node.names)), None)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            found = module_route(module)
            for a in node.names:
                if found:
                    break
                if module == "bpcourse":
                    found = module_route(f"bpcourse.{a.name}")
                found = found or name_route(a.name) or (a.asname and name_route(a.asname))
        elif isinstance(node, ast.Call):
            fn = _name_of(node.func)
            args = list(node.args) + [k.value for k in node.keywords]
            if fn in ATTRIBUTE_GETTERS:
                names = node.args[1:] if fn in ("getattr", "__getattr__") and isinstance(node.func, ast.Name) else node.args
                for arg in names[:1] if fn in ("getattr", "__getattr__", "__getattribute__") else names:
                    text = _literal(arg)
                    if text is None:
                        found = DYNAMIC_ATTRIBUTE
                    elif COMPLEX_STRING.fullmatch(text.strip()) or name_route(text):
                        found = COMPLEX_STEP if COMPLEX_STRING.fullmatch(text.strip()) else name_route(text)
                    if found:
                        break
            if not found:
                dtype_args = args if fn in DTYPE_TAKERS else [k.value for k in node.keywords if k.arg == "dtype"]
                if any((_literal(a) or "").strip() and COMPLEX_STRING.fullmatch(_literal(a).strip())
                       for a in dtype_args):
                    found = COMPLEX_STEP
        if found:
            return found
    return None


def _parse(source: str):
    """The cell parsed as Python (IPython's magics and shell escapes turned into calls), or None."""
    import ast

    try:
        from IPython.core.inputtransformer2 import TransformerManager
        source = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - without IPython, the cell as it is
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


#: for a cell that does not parse (it then fails in the kernel anyway): patterns over its code
#: without comments and strings
ROUTES = (
    (re.compile(r"complex|cmath|emath|scimath|\.imag\b|\.real\b|\bangle\b|\b[\d.]+(?:e[+-]?\d+)?j\b", re.I), COMPLEX_STEP),
    (re.compile(r"\bgradcheck\b|\bnumerical_gradient(?:_array)?\b"), GRADCHECK),
    (re.compile(r"\bbpcourse\s*\.\s*nn\b|\bfrom\s+bpcourse\s+import\s+[^\n]*\bnn\b"), NN),
    (re.compile(r"\b(?:sympy|mpmath|torch|jax|autograd|tensorflow|numdifftools)\b"), LIBRARY),
    (re.compile(r"__import__|import_module|importlib|sys\s*\.\s*modules"), HIDDEN_IMPORT),
    (re.compile(r"__wrapped__|__code__|__closure__|__globals__"), INTERNALS),
)


def _code_only(source: str) -> str:
    """``source`` without comments and with every string emptied (a mention is not a use)."""
    import io
    import tokenize

    try:
        tokens = [(t.type, '""' if t.type == tokenize.STRING else t.string)
                  for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type != tokenize.COMMENT]
        return tokenize.untokenize(tokens)
    except (tokenize.TokenError, IndentationError, SyntaxError, ValueError):
        return "\n".join(line.split("#", 1)[0] for line in source.splitlines())


def route(source: str) -> str | None:
    """How a solution cell's code differentiates when not by a formula (the routes above), else
    None. Read after NFKC normalisation (Python's own for identifiers), from the parsed code."""
    source = _normal(source)
    tree = _parse(source)
    if tree is not None:
        return _routes_in(tree)
    code = _code_only(source)
    return next((name for pattern, name in ROUTES if pattern.search(code)), None)


def borrowed(assignment: str, nb) -> dict[str, str]:
    """{exercise: Russian verdict} for each solution cell of an :data:`OWN_FORMULA` exercise whose
    code differentiates by a route that is not a formula (:func:`route`): the complex step,
    bpcourse.gradcheck, bpcourse.nn, a differentiation library, a module imported out of sight or
    another function's internals. Read from the notebook's text in the grader's process. The
    routes no text shows (finite differences written out, a helper defined in another cell) are
    met by the tolerance and the probes' evidence instead."""
    from autograde import hidden

    graded = {ex.name for ex in hidden.exercises(assignment)} & OWN_FORMULA
    out = {}
    for cell in nb.cells:
        name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("cell_type") != "code" or name not in graded:
            continue
        found = route(str(cell.get("source", "")))
        if found:
            out[name] = (f"Скрытая проверка: производная в решении посчитана не по формуле, а {found}. "
                         "Упражнение — ваша собственная формула (лекция); численная производная и готовые "
                         "библиотеки — инструмент проверки ответа, а не ответ, поэтому баллы за это "
                         "упражнение не начислены.")
    return out
