"""Plain-JSON encoding of hidden inputs and of a student's outputs.

The grader (trusted, outside the sandbox) writes the hidden inputs of one submission to
``CASES_FILE``; during grading the notebook's hidden cells call the student's function on
them (:func:`bpcourse.grading.record`) and write the outputs to ``OUTPUT_DIR``. The grader
then compares those outputs with the reference *outside* the kernel. Everything crossing
the sandbox boundary is JSON — no pickles, so a submission cannot smuggle in code.

An encoded value is one of:

- a number, a string, ``None`` or a bool: itself (an ``int`` stays an ``int``: an index or a
  count must reach the student's function with the type the notebook promises);
- ``{"array": nested lists, "shape": [...]}``: a float64 ndarray;
- ``{"list": [...]}``: a list of encoded values (e.g. the weight matrices of a network);
- ``{"fn": name, "params": {...}}``: a test function from :data:`FUNCTIONS` (for exercises
  whose argument is a function, e.g. a numerical derivative).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

CASES_FILE = ".bpcourse_cases.json"
OUTPUT_DIR = ".bpcourse_out"


def _poly(c):
    c = [float(v) for v in c]
    return lambda x: sum(ci * x ** i for i, ci in enumerate(c))


def _wave(a, b, c):
    return lambda x: a * np.sin(b * x) + c * x * x


def _poly_prime(c):
    c = [float(v) for v in c]
    return lambda x: sum(i * ci * x ** (i - 1) for i, ci in enumerate(c) if i > 0)


def _wave_prime(a, b, c):
    return lambda x: a * b * np.cos(b * x) + 2 * c * x


def _mix(a, b, c):
    return lambda x: float(np.sum(a * x * x + b * np.sin(x)) + c * np.sum(x) ** 2)


#: Test functions that hidden inputs may name. Each takes its params and returns ``f``.
FUNCTIONS: dict[str, Callable[..., Callable]] = {
    "poly": _poly,              # f(x) = sum_i c_i x^i            (elementwise: scalar or array x)
    "wave": _wave,              # f(x) = a sin(bx) + c x^2        (elementwise: scalar or array x)
    "poly_prime": _poly_prime,  # its derivative
    "wave_prime": _wave_prime,  # its derivative
    "mix": _mix,                # f(x) = sum(a x^2 + b sin x) + c (sum x)^2   (a, b of x's shape)
}


def _ndim(value: Any) -> int:
    """``np.ndim``, also for a list of arrays of different shapes (not an array: numpy raises)."""
    try:
        return np.ndim(value)
    except ValueError:
        return 1


def encode(value: Any) -> Any:
    """Encode a Python/numpy value as JSON-ready data (see the module docstring)."""
    if isinstance(value, dict) and "fn" in value:
        return {"fn": value["fn"], "params": {k: encode(v) for k, v in value["params"].items()}}
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)) and any(_ndim(v) > 0 for v in value):
        return {"list": [encode(v) for v in value]}   # e.g. the weight matrices of a network
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and np.ndim(value) == 0:
        return float(value)
    arr = np.asarray(value, dtype=np.float64)
    return {"array": arr.tolist(), "shape": list(arr.shape)}


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`; functions are built from :data:`FUNCTIONS`."""
    if isinstance(data, dict) and "array" in data:
        return np.asarray(data["array"], dtype=np.float64).reshape(data["shape"])
    if isinstance(data, dict) and "list" in data:
        return [decode(v) for v in data["list"]]
    if isinstance(data, dict) and "fn" in data:
        if data["fn"] not in FUNCTIONS:
            raise ValueError(f"unknown test function {data['fn']!r}")
        return FUNCTIONS[data["fn"]](**{k: decode(v) for k, v in data["params"].items()})
    return data


def is_multi(value: Any) -> bool:
    """Several outputs (a tuple/list holding arrays or lists, e.g. ``(dX, dW, db)``), as opposed
    to one array-like (a number, an array, or a tuple of plain numbers)."""
    return isinstance(value, (tuple, list)) and any(isinstance(v, (tuple, list)) or _ndim(v) > 0 for v in value)


def encode_output(value: Any) -> dict:
    """Encode what a student's function returned: type name, dtype, shape and float64 values.

    ``type`` is the Python type (``ndarray``, ``float``, ``list``…), ``dtype`` the numpy dtype
    the values had (``float64``, ``float32``, ``int64``…), so the grader can say that a result
    is a list, or that it lost precision in float32. Several outputs (:func:`is_multi`) become
    ``{"type": ..., "items": [...]}``; a value that is not numeric ``{"type": ..., "error": ...}``.
    """
    if is_multi(value):
        return {"type": type(value).__name__, "items": [encode_output(v) for v in value]}
    out = {"type": type(value).__name__}
    if value is None:
        out["error"] = "функция вернула None (пропущен `return`?)"
        return out
    try:
        if isinstance(value, (str, bytes, dict)):
            raise TypeError(type(value).__name__)
        out["dtype"] = str(np.asarray(value).dtype)
        arr = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - any value a student returns must encode
        out.pop("dtype", None)
        out["error"] = f"не число и не массив чисел, а {type(value).__name__}"[:300]
        return out
    out["shape"] = list(arr.shape)
    out["value"] = arr.tolist()
    return out
