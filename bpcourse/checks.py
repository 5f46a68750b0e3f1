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

import math
import re
import sys
import types
import warnings
from typing import Callable

import numpy as np

from bpcourse.engine_probe import BINARY, UNARY, H, _number, apply, run_backward, run_operation
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


def _exception_handler(shell, etype, value, tb, tb_offset=None):
    """IPython's custom handler for any exception that ends a cell: an unfinished exercise's
    ``NotImplementedError`` as :func:`_not_implemented_handler` says; any other exception (a
    student's function that raises inside a course check, e.g. ``checks.check_softmax``) with
    its traceback shown without the frames of ``bpcourse`` — the student's lines only, and no
    "skipping hidden frame" note. A traceback of course frames only is shown as it is."""
    if issubclass(etype, NotImplementedError):
        return _not_implemented_handler(shell, etype, value, tb, tb_offset)
    if issubclass(etype, SyntaxError):      # a cell that does not compile: as IPython shows it
        return shell.showsyntaxerror()
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    if any(_course_frame(e.tb_frame) for e in entries) and not all(_course_frame(e.tb_frame) for e in entries):
        tb = without_course_frames(entries[0])
    else:
        tb = entries[0] if entries else None
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def install_ipython_hooks() -> bool:
    """In an IPython kernel, show an unfinished exercise's ``NotImplementedError`` in Russian
    and any other exception without the course's frames (:func:`_exception_handler`);
    CheckError shapes its own traceback. Returns whether a kernel was found. Called when this
    module is imported."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((Exception,), _exception_handler)
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


# --- the visible checks of the notebooks, one function per exercise ----------------------------
# A notebook's test cell calls one of these (``checks.check_softmax(softmax)``), so that what
# nbgrader's Validate dialog prints for a failed cell — the cell's source, then the error — is a
# line or two, and the Russian message is in view. Each one grades its exercise alone (rule 1):
# inputs and expected values are numbers written here (the published ones the notebook quotes),
# the wrong values are what the typical mistakes return on these inputs — never reference code.
# Every function keeps its frame out of the student's traceback (``__tracebackhide__``).

FLOAT32_HINT = ("совпадает лишь примерно до 7 знаков — так бывает при вычислениях во float32; "
                "считайте в float64.")


# 00_intro
def check_squared_error(squared_error: Callable) -> None:
    """The value on a small example, and ValueError for arrays of different shapes."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    t = np.array([[1.0], [0.0], [2.0]])
    o = np.array([[0.4], [1.0], [1.3]])
    check_close("squared_error(t, o)", squared_error(t, o), 0.925, tol=1e-12, wrong=[
        (1.85, "нет множителя ½: E = ½ Σ (t − o)²."),
        (0.15, "разности не возведены в квадрат: положительные и отрицательные разности взаимно гасятся."),
        (1.85 / 6, "вы усредняете (np.mean), а нужна сумма по выходам j."),
        (1.85 / 3, "вы усредняете (np.mean), а нужна сумма по выходам j, умноженная на ½."),
        (1.15, "вместо квадрата разности взят её модуль: E = ½ Σ (t − o)²."),
    ])
    check_raises("squared_error(np.zeros(2), np.zeros((2, 1)))", ValueError,
                 squared_error, np.zeros(2), np.zeros((2, 1)),
                 hint="сравните t.shape и o.shape и поднимите ValueError, если они различаются.")


def check_numerical_derivative(numerical_derivative: Callable) -> None:
    """x³ at h = 1e-3, whose central difference is exactly 3x² + h²: at 2, and at the array of
    points [-1, 0.5, 2]; sin at 1 with the default h."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    cube = lambda x: x ** 3  # noqa: E731
    check_close("numerical_derivative(x³, 2, h=1e-3)", numerical_derivative(cube, 2.0, h=1e-3),
                12.000001, tol=1e-9, wrong=[
        (12.006001, "это правая разность (f(x+h) − f(x))/h, её ошибка O(h); нужна центральная."),
        (11.994001, "это левая разность (f(x) − f(x−h))/h; нужна центральная."),
        (24.000002, "центральную разность делят на 2h, а не на h."),
    ])
    points, error = np.array([-1.0, 0.5, 2.0]), None
    try:
        at_points = numerical_derivative(cube, points, h=1e-3)
    except TypeError as e:
        error = e
    if error is not None:
        _fail(f"numerical_derivative(x³, массив точек): поднята TypeError: {error}",
              "x может быть массивом — не превращайте результат в float и не используйте math.* "
              "вместо numpy.")
    check_close("numerical_derivative(x³, [-1, 0.5, 2], h=1e-3)", at_points,
                [3.000001, 0.750001, 12.000001], tol=1e-9)
    check_close("numerical_derivative(sin, 1)", numerical_derivative(np.sin, 1.0), np.cos(1.0), tol=1e-9)


def _worst_entry_case(worst_entry: Callable, name: str, a, b, err: float, idx: tuple,
                      wrong=(), abs_idx=None) -> None:
    __tracebackhide__ = True  # IPython and pytest skip this frame
    got = worst_entry(a, b)
    if not (isinstance(got, tuple) and len(got) == 2):
        _fail(f"{name}: ожидалась пара (err, idx), получено {type(got).__name__}.")
    got_err, got_idx = got
    check_shape(f"{name}: idx", np.asarray(got_idx), (a.ndim,), hint=(
        "idx — одно число, а нужен кортеж длины a.ndim: np.argmax возвращает номер в развёрнутом "
        "массиве; переведите его в индекс через np.unravel_index." if np.ndim(got_idx) == 0 else
        "idx — кортеж из a.ndim целых чисел, по одному на каждую ось a."))
    if not np.isfinite(np.asarray(got_err, dtype=float)):
        _fail(f"{name}: err = {got_err}.", "там, где a = b = 0, знаменатель должен быть max(1e-8, 0), "
                                           "иначе 0/0 = NaN.")
    check_close(f"{name}: err", got_err, err, tol=1e-12, wrong=wrong)
    check_close(f"{name}: idx", np.asarray(got_idx, dtype=float), idx, tol=0,
                hint="a[idx] должен быть элементом, на котором достигается максимум.", wrong=[
        (abs_idx, "индекс указывает на наибольшую *абсолютную* разность |a − b|, а нужен элемент "
                  "с наибольшей относительной ошибкой.")] if abs_idx else [])


def check_worst_entry(worst_entry: Callable) -> None:
    """Entries of different scale, a 2×2 matrix, zeros and a ≈ −b."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    _worst_entry_case(worst_entry, "worst_entry([100, 2, -3], [101, 2.2, -3])",
                      np.array([100.0, 2.0, -3.0]), np.array([101.0, 2.2, -3.0]), 0.2 / 4.2, (1,), wrong=[
        ((1 / 201 + 0.2 / 4.2) / 3, "ошибка — среднее по элементам, а нужен максимум."),
        (1 / 201, "максимум берётся отдельно в числителе и знаменателе; нужно поэлементное отношение."),
    ], abs_idx=(0,))
    _worst_entry_case(worst_entry, "worst_entry(матрица 2×2)", np.array([[1.0, 2.0], [3.0, 4.0]]),
                      np.array([[1.0, 2.1], [3.3, 4.0]]), 0.3 / 6.3, (1, 0))
    _worst_entry_case(worst_entry, "worst_entry([0.5, 1, 0], [0.5, -1, 0])", np.array([0.5, 1.0, 0.0]),
                      np.array([0.5, -1.0, 0.0]), 1.0, (1,),
                      wrong=[(2e8, "в знаменателе |a + b| вместо |a| + |b|: при a ≈ −b ошибка взлетает.")])


def check_directional_derivative(directional_derivative: Callable) -> None:
    """f = Σ x³, whose central difference along v is exactly Σ 3x²v + h² Σ v³: a vector and a
    2×2 matrix; x and v must be unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    sum_cubes = lambda w: np.sum(w ** 3)  # noqa: E731
    x, v = np.array([1.0, -2.0, 0.5]), np.array([2.0, 1.0, -1.0])
    x_before, v_before = x.copy(), v.copy()
    check_close("directional_derivative(Σx³, [1, -2, 0.5], [2, 1, -1], h=1e-3)",
                directional_derivative(sum_cubes, x, v, h=1e-3), 17.250008, tol=1e-9, wrong=[
        (17.257508, "это правая разность (f(x + hv) − f(x))/h, её ошибка O(h); нужна центральная."),
        (34.500016, "центральную разность делят на 2h, а не на h."),
        (15.750003, "x сдвинут на h по всем координатам (x ± h), а нужно вдоль v: x ± h·v."),
        (17.250008 / np.sqrt(6), "направление v нормировано, а брать его нужно как есть."),
    ])
    if not (np.array_equal(x, x_before) and np.array_equal(v, v_before)):
        _fail("directional_derivative изменил x или v: сдвигайте копию (x + h * v), "
              "а не сам массив (x += ...).")
    ok("x и v после вызова не изменились")
    W, V = np.array([[1.0, 0.3], [-1.0, 2.0]]), np.array([[0.7, -1.0], [0.5, 0.1]])
    W_before = W.copy()
    check_close("directional_derivative(Σx³, матрица 2×2, h=1e-3)",
                directional_derivative(sum_cubes, W, V, h=1e-3), 4.529999469, tol=1e-9,
                hint="x и v — массивы одной формы; сдвиг x + h * v работает для любой формы.")
    if not np.array_equal(W, W_before):
        _fail("directional_derivative изменил x: после x += h·v и x −= h·v массив не всегда "
              "возвращается точно (округление). Сдвигайте копию: f(x + h * v).")
    ok("x после вызова не изменился")


# 01_chain_rule
def check_derivative_error(derivative_error: Callable) -> None:
    """f = 1 − x³ at x = 1, where the central difference errs by exactly −h²: steps [0.1, 0.01],
    then steps in an array of shape (2, 2)."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    f1, df1 = (lambda t: 1 - t ** 3), (lambda t: -3 * t ** 2)
    check_close("derivative_error(1 − x³, −3x², 1, [0.1, 0.01])",
                derivative_error(f1, df1, 1.0, np.array([0.1, 0.01])), [0.01, 0.0001], tol=1e-6, wrong=[
        ([0.31, 0.0301], "это ошибка правой разности (f(x+h) − f(x))/h; нужна центральная."),
        ([-0.01, -0.0001], "ошибка — это модуль |приближение − точное значение|, а не разность со знаком."),
        ([-0.31, -0.0301], "это ошибка правой разности, и без модуля; нужны центральная разность и |…|."),
    ])
    hs2 = np.array([[0.1, 0.2], [0.05, 0.01]])
    errors2 = derivative_error(f1, df1, 1.0, hs2)
    if np.shape(errors2) != hs2.shape:
        _fail(f"derivative_error(…, hs формы (2, 2)): форма результата {np.shape(errors2)}, а должна быть "
              "формой hs.", "считайте сразу для всего массива hs или верните результат к форме hs "
                            "(reshape(hs.shape)).")
    check_close("derivative_error(1 − x³, −3x², 1, hs формы (2, 2))", errors2, hs2 ** 2, tol=1e-6)


def _adjacency(n: int, edges) -> np.ndarray:
    """A check's input: the 0/1 matrix of a graph given by its edges."""
    matrix = np.eye(n) * 0
    for i, j in edges:
        matrix[i, j] = 1
    return matrix


def check_count_paths(count_paths: Callable) -> None:
    """A diamond (2 paths), layers 1-3-3-1 (9 paths) and paths that do not start at node 0 (3)."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    diamond = _adjacency(4, [(0, 1), (0, 2), (1, 3), (2, 3)])
    check_close("count_paths(ромб, 0, 3)", count_paths(diamond, 0, 3), 2, tol=0,
                wrong=[(4, "посчитаны рёбра, а не пути.")])
    layers = _adjacency(8, [(0, j) for j in (1, 2, 3)] + [(i, j) for i in (1, 2, 3) for j in (4, 5, 6)]
                        + [(i, 7) for i in (4, 5, 6)])
    check_close("count_paths(слои 1-3-3-1)", count_paths(layers, 0, 7), 9, tol=0)
    dag = _adjacency(5, [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (2, 4), (3, 4)])
    check_close("count_paths(граф из 5 узлов, 1, 4)", count_paths(dag, 1, 4), 3, tol=0, wrong=[
        (6, "пути считаются от узла 0, а не от source: узлы до source не должны добавлять путей."),
    ])


# 09_softmax_cross_entropy
SOFTMAX_123 = [0.0900305731704, 0.244728471055, 0.665240955775]      # softmax([1, 2, 3]), eq. 59


def check_softmax(softmax: Callable) -> None:
    """Eq. 59, rows of very different scale in one batch, the input unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    p = SOFTMAX_123
    Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    expected = [p, [1 / 3, 1 / 3, 1 / 3]]
    check_close("softmax([[1, 2, 3], [0, 0, 0]])", softmax(Z), expected, tol=1e-9,
                wrong=[(np.float32(expected), FLOAT32_HINT)],
                hint="делите на сумму экспонент своей строки: np.sum(..., axis=1, keepdims=True).")
    check_close("Z после вызова softmax", Z, [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], tol=0,
                hint="функция изменила входной массив (Z -= ...): сдвинутые логиты запишите в новый массив.")
    nan = [np.nan] * 3
    q = [0.73105857863, 0.26894142137, 0.0]                          # softmax([1, 0, −1000])
    check_close("softmax([[1000, 1001, 1002], [−1, 0, 1], [1, 0, −1000]])",
                softmax(np.array([[1000.0, 1001.0, 1002.0], [-1.0, 0.0, 1.0], [1.0, 0.0, -1000.0]])),
                [p, p, q], tol=1e-9, wrong=[
        ([nan, p, q], "softmax без вычитания максимума: exp(1000) = inf, и inf / inf = NaN; "
                      "вычтите максимум строки (уравнение 61)."),
        ([p, nan, nan], "максимум вычтен один на весь пакет: у второй и третьей строк все exp(z − 1002) = 0, "
                        "и 0 / 0 = NaN; вычитайте максимум каждой строки: np.max(Z, axis=1, keepdims=True)."),
        ([p, p, [np.nan, np.nan, 0.0]],
         "вычтен минимум строки, а не максимум: exp(1 − (−1000)) = inf; сдвигайте на максимум "
         "(уравнение 61), тогда все показатели ≤ 0."),
    ])


def check_logsumexp(logsumexp: Callable) -> None:
    """LSE([1, 2, 3]) = 3.408, shape (M,), rows of very different scale, the input unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    rows = [[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0], [1.0, 0.0, -1000.0]]
    Z = np.array(rows)
    lse = [3.40760596444, 1002.40760596444, 1.31326168752]
    check_close("logsumexp([[1, 2, 3], [1000, 1001, 1002], [1, 0, −1000]])", logsumexp(Z), lse, tol=1e-9, wrong=[
        ([0.407605964444, 0.407605964444, 0.31326168752],
         "максимум вычтен, но не прибавлен обратно: LSE = m + log Σ exp(z − m)."),
        ([lse[0], np.inf, lse[2]], "log Σ exp без вычитания максимума: exp(1000) = inf; LSE = m + log Σ exp(z − m)."),
        ([-np.inf, lse[1], -np.inf], "максимум вычтен один на весь пакет: у первой и третьей строк все "
                                     "exp(z − 1002) = 0 и log 0 = −inf; m — максимум своей строки."),
        ([lse[0], lse[1], np.inf], "вычтен минимум строки, а не максимум: exp(1 − (−1000)) = inf; "
                                   "m — максимум строки."),
        ([3.0, 1002.0, 1.0], "LSE только близок к максимуму, но не равен ему: LSE = m + log Σ exp(z − m)."),
        (np.float32(lse), FLOAT32_HINT),
    ])
    check_close("Z после вызова logsumexp", Z, rows, tol=0,
                hint="функция изменила входной массив (Z -= ...): сдвинутые логиты запишите в новый массив.")


def check_cross_entropy(cross_entropy: Callable) -> None:
    """Three examples (one with probability 2·10⁻⁴ for its true class), the mean over the batch,
    the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    y_rows = [[0.7, 0.1, 0.15, 0.05], [0.05, 0.05, 0.8, 0.1], [0.6, 0.3996, 2e-4, 2e-4]]
    t_rows = [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
    Y, t = np.array(y_rows), np.array(t_rows)
    L = 3.03233722889
    check_close("cross_entropy(Y, t)", cross_entropy(Y, t), L, tol=1e-9, wrong=[
        (3 * L, "не усреднено по пакету: разделите сумму на число примеров M = 3."),
        (-L, "перевёрнут знак: L = −Σ t log y."),
        (L / 4, "усреднено по всем M·K элементам (np.mean от t·log Y): по классам — сумма, среднее — только "
                "по примерам."),
        (np.inf, "потери = inf: где-то взят log 0 — не перепутаны ли t и y? L = −Σ t log y, логарифм — от "
                 "предсказанных вероятностей y (все они положительны)."),
        (np.float32(L), FLOAT32_HINT),
    ], hint="L = −(1/M) Σ по примерам Σ_j t_j log y_j; вероятности не обрезайте — у третьего примера "
            "вероятность правильного класса всего 2·10⁻⁴.")
    check_close("Y и t после вызова cross_entropy", np.concatenate([Y, t]), y_rows + t_rows, tol=0,
                hint="функция изменила входной массив на месте: результаты промежуточных шагов "
                     "запишите в новые массивы.")


def check_softmax_cross_entropy(softmax_cross_entropy: Callable) -> None:
    """The loss and dZ on a 4×3 batch, the inputs unchanged; logits about 1000 beside a row of
    small ones."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    z_rows = [[2.0, 1.0, 0.1], [0.5, 2.5, -1.0], [1.0, 1.0, 1.0], [-2.0, 0.0, 3.0]]
    t_rows = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    Z, t = np.array(z_rows), np.array(t_rows)
    loss, dZ = softmax_cross_entropy(Z, t)
    check_close("loss", loss, 1.30595143686, tol=1e-9, wrong=[
        (4 * 1.30595143686, "потери не усреднены по пакету: разделите на M = 4."),
        (np.float32(1.30595143686), FLOAT32_HINT),
    ])
    dZ_expected = np.array([[-0.0852497152785, 0.0606082426762, 0.0246414726023],
                            [0.0290286336685, 0.214494202652, -0.243522836321],
                            [0.0833333333333, -0.166666666667, 0.0833333333333],
                            [0.00159436523061, 0.0117808541312, -0.0133752193618]])
    check_close("dZ", dZ, dZ_expected, tol=1e-9, wrong=[
        (4 * dZ_expected, "потери усредняются по пакету: dZ = (y − t) / M, здесь M = 4."),
        (-dZ_expected, "перевёрнут знак: dL/dz = y − t (уравнение 68)."),
        (np.float32(dZ_expected), FLOAT32_HINT),
    ])
    check_close("Z и t после вызова", np.concatenate([Z, t]), z_rows + t_rows, tol=0,
                hint="функция изменила входной массив на месте (например, Z -= ...): промежуточные "
                     "результаты запишите в новые массивы.")
    loss_big, dZ_big = softmax_cross_entropy(np.array([[1000.0, 999.0, 0.0], [-1.0, 0.0, 1.0]]),
                                             np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]))
    check_close("потери при логитах [[1000, 999, 0], [−1, 0, 1]]", loss_big, 501.360433826, tol=1e-9, wrong=[
        (np.inf, "потери = inf: вероятность правильного класса e^(−1000) в float64 равна 0, а log 0 = −inf; "
                 "считайте log softmax как z − LSE(z), не беря логарифм от вероятности."),
        (np.nan, "потери = NaN: softmax без вычитания максимума (exp(1000) = inf, inf / inf = NaN) или "
                 "максимум, общий для всего пакета (у второй строки 0 / 0); вычитайте максимум каждой строки."),
    ])
    small = [-0.454984713415, 0.122364235527, 0.332620477887]
    check_close("dZ при логитах [[1000, 999, 0], [−1, 0, 1]]", dZ_big,
                [[0.365529289315, 0.134470710685, -0.5], small], tol=1e-9, wrong=[
        ([[np.nan, np.nan, -0.5], small],
         "softmax без вычитания максимума: exp(1000) = inf, и inf / inf = NaN (уравнение 61)."),
        ([[0.365529289315, 0.134470710685, -0.5], [np.nan] * 3],
         "максимум вычтен один на весь пакет: у второй строки все exp(z − 1000) = 0, и 0 / 0 = NaN; "
         "вычитайте максимум каждой строки."),
    ])


def check_softmax_backward(softmax_backward: Callable) -> None:
    """A 3×4 batch with a known answer, the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    y_rows = [[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.4, 0.1]]
    dy_rows = [[1.0, -2.0, 0.5, 0.0], [0.3, 0.3, -1.0, 2.0], [-0.5, 1.5, 1.0, -1.0]]
    Y, dY = np.array(y_rows), np.array(dy_rows)
    expected = [[0.115, -0.37, 0.195, 0.06], [-0.028, -0.004, -0.134, 0.166], [-0.2625, 0.2375, 0.18, -0.155]]
    check_close("softmax_backward(dY, Y)", softmax_backward(dY, Y), expected, tol=1e-9, wrong=[
        ([[0.09, -0.32, 0.105, 0.0], [0.063, 0.027, -0.09, 0.18], [-0.09375, 0.28125, 0.24, -0.09]],
         "учтена только диагональ якобиана, y_i (1 − y_i); каждый выход зависит от всех логитов: "
         "J = diag(y) − y yᵀ, внедиагональные элементы −y_i y_k тоже входят в dz = Jᵀ dy."),
        ([[0.0815, -0.401, 0.015, -0.04], [0.0805, 0.0295, -0.145, 0.19], [-0.17125, 0.37375, 0.22, -0.11]],
         "сумма по j взята по примерам (axis=0), а нужна по классам внутри строки (axis=1)."),
        ([[1.15, -1.85, 0.65, 0.15], [-0.04, -0.04, -1.34, 1.66], [-1.05, 0.95, 0.45, -1.55]],
         "пропущен множитель y_i: в J = diag(y) − y yᵀ каждая строка i умножена на y_i."),
        (-np.array(expected), "перевёрнут знак: dz = Jᵀ dy, где J = diag(y) − y yᵀ."),
        (np.float32(expected), FLOAT32_HINT),
    ], hint="dz каждой строки — это Jᵀ dy с J = diag(y) − y yᵀ этой строки.")
    check_close("dY и Y после вызова", np.concatenate([dY, Y]), dy_rows + y_rows, tol=0,
                hint="функция изменила входной массив на месте (dY -= ...): результат запишите в новый массив.")


# 10_temperature
def check_softmax_t(softmax_t: Callable) -> None:
    """T = 1, eqs. 70 and 71 (T = 100 and T = 0.1), the input unchanged; T = 0.05 on rows of very
    different scale."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    Z = np.array([[1.0, 2.0, 3.0], [2.0, 0.0, -2.0]])
    T1 = [SOFTMAX_123, [0.866813332197, 0.117310427826, 0.0158762399765]]
    check_close("softmax_t([[1, 2, 3], [2, 0, −2]], T=1)", softmax_t(Z, 1.0), T1, tol=1e-9,
                wrong=[(np.float32(T1), FLOAT32_HINT)],
                hint="softmax каждой строки: делите на сумму своей строки (axis=1, keepdims=True).")
    check_close("softmax_t([[1, 2, 3], [2, 0, −2]], T=100)", softmax_t(Z, 100.0),
                [[0.330005610971, 0.3333222225, 0.336672166529], [0.340021775594, 0.333288893333, 0.326689331073]],
                tol=1e-9, wrong=[
        ([[1.38389652674e-87, 3.72007597602e-44, 1.0], [1.0, 1.38389652674e-87, 1.91516959671e-174]],
         "логиты умножены на T, а нужно разделить: softmax_T(z) = softmax(z / T) (уравнение 69)."),
        (T1, "температура не учтена: softmax_T(z) = softmax(z / T) (уравнение 69)."),
    ])
    check_close("Z после вызова softmax_t", Z, [[1.0, 2.0, 3.0], [2.0, 0.0, -2.0]], tol=0,
                hint="функция изменила входной массив (Z /= T или Z -= ...): результат запишите в новый массив.")
    check_close("softmax_t([[1, 2, 3], [2, 0, −2]], T=0.1)", softmax_t(Z, 0.1),
                [[2.06106004621e-09, 4.53978686089e-05, 0.99995460007],
                 [0.999999997939, 2.06115361819e-09, 4.24835424654e-18]], tol=1e-9)
    nan = [np.nan] * 3
    big = softmax_t(np.array([[50.0, 40.0, 0.0], [1.0, 2.0, 3.0], [1.0, 0.0, -50.0]]), 0.05)
    r0, r1, r2 = ([1.0, 1.38389652674e-87, 0.0], [4.24835424654e-18, 2.06115361819e-09, 0.999999997939],
                  [0.999999997939, 2.06115361819e-09, 0.0])
    check_close("softmax_t([[50, 40, 0], [1, 2, 3], [1, 0, −50]], T=0.05)", big, [r0, r1, r2], tol=1e-9, wrong=[
        ([[np.nan, np.nan, 0.0], r1, r2], "softmax без вычитания максимума: 50 / 0.05 = 1000, exp(1000) = inf, и "
                                          "inf / inf = NaN; вычтите максимум строки z / T."),
        ([r0, nan, nan], "максимум вычтен один на весь пакет: у второй и третьей строк все exp(z/T − 1000) = 0, "
                         "и 0 / 0 = NaN; вычитайте максимум каждой строки."),
        ([[np.nan, np.nan, 0.0], r1, [np.nan, np.nan, 0.0]],
         "вычтен минимум строки, а не максимум: exp((50 − 0) / 0.05) = inf; сдвигайте на максимум."),
    ])


def check_entropy(entropy: Callable) -> None:
    """The uniform distribution, 0 log 0 = 0, the input unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    rows = [[0.25, 0.25, 0.25, 0.25], [0.9, 0.1, 0.0, 0.0], [0.5, 0.0, 0.5, 0.0]]
    P = np.array(rows)
    H = np.array([1.38629436112, 0.325082973391, 0.69314718056])     # ln 4, −(0.9 ln 0.9 + 0.1 ln 0.1), ln 2
    check_close("entropy(P)", entropy(P), H, tol=1e-9, wrong=[
        (H / np.log(2), "это биты (log2); в курсе натуральный логарифм: max H = ln K."),
        (-H, "перевёрнут знак: H = −Σ p log p."),
        ([H[0], np.nan, np.nan], "0 · log 0 дал NaN: по определению 0 log 0 = 0, нулевые вероятности "
                                 "дают слагаемое 0."),
        (H / 4, "среднее по классам вместо суммы: H = −Σ p log p (сумма по строке)."),
        (np.float32(H), FLOAT32_HINT),
    ])
    check_close("P после вызова entropy", P, rows, tol=0,
                hint="функция изменила входной массив (например, P[P == 0] = 1): замените нули в копии "
                     "или через np.where.")


def check_softmax_t_cross_entropy(softmax_t_cross_entropy: Callable) -> None:
    """The loss and dZ at T = 0.5 and T = 4 on a 3×4 batch, the inputs unchanged; T = 0.05 on
    logits about 50 (z / T about 1000)."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    z_rows = [[1.0, -0.5, 2.0, 0.0], [0.3, 1.2, -1.0, 2.2], [-1.5, 0.5, 0.0, 1.0]]
    t_rows = [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]
    Z, t, M = np.array(z_rows), np.array(t_rows), 3
    expected = {
        0.5: (3.56956939418, np.array([[0.0777528331738, -0.662795581046, 0.574520046172, 0.0105227017],
                                       [0.0128637782745, 0.0778213236211, 0.000955438841803, -0.0916405407374],
                                       [-0.663691762386, 0.16242427026, 0.0597525497761, 0.441514942349]])),
        4.0: (1.51039525893, np.array([[0.022221537926, -0.0680607085586, 0.0285330194948, 0.0173061511378],
                                       [0.01818367913, 0.0227718344385, 0.0131382055613, -0.0540937191298],
                                       [-0.0693792291075, 0.0230064284507, 0.0203031018473, 0.0260696988095]])),
    }
    for T, (loss_expected, dZ_expected) in expected.items():
        loss, dZ = softmax_t_cross_entropy(Z, t, T)
        check_close(f"loss при T = {T}", loss, loss_expected, tol=1e-9, wrong=[
            (2.20843817038, "в softmax не подставлена температура: y_T = softmax(z / T)."),
            (M * loss_expected, "потери не усреднены по пакету: разделите на число примеров M = 3."),
            (np.float32(loss_expected), FLOAT32_HINT),
        ])
        check_close(f"dZ при T = {T}", dZ, dZ_expected, tol=1e-9, wrong=[
            (T * dZ_expected, "пропущен множитель из ∂s/∂z: логиты входят в softmax как s = z / T, и цепное "
                              "правило добавляет производную s по z."),
            (M * dZ_expected, "потери усредняются по пакету: градиент делится ещё и на число примеров M = 3."),
            (T * T * dZ_expected, "градиент умножен на T вместо деления: ∂s/∂z для s = z / T. (Множитель T² при "
                                  "дистилляции домножает потери, а не входит в производную.)"),
            (np.float32(dZ_expected), FLOAT32_HINT),
        ])
        check_close("Z и t после вызова", np.concatenate([Z, t]), z_rows + t_rows, tol=0,
                    hint="функция изменила входной массив на месте (Z /= T, Z -= ...): результаты "
                         "запишите в новые массивы.")
    loss_big, dZ_big = softmax_t_cross_entropy(np.array([[50.0, 0.0, 48.0, 49.0], [1.0, 2.0, 3.0, 4.0]]),
                                               np.array([[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]]), 0.05)
    check_close("потери при T = 0.05 на логитах [[50, 0, 48, 49], [1, 2, 3, 4]]", loss_big, 530.000000002,
                tol=1e-9, wrong=[
        (np.inf, "потери = inf: вероятность правильного класса e^(−1000) в float64 равна 0, а log 0 = −inf; "
                 "считайте log softmax как s − LSE(s), не беря логарифм от вероятности."),
        (np.nan, "потери = NaN: softmax без вычитания максимума (exp(1000) = inf, inf / inf = NaN) или "
                 "максимум, общий для всего пакета; вычитайте максимум каждой строки s = z / T."),
    ])
    check_close("dZ при T = 0.05 на логитах [[50, 0, 48, 49], [1, 2, 3, 4]]", dZ_big,
                [[9.99999997939, -10.0, 4.24835424654e-17, 2.06115361819e-08],
                 [-10.0, 4.24835424654e-17, 2.06115361819e-08, 9.99999997939]], tol=1e-9)


# --- notebook 03 (neuron): the linear classifier, logistic regression, σ', a hidden layer -------
# Inputs and expected values are written here; the wrong values are what the typical mistakes
# return on these inputs (computed by running them once).

_X03 = [[1.0, 2.0], [-1.0, 0.5], [3.0, -2.0], [0.0, 0.0]]
_W03 = [0.5, 2.0, -1.0]


def _unchanged(name: str, arrays, rows) -> None:
    __tracebackhide__ = True  # IPython and pytest skip this frame
    check_close(f"{name} после вызова", np.concatenate([np.ravel(a) for a in arrays]),
                np.concatenate([np.ravel(r) for r in rows]), tol=0,
                hint="функция изменила входной массив на месте: результат запишите в новый массив.")


def check_decision_function(decision_function: Callable) -> None:
    """d(x) for four points and w = [0.5, 2, −1], the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    X, w = np.array(_X03), np.array(_W03)
    check_close("decision_function(X, [0.5, 2, −1])", decision_function(X, w), [0.5, -2.0, 8.5, 0.5],
                tol=1e-12, wrong=[
        ([0.0, -2.5, 8.0, 0.0], "забыт свободный член w0: без него линия d(x) = 0 всегда проходит через "
                                "начало координат."),
        ([3.5, -0.5, -3.5, -1.0], "свободный член взят последним: w[0] — это w0, а признаки умножаются на "
                                  "w[1], w[2], …"),
    ], hint="d — по одному числу на точку (строку X): форма (M,).")
    _unchanged("X и w", [X, w], [_X03, _W03])


def check_logistic(logistic: Callable) -> None:
    """a(x) = σ(d(x)) for four points and for two points far from the line (d = 800.5 and
    d = −799.5), the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    X, w = np.array(_X03), np.array(_W03)
    a = [0.622459331202, 0.119202922022, 0.999796573022, 0.622459331202]
    check_close("logistic(X, [0.5, 2, −1])", logistic(X, w), a, tol=1e-9, wrong=[
        ([0.377540668798, 0.880797077978, 0.000203426978, 0.377540668798],
         "знак в экспоненте перевёрнут: получилась вероятность класса 0, а a(x) — вероятность класса 1 "
         "(чем больше d, тем ближе a к 1)."),
        ([0.5, 0.075858180021, 0.99966464987, 0.5], "забыт свободный член w0 в d(x)."),
        (np.float32(a), FLOAT32_HINT),
    ])
    _unchanged("X и w", [X, w], [_X03, _W03])
    far = logistic(np.array([[400.0, 0.0], [-400.0, 0.0]]), w)
    check_close("logistic в точках [400, 0] и [−400, 0] (d = 800.5 и −799.5)", far, [1.0, 0.0], tol=1e-9, wrong=[
        ([np.nan, 0.0], "e^d / (1 + e^d) даёт inf / inf = NaN, когда e^d переполняется (d > 709): для "
                        "больших d запишите σ так, чтобы экспонента не росла."),
        ([0.0, 1.0], "знак в экспоненте перевёрнут: чем больше d, тем ближе a к 1."),
    ])


def check_sigmoid_backward(sigmoid_backward: Callable) -> None:
    """dz from the stored activation a: a vector and a 2×2 array, the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    da, a = np.array([1.0, -2.0, 0.5, 3.0]), np.array([0.5, 0.9, 0.2, 0.99])
    check_close("sigmoid_backward(da, a)", sigmoid_backward(da, a), [0.25, -0.18, 0.08, 0.0297], tol=1e-12, wrong=[
        ([0.235003712202, -0.411000614685, 0.123758286356, 0.592556171501],
         "σ'(z) = σ(z)(1 − σ(z)) применена к a, а a уже равно σ(z): производную нужно выразить через "
         "сохранённую активацию a, не вычисляя σ ещё раз."),
        ([0.25, 0.09, 0.16, 0.0099], "не умножено на приходящий градиент da: по цепному правилу "
                                     "dz = da · ∂a/∂z."),
    ])
    _unchanged("da и a", [da, a], [[1.0, -2.0, 0.5, 3.0], [0.5, 0.9, 0.2, 0.99]])
    da2, a2 = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[0.3, 0.6], [0.95, 0.1]])
    check_close("sigmoid_backward(da, a) для массивов 2×2", sigmoid_backward(da2, a2),
                [[0.21, -0.24], [0.02375, 0.18]], tol=1e-12,
                hint="всё поэлементно: форма dz — форма a.")


_X03_LOSS = [[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0], [0.5, 0.5], [-1.5, -1.0]]
_Y03_LOSS = [1.0, 0.0, 1.0, 0.0, 0.0]
_W03_LOSS = [0.5, 1.5, -1.0]


def check_logistic_loss(logistic_loss: Callable) -> None:
    """The mean log loss of five points with labels in {0, 1}, the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    X, y, w = np.array(_X03_LOSS), np.array(_Y03_LOSS), np.array(_W03_LOSS)
    L = 0.485870043124
    check_close("logistic_loss(X, y, w)", logistic_loss(X, y, w), L, tol=1e-9, wrong=[
        (5 * L, "потери не усреднены: разделите сумму по примерам на их число M = 5."),
        (-L, "перевёрнут знак: логарифм вероятности ≤ 0, а потери должны быть ≥ 0."),
        (0.556727293418, "перепутано соглашение о метках: формула log(1 + e^(−y·d)) — для меток ±1, а "
                         "здесь y ∈ {0, 1}; у примера с y = 0 она всегда даёт log 2."),
        (1.685870043124, "классы перепутаны: при y = 1 в потери входит log a (a — вероятность класса 1), "
                         "при y = 0 — log(1 − a)."),
        (np.float32(L), FLOAT32_HINT),
    ])
    _unchanged("X, y и w", [X, y, w], [_X03_LOSS, _Y03_LOSS, _W03_LOSS])


def check_logistic_loss_grad(logistic_loss_grad: Callable) -> None:
    """∂L/∂w on the five points of check_logistic_loss, the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    X, y, w = np.array(_X03_LOSS), np.array(_Y03_LOSS), np.array(_W03_LOSS)
    dw = np.array([0.134287716235, -0.169208402143, -0.175806449341])
    check_close("logistic_loss_grad(X, y, w)", logistic_loss_grad(X, y, w), dw, tol=1e-9, wrong=[
        (5 * dw, "потери — среднее по примерам, значит и градиент делится на M = 5."),
        (-dw, "перевёрнут знак: градиент указывает направление роста потерь."),
        ([0.023996745352, -0.036662021346, -0.046437417934],
         "лишний множитель a(1 − a): в произведении ∂L/∂a · ∂a/∂d он уже сократился со знаменателем "
         "∂L/∂a — второй раз его умножать не нужно."),
        ([-0.102197388526, -0.104394777052, -0.197802611474],
         "перепутано соглашение о метках: градиент записан для меток ±1, а здесь y ∈ {0, 1} — примеры "
         "класса 0 в нём ничего не дают."),
        (np.float32(dw), FLOAT32_HINT),
    ], hint="dw[0] — производная по свободному члену w0 (у него «признак» 1), dw[1] и dw[2] — по w1 и w2.")
    _unchanged("X, y и w", [X, y, w], [_X03_LOSS, _Y03_LOSS, _W03_LOSS])


def check_hidden_features(hidden_features: Callable) -> None:
    """Three sigmoid neurons on four points (W of shape (2, 3)), the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    x_rows, w_rows, b_row = [[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0], [0.0, 0.0]], \
        [[1.0, -2.0, 0.5], [0.5, 1.0, -1.5]], [0.5, -1.0, 2.0]
    X, W, b = np.array(x_rows), np.array(w_rows), np.array(b_row)
    Z = [[0.924141819979, 0.26894142137, 0.377540668798], [0.437823499114, 0.817574476194, 0.679178699175],
         [0.880797077978, 0.002472623157, 0.989013057369], [0.622459331202, 0.26894142137, 0.880797077978]]
    check_close("hidden_features(X, W, b)", hidden_features(X, W, b), Z, tol=1e-9, wrong=[
        ([[2.5, -1.0, -0.5], [-0.25, 1.5, 0.75], [2.0, -6.0, 4.5], [0.5, -1.0, 2.0]],
         "нет сигмоиды: признаки z_i — это σ от линейной функции, без неё слой линеен."),
        ([[0.880797077978, 0.5, 0.075858180021], [0.320821300825, 0.924141819979, 0.222700138825],
          [0.817574476194, 0.006692850924, 0.924141819979], [0.5, 0.5, 0.5]],
         "забыт свободный член b (w_{0,i} каждой линии)."),
        (1 - np.array(Z), "знак в экспоненте перевёрнут: σ(z) = 1 / (1 + e^(−z))."),
        (np.float32(Z), FLOAT32_HINT),
    ], hint="строка i результата — признаки точки X[i], столбец k — k-я линия (столбец W[:, k] и b[k]).")
    _unchanged("X, W и b", [X, W, b], [x_rows, w_rows, b_row])


def check_collapse_linear(collapse_linear: Callable) -> None:
    """Two linear layers 2 → 3 → 2 collapsed into one, the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    rows = ([[1.0, -2.0, 0.5], [0.5, 1.0, -1.5]], [0.5, -1.0, 2.0], [[2.0, 0.5], [-1.0, 1.0], [0.5, -2.0]],
            [-0.25, 1.0])
    W1, b1, W2, b2 = (np.array(r) for r in rows)
    got = collapse_linear(W1, b1, W2, b2)
    if not (isinstance(got, tuple) and len(got) == 2):
        _fail(f"collapse_linear: ожидалась пара (W, b), получено {type(got).__name__}.", "return W, b")
    W, b = got
    check_close("W", W, [[4.25, -2.5], [-0.75, 4.25]], tol=1e-12,
                hint="форма W — (n_in, n_out), как у слоя X W + b: здесь (2, 2).")
    check_close("b", b, [2.75, -3.75], tol=1e-12, wrong=[
        ([-0.25, 1.0], "потерян свободный член первого слоя: b1 проходит через второй слой вместе с X W1."),
        ([3.0, -4.75], "потерян свободный член второго слоя b2."),
    ], hint="подставьте z = X W1 + b1 во второй слой и раскройте скобки.")
    _unchanged("W1, b1, W2 и b2", [W1, b1, W2, b2], rows)


# --- notebook 04: the 2-2-2 network by hand --------------------------------------------------
# Inputs are the published worked example (inputs 0.05, 0.10; targets 0.01, 0.99; w1 … w8 =
# 0.15 … 0.55; b1 = 0.35, b2 = 0.60) and the values of its forward pass; the expected numbers
# are those of the published example, written with 12 significant digits; the wrong ones are
# what each typical mistake returns on these inputs.

NET_W = (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)
NET_CASE = {"i1": 0.05, "i2": 0.10, "t1": 0.01, "t2": 0.99, "b1": 0.35, "b2": 0.60}
NET_O = {"o1": 0.7513650695523157, "o2": 0.7729284653214625}
NET_H = {"h1": 0.5932699921071872, "h2": 0.596884378259767}
NET_DELTA_O = {"delta_o1": 0.13849856162855695, "delta_o2": -0.038098236516556236}
NET_DELTA_H = {"delta_h1": 0.00877135468948693, "delta_h2": 0.009954254705217196}
SIGMOID_TWICE = ("производная сигмоиды посчитана от активации, как будто это вход нейрона (сигмоида "
                 "применена второй раз); выражайте её через сохранённую активацию (слайд «Храним активации»).")
FLIPPED_GRAD = "перевёрнут знак: нужен сам градиент ∂E/∂w, минус появится только в шаге спуска."


def _count_numbers(n: int) -> str:
    return f"{n} " + ("число" if n % 10 == 1 and n % 100 != 11 else
                      "числа" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "чисел")


def _check_quantities(call: str, got, names, expected, *, wrong=(), tol: float = 1e-9) -> None:
    """``got`` must be ``len(names)`` numbers equal to ``expected`` (rel_error <= tol each);
    a known wrong tuple is named by its hint, otherwise the first wrong quantity by its name."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    listed = ", ".join(names)
    if got is None:
        _fail(f"{call}: функция вернула None.", "пропущен `return`?")
    if not isinstance(got, (tuple, list, np.ndarray)) or np.ndim(got) != 1 or len(got) != len(names):
        kind = f"{type(got).__name__} формы {np.shape(got)}" if np.ndim(got) else type(got).__name__
        _fail(f"{call}: ожидалось {_count_numbers(len(names))} ({listed}), получено {kind}.",
              f"верните их вместе, в этом порядке: return {listed}")
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        _fail(f"{call}: среди результатов есть не число.", f"верните числа {listed}.")
    expected = np.asarray(expected, dtype=np.float64)
    if _same(arr, expected, tol):
        ok(f"{call}: {listed} — верно")
        return
    for value, hint in wrong:
        if _same(arr, np.asarray(value, dtype=np.float64), max(tol, 1e-6)):
            _fail(f"{call}: неверные значения.", hint)
    check_finite(call, arr)
    if np.allclose(np.sort(arr), np.sort(expected), rtol=1e-9, atol=0):
        _fail(f"{call}: значения верные, но стоят не на своих местах.", f"порядок результатов: {listed}.")
    for k, name in enumerate(names):
        err = rel_error(arr[k], expected[k])
        if err > tol:
            hint = "знак перевёрнут." if np.isclose(arr[k], -expected[k], rtol=1e-6, atol=0) else None
            _fail(f"{call}: {name} неверно: получено {arr[k]:.9g}, относительная ошибка {err:.1e}.", hint)


# 04_network_by_hand
def check_forward_222(forward_222: Callable) -> None:
    """The published forward pass: h1, h2, o1, o2 and E_total; w unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    w = np.array(NET_W)
    got = forward_222(w, **NET_CASE)
    _check_quantities("forward_222(опубликованный пример)", got, ("h1", "h2", "o1", "o2", "E_total"),
                      [0.593269992107, 0.59688437826, 0.751365069552, 0.772928465321, 0.29837110876], wrong=[
        ([0.651922378893, 0.655318370174, 0.712111698911, 0.738152137294, 0.278194091848],
         "смещения слоёв перепутаны: b1 — смещение скрытого слоя, b2 — выходного."),
        ([0.3775, 0.3925, 0.716593201168, 0.731966936489, 0.282927506901],
         "вместо h1 и h2 взяты net_h1 и net_h2: сигмоида скрытого слоя пропущена."),
        ([0.594475930748, 0.596282699297, 0.75693191544, 0.767717879807, 0.30365831363],
         "веса связей перепутаны: у каждого нейрона свои два входящих веса — сверьтесь со схемой сети."),
        ([0.593269992107, 0.59688437826, 0.751365069552, 0.772928465321, 0.59674221752],
         "в E_total нет множителя ½ (в лекции ошибка каждого выхода — половина квадрата разности)."),
    ])
    if not np.array_equal(w, NET_W):
        _fail("forward_222 изменил массив весов w: прямой проход веса только читает.")


def check_output_deltas(output_deltas: Callable) -> None:
    """δ of the output neurons of the published example."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    got = output_deltas(NET_O["o1"], NET_O["o2"], NET_CASE["t1"], NET_CASE["t2"])
    _check_quantities("output_deltas(o1, o2, t1, t2)", got, ("delta_o1", "delta_o2"),
                      [0.138498561629, -0.0380982365166], wrong=[
        ([0.741365069552, -0.217071534679], "забыта производная сигмоиды f': δ — производная E по net_o "
                                            "(входу нейрона), а не по его выходу o."),
        ([-0.138498561629, 0.0380982365166], "перевёрнут знак: проверьте знак ∂E/∂o при дифференцировании "
                                             "½ (t − o)² по o."),
        ([0.161460668527, -0.0469063996581], SIGMOID_TWICE),
    ])


def check_output_grads(output_grads: Callable) -> None:
    """∂E/∂w5 … ∂E/∂w8 of the published example."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    got = output_grads(NET_DELTA_O["delta_o1"], NET_DELTA_O["delta_o2"], NET_H["h1"], NET_H["h2"])
    _check_quantities("output_grads(delta_o1, delta_o2, h1, h2)", got, ("dE/dw5", "dE/dw6", "dE/dw7", "dE/dw8"),
                      [0.0821670405642, 0.0826676278475, -0.0226025404775, -0.022740242216], wrong=[
        ([0.0821670405642, -0.0226025404775, 0.0826676278475, -0.022740242216],
         "перепутаны связи: w6 соединяет h2 с o1, а w7 — h1 с o2 (посмотрите на схему сети)."),
        ([-0.0821670405642, -0.0826676278475, 0.0226025404775, 0.022740242216], FLIPPED_GRAD),
        ([0.0198269651094, 0.0198909404323, -0.00545400903275, -0.00547160738866],
         "лишний множитель h(1 − h): производная сигмоиды выходного нейрона уже внутри δ, а net_o от "
         "веса зависит линейно."),
    ])


def check_hidden_deltas(hidden_deltas: Callable) -> None:
    """δ of the hidden neurons of the published example."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    w5, w6, w7, w8 = NET_W[4:]
    got = hidden_deltas(NET_DELTA_O["delta_o1"], NET_DELTA_O["delta_o2"], NET_H["h1"], NET_H["h2"], w5, w6, w7, w8)
    _check_quantities("hidden_deltas(…, w5, w6, w7, w8)", got, ("delta_h1", "delta_h2"),
                      [0.00877135468949, 0.00995425470522], wrong=[
        ([0.0133679204229, 0.0149960754889], "учтён только путь через o1: скрытый нейрон влияет на E_total "
                                             "через оба выходных нейрона, и вклады двух путей складываются "
                                             "(слайд «Градиент скрытого слоя»)."),
        ([0.0363503063931, 0.0413703226487], "забыта производная сигмоиды скрытого нейрона: δ_h — "
                                             "производная по net_h, а не по h."),
        ([0.00923101126283, 0.0116204853151], "веса путей перепутаны: путь от h1 к o2 идёт по весу, который "
                                              "соединяет именно h1 и o2 (посмотрите на схему сети)."),
        ([0.00833261138829, 0.00947345121052], SIGMOID_TWICE),
    ])


def check_hidden_grads(hidden_grads: Callable) -> None:
    """∂E/∂w1 … ∂E/∂w4 of the published example."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    got = hidden_grads(NET_DELTA_H["delta_h1"], NET_DELTA_H["delta_h2"], NET_CASE["i1"], NET_CASE["i2"])
    _check_quantities("hidden_grads(delta_h1, delta_h2, i1, i2)", got, ("dE/dw1", "dE/dw2", "dE/dw3", "dE/dw4"),
                      [0.000438567734474, 0.000877135468949, 0.000497712735261, 0.000995425470522], wrong=[
        ([0.000438567734474, 0.000497712735261, 0.000877135468949, 0.000995425470522],
         "перепутаны связи: w2 соединяет i2 с h1, а w3 — i1 с h2 (посмотрите на схему сети)."),
        ([0.000877135468949, 0.000438567734474, 0.000995425470522, 0.000497712735261],
         "входы перепутаны: w1 и w3 выходят из i1, w2 и w4 — из i2."),
        ([-0.000438567734474, -0.000877135468949, -0.000497712735261, -0.000995425470522], FLIPPED_GRAD),
    ])


def check_update_step(update_step: Callable) -> None:
    """One step of the published example with lr = 0.5: the published new w1 … w8; w unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    w = np.array(NET_W)
    got = update_step(w, **NET_CASE, lr=0.5)
    if not np.array_equal(w, NET_W):
        _fail("update_step изменил массив w на месте: запишите новые веса в новый массив или кортеж "
              "(иначе у вызывающего кода пропадут веса до шага).")
    _check_quantities("update_step(опубликованный пример, lr=0.5)", got, tuple(f"w{k}" for k in range(1, 9)),
                      [0.149780716133, 0.199561432266, 0.249751143632, 0.299502287265,
                       0.358916479718, 0.408666186076, 0.511301270239, 0.561370121108], wrong=[
        ([0.149817638561, 0.199635277122, 0.249788185198, 0.299576370396,
          0.358916479718, 0.408666186076, 0.511301270239, 0.561370121108],
         "w5…w8 обновлены раньше, чем посчитаны δ скрытых нейронов: все градиенты одного шага считаются "
         "по весам ДО шага."),
        ([0.150219283867, 0.200438567734, 0.250248856368, 0.300497712735,
          0.441083520282, 0.491333813924, 0.488698729761, 0.538629878892],
         "шаг сделан вверх по градиенту: ошибка от такого шага растёт."),
        ([0.149561432266, 0.199122864531, 0.249502287265, 0.299004574529,
          0.317832959436, 0.367332372152, 0.522602540477, 0.572740242216],
         "не учтена скорость обучения lr: шаг — градиент, умноженный на lr."),
        ([0.149665801989, 0.199331603979, 0.249625098113, 0.299250196226,
          0.358916479718, 0.408666186076, 0.511301270239, 0.561370121108],
         "в δ скрытых нейронов учтён только путь через o1: вклады обоих выходных нейронов складываются."),
    ])


def check_chain_grads(chain_grads: Callable) -> None:
    """The one-neuron chain C0 = (a − y)² at two points (a below y, a above y)."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    names = ("dC/dw", "dC/db", "dC/da_prev")
    for args, expected, no_two, no_fprime, swapped in [
        ((1.2, -0.3, 0.6, 1.0), [-0.11385957084, -0.189765951399, -0.227719141679],
         [-0.0569297854198, -0.0948829756997, -0.11385957084], [-0.475820100162, -0.793033500271, -0.951640200325],
         [-0.227719141679, -0.189765951399, -0.11385957084]),
        ((-0.7, 0.4, 0.9, 0.0), [0.196626595106, 0.218473994562, -0.152931796194],
         [0.098313297553, 0.109236997281, -0.0764658980968], [0.796953861723, 0.885504290803, -0.619853003562],
         [-0.152931796194, 0.218473994562, 0.196626595106]),
    ]:
        w, b, a_prev, y = args
        _check_quantities(f"chain_grads(w={w:g}, b={b:g}, a_prev={a_prev:g}, y={y:g})", chain_grads(*args), names,
                          expected, wrong=[
            (no_two, "потерян множитель 2: у 3Blue1Brown C0 = (a − y)² — без ½."),
            (no_fprime, "забыта производная сигмоиды ∂a^(L)/∂z^(L) — среднее звено цепочки."),
            (swapped, "∂C/∂w и ∂C/∂a^(L−1) перепутаны: в последнем звене цепочки у них стоят разные "
                      "множители — какой из них откуда?"),
            (-np.array(expected), "перевёрнут знак ∂C0/∂a^(L): C растёт, когда a удаляется от y."),
        ])


# --- notebook 06: the vector form, one example as a column (sigmoid network, z = W a + b) -----
# Fixed small numbers: a 3-2-1 network W1 = [[0.5, −1, 0.25], [−0.5, 0.75, 1]], b1 = [0.1, −0.2],
# W2 = [[1.5, −2]], b2 = [0.3], x = [1, 0.5, −1.5] (every matrix non-square, so a missing or an
# extra transpose cannot pass), and one hidden layer step with W of shape (3, 2).
# The wrong values are what the mistakes of autograde/hidden/column.py return on these inputs.

_NUMPY_SHAPE_ERROR = ("matmul", "could not be broadcast", "not aligned", "mismatch in its core dimension")


def _call_column(name: str, fn: Callable, args: tuple, hint: str):
    """Call the student's ``fn``; numpy's error for shapes that do not fit is reported with ``hint``
    (on the course's non-square matrices a missing or an extra transpose raises it)."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    try:
        return fn(*args)
    except ValueError as e:
        if any(s in str(e) for s in _NUMPY_SHAPE_ERROR):
            _fail(f"{name}: формы не согласованы (ValueError: {' '.join(str(e).split())[:160]}).", hint)
        raise


def _check_list(name: str, got, n: int, hint: str | None = None) -> None:
    __tracebackhide__ = True  # IPython and pytest skip this frame
    if not isinstance(got, (list, tuple)):
        _fail(f"{name}: ожидался список, получен {type(got).__name__}.", hint)
    if len(got) != n:
        from bpcourse.ru import count
        _fail(f"{name}: в списке {count(len(got), 'элемент', 'элемента', 'элементов')}, а должно быть {n}.", hint)


def _column_net():
    W1 = np.array([[0.5, -1.0, 0.25], [-0.5, 0.75, 1.0]])
    W2 = np.array([[1.5, -2.0]])
    b1, b2 = np.array([[0.1], [-0.2]]), np.array([[0.3]])
    return [W1, W2], [b1, b2], np.array([[1.0], [0.5], [-1.5]])


_COLUMN_NET_ROWS = [[0.5, -1.0, 0.25, -0.5, 0.75, 1.0, 1.5, -2.0], [0.1, -0.2, 0.3, 1.0, 0.5, -1.5]]


def check_column_forward(column_forward: Callable) -> None:
    """The 3-2-1 sigmoid network: z^(1), z^(2), a^(0) = x, a^(1), a^(2); the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    Ws, bs, x = _column_net()
    got = _call_column("column_forward", column_forward, (Ws, bs, x),
                       "лишнее транспонирование W: по соглашению курса W^(l) имеет форму (n_out, n_in) — "
                       "здесь W^(1) формы (2, 3), а x формы (3, 1).")
    if not (isinstance(got, tuple) and len(got) == 2):
        _fail("column_forward: ожидалась пара (zs, activations).", "верните два списка: сначала zs, затем activations.")
    zs, activations = got
    _check_list("zs", zs, 2, "по одному z^(l) на каждый из двух слоёв.")
    _check_list("activations", activations, 3, "в activations нет входа x = a^(0)? Список начинается с x и на "
                                               "один элемент длиннее zs.")
    a1, a2 = [[0.431680016522], [0.138834993547]], [[0.661469579319]]
    check_close("zs[0] = z^(1)", zs[0], [[-0.275], [-1.825]], tol=1e-9, wrong=[
        ([[-0.375], [-1.625]], "смещение b^(l) не прибавлено ко взвешенной сумме (уравнение 40)."),
        (a1, "в zs сохранены активации a = σ(z), а нужны входы нейронов z до сигмоиды."),
    ])
    check_close("zs[1] = z^(2)", zs[1], [[0.669850037688]], tol=1e-9, wrong=[
        (a2, "в zs сохранены активации a = σ(z), а нужны входы нейронов z до сигмоиды."),
    ])
    check_close("activations[0] = x", activations[0], [[1.0], [0.5], [-1.5]], tol=0,
                hint="первый элемент activations — сам вход x = a^(0).")
    check_close("activations[1] = a^(1)", activations[1], a1, tol=1e-9)
    check_close("activations[2] = a^(2)", activations[2], a2, tol=1e-9, wrong=[
        ([[0.669850037688]], "на последнем слое не применена сигмоида: в этой сети она стоит в каждом слое."),
    ])
    check_close("Ws, bs и x после вызова", np.concatenate([np.ravel(v) for v in (*Ws, *bs, x)]),
                sum(_COLUMN_NET_ROWS, []), tol=0,
                hint="функция изменила входной массив на месте: результаты запишите в новые массивы.")


def check_column_output_delta(column_output_delta: Callable) -> None:
    """z = [0.5, −1, 2], a = σ(z), t = [1, 0, 0.5]; the shape (3, 1), the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    z = np.array([[0.5], [-1.0], [2.0]])
    a = np.array([[0.622459331202], [0.268941421370], [0.880797077978]])
    t = np.array([[1.0], [0.0], [0.5]])
    expected = [[-0.088723458675], [0.052877092784], [0.039981250528]]
    check_close("column_output_delta(z, a, t)", column_output_delta(z, a, t), expected, tol=1e-9, wrong=[
        ([[-0.377540668798], [0.26894142137], [0.380797077978]],
         "забыт множитель f'(z^(L)): выход сети — сигмоида, и ∂E/∂z проходит ещё и через неё."),
        ([[-0.085802192275], [0.06603408792], [0.078884486874]],
         "производная сигмоиды взята в точке a, а не z: a уже равно σ(z), второй раз сигмоиду применять не нужно."),
        ([[-0.0943851672], [-0.53788284274], [-0.761594155956]],
         "выражение производной сигмоиды через активацию подставлено с z вместо a = σ(z)."),
        (-np.array(expected), "перевёрнут знак: ∂/∂a ½ (t − a)² = a − t, а не t − a."),
        (np.float32(expected), FLOAT32_HINT),
    ])
    check_close("z, a и t после вызова", np.concatenate([z, a, t]),
                [[0.5], [-1.0], [2.0], [0.622459331202], [0.26894142137], [0.880797077978], [1.0], [0.0], [0.5]],
                tol=0, hint="функция изменила входной массив на месте: результат запишите в новый массив.")


_HIDDEN_STEP = ([[1.0, -2.0], [0.5, 0.25], [-1.5, 1.0]], [[0.2], [-0.4], [0.1]], [[0.5], [-1.0]],
                [[0.622459331202], [0.26894142137]])
_HIDDEN_EXPECTED = [[-0.03525055683], [-0.078644773297]]
_HIDDEN_WRONG = [
    ([[-0.15], [-0.4]], "забыт множитель f'(z^(l)) (поэлементно, ⊙): Wᵀ δ — это только ∂E/∂a^(l), до сигмоиды."),
    ([[-0.034089913763], [-0.098213339669]],
     "производная сигмоиды взята в точке a, а не z: a уже равно σ(z), второй раз сигмоиду применять не нужно."),
    ([[-0.0375], [0.8]], "выражение производной сигмоиды через активацию подставлено с z вместо a = σ(z)."),
    ([[0.03525055683], [0.078644773297]], "перевёрнут знак δ^(l): в рекурсии по слоям знак не меняется."),
    (np.float32(_HIDDEN_EXPECTED), FLOAT32_HINT),
]


def _check_hidden_step(name: str, fn: Callable, hint_shapes: str) -> None:
    __tracebackhide__ = True  # IPython and pytest skip this frame
    W_next, delta_next, z, a = (np.array(v) for v in _HIDDEN_STEP)
    got = _call_column(name, fn, (W_next, delta_next, z, a), hint_shapes)
    if np.shape(got) == (1, 2):
        _fail(f"{name}: неверная форма: ожидалась (2, 1), получена (1, 2).",
              "получена строка, а δ^(l) — столбец формы z^(l), (n_l, 1).")
    check_close(name, got, _HIDDEN_EXPECTED, tol=1e-9, wrong=_HIDDEN_WRONG)
    check_close("W_next, delta_next, z и a после вызова", np.concatenate([np.ravel(v) for v in (W_next, delta_next, z, a)]),
                np.concatenate([np.ravel(v) for v in _HIDDEN_STEP]), tol=0,
                hint="функция изменила входной массив на месте: результат запишите в новый массив.")


def check_column_hidden_delta(column_hidden_delta: Callable) -> None:
    """W^(l+1) of shape (3, 2), δ^(l+1) = [0.2, −0.4, 0.1], z^(l) = [0.5, −1], a^(l) = σ(z^(l));
    a missing transpose is named, the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    _check_hidden_step("column_hidden_delta(W_next, delta_next, z, a)", column_hidden_delta,
                       "пропущено транспонирование W^(l+1): ошибка идёт назад, из слоя l+1 (3 нейрона) в слой l "
                       "(2 нейрона), а W^(l+1) формы (3, 2) переводит векторы в обратную сторону.")


def check_column_hidden_delta_loops(column_hidden_delta_loops: Callable) -> None:
    """The step of :func:`check_column_hidden_delta`, for the version with loops."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    name = "column_hidden_delta_loops(W_next, delta_next, z, a)"
    try:
        _check_hidden_step(name, column_hidden_delta_loops,
                           "формы не сходятся: в циклах не должно быть умножения матриц — только отдельные "
                           "числа W_next[k, j], delta_next[k, 0], a[j, 0].")
    except IndexError as e:
        _fail(f"{name}: IndexError: {e}.",
              "перепутаны индексы веса: w_kj связывает нейрон j слоя l с нейроном k слоя l+1, то есть стоит в "
              "строке k и столбце j матрицы W^(l+1) формы (n_{l+1}, n_l) — это и есть транспонирование.")


def check_column_grads(column_grads: Callable) -> None:
    """δ^(1) = [0.1, −0.2], δ^(2) = [0.3] and the activations [1, 0.5, −1.5], [0.6, 0.25], [0.8]
    of a 3-2-1 network; ∇W of the shape of W, ∇b columns, the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    delta_rows, act_rows = [[0.1, -0.2], [0.3]], [[1.0, 0.5, -1.5], [0.6, 0.25], [0.8]]
    deltas = [np.array(r)[:, None] for r in delta_rows]
    activations = [np.array(r)[:, None] for r in act_rows]
    got = _call_column("column_grads", column_grads, (deltas, activations),
                       "пропущено транспонирование a^(l−1): столбец δ^(l) (2, 1) на столбец a^(l−1) (3, 1) "
                       "матрично не умножается — нужна матрица формы W^(l), (2, 3).")
    if not (isinstance(got, tuple) and len(got) == 2):
        _fail("column_grads: ожидалась пара (dWs, dbs).", "верните два списка: сначала dWs, затем dbs.")
    dWs, dbs = got
    _check_list("dWs", dWs, 2, "по одной матрице ∇W^(l) на каждый слой (их столько же, сколько δ).")
    _check_list("dbs", dbs, 2, "по одному ∇b^(l) на каждый слой (их столько же, сколько δ).")
    for l, (shape, nxt) in enumerate([((2, 3), (2, 2)), ((1, 2), (1, 1))], start=1):
        got_shape = np.shape(dWs[l - 1])
        if got_shape == shape[::-1]:
            _fail(f"dWs[{l - 1}] = ∇W^({l}): форма {got_shape}, а должна быть {shape}.",
                  f"∇W транспонирована: ∇W^({l}) имеет форму W^({l}), {shape}.")
        if got_shape == nxt and nxt != shape:
            _fail(f"dWs[{l - 1}] = ∇W^({l}): форма {got_shape}, а должна быть {shape}.",
                  "взята активация не того слоя: вес W^(l) умножает выход предыдущего слоя a^(l−1), а "
                  "activations[0] — это вход x = a^(0).")
    expected_W = [[[0.1, 0.05, -0.15], [-0.2, -0.1, 0.3]], [[0.18, 0.075]]]
    for l in range(2):
        check_close(f"dWs[{l}] = ∇W^({l + 1})", dWs[l], expected_W[l], tol=1e-12, wrong=[
            (-np.array(expected_W[l]), "перевёрнут знак: δ = ∂E/∂z уже несёт знак, ∇W его не меняет."),
            (np.float32(expected_W[l]), FLOAT32_HINT),
        ])
    for l in range(2):
        if np.shape(dbs[l]) == (len(delta_rows[l]),):
            _fail(f"dbs[{l}] = ∇b^({l + 1}): форма {np.shape(dbs[l])}, а должна быть ({len(delta_rows[l])}, 1).",
                  "у ∇b неверная форма: градиент имеет форму самого b^(l) — столбец (n_l, 1).")
        check_close(f"dbs[{l}] = ∇b^({l + 1})", dbs[l], np.array(delta_rows[l])[:, None], tol=1e-12, wrong=[
            (-np.array(delta_rows[l])[:, None], "перевёрнут знак: δ = ∂E/∂z уже несёт знак, ∇b его не меняет."),
        ])
    check_close("deltas и activations после вызова", np.concatenate([np.ravel(v) for v in (*deltas, *activations)]),
                sum(delta_rows + act_rows, []), tol=0,
                hint="функция изменила входной массив на месте: результаты запишите в новые массивы.")


# --- notebook 02: one operation's _backward, and backward(), each alone on the student's Value ---
# (the probes that run them are bpcourse.engine_probe's; these compare and explain in Russian)

_NODE = {"add": "{a} + {b}", "mul": "{a}·{b}", "pow": "{a}**{k}", "exp": "exp({a})", "log": "log({a})",
         "sigmoid": "σ({a})", "relu": "relu({a})"}


def node_name(op: str, same: bool = False, k=None) -> str:
    """How a check names the node: "a·b", "a + a", "a**3", "σ(a)"."""
    k_text = f"{k:g}" if isinstance(k, (int, float)) else str(k)
    return _NODE[op].format(a="a", b="a" if same else "b", k=k_text)


def _engine_forward(Value, op, x, y, k, same):
    a = Value(x)
    out = apply(op, a, a if same else (Value(y) if op in BINARY else None), k)
    return _number(out.data, "out.data")


def _central_difference(f, x):
    return (f(x + H) - f(x - H)) / (2 * H)


def check_local_backward(Value, op: str, x: float, y: float | None = None, *, k=None, same: bool = False,
                         a_grad: float = 0.3, b_grad: float = -0.4, out_grad: float = 1.7,
                         local: float | None = None) -> None:
    """Visible check of one operation's ``_backward``, alone.

    Builds ``out`` from ``a = Value(x)`` (and ``b = Value(y)``, or ``b`` = ``a`` itself when
    ``same``) with the student's operator, pre-sets ``a.grad``, ``b.grad`` and ``out.grad``,
    calls ``out._backward()`` once and compares what was added to each input's ``.grad`` with
    (∂out/∂input)·out.grad, the partial derivative taken by central differences of the same
    operation's forward pass — or ``local``, a number written into the check where the forward
    pass has a kink and a numerical derivative cannot decide (ReLU at 0; unary operations only).
    Raises :class:`CheckError` naming the input and the mistake.
    """
    __tracebackhide__ = True  # IPython and pytest skip this frame
    node = node_name(op, same, k)
    y_arg = None if same else y
    try:
        got = run_operation(Value, op, x, y_arg, k, a_grad, b_grad, out_grad)
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001 - the student's bug, shown as it is
        _fail(f"узел {node}: _backward поднял {type(e).__name__}: {e}")
    inputs = [("a", x, a_grad)]
    if op in BINARY and not same:
        inputs.append(("b", y, b_grad))
    for pos, (name, _, before) in enumerate(inputs, start=1):
        if local is not None and op in UNARY:
            d = float(local)
        elif op in BINARY and not same:
            f = (lambda t: _engine_forward(Value, op, t, y, k, False)) if name == "a" else \
                (lambda t: _engine_forward(Value, op, x, t, k, False))
            d = _central_difference(f, x if name == "a" else y)
        else:
            d = _central_difference(lambda t: _engine_forward(Value, op, t, t, k, same), x)
        _compare(name, node, got[pos], before, d, out_grad, half=d / 2 if same else None)
    ok(f"узел {node}: вклад в градиент " + (" и ".join(f"{n}" for n, _, _ in inputs)) + " добавлен верно")


def _compare(name: str, node: str, got: float, before: float, local: float, out_grad: float,
             half: float | None) -> None:
    __tracebackhide__ = True  # IPython and pytest skip this frame
    what = f"∂L/∂{name} в узле {node}"
    if not math.isfinite(got):
        _fail(f"{what}: NaN или inf.", "деление на ноль или переполнение exp?")
    expected = before + local * out_grad
    if _near(got, expected):
        return
    added = got - before
    if _near(got, local * out_grad) or (half is not None and _near(got, half * out_grad)):
        _fail(f"{what}: градиент присвоен, а не добавлен (= вместо +=).",
              "если узел используется несколько раз, его градиент — сумма вкладов; `=` стирает прежние.")
    if _near(added, 0.0):
        _fail(f"{what}: градиент этого входа не изменился — вклад не добавлен.")
    if _near(added, local):
        _fail(f"{what}: локальная производная не умножена на out.grad (цепное правило).")
    if _near(added, -local * out_grad):
        _fail(f"{what}: знак вклада перевёрнут.")
    if half is not None and _near(added, half * out_grad):
        _fail(f"{what}: учтён вклад только одной стороны — a стоит с обеих сторон, и каждая добавляет свой "
              "вклад.")
    err = abs(added - local * out_grad) / max(1e-8, abs(added) + abs(local * out_grad))
    _fail(f"{what}: добавлен неверный вклад — он не равен (∂out/∂{name})·out.grad, где частная производная "
          f"взята численно по прямому проходу этой операции (относительная ошибка {err:.1e}).",
          "сверьте локальную производную операции с лекцией.")


def _near(a: float, b: float, tol: float = 1e-6) -> bool:
    return abs(a - b) <= tol * max(1e-8, abs(a) + abs(b)) or abs(a - b) <= 1e-12


#: the visible DAG of :func:`check_backward`: labels and inputs (by label); the last is the output
VISIBLE_GRAPH = [("x", ()), ("y", ()), ("c", ("x", "y")), ("a", ("c", "y")), ("p", ("a", "c")),
                 ("e", ("y", "y")), ("d", ("e", "x")), ("q", ("e", "d")), ("s", ("p", "q")),
                 ("out", ("s", "s"))]


def _visible_spec():
    index = {name: i for i, (name, _) in enumerate(VISIBLE_GRAPH)}
    return "|".join(" ".join(str(index[c]) for c in ch) for _, ch in VISIBLE_GRAPH)


def check_backward(Value) -> None:
    """Visible check of ``backward()`` alone, on :data:`VISIBLE_GRAPH` built with the student's
    ``Value(data, _children, _op)`` and recorder ``_backward`` functions (no operation of the
    student's runs). Raises :class:`CheckError` naming the node and the mistake."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    spec = _visible_spec()
    n = len(VISIBLE_GRAPH)
    names = [name for name, _ in VISIBLE_GRAPH]
    edges = sum(len(ch) for _, ch in VISIBLE_GRAPH)
    data = np.linspace(-1.0, 1.3, n)
    grads = np.array([0.7, -1.1, 0.4, 2.3, -0.6, 1.9, -0.8, 0.5, 1.2, -1.6])
    weights = np.array([0.5, -1.5, 2.0, 0.75, -0.5, 1.25, 1.5, -2.0, 0.8, -1.2, 1.1, 0.6, -0.9, 1.3, 0.7, -0.4])
    try:
        t = run_backward(Value, spec, data, grads, weights)
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001 - the student's bug, shown as it is
        _fail(f"backward(): поднята ошибка {type(e).__name__}: {e}")
    where = "граф проверки: " + ", ".join(f"{nm} ← ({', '.join(ch)})" for nm, ch in VISIBLE_GRAPH if ch)
    for i in t.not_once():
        if t.calls[i] == 0:
            _fail(f"backward(): _backward узла «{names[i]}» не вызван ни разу.\n{where}",
                  "обход должен дойти до каждого узла, от которого зависит выход.")
        _fail(f"backward(): _backward узла «{names[i]}» вызван {t.calls[i]} {_times(t.calls[i])}; нужно ровно "
              f"один раз.\n{where}",
              "в списке для обхода каждый узел должен встречаться один раз: запоминайте посещённые узлы.")
    early = t.too_early()
    if early:
        i, u = early[0]
        _fail(f"backward(): порядок обхода не обратный топологический: узел «{names[i]}» обработан раньше, "
              f"чем все узлы, которые его используют (раньше «{names[u]}»).\n{where}",
              "узел передаёт градиент дальше только после того, как собрал вклады от всех своих "
              "потребителей." + ("" if t.output_first() else " Обход идёт от входов к выходу, а нужно "
                                                             "от выхода к входам."))
    if not t.seeded():
        _fail("backward(): градиент выхода не равен 1 в начале обратного прохода (∂out/∂out = 1).")
    unclean = t.unclean()
    if unclean:
        i = unclean[0]
        if i in t.leftover():
            _fail(f"backward(): градиенты не обнулены перед обратным проходом: в узле «{names[i]}» к сумме "
                  "вкладов прибавился старый градиент.",
                  "повторный вызов backward() (или градиент, оставшийся от другого графа) не должен "
                  "менять результат.")
        _fail(f"backward(): градиент узла «{names[i]}» после обхода не равен сумме вкладов, пришедших от "
              "узлов, которые его используют: он перезаписан или обнулён посреди обхода?")
    if t.returned != edges:
        if t.returned == -1.0:
            _fail("backward() ничего не вернул (или вернул не число): верните число посещённых рёбер.")
        hint = "посчитаны узлы, а нужно рёбра." if t.returned == n else None
        _fail(f"backward() вернул {t.returned:g} — это не число рёбер графа (сумма len(v._prev) по всем "
              f"узлам, каждый узел — один раз).", hint)
    ok(f"backward(): каждый из {len(t.internal)} узлов с входами обработан один раз, после всех узлов, которые "
       f"его используют; градиенты обнулены, ∂out/∂out = 1; рёбер {edges}")


def _times(n: int) -> str:
    return "раза" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "раз"


# --- notebook 05: the δ recursion with loops (deltas) ---------------------------------------------
# The activation's derivative reaches delta_output, delta_hidden and depth_ratio as a function
# ``fprime``; here it is cos (for a = sin z) or 1 / (1 + z²): never a function the notebook asks for.

def _bump(z):
    """The f' of the checks below: 1 / (1 + z²) (positive, no answer of an exercise)."""
    return 1 / (1 + z * z)


def _call(name: str, fn: Callable, *args, hint: str | None = None):
    """``fn(*args)``; an exception other than NotImplementedError fails with ``hint``."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001 - the student's bug, named with its kind of input
        _fail(f"{name}: функция подняла {type(e).__name__}: {e}", hint)


def check_sigmoid_prime(sigmoid_prime: Callable) -> None:
    """σ'(z) on a 2×3 matrix: 0, both signs, z = 8; the input unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    rows = [[-2.0, 0.0, 1.0], [3.0, -0.5, 8.0]]
    z = np.array(rows)
    expected = [[0.104993585404, 0.25, 0.196611933241], [0.045176659731, 0.235003712202, 0.000335237671]]
    check_close("sigmoid_prime(z)", sigmoid_prime(z), expected, tol=1e-9, wrong=[
        ([[-6.0, 0.0, 0.0], [-6.0, -0.75, -56.0]],
         "уравнение 27 выражает производную через выход нейрона y = σ(z), а в функцию приходит вход z: "
         "в формулу подставлен z вместо y."),
        ([[0.249114015415, 0.235003712202, 0.21936186401], [0.200879007926, 0.24129887789, 0.196642400412]],
         "производная взята в точке a = σ(z), а не в точке z: σ применена дважды."),
        ([[0.119202922022, 0.5, 0.73105857863], [0.952574126822, 0.377540668798, 0.99966464987]],
         "возвращено значение самой сигмоиды, а не её производной."),
        (np.float32(expected), FLOAT32_HINT),
    ])
    check_close("z после вызова sigmoid_prime", z, rows, tol=0,
                hint="функция изменила входной массив: промежуточные значения запишите в новый массив.")


def check_relu_prime(relu_prime: Callable) -> None:
    """ReLU'(z) on a vector and on a column, with z = 0 among the inputs."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    values = [-1.5, 0.0, 0.3, 2.0, -0.1]
    expected = [0.0, 0.0, 1.0, 1.0, 0.0]
    wrong = [([0.0, 1.0, 1.0, 1.0, 0.0], "в точке z = 0 производная ReLU по соглашению курса равна 0 "
                                         "(уравнение 28), а здесь 1."),
             ([0.0, 0.0, 0.3, 2.0, 0.0], "возвращено значение ReLU, max(0, z), а не её производная."),
             ([1.0, 0.0, 0.0, 0.0, 1.0], "единицы стоят не с той стороны нуля: ReLU растёт при положительных z.")]
    check_close("relu_prime([-1.5, 0, 0.3, 2, -0.1])", relu_prime(np.array(values)), expected, tol=0, wrong=wrong)
    column = np.array(values).reshape(-1, 1)
    check_close("relu_prime(тот же z столбцом (5, 1))", relu_prime(column), np.reshape(expected, (-1, 1)), tol=0,
                wrong=[(np.reshape(v, (-1, 1)), h) for v, h in wrong])
    check_close("z после вызова relu_prime", column, np.reshape(values, (-1, 1)), tol=0,
                hint="функция изменила входной массив (например, z[z > 0] = 1): результат запишите в новый массив.")


def check_leaky_relu_prime(leaky_relu_prime: Callable) -> None:
    """Leaky ReLU'(z) with the default alpha = 0.01 and with alpha = 0.2; z = 0 among the inputs."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    values = [-1.5, 0.0, 0.3, 2.0, -0.1]
    z = np.array(values)

    def wrong(alpha):
        return [([1.0, 1.0, alpha, alpha, 1.0], "наклон alpha применён не с той стороны нуля (уравнение 29)."),
                ([0.0, 0.0, 1.0, 1.0, 0.0], "это производная обычного ReLU: у Leaky ReLU при z ≤ 0 производная "
                                            "не ноль (уравнение 29)."),
                ([alpha, 1.0, 1.0, 1.0, alpha], "в точке z = 0 производная Leaky ReLU по соглашению курса — "
                                                "наклон alpha, как при отрицательных z (уравнение 29), а здесь 1."),
                ([-1.5 * alpha, 0.0, 0.3, 2.0, -0.1 * alpha], "возвращено значение Leaky ReLU, а не её производная.")]
    check_close("leaky_relu_prime([-1.5, 0, 0.3, 2, -0.1])", leaky_relu_prime(z),
                [0.01, 0.01, 1.0, 1.0, 0.01], tol=1e-12, wrong=wrong(0.01))
    check_close("leaky_relu_prime([-1.5, 0, 0.3, 2, -0.1], alpha=0.2)", leaky_relu_prime(z, alpha=0.2),
                [0.2, 0.2, 1.0, 1.0, 0.2], tol=1e-12, wrong=wrong(0.2) + [
        ([0.01, 0.01, 1.0, 1.0, 0.01], "наклон записан числом 0.01, а параметр alpha не использован.")])
    check_close("z после вызова leaky_relu_prime", z, values, tol=0,
                hint="функция изменила входной массив: результат запишите в новый массив.")


def check_delta_output(delta_output: Callable) -> None:
    """δ^(L) of three output neurons with f = sin, f' = cos (errors a − t of both signs); the
    inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    z = np.array([[0.5], [-1.2], [2.0]])
    a, t = np.sin(z), np.array([[0.2], [0.1], [1.5]])
    before = np.concatenate([a, t, z])
    got = _call("delta_output(a, t, z, np.cos)", delta_output, a, t, z, np.cos,
                hint="fprime — функция: вызовите её от столбца z, fprime(z), или от числа z[j, 0].")
    expected = [[0.245218980026], [-0.373967365723], [0.245819007167]]
    check_close("delta_output(a = sin z, t, z, fprime = cos)", got, expected, tol=1e-9, wrong=[
        ([[0.279425538604], [-1.032039085967], [-0.590702573174]],
         "забыт множитель f'(z) выходного слоя: δ — производная по входу нейрона z, а не по его выходу a."),
        ([[0.247923117554], [-0.615299812966], [-0.362868757348]],
         "производная активации взята в точке a (выход нейрона), а не в точке z (его вход)."),
        ([[-0.245218980026], [0.373967365723], [-0.245819007167]],
         "перевёрнут знак: производная ½ (t − a)² по a — это не t − a."),
        (np.float32(expected), FLOAT32_HINT),
    ])
    check_close("a, t и z после вызова", np.concatenate([a, t, z]), before, tol=0,
                hint="функция изменила входной массив: δ запишите в новый массив (np.zeros_like(z)).")


SWAPPED_HINT = ("перепутан порядок индексов веса: в W^(l+1) строка — нейрон k следующего слоя, столбец — "
                "нейрон j этого слоя (w_jk из конспекта — это W_next[k, j]).")


def check_delta_hidden(delta_hidden: Callable) -> None:
    """δ^(l) from δ^(l+1) with f' = 1 / (1 + z²): a square W, then a 2×3 one (two neurons in the
    next layer, three in this one); the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    W = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.8, 1.1]])
    d, z = np.array([[0.4], [-1.0], [0.6]]), np.array([[0.3], [-1.5], [2.0]])
    before = np.concatenate([W, d, z], axis=None)
    got = _call("delta_hidden (W 3×3)", delta_hidden, d, W, z, _bump,
                hint="fprime — функция: вызовите её от столбца z, fprime(z), или от числа z[j, 0].")
    check_close("delta_hidden(δ^(l+1), W^(l+1) 3×3, z^(l), f')", got,
                [[-1.302752293578], [-0.067692307692], [0.432]], tol=1e-9, wrong=[
        ([[2.201834862385], [-0.036923076923], [-0.044]], SWAPPED_HINT),
        ([[-1.42], [-0.22], [2.16]], "забыт множитель f'(z_j) этого слоя: ошибка проходит через активацию нейрона."),
        ([[-0.470759846174], [-0.209843571156], [0.381248234962]],
         "производная активации взята не в точке z_j этого нейрона, а от собранной суммы."),
    ])
    check_close("δ^(l+1), W^(l+1) и z после вызова", np.concatenate([W, d, z], axis=None), before, tol=0,
                hint="функция изменила входной массив: δ запишите в новый массив.")
    got = _call("delta_hidden (W 2×3)", delta_hidden, d[:2], W[:2], z, _bump, hint=(
        "W^(l+1) имеет форму (нейронов в слое l+1, нейронов в слое l) и бывает не квадратной: "
        "сумма по k идёт по нейронам следующего слоя, j — по нейронам этого; сверьте индексы с формой W."))
    check_close("delta_hidden(δ^(l+1) из 2, W^(l+1) 2×3, z^(l) из 3, f')", got,
                [[-1.192660550459], [-0.215384615385], [0.3]], tol=1e-9,
                hint="у δ^(l) столько элементов, сколько нейронов в слое l (столбцов у W^(l+1)).")


def check_grads_from_delta(grads_from_delta: Callable) -> None:
    """dW and db of a layer of three neurons with two inputs, then of a square 2×2 layer."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    for delta, a_prev, dW_expected, dW_transposed in [
        (np.array([[0.5], [-1.0], [2.0]]), np.array([[0.2], [0.9]]),
         [[0.1, 0.45], [-0.2, -0.9], [0.4, 1.8]], None),
        (np.array([[0.5], [-1.0]]), np.array([[0.2], [0.9]]),
         [[0.1, 0.45], [-0.2, -0.9]], [[0.1, -0.2], [0.45, -0.9]]),
    ]:
        n, m = len(delta), len(a_prev)
        out = _call(f"grads_from_delta (слой {n}×{m})", grads_from_delta, delta, a_prev)
        if not (isinstance(out, tuple) and len(out) == 2):
            _fail(f"grads_from_delta: ожидалась пара (dW, db), получено {type(out).__name__}.",
                  "верните два массива — кортеж (dW, db).")
        dW, db = out
        check_close(f"dW слоя {n}×{m}", dW, dW_expected, tol=1e-12, wrong=[
            (dW_transposed, "dW транспонирована: у dW форма W — строка j отвечает нейрону j слоя, столбец i — "
                            "его входу i.")] if dW_transposed else [],
            hint="dW[j, i] отвечает весу от входа i к нейрону j: форма dW — форма W, (нейронов, входов).")
        check_close(f"db слоя {n}×{m}", db, delta, tol=1e-12,
                    hint="у каждого нейрона своё смещение b_j: db имеет форму b — столбец (n, 1).")


def check_depth_ratio(depth_ratio: Callable) -> None:
    """‖δ^(1)‖ / ‖δ^(L)‖ of two 3-layer networks with f' = 1 / (1 + z²): square layers (2-2-2-2),
    then layers of widths 3-4-2-3."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    Ws = [np.array([[1.0, -0.5], [0.3, 0.8]]), np.array([[0.6, -1.2], [0.9, 0.4]]),
          np.array([[-0.7, 0.5], [1.1, 0.2]])]
    zs = [np.array([[0.5], [-1.0]]), np.array([[1.5], [0.2]]), np.array([[-0.3], [0.8]])]
    ratio = _call("depth_ratio (слои 2-2-2-2)", depth_ratio, Ws, zs, np.array([[0.3], [-0.6]]), _bump)
    check_close("depth_ratio(сеть 2-2-2-2)", ratio, 0.295477397287, tol=1e-9, wrong=[
        (3.384353622919, "отношение перевёрнуто: нужна норма первого слоя, делённая на норму последнего."),
        (1.738556872811, "на каждом шаге назад забыт множитель f'(z) слоя."),
        (0.401362325058, "обход остановился на δ второго слоя: не хватает последнего шага назад, до δ^(1)."),
        (1.399540677112, "f' взята от z следующего слоя (l + 1), а δ^(l) умножается на f'(z^(l)) своего слоя."),
        (0.403776544917, "пропущено транспонирование матрицы весов при шаге назад: сравните формы W^(l+1), "
                         "δ^(l+1) и δ^(l)."),
        (0.087306892308, "сравниваются суммы квадратов, а норма — корень из суммы квадратов."),
    ])
    Ws = [np.array([[1.0, -0.5, 0.2], [0.3, 0.8, -1.0], [0.5, 0.5, 0.5], [-0.4, 1.2, 0.1]]),
          np.array([[0.6, -1.2, 0.3, 0.7], [0.9, 0.4, -0.8, 0.2]]),
          np.array([[-0.7, 0.5], [1.1, 0.2], [0.4, -0.9]])]
    zs = [np.array([[0.5], [-1.0], [0.2], [1.3]]), np.array([[1.5], [0.2]]), np.array([[-0.3], [0.8], [0.1]])]
    ratio = _call("depth_ratio (слои 3-4-2-3)", depth_ratio, Ws, zs, np.array([[0.3], [-0.6], [0.9]]), _bump,
                  hint="слои разной ширины: сверьте формы W^(l+1), δ^(l+1), z^(l) и δ^(l) на каждом шаге назад.")
    check_close("depth_ratio(сеть 3-4-2-3)", ratio, 0.731236849779, tol=1e-9, wrong=[
        (1.367545960385, "отношение перевёрнуто: нужна норма первого слоя, делённая на норму последнего."),
        (1.123724673956, "на каждом шаге назад забыт множитель f'(z) слоя."),
        (0.682621494547, "обход остановился на δ второго слоя: не хватает последнего шага назад, до δ^(1)."),
        (0.534707330475, "сравниваются суммы квадратов, а норма — корень из суммы квадратов."),
    ])


# --- notebook 07 (minibatch): each method of each layer, alone, on the student's class ----------
# (bpcourse.layer_probe puts what forward would have stored into the object and calls one method;
# these checks compare with numbers written here, and the wrong ones are what each typical
# mistake returns on these inputs)
from bpcourse import layer_probe as _layer_probe  # noqa: E402 - this section's own import

_L07_X = [[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]]
_L07_W = [[1.0, 0.0, -1.0, 2.0], [0.5, 1.0, 0.0, -1.0]]
_L07_B = [0.1, -0.2, 0.3, 0.0]
_L07_Z = [[0.0, 1.0, -2.0], [3.0, -0.5, 0.25]]
_L07_A = [[0.5, 0.73105857863, 0.119202922022], [0.952574126822, 0.377540668798, 0.562176500886]]
_L07_DA = [[1.5, -2.0, 0.5], [-0.7, 2.5, -1.2]]
_L07_ZR = [[-1.5, 0.0, 2.0], [0.5, -0.2, 0.0]]
_L07_Y = [[0.5, 1.0], [2.0, -1.0], [0.0, 0.3]]
_L07_T = [[1.0, 0.0], [1.5, -1.0], [0.2, 0.1]]
_L07_SHAPES = ("сверьте формы: в курсе X (M, n_вх), W (n_вх, n_вых), Z и dZ (M, n_вых); у градиента "
               "всегда форма того, по чему он взят.")
_L07_ASSIGNED = ("градиент присвоен, а не добавлен (= вместо +=): параметр, использованный несколько раз, "
                 "должен получить сумму вкладов; обнуляет градиенты zero_grad, а не backward.")


def _l07_call(what: str, fn, *args, hint: str | None = None):
    """Run the student's method through the probe; an exception (but an unfinished exercise's
    NotImplementedError) becomes a failure that names it."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except _layer_probe.NotStored as e:
        _fail(f"{what}: {e}.", "сохраните его в объекте слоя (self.<имя> = ...) внутри forward.")
    except Exception as e:  # noqa: BLE001 - the student's bug, shown as it is
        _fail(f"{what}: поднята ошибка {type(e).__name__}: {e}", hint)


def _l07_unchanged(what: str, arrays, rows) -> None:
    __tracebackhide__ = True  # IPython and pytest skip this frame
    check_close(what, np.concatenate([np.ravel(a) for a in arrays]),
                np.concatenate([np.ravel(r) for r in rows]), tol=0,
                hint="метод изменил входной массив на месте: результат запишите в новый массив.")


def _l07_stored(what: str, layer, name: str, expected) -> None:
    __tracebackhide__ = True  # IPython and pytest skip this frame
    value = _l07_call(what, _layer_probe.stored, layer, name)
    check_close(f"self.{name} после forward", value, expected, tol=0,
                hint=f"в self.{name} нужно сохранить {'вход' if name in ('X', 'Z') else 'то, что получил или вернул'} "
                     "forward без изменений.")


def check_linear_layer_forward(Linear) -> None:
    """Z of a 3×2 batch through W of shape (2, 4), and the stored self.X."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    X, W, b = np.array(_L07_X), np.array(_L07_W), np.array(_L07_B)
    lin = Linear(W, b)
    Z = _l07_call("Linear.forward(X)", lin.forward, X, hint=_L07_SHAPES)
    check_close("Linear.forward(X)", Z, [[2.1, 1.8, -0.7, 0.0], [-0.4, -1.2, 0.3, 1.0], [3.6, 0.8, -2.7, 5.0]],
                tol=1e-12, wrong=[
        ([[2.0, 2.0, -1.0, 0.0], [-0.5, -1.0, 0.0, 1.0], [3.5, 1.0, -3.0, 5.0]], "смещение b не прибавлено."),
    ])
    _l07_stored("Linear.forward(X)", lin, "X", _L07_X)
    _l07_unchanged("X после forward", [X], [_L07_X])


def check_linear_layer_backward(Linear) -> None:
    """dX, W.grad and b.grad (pre-set to nonzero values) on a 3×2 batch with W of shape (2, 4),
    then with a square W (where a missing transpose still runs); self.X is set by the check."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    X = np.array(_L07_X)
    dZ_rows = [[0.5, -1.0, 2.0, 0.25], [-1.5, 0.5, 1.0, -2.0], [1.0, 2.0, -0.5, 1.5]]
    dZ = np.array(dZ_rows)
    dX, W_grad, b_grad = _l07_call("Linear.backward(dZ)", _layer_probe.run_linear_backward, Linear, X,
                                   np.array(_L07_W), np.array(_L07_B), dZ,
                                   [[0.1, -0.2, 0.3, -0.4], [0.5, -0.6, 0.7, -0.8]], [1.0, -1.0, 0.5, -0.5],
                                   hint=_L07_SHAPES)
    check_close("dX = Linear.backward(dZ)", dX, [[-1.0, -1.0], [-6.5, 1.75], [4.5, 1.0]], tol=1e-12, hint=_L07_SHAPES)
    check_close("W.grad после backward (до вызова в нём лежали ненулевые числа)", W_grad,
                [[3.6, 4.8, 0.8, 4.35], [4.0, -1.1, 3.2, 3.2]], tol=1e-12, wrong=[
        ([[3.5, 5.0, 0.5, 4.75], [3.5, -0.5, 2.5, 4.0]], _L07_ASSIGNED),
        ([[1.266666666667, 1.466666666667, 0.466666666667, 1.183333333333],
          [1.666666666667, -0.766666666667, 1.533333333333, 0.533333333333]],
         "вклад поделён на M: dZ уже несёт 1/M усреднённых потерь, второй раз делить не нужно."),
    ])
    check_close("b.grad после backward (до вызова в нём лежали ненулевые числа)", b_grad, [1.0, 0.5, 3.0, -0.75],
                tol=1e-12, wrong=[
        ([0.0, 1.5, 2.5, -0.25], _L07_ASSIGNED),
        ([1.0, -0.5, 1.333333333333, -0.583333333333],
         "вклад поделён на M: dZ уже несёт 1/M усреднённых потерь, второй раз делить не нужно."),
    ], hint="у b.grad форма b: вклады всех примеров пакета складываются.")
    _l07_unchanged("X и dZ после backward", [X, dZ], [_L07_X, dZ_rows])
    dX, _, _ = _l07_call("Linear.backward(dZ) с квадратной W", _layer_probe.run_linear_backward, Linear, X,
                         np.array([[2.0, -1.0], [0.5, 3.0]]), np.array([0.5, -0.5]),
                         np.array([[1.0, -0.5], [2.0, 1.5], [-1.0, 0.25]]), [[0.1, 0.2], [-0.3, 0.4]], [0.5, -1.0],
                         hint=_L07_SHAPES)
    check_close("dX = Linear.backward(dZ) с квадратной W", dX, [[2.5, -1.0], [2.5, 5.5], [-2.25, 0.25]],
                tol=1e-12, wrong=[
        ([[1.75, -2.5], [4.75, 2.5], [-1.875, 1.75]],
         "W не транспонирована: при квадратной W формы сходятся, но вход i связан с выходом j весом w_ij."),
    ])


def check_sigmoid_layer_forward(Sigmoid) -> None:
    """σ of a 2×3 batch, and the stored self.A."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    Z = np.array(_L07_Z)
    layer = Sigmoid()
    A = _l07_call("Sigmoid.forward(Z)", layer.forward, Z)
    check_close("Sigmoid.forward(Z)", A, _L07_A, tol=1e-9, wrong=[
        ([[0.5, 0.26894142137, 0.880797077978], [0.047425873178, 0.622459331202, 0.437823499114]],
         "в показателе экспоненты потерян минус: σ(z) растёт вместе с z."),
    ])
    _l07_stored("Sigmoid.forward(Z)", layer, "A", A)
    _l07_unchanged("Z после forward", [Z], [_L07_Z])


def check_sigmoid_layer_backward(Sigmoid) -> None:
    """dZ from dA and self.A = σ(Z) (set by the check; self.Z too) on a 2×3 batch."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    dA = np.array(_L07_DA)
    dZ = _l07_call("Sigmoid.backward(dA)", _layer_probe.run_activation_backward, Sigmoid, np.array(_L07_Z),
                   np.array(_L07_A), dA)
    check_close("Sigmoid.backward(dA)", dZ, [[0.375, -0.393223866483, 0.052496792702],
                                             [-0.031623661812, 0.587509280504, -0.295360899285]], tol=1e-9, wrong=[
        ([[0.0, 0.0, -3.0], [4.2, -1.875, -0.225]],
         "производная посчитана от входа z, а её выражают через сохранённый выход a = σ(z)."),
        ([[0.352505568302, -0.43872372802, 0.124557007708], [-0.140615305548, 0.603247194724, -0.277491667877]],
         "сигмоида применена к сохранённой активации ещё раз: self.A — это уже σ(z)."),
        ([[0.25, 0.196611933241, 0.104993585404], [0.045176659731, 0.235003712202, 0.246134082738]],
         "локальная производная не умножена на пришедший сверху градиент dA (цепное правило)."),
    ])
    _l07_unchanged("dA после backward", [dA], [_L07_DA])


def check_relu_layer_forward(ReLU) -> None:
    """ReLU of a 2×3 batch with zeros in it, and the stored self.Z."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    Z = np.array(_L07_ZR)
    layer = ReLU()
    A = _l07_call("ReLU.forward(Z)", layer.forward, Z)
    check_close("ReLU.forward(Z)", A, [[0.0, 0.0, 2.0], [0.5, 0.0, 0.0]], tol=0, wrong=[
        ([[1.5, 0.0, 2.0], [0.5, 0.2, 0.0]], "отрицательные входы пропущены наружу: ReLU обнуляет их."),
    ])
    _l07_stored("ReLU.forward(Z)", layer, "Z", _L07_ZR)
    _l07_unchanged("Z после forward", [Z], [_L07_ZR])


def check_relu_layer_backward(ReLU) -> None:
    """dZ from dA and self.Z (set by the check; self.A too): negative inputs, zeros, positive ones."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    dA = np.array(_L07_DA)
    Z = np.array(_L07_ZR)
    dZ = _l07_call("ReLU.backward(dA)", _layer_probe.run_activation_backward, ReLU, Z, np.maximum(0.0, Z), dA)
    check_close("ReLU.backward(dA)", dZ, [[0.0, 0.0, 0.5], [-0.7, 0.0, 0.0]], tol=0, wrong=[
        (_L07_DA, "градиент пропущен и там, где вход ReLU отрицателен; там вклад должен быть нулевым."),
        ([[0.0, -2.0, 0.5], [-0.7, 0.0, -1.2]],
         "в точке z = 0 градиент пропущен, а производная ReLU там в курсе та же, что при z < 0 (eq. 28)."),
        ([[0.0, 0.0, 1.0], [-0.35, 0.0, 0.0]], "градиент умножен на значение выхода ReLU; производная ReLU — не "
                                               "значение выхода."),
    ])
    _l07_unchanged("dA после backward", [dA], [_L07_DA])


def check_mse_loss_forward(MSELoss) -> None:
    """The loss of a 3×2 batch, and the stored self.Y, self.t."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    Y, t = np.array(_L07_Y), np.array(_L07_T)
    loss_fn = MSELoss()
    loss = _l07_call("MSELoss.forward(Y, t)", loss_fn.forward, Y, t)
    check_close("MSELoss.forward(Y, t)", loss, 0.263333333333, tol=1e-9, wrong=[
        (0.79, "потери не усреднены по пакету: разделите сумму на число примеров M = 3."),
        (0.131666666667, "усреднение по всем M·K = 6 числам, а не по M = 3 примерам: внутри примера ошибки "
                         "выходов складываются (E = ½ Σ_j …)."),
        (0.526666666667, "нет множителя ½: по соглашению курса E = ½ Σ_j (t_j − y_j)²."),
    ])
    _l07_stored("MSELoss.forward(Y, t)", loss_fn, "Y", _L07_Y)
    _l07_stored("MSELoss.forward(Y, t)", loss_fn, "t", _L07_T)
    _l07_unchanged("Y и t после forward", [Y, t], [_L07_Y, _L07_T])


def check_mse_loss_backward(MSELoss) -> None:
    """dL/dY from self.Y and self.t (set by the check) of a 3×2 batch."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    dY = _l07_call("MSELoss.backward()", _layer_probe.run_loss_backward, MSELoss, np.array(_L07_Y), np.array(_L07_T))
    check_close("MSELoss.backward()", dY, [[-0.166666666667, 0.333333333333], [0.166666666667, 0.0],
                                           [-0.066666666667, 0.066666666667]], tol=1e-9, wrong=[
        ([[-0.5, 1.0], [0.5, 0.0], [-0.2, 0.2]], "потери усредняются по пакету, значит и градиент несёт множитель 1/M."),
        ([[0.166666666667, -0.333333333333], [-0.166666666667, 0.0], [0.066666666667, -0.066666666667]],
         "перевёрнут знак: продифференцируйте ½ (t − y)² по y внимательно."),
        ([[-0.083333333333, 0.166666666667], [0.083333333333, 0.0], [-0.033333333333, 0.033333333333]],
         "поделено на число всех элементов M·K, а потери усреднены только по M примерам."),
        ([[-0.333333333333, 0.666666666667], [0.333333333333, 0.0], [-0.133333333333, 0.133333333333]],
         "лишний множитель 2: двойка из производной квадрата сокращается с ½."),
    ])


def check_jacobian_entries(jacobian_entries: Callable) -> None:
    """A layer 3 -> 2 with a batch of 5."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    got = jacobian_entries(5, 3, 2)
    _check_quantities("jacobian_entries(M=5, n_in=3, n_out=2)", got, ("элементов в ∂Z/∂W", "элементов в ∂Z/∂X"),
                      [60, 150], tol=0, wrong=[
        ([12, 6], "посчитан якобиан одного примера; Z — это выходы всех M примеров пакета."),
        ([60, 30], "в ∂Z/∂X учтены только производные выходов примера по его собственному входу; якобиан "
                   "содержит и (нулевые) производные по входам других примеров."),
        ([12, 15], "размеры осей сложены, а число элементов тензора — их произведение."),
    ])


def check_rows_from_columns(rows_from_columns: Callable) -> None:
    """Δ of shape (2, 3) and Y of shape (4, 3): X and dZ of the course, the inputs unchanged."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    d_rows = [[0.6, -1.2, 0.3], [1.5, 0.9, -0.6]]
    y_rows = [[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0], [0.25, -2.0, 1.0], [2.0, 1.0, -1.0]]
    Delta, Y = np.array(d_rows), np.array(y_rows)
    got = rows_from_columns(Delta, Y)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        _fail(f"rows_from_columns(Delta, Y): ожидалась пара (X, dZ), получено {type(got).__name__}.",
              "верните их вместе, в этом порядке: return X, dZ")
    X, dZ = got
    check_close("X", X, [[1.0, -1.0, 0.25, 2.0], [2.0, 0.5, -2.0, 1.0], [0.0, 3.0, 1.0, -1.0]], tol=0)
    check_close("dZ", dZ, [[0.2, 0.5], [-0.4, 0.3], [0.1, -0.2]], tol=1e-12, wrong=[
        ([[0.6, 1.5], [-1.2, 0.9], [0.3, -0.6]],
         "в dZ нет множителя 1/M: δ_k в Δ — производные потерь одного примера, а потери пакета — их среднее."),
        ([[1.8, 4.5], [-3.6, 2.7], [0.9, -1.8]], "умножено на M, а среднее по пакету делит на M."),
    ])
    _l07_unchanged("Delta и Y после вызова", [Delta, Y], [d_rows, y_rows])


# --- notebook 08 (training): SGD's methods, a batch order, one epoch, ‖∇E‖, the stopping test -----
# (bpcourse.train_probe runs one exercise alone: SGD's methods on parameters it builds, an epoch
# on a network of bpcourse.nn layers with nn.SGD; these checks compare with numbers written here,
# and the wrong ones are what each typical mistake returns on these inputs)
from bpcourse import train_probe as _train_probe  # noqa: E402 - this section's own import

_L08_DATA = ([[1.0, -2.0], [0.5, 3.0]], [0.25, -1.0])
_L08_GRADS = ([[0.5, -1.0], [2.0, 0.25]], [-0.5, 1.5])
_L08_NAMES = ("W.data", "b.data", "W.grad", "b.grad")


def _l08_sgd(method: str, SGD) -> list:
    __tracebackhide__ = True  # IPython and pytest skip this frame
    try:
        return _train_probe.run_sgd(SGD, method, [np.array(d) for d in _L08_DATA],
                                    [np.array(g) for g in _L08_GRADS], 0.1)
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001 - the student's bug, shown as it is
        _fail(f"SGD.{method}(): поднята ошибка {type(e).__name__}: {e}",
              "параметры лежат в self.params (объекты с .data и .grad), скорость обучения — в self.lr.")


def check_sgd_step(SGD) -> None:
    """One step of SGD(params, lr=0.1) over W (2×2) and b (2,) with nonzero gradients."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    got = _l08_sgd("step", SGD)
    expected = ([[0.95, -1.9], [0.3, 2.975]], [0.3, -1.15]) + _L08_GRADS
    wrong = {0: [([[1.05, -2.1], [0.7, 3.025]], "параметр сдвинут по градиенту, а не против него: это подъём."),
                 ([[0.5, -1.0], [-1.5, 2.75]], "шаг сделан без скорости обучения self.lr.")],
             1: [(_L08_DATA[1], "второй параметр не изменился: обновлён только первый (return внутри цикла?)."),
                 ([0.2, -0.85], "параметр сдвинут по градиенту, а не против него: это подъём.")],
             2: [([[0.0, 0.0], [0.0, 0.0]], "step обнулил градиенты: это работа zero_grad, step их только читает.")],
             3: [([0.0, 0.0], "step обнулил градиенты: это работа zero_grad, step их только читает.")]}
    for k, (name, value) in enumerate(zip(_L08_NAMES, expected)):
        check_close(f"{name} после step()", got[k], value, tol=1e-12, wrong=wrong.get(k, ()))


def check_sgd_zero_grad(SGD) -> None:
    """zero_grad() of SGD over W (2×2) and b (2,) with nonzero gradients: zeros of the same shapes."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    got = _l08_sgd("zero_grad", SGD)
    expected = _L08_DATA + ([[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0])
    hints = ("zero_grad изменил сами параметры: обнулять нужно только градиенты p.grad.",) * 2 + (
        "градиент не обнулён: после zero_grad в p.grad должны быть нули.",
        "градиент второго параметра не обнулён: обнулён только первый (return внутри цикла?).")
    for k, (name, value) in enumerate(zip(_L08_NAMES, expected)):
        if k >= 2 and np.ndim(got[k]) == 0:
            _fail(f"{name} после zero_grad(): получено число, а не массив формы {np.shape(value)}.",
                  "градиент заменён числом 0: у p.grad должна остаться форма p.data.")
        check_close(f"{name} после zero_grad()", got[k], value, tol=0, hint=hints[k])


def check_batch_order(batch_order: Callable) -> None:
    """batch_order(np.random.default_rng(2026), M=7, batch_size=3): three batches, the last of one."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    got = batch_order(np.random.default_rng(2026), 7, 3)
    call = "batch_order(np.random.default_rng(2026), 7, 3)"
    if got is None:
        _fail(f"{call}: функция вернула None.", "пропущен `return`?")
    if not isinstance(got, (list, tuple)):
        _fail(f"{call}: ожидался список пакетов (массивов индексов), получен {type(got).__name__}.",
              "пакеты разной длины — соберите их в список.")
    wrong = [([[0, 1, 2], [3, 4, 5], [6]], "примеры не перемешаны: пакеты идут по порядку 0, 1, 2, …"),
             ([[0, 3, 5], [1, 6, 4]], "последний неполный пакет потерян: каждый пример должен попасть в эпоху "
                                      "ровно один раз."),
             ([[2, 4, 3], [6, 5, 0], [1]], "перестановка взята не из переданного генератора rng (похоже на "
                                           "np.random.default_rng(0)).")]
    rows = [np.asarray(b, dtype=np.float64).ravel().tolist() for b in got]
    for value, hint in wrong:
        if rows == [list(map(float, v)) for v in value]:
            _fail(f"{call}: неверные пакеты.", hint)
    flat = sorted(x for r in rows for x in r)
    if flat != [float(i) for i in range(7)]:
        _fail(f"{call}: пакеты вместе не образуют перестановку 0 … 6: какие-то примеры повторяются или пропали.",
              "нужна перестановка (без повторов), а не выбор с возвращением.")
    if [len(r) for r in rows] != [3, 3, 1]:
        _fail(f"{call}: размеры пакетов {[len(r) for r in rows]}, а должны быть [3, 3, 1].",
              "режьте перестановку на куски по batch_size подряд; последний — остаток.")
    if rows != [[0.0, 3.0, 5.0], [1.0, 6.0, 4.0], [2.0]]:
        _fail(f"{call}: порядок примеров не тот, что даёт один вызов rng.permutation(M).",
              "вызовите rng.permutation(M) ровно один раз и режьте результат по порядку.")
    ok(f"{call}: верно")


_L08_NET = ([[0.5, -0.3, 0.8], [0.2, 0.7, -0.6]], [0.1, -0.2, 0.05], [[0.9], [-0.4], [0.6]], [0.2])
_L08_X = [[1.0, 0.5], [-0.5, 1.5], [2.0, -1.0], [0.0, -0.5], [1.5, 1.0]]
_L08_T = [[1.0], [0.0], [-1.0], [0.5], [2.0]]
_L08_EPOCH_NAMES = ("потери пакетов", "W1 после эпохи", "b1 после эпохи", "W2 после эпохи", "b2 после эпохи")


def check_train_epoch(train_epoch: Callable) -> None:
    """One epoch of a 2-3-1 tanh network (bpcourse.nn layers, nn.MSELoss, nn.SGD with lr = 0.5) on five
    examples in the batches [3, 0], [4, 1], [2]: the losses and the weights afterwards."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    try:
        got = _train_probe.run_epoch(train_epoch, [np.array(w) for w in _L08_NET], np.array(_L08_X),
                                     np.array(_L08_T), [np.array([3, 0]), np.array([4, 1]), np.array([2])], 0.5)
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001 - the student's bug, shown as it is
        _fail(f"train_epoch: поднята ошибка {type(e).__name__}: {e}",
              "model, loss_fn и opt — готовые объекты курса: model.forward/backward, loss_fn.forward/backward, "
              "opt.zero_grad/step; batches — список массивов индексов.")
    expected = ([0.00529616579, 0.271664640612, 4.80976681586],
                [[-1.044519290775, -0.303481129209, 0.861278860156], [1.260037106756, 0.532433367357, -0.44917764927]],
                [-0.537766566077, -0.236406378048, 0.110130208298], [[-0.045807246195], [1.185314009808],
                                                                    [-0.939994292232]], [-1.045449953335])
    wrong_losses = [
        ([0.00529616579, 0.207026493392, 3.901941395824], "шаг сделан до обратного прохода: opt.step() двигает "
                                                          "параметры по градиентам, которых ещё нет."),
        ([0.00529616579, 0.271664640612, 4.385888829133], "градиенты не обнуляются перед шагом: backward добавляет "
                                                          "в p.grad, и градиенты прошлых пакетов копятся."),
        ([0.00529616579, 0.238286290884, 4.306314903372], "градиент ещё раз поделён на размер пакета: "
                                                          "loss_fn.backward() уже несёт 1/M усреднённых потерь."),
        ([0.344186382805, 0.913164108061, 1.738216503391], "перемешаны только входы X, а цели T остались в старом "
                                                           "порядке: пример и его цель разъехались."),
        ([0.000260915601, 0.064291509979, 1.927406696375], "записаны потери после шага, а нужны потери пакета до "
                                                           "шага — те, по которым считался градиент."),
    ]
    for k, (name, value) in enumerate(zip(_L08_EPOCH_NAMES, expected)):
        check_close(name, got[k], value, tol=1e-8, wrong=wrong_losses if k == 0 else ())


def check_grad_norm(grad_norm: Callable) -> None:
    """‖∇E‖ of the gradients [[1, −2], [2, 0]] and [4, 12]: √169 = 13."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    grads = [np.array([[1.0, -2.0], [2.0, 0.0]]), np.array([4.0, 12.0])]
    check_close("grad_norm([[[1, −2], [2, 0]], [4, 12]])", grad_norm(grads), 13.0, tol=1e-12, wrong=[
        (169.0, "не извлечён квадратный корень: это квадрат нормы."),
        (15.649110640674, "сложены нормы отдельных массивов; норма всего градиента — корень из суммы квадратов "
                          "всех чисел."),
        (3.0, "учтён только первый массив градиентов: ‖∇E‖ берётся по всем параметрам сети."),
        (12.649110640674, "учтён только последний массив градиентов: ‖∇E‖ берётся по всем параметрам сети."),
        (12.0, "взят наибольший модуль, а не евклидова норма."),
    ])
    _l07_unchanged("градиенты после вызова", grads, [[1.0, -2.0, 2.0, 0.0], [4.0, 12.0]])


#: (losses, ‖∇E‖, eps_grad, eps_loss, should stop?, what the situation is, hint if the answer is wrong)
_L08_STOP = (
    ([1.0, 0.8, 0.7], 0.5, 1e-3, 1e-4, False, "потери ещё падают, градиент большой", None),
    ([1.0, 0.8, 0.7], 5e-4, 1e-3, 1e-4, True, "‖∇E‖ < eps_grad",
     "при ‖∇E‖ < eps_grad нужно остановиться, даже если потери ещё меняются: достаточно любого из двух критериев."),
    ([1.0, 0.8, 0.79995], 0.5, 1e-3, 1e-4, True, "|ΔE| < eps_loss",
     "при |ΔE| < eps_loss между двумя последними эпохами нужно остановиться, даже если градиент большой: "
     "достаточно любого из двух критериев."),
    ([1.0, 0.8, 1.3], 0.5, 1e-3, 1e-4, False, "потери выросли на 0.5",
     "изменение потерь берётся по модулю: рост потерь — не повод останавливаться."),
    ([1.0, 0.8, 0.3], 0.5, 1e-3, 1e-4, False, "потери упали на 0.5",
     "изменение потерь берётся по модулю: быстрое падение — не повод останавливаться."),
    ([1.0], 0.5, 1e-3, 10.0, False, "прошла одна эпоха", "после первой эпохи ΔE ещё нет: не останавливайтесь."),
    ([1.0, 0.8, 0.7], 1e-3, 1e-3, 1e-4, False, "‖∇E‖ = eps_grad", "сравнение строгое: ‖∇E‖ < ε."),
    ([1.5, 1.25], 0.5, 1e-3, 0.25, False, "|ΔE| = eps_loss", "сравнение строгое: |ΔE| < ε."),
    ([1.0, 1e-5], 0.5, 1e-3, 1e-4, False, "потери малы, но только что упали на 1",
     "критерий — изменение потерь |ΔE| между эпохами, а не само значение потерь."),
    ([1.0, 0.5, 0.49995], 0.5, 1e-3, 1e-4, True, "за последнюю эпоху потери изменились на 5·10⁻⁵",
     "изменение берётся между двумя последними эпохами, а не от первой."),
    ([1.0, 0.99995], 0.5, 1e-3, 1e-4, True, "две эпохи, потери изменились на 5·10⁻⁵",
     "ΔE есть уже после второй эпохи: сравните два последних значения."),
)


def check_should_stop(should_stop: Callable) -> None:
    """Eleven situations: each criterion alone, neither, a loss rising or falling fast, one epoch, values
    equal to ε, a small loss that still changes fast, a small last change after a large one, two epochs."""
    __tracebackhide__ = True  # IPython and pytest skip this frame
    for losses, norm, eps_grad, eps_loss, expected, what, hint in _L08_STOP:
        call = f"should_stop(...): {what}"
        try:
            got = should_stop(np.array(losses), norm, eps_grad, eps_loss)
        except NotImplementedError:
            raise
        except Exception as e:  # noqa: BLE001 - the student's bug, shown as it is
            _fail(f"{call}: поднята ошибка {type(e).__name__}: {e}", hint)
        if not isinstance(got, (bool, np.bool_)):
            _fail(f"{call}: ожидалось True или False, получено {type(got).__name__}.",
                  "верните результат сравнения (bool).")
        if bool(got) != expected:
            _fail(f"{call}: получено {bool(got)}, а нужно {expected}.", hint)
    ok(f"should_stop: все {len(_L08_STOP)} ситуаций — верно")
