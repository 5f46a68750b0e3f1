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
