"""Visible checks: type, then shape, then finiteness, then values — each with its own message.

Every helper either prints one line starting with ``✔`` or raises :class:`CheckError`
(an ``AssertionError``, so nbgrader scores the cell 0) with a Russian message that says what
is wrong and where: which entry, how large the error. Nothing is written to stderr, because
nbgrader scores a test cell with anything on stderr as failed.

For the same reason, importing this module routes Python warnings to stdout as a short note
(:func:`route_warnings`): the natural ``np.where(P > 0, P * np.log(P), 0)`` warns about
``log(0)`` although its result is right, and a harmless warning must never cost a correct answer.

What a student sees of a failure (in JupyterLab, in nbgrader's Validate dialog, in the
feedback) is the kernel's traceback, so in an IPython kernel this module also shapes it
(:func:`install_ipython_hooks`): a :class:`CheckError` is shown with its Russian message first,
then the student's lines only — no frame of ``bpcourse`` (IPython's ``__tracebackhide__`` keeps
the innermost frame, which is always ours); a ``NotImplementedError`` raised by a function
defined in the notebook names the exercise that is not done yet (:func:`not_done_message`).
"""
from __future__ import annotations

import re
import sys
import types
import warnings
from typing import Callable

import numpy as np

from bpcourse.gradcheck import rel_error

WARNING_PREFIX = "⚠ предупреждение (само по себе на оценку не влияет)"


def warning_note(message, category, where: str = "") -> str:
    """One line for a warning: its class and its text, whitespace collapsed, length capped."""
    text = " ".join(str(message).split())
    if len(text) > 200:
        text = text[:199] + "…"
    return f"{WARNING_PREFIX}{where}: {getattr(category, '__name__', 'Warning')}: {text}"


def _show_warning(message, category, filename, lineno, file=None, line=None):
    # The current sys.stdout: in a kernel, the stream of the cell being executed.
    print(warning_note(message, category), file=sys.stdout)


def route_warnings() -> None:
    """Show Python warnings on stdout (as :func:`warning_note`) instead of stderr.

    ``warnings.catch_warnings`` saves and restores this hook, so code that records warnings
    itself is unaffected. Installed when :mod:`bpcourse.checks` or :mod:`bpcourse.grading`
    is imported, i.e. in every notebook of the course.
    """
    warnings.showwarning = _show_warning


route_warnings()


class CheckError(AssertionError):
    """A visible check failed; the message is for the student."""

    def _render_traceback_(self) -> list[str]:
        # IPython's showtraceback() asks the exception for its traceback through this hook.
        return student_traceback(self)


# --- what a failure looks like in the kernel --------------------------------------------------
def _course_frame(frame) -> bool:
    return str(frame.f_globals.get("__name__", "")).split(".")[0] == "bpcourse"


def without_course_frames(tb: types.TracebackType | None) -> types.TracebackType | None:
    """A copy of the traceback chain ``tb`` without the frames of ``bpcourse`` modules."""
    kept = []
    while tb is not None:
        if not _course_frame(tb.tb_frame):
            kept.append(tb)
        tb = tb.tb_next
    new = None
    for entry in reversed(kept):
        new = types.TracebackType(new, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return new


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def student_traceback(exc: BaseException, tb_offset: int | None = None) -> list[str]:
    """The structured traceback (IPython's list of strings) shown for ``exc``: the exception
    and its message first, then IPython's usual traceback of the student's frames (the cells)
    without the exception line repeated at the end. Outside IPython, or if anything goes wrong,
    just the exception line."""
    plain = [f"{type(exc).__name__}: {exc}"]
    try:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        if shell is None:
            return plain
        exc.__suppress_context__ = True       # the message already says what was caught
        stb = shell.InteractiveTB.structured_traceback(
            type(exc), exc, without_course_frames(exc.__traceback__), tb_offset=tb_offset)
        if not (isinstance(stb, list) and stb and all(isinstance(s, str) for s in stb)):
            return plain
        if _plain(stb[-1]).lstrip().startswith(type(exc).__name__):
            stb = [stb[-1]] + stb[:-1]
        return stb
    except Exception:  # noqa: BLE001 - a traceback must always be shown
        return plain


def not_done_message(name: str | None) -> str:
    """What a ``NotImplementedError`` from the exercise function ``name`` says to the student."""
    if name:
        return (f"Упражнение «{name}» ещё не решено: в функции `{name}` осталась заготовка "
                "`raise NotImplementedError()` — замените её своим кодом.")
    return ("Упражнение ещё не решено: осталась заготовка `raise NotImplementedError()` — "
            "замените её своим кодом.")


def _notebook_function(tb: types.TracebackType | None) -> tuple[bool, str | None]:
    """Whether the innermost frame of ``tb`` is notebook code (``__main__``), and the name of
    the top-level function it belongs to (``_add`` for ``_add.<locals>._backward``)."""
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    if last is None or last.tb_frame.f_globals.get("__name__") != "__main__":
        return False, None
    code = last.tb_frame.f_code
    qualname = getattr(code, "co_qualname", code.co_name)
    if code.co_name == "<module>":
        return True, None
    return True, qualname.split(".<locals>.")[0]


def _not_implemented_handler(shell, etype, value, tb, tb_offset=None):
    """IPython's custom handler for a ``NotImplementedError`` that ends a cell: if the raise is
    in the student's notebook code, the message names the unfinished exercise; the cell still
    fails, and the traceback is shaped as a CheckError's."""
    in_notebook, name = _notebook_function(tb)
    if in_notebook:
        note = not_done_message(name)
        value.args = (note + (f" ({value})" if str(value) else ""),)
        value._render_traceback_ = lambda: student_traceback(value, tb_offset)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def install_ipython_hooks() -> bool:
    """In an IPython kernel, show an unfinished exercise's ``NotImplementedError`` in Russian
    (:func:`_not_implemented_handler`); CheckError shapes its own traceback. Returns whether a
    kernel was found. Called when this module is imported."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((NotImplementedError,), _not_implemented_handler)
    return True


install_ipython_hooks()


def ok(message: str) -> None:
    """Report a passed check on stdout."""
    print(f"✔ {message}")


def _fail(message: str, hint: str | None = None) -> None:
    __tracebackhide__ = True  # IPython and pytest skip this frame
    if hint:
        message = f"{message}\nПодсказка: {hint}"
    raise CheckError(message)


def check_not_implemented(name: str, fn: Callable, *args, **kwargs):
    """Call ``fn`` and turn a ``NotImplementedError`` into a clear "not done yet" failure."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        _fail(f"{name}: функция ещё не реализована (внутри осталось `raise NotImplementedError`).")


def check_type(name: str, value, kinds=(np.ndarray,)) -> None:
    """``value`` must be an instance of one of ``kinds``."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    if not isinstance(value, kinds):
        names = " или ".join(k.__name__ for k in kinds)
        if value is None:
            _fail(f"{name}: функция вернула None, а ожидался {names}.", "пропущен `return`?")
        _fail(f"{name}: ожидался тип {names}, получен {type(value).__name__}.",
              "проверьте, что функция возвращает то, что просит задание (например, np.ndarray, "
              "а не список: np.asarray(...)).")


def check_shape(name: str, value: np.ndarray, shape: tuple, hint: str | None = None) -> None:
    """``value.shape`` must equal ``shape``; names the usual transposes and lost axes."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    got = tuple(np.shape(value))
    shape = tuple(shape)
    if got == shape:
        return
    if got == shape[::-1] and len(shape) == 2:
        hint = hint or "форма транспонирована — не пропущено ли `.T`?"
    elif len(got) == len(shape) + 1 or len(got) + 1 == len(shape):
        hint = hint or ("лишняя или потерянная ось: сравните (n,) и (n, 1); "
                        "np.sum(..., axis=...) без keepdims теряет ось.")
    elif len(got) == 2 and len(shape) == 2 and got[0] == got[1] and shape[1] == 1:
        hint = hint or "квадратная матрица вместо столбца — это broadcasting (n,) с (n, 1)."
    _fail(f"{name}: неверная форма: ожидалась {shape}, получена {got}.", hint)


def check_finite(name: str, value) -> None:
    """No NaN and no inf anywhere in ``value``."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    arr = np.asarray(value, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        if arr.ndim:
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            where = f"в элементе {idx} стоит {arr[idx]} — не конечное число (NaN или inf)"
        else:
            where = f"получено {float(arr)} — не конечное число (NaN или inf)"
        _fail(f"{name}: {where}.", "переполнение exp, деление на ноль или log(0)?")


def _same(got: np.ndarray, value: np.ndarray, tol: float) -> bool:
    """Equal shapes, NaN and inf in the same places, finite entries within ``rel_error <= tol``."""
    if got.shape != value.shape:
        return False
    fin_got, fin_value = np.isfinite(got), np.isfinite(value)
    if not np.array_equal(fin_got, fin_value):
        return False
    if not np.array_equal(got[~fin_got], value[~fin_value], equal_nan=True):
        return False
    return rel_error(got[fin_got], value[fin_value]) <= tol


def check_close(name: str, got, expected, *, tol: float = 1e-7, hint: str | None = None,
                wrong: tuple = ()) -> None:
    """Type, shape, known wrong values, finiteness, then values: ``rel_error(got, expected) <= tol``.

    ``expected`` is a small value written into the check (never the reference code).
    ``wrong`` lists ``(value, hint)`` pairs: what a typical mistake returns on this input and
    what to say when ``got`` equals it (to ``max(tol, 1e-6)``, so a value written with seven or
    eight digits still matches; NaN and inf entries must sit in the same places). They are
    consulted before the finiteness check: an unstable softmax returns NaN, and its hint
    ("subtract the maximum") says more than "not finite". Otherwise the message names the
    worst entry and its relative error.
    """
    __tracebackhide__ = True  # IPython and pytest skip this frame
    expected = np.asarray(expected, dtype=np.float64)
    if expected.ndim == 0:
        if got is None:
            _fail(f"{name}: функция вернула None.", "пропущен `return`?")
        if not isinstance(got, (int, float, np.floating, np.integer)) and np.ndim(got) != 0:
            _fail(f"{name}: ожидалось число, получено {type(got).__name__} формы {np.shape(got)}.",
                  hint or "возвращайте число (float), а не массив.")
    else:
        check_type(name, got)
        check_shape(name, got, expected.shape)
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        _fail(f"{name}: значение типа {type(got).__name__} не число.", hint)
    if _same(got_arr, expected, tol):
        ok(f"{name}: верно")
        return
    for value, wrong_hint in wrong:
        value = np.asarray(value, dtype=np.float64)
        if _same(got_arr, value, max(tol, 1e-6)):
            _fail(f"{name}: неверное значение.", wrong_hint)
    check_finite(name, got_arr)
    err = np.abs(got_arr - expected) / np.maximum(1e-8, np.abs(got_arr) + np.abs(expected))
    if expected.ndim == 0:
        msg = f"{name}: неверное значение {float(got_arr):.6g} (относительная ошибка {float(err):.1e})."
    else:
        where = tuple(int(i) for i in np.unravel_index(np.argmax(err), err.shape))
        msg = (f"{name}: неверное значение в элементе {where}: получено {got_arr[where]:.6g}, "
               f"относительная ошибка {err[where]:.1e}.")
        if np.allclose(got_arr, -expected, rtol=1e-6, atol=1e-12):
            hint = hint or "все знаки перевёрнуты."
    _fail(msg, hint)


def check_gradient(name: str, analytic, numeric, *, tol: float = 1e-6, hint: str | None = None) -> None:
    """Compare an analytic gradient with a numerical one (same shape, rel_error <= tol)."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    numeric = np.asarray(numeric, dtype=np.float64)
    if numeric.ndim:
        check_type(name, analytic)
        check_shape(name, analytic, numeric.shape)
    check_finite(name, analytic)
    err = rel_error(analytic, numeric)
    if err > tol:
        _fail(f"{name}: не совпадает с численным градиентом: rel_error = {err:.1e} (нужно ≤ {tol:.0e}).",
              hint)
    ok(f"{name}: совпадает с численным градиентом (rel_error = {err:.1e})")


def check_raises(name: str, exc_type: type, fn: Callable, *args, hint: str | None = None, **kwargs) -> None:
    """``fn(*args)`` must raise ``exc_type``."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    try:
        fn(*args, **kwargs)
    except exc_type:
        ok(f"{name}: ошибка {exc_type.__name__} поднята, как нужно")
        return
    except NotImplementedError:
        _fail(f"{name}: функция ещё не реализована (внутри осталось `raise NotImplementedError`).")
    except Exception as e:  # noqa: BLE001 - any other exception is the student's bug to see
        _fail(f"{name}: ожидалась ошибка {exc_type.__name__}, а поднята {type(e).__name__}: {e}", hint)
    _fail(f"{name}: ожидалась ошибка {exc_type.__name__}, но функция ничего не подняла.", hint)
