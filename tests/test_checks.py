"""bpcourse.checks: type, then shape, then finiteness, then values — each with its own message."""
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from bpcourse import checks


def fails(fn, *args, **kwargs) -> str:
    with pytest.raises(checks.CheckError) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, AssertionError)  # nbgrader scores the cell 0
    return str(info.value)


def test_pass_prints_one_line_on_stdout_only(capsys):
    checks.check_close("x", np.ones((2, 1)), np.ones((2, 1)))
    out = capsys.readouterr()
    assert out.out.startswith("✔ x") and out.err == ""


def test_type_then_shape_then_finite_then_value():
    assert "вернула None" in fails(checks.check_close, "dW", None, np.ones((2, 2)))
    assert "ожидался тип ndarray, получен list" in fails(checks.check_close, "dW", [[1.0]], np.ones((1, 1)))
    msg = fails(checks.check_close, "dW", np.ones((3, 2)), np.ones((2, 3)))
    assert "неверная форма" in msg and "(2, 3)" in msg and "(3, 2)" in msg and ".T" in msg
    assert "потерянная ось" in fails(checks.check_close, "db", np.ones(3), np.ones((3, 1)))
    assert "broadcasting" in fails(checks.check_close, "z", np.ones((3, 3)), np.ones((3, 1)))
    assert "NaN или inf" in fails(checks.check_close, "a", np.array([1.0, np.nan]), np.ones(2))
    msg = fails(checks.check_close, "a", np.array([1.0, 2.5]), np.array([1.0, 2.0]))
    assert "элементе (1,)" in msg and "относительная ошибка" in msg


def test_sign_flip_and_known_wrong_values_are_named():
    assert "знаки перевёрнуты" in fails(checks.check_close, "g", -np.arange(1.0, 4.0), np.arange(1.0, 4.0))
    msg = fails(checks.check_close, "E", 0.5, 0.25, wrong=[(0.5, "нет множителя ½")])
    assert "нет множителя ½" in msg


def test_scalar_expected_rejects_arrays_and_none():
    assert "ожидалось число" in fails(checks.check_close, "E", np.ones(2), 1.0)
    assert "None" in fails(checks.check_close, "E", None, 1.0)


def test_check_raises_and_not_implemented():
    checks.check_raises("f", ValueError, lambda: (_ for _ in ()).throw(ValueError("x")))
    assert "ничего не подняла" in fails(checks.check_raises, "f", ValueError, lambda: 1)
    def stub():
        raise NotImplementedError()
    assert "ещё не реализована" in fails(checks.check_raises, "f", ValueError, stub)
    assert "ещё не реализована" in fails(checks.check_not_implemented, "f", stub)


def test_check_gradient_reports_the_error():
    checks.check_gradient("dx", np.ones(3), np.ones(3) + 1e-9)
    assert "rel_error = " in fails(checks.check_gradient, "dx", np.ones(3), 2 * np.ones(3))


def test_known_wrong_value_is_named_before_the_finiteness_check():
    """An unstable softmax returns NaN on large logits: its hint must win over "not finite"."""
    nan = np.array([[np.nan, np.nan, 0.0]])
    msg = fails(checks.check_close, "softmax(Z)", nan, np.array([[0.2, 0.3, 0.5]]),
                wrong=[(nan, "вычтите максимум")])
    assert "вычтите максимум" in msg and "NaN" not in msg
    # a NaN that is not the listed wrong value still gets the finiteness message
    msg = fails(checks.check_close, "softmax(Z)", np.array([[np.nan, 0.5, 0.5]]), np.array([[0.2, 0.3, 0.5]]),
                wrong=[(nan, "вычтите максимум")])
    assert "NaN или inf" in msg and "(0, 0)" in msg and "вычтите максимум" not in msg


def test_wrong_value_written_with_eight_digits_still_matches():
    got = np.array([0.12345678912, 0.5])
    msg = fails(checks.check_close, "x", got, np.array([0.3, 0.5]), wrong=[([0.12345679, 0.5], "ошибка A")])
    assert "ошибка A" in msg


def test_scalar_not_finite_is_proper_russian():
    msg = fails(checks.check_close, "E", float("inf"), 1.0)
    assert "получено inf — не конечное число" in msg and "скаляр" not in msg and "элемент" not in msg
    msg = fails(checks.check_finite, "E", float("nan"))
    assert "получено nan" in msg


def test_nan_never_passes_a_value_comparison():
    assert "NaN" in fails(checks.check_close, "x", np.array([np.nan]), np.array([1.0]))


MESSAGES_WITH_LATIN = re.compile(r"[A-Za-z_]{4,}")
ALLOWED_LATIN = {"return", "None", "ndarray", "list", "float", "keepdims", "axis", "broadcasting", "rel_error",
                 "NotImplementedError", "raise", "asarray", "ValueError", "TypeError", "dtype", "int"}


@pytest.mark.parametrize("call", [
    lambda: checks.check_close("x", None, np.ones(2)),
    lambda: checks.check_close("x", [1.0, 2.0], np.ones(2)),
    lambda: checks.check_close("x", np.ones(3), np.ones((3, 1))),
    lambda: checks.check_close("x", np.ones((3, 3)), np.ones((3, 1))),
    lambda: checks.check_close("x", np.ones((2, 3)), np.ones((3, 2))),
    lambda: checks.check_close("x", np.array([1.0, np.inf]), np.ones(2)),
    lambda: checks.check_close("x", float("nan"), 1.0),
    lambda: checks.check_close("x", np.ones(2), 1.0),
    lambda: checks.check_close("x", 2.0, 1.0),
    lambda: checks.check_gradient("x", np.ones(2), 2 * np.ones(2)),
    lambda: checks.check_raises("x", ValueError, lambda: 1),
])
def test_messages_are_russian_apart_from_code_names(call):
    with pytest.raises(checks.CheckError) as info:
        call()
    words = set(MESSAGES_WITH_LATIN.findall(str(info.value)))
    assert words <= ALLOWED_LATIN, words


def test_warnings_go_to_stdout_as_a_short_note(capsys):
    """nbgrader scores a test cell with stderr output 0: a harmless warning must not go there."""
    checks.route_warnings()
    P = np.array([0.0, 0.5, 0.5])
    with np.errstate(all="warn"):
        h = -np.sum(np.where(P > 0, P * np.log(P), 0.0))
    checks.check_close("entropy(P)", h, np.log(2))
    out = capsys.readouterr()
    assert out.err == ""
    assert "⚠ предупреждение" in out.out and "RuntimeWarning" in out.out and "log" in out.out
    assert "✔ entropy(P): верно" in out.out


def test_warnings_are_routed_in_a_fresh_interpreter_after_importing_the_checks():
    code = ("import warnings; from bpcourse import checks\n"
            "warnings.warn('осторожно', RuntimeWarning)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert "⚠ предупреждение" in run.stdout and "RuntimeWarning: осторожно" in run.stdout
