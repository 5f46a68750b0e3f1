"""Trusted verdicts: a kernel's recorded outputs against the reference, outside the sandbox.

The kernel only *records* what the student's function returned on the hidden inputs
(:mod:`bpcourse.grading`). Here the same inputs are rebuilt from the seed, the reference and
the known wrong variants are run on them, and the verdict is reached with no student code
running. A kernel whose checks were tampered with therefore cannot gain points.

Messages are Russian and go to the student's feedback; they never contain expected values.
"""
from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass

import numpy as np

from autograde.hidden import Exercise
from bpcourse.cases import OUTPUT_DIR, decode, encode, is_multi
from bpcourse.gradcheck import rel_error

MAX_OUTPUT_FILE = 4_000_000  # bytes; a larger file is not read (and the exercise fails)

GENERIC_HINT = ("сверьте формулу с лекцией и проверьте формы массивов; видимые проверки "
                "проходят на малом примере, а скрытые входы другие.")


@dataclass(frozen=True)
class Verdict:
    """The trusted outcome of one exercise for one submission."""

    exercise: str
    passed: bool
    message: str              # Russian, shown in the feedback
    mistake: str | None = None  # name of the recognised wrong variant, if any


def _outcome(fn, kwargs_encoded):
    """Run ``fn`` on decoded (fresh) inputs.

    Returns ('value', ndarray), ('value', [ndarray, ...]) for a function with several outputs,
    or ('raised', exception name).
    """
    kwargs = {k: decode(v) for k, v in kwargs_encoded.items()}
    try:
        with np.errstate(all="ignore"):
            value = fn(**kwargs)
    except Exception as e:  # noqa: BLE001 - a reference may raise on purpose (ValueError)
        return ("raised", type(e).__name__)
    if is_multi(value):
        return ("value", _leaves(value))
    return ("value", np.asarray(value, dtype=np.float64))


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
    return np.asarray(student["value"], dtype=np.float64).reshape(student["shape"])


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


def read_outputs(workdir: str, exercise: str) -> dict | None:
    """The JSON a kernel recorded for ``exercise`` in ``workdir``, or None if absent or bad."""
    path = os.path.join(workdir, OUTPUT_DIR, f"{exercise}.json")
    try:
        if os.path.islink(path) or os.path.getsize(path) > MAX_OUTPUT_FILE:
            return None
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return None
    return data


def verify(ex: Exercise, cases: list, recorded: dict | None) -> Verdict:
    """Compare recorded outputs on ``cases`` (kwargs, not encoded) with ``ex.reference``."""
    if recorded is None:
        return Verdict(ex.name, False,
                       "Скрытая проверка не получила результатов: функция не определена, ячейка "
                       "проверки не выполнилась до конца или ноутбук прервался раньше.")
    encoded = [{k: encode(v) for k, v in case.items()} for case in cases]
    results = recorded["results"]
    if len(results) != len(encoded):
        return Verdict(ex.name, False, "Скрытая проверка: число результатов не совпадает с числом входов.")

    expected = [_outcome(ex.reference, case) for case in encoded]
    failures = []
    for i, (res, exp) in enumerate(zip(results, expected), start=1):
        if not isinstance(res, dict):
            failures.append((i, "результат не прочитан"))
        elif res.get("raised") == "NotImplementedError":
            return Verdict(ex.name, False, "Функция ещё не реализована (осталось `raise NotImplementedError`).")
        elif not _matches(res, exp, ex.tol):
            failures.append((i, _describe(res, exp, ex.tol)))
        elif res.get("mutated"):
            failures.append((i, f"функция изменила входной массив {', '.join(res['mutated'])}"))
    if not failures:
        return Verdict(ex.name, True, f"Скрытая проверка пройдена ({len(results)} входов).")

    for mistake in ex.mistakes:
        # Only where the reference returns a value: cases that must raise test another aspect.
        pairs = [(res, case) for res, case, exp in zip(results, encoded, expected) if exp[0] == "value"]
        if pairs and all(isinstance(res, dict) and _matches(res, _outcome(mistake.fn, copy.deepcopy(case)), ex.tol)
                         for res, case in pairs):
            return Verdict(ex.name, False, f"Похоже на типичную ошибку: {mistake.hint}", mistake.name)

    i, what = failures[0]
    return Verdict(ex.name, False,
                   f"Скрытая проверка не пройдена на {len(failures)} из {len(results)} входов "
                   f"(первый — вход №{i}: {what}). Подсказка: {GENERIC_HINT}")


def _describe(res: dict, exp: tuple, tol: float) -> str:
    """What is wrong with one result, without revealing the expected value."""
    kind, value = exp
    if "raised" in res:
        if kind == "raised":
            return f"ожидалась ошибка {value}, а поднята {res['raised']}"
        return f"функция подняла {res['raised']}: {res.get('message', '')}"
    if kind == "raised":
        return f"ожидалась ошибка {value} (входы несовместимых форм), а функция вернула значение"
    if "error" in res:
        return f"результат — {res['error']}"
    if isinstance(value, list):
        items = _student_leaves(res)
        if len(items) != len(value):
            return f"ожидалось {len(value)} массивов в результате, получено {len(items)}"
        for k, (item, v) in enumerate(zip(items, value), start=1):
            if not _matches(item, ("value", v), tol):
                return f"результат {k} из {len(value)}: " + _describe(item, ("value", v), tol)
        return "значения отличаются от эталона"
    shape = tuple(res.get("shape", ()))
    if shape != value.shape:
        return f"форма результата {shape}, а должна быть {value.shape}"
    got = np.asarray(res["value"], dtype=np.float64).reshape(shape)
    if not np.isfinite(got).all():
        return "в результате NaN или inf"
    return f"значение отличается от эталона (относительная ошибка {rel_error(got, value):.1e})"
