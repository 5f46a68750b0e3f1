"""bpcourse.checks: type, then shape, then finiteness, then values — each with its own message."""
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
    assert "ожидался тип ndarray, получен NoneType" in fails(checks.check_close, "dW", None, np.ones((2, 2)))
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
