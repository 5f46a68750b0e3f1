"""The temperature explorer, driven from Python: every control updates the state and the page."""
import math
import re

import numpy as np
import pytest
from scipy.special import softmax as scipy_softmax

from bpcourse.widgets import (G_HI, G_LO, K_MAX, K_MIN, LECTURE_T, T_MAX, T_MIN, TemperatureExplorer,
                              fmt, grad_bar_width, parse_logits, slider_position, slider_T)
from solutions.losses import entropy, softmax_t, softmax_t_cross_entropy


def bar_widths(page_html: str) -> list[float]:
    return [float(w) for w in re.findall(r'class="bp-bar" data-width="([0-9.]+)"', page_html)]


def shown(page_html: str, kind: str) -> list[str]:
    return re.findall(rf'class="bp-{kind}" data-index="\d+"[^>]*>([^<]*)<', page_html)


def test_initial_state_matches_the_reference():
    e = TemperatureExplorer(logits=(2.0, 1.0, 0.1, -1.0), T=1.0)
    z = np.array([[2.0, 1.0, 0.1, -1.0]])
    assert e.state["T"] == 1.0 and e.T_box.value == 1.0 and slider_T(e.T_slider.value) == 1.0
    np.testing.assert_allclose(e.state["probs"], softmax_t(z, 1.0)[0], rtol=1e-12)
    assert e.state["entropy"] == pytest.approx(float(entropy(softmax_t(z, 1.0))[0]), rel=1e-12)
    loss, dZ = softmax_t_cross_entropy(z, np.eye(4)[[0]], 1.0)
    assert e.state["loss"] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(e.state["grad"], dZ[0], atol=1e-7)   # numerical vs analytic


def test_slider_changes_probabilities_entropy_and_gradient():
    e = TemperatureExplorer()
    before = dict(e.state)
    e.T_slider.value = slider_position(50.0)
    assert e.state["T"] == pytest.approx(50.0, rel=0.012)   # the nearest position, 10^(170/100)
    assert e.T_box.value == e.state["T"]
    assert e.state["entropy"] > before["entropy"] and e.state["entropy"] < math.log(4)
    assert np.linalg.norm(e.state["grad"]) < np.linalg.norm(before["grad"])   # the 1/T
    z = np.array([[2.0, 1.0, 0.1, -1.0]])
    _, dZ = softmax_t_cross_entropy(z, np.eye(4)[[0]], e.state["T"])
    np.testing.assert_allclose(e.state["grad"], dZ[0], atol=1e-7)
    e.T_slider.value = e.T_slider.min
    assert e.state["entropy"] < 1e-6
    assert f'H = {fmt(e.state["entropy"])}' in e.entropy_html.value


def test_slider_grid_is_logarithmic_over_0_05_to_100_and_contains_the_lectures_values():
    e = TemperatureExplorer()
    values = [slider_T(k) for k in range(K_MIN, K_MAX + 1)]
    assert values == sorted(set(values))                      # strictly increasing
    assert values[0] == pytest.approx(T_MIN, rel=0.01) and values[-1] == T_MAX
    steps = np.diff(np.log10(values))
    assert steps.min() > 0.005 and steps.max() < 0.015      # ~0.01 decade each
    for T in LECTURE_T:
        e.T_slider.value = slider_position(T)
        assert e.state["T"] == T and e.T_box.value == T     # exactly, not 0.998
        z = np.array([[2.0, 1.0, 0.1, -1.0]])
        np.testing.assert_allclose(e.state["probs"], softmax_t(z, T)[0], rtol=1e-12)


@pytest.mark.parametrize("typed", [0.05, 0.5, 1.0, 2.0, 3.7, 100.0])
def test_a_typed_temperature_is_kept(typed):
    e = TemperatureExplorer()
    e.T_box.value = typed
    assert e.state["T"] == typed and e.T == typed and e.T_box.value == typed
    assert e.T_slider.value == slider_position(typed)       # the slider follows to the nearest position
    assert f'<span class="bp-T" data-value="{typed!r}">{typed:g}</span>' in e.entropy_html.value
    # moving the slider from there is a move away from the typed value
    e.T_slider.value = min(K_MAX, e.T_slider.value + 1) if typed < 100 else K_MAX - 1
    assert e.state["T"] != typed


def test_gradient_bars_are_on_a_fixed_log_scale():
    e = TemperatureExplorer(logits=(2.0, 1.0, 0.1, -1.0))
    e.target.value = 3          # the least likely class: |y − t| stays near 1, so |∂L/∂z| ~ 1/T
    lengths = {}
    for T in (0.1, 1.0, 10.0, 100.0):
        e.set_T(T)
        widths = bar_widths(e.grad_html.value)
        assert len(widths) == 4
        for g, w in zip(e.state["grad"], widths):
            assert w == pytest.approx(grad_bar_width(g), abs=1e-3)
        lengths[T] = max(widths)
    # |∂L/∂z| shrinks like 1/T: a tenfold T is one decade shorter (100/6 % of the track)
    decade = 100 / (G_HI - G_LO)
    for a, b in [(0.1, 1.0), (1.0, 10.0), (10.0, 100.0)]:
        assert lengths[a] - lengths[b] == pytest.approx(decade, abs=0.3 * decade)
    assert lengths[100.0] < 0.5 * lengths[1.0]               # T = 100 does not look like T = 1
    assert "тёмная линия — 1" in e.grad_html.value and "10⁻⁴" in e.grad_html.value


def test_a_tiny_gradient_is_never_a_full_bar():
    assert grad_bar_width(4e-8) == 0.0 and grad_bar_width(0.0) == 0.0 and grad_bar_width(-4e-8) == 0.0
    assert grad_bar_width(10.0 ** G_HI) == 100.0 and grad_bar_width(-1e9) == 100.0
    assert grad_bar_width(1.0) == pytest.approx(100 * -G_LO / (G_HI - G_LO))
    e = TemperatureExplorer(logits=(2.0, 1.0, 0.1, -1.0))
    e.target.value = 0
    e.set_T(0.05)            # y ≈ (1, 2e-9, …): the gradient's other components are ~4e-8
    g = e.state["grad"]
    small = [i for i in range(4) if abs(g[i]) < 1e-4]
    assert small, g
    widths = bar_widths(e.grad_html.value)
    assert all(widths[i] == 0.0 for i in small)


def test_underflowed_target_probability_gives_the_true_loss_and_gradient():
    z = np.array([[50.0, 1.0, 0.1, -1.0]])
    loss, dZ = softmax_t_cross_entropy(z, np.eye(4)[[3]], 0.05)
    assert loss == pytest.approx(1020, rel=1e-3)
    for fn in (None, softmax_t):     # scipy's softmax, and a student's (correct, stable) one
        e = TemperatureExplorer(fn, logits=(50.0, 1.0, 0.1, -1.0))
        e.target.value = 3
        e.set_T(0.05)
        assert e.state["stable"]
        assert e.state["loss"] == pytest.approx(loss, rel=1e-9)          # not 690.78
        np.testing.assert_allclose(e.state["grad"], dZ[0], atol=1e-5)     # ±20, not all zero
        assert "1020.0000" in e.entropy_html.value
        assert "log_softmax" in e.message.value and "меньше, чем" in e.message.value
        assert shown(e.grad_html.value, "grad")[0] == "20.0000"
        assert shown(e.grad_html.value, "grad")[3] == "-20.0000"
        e.set_T(1.0)                 # representable again: back to −log y_t, no note
        assert not e.state["stable"] and e.message.value == ""


def test_the_gradient_is_the_students_functions_derivative():
    # a softmax_t that forgets to divide by T: the explorer must show *its* gradient, (y − t)
    # without 1/T, so that the student can see the difference from their exercise 3
    def forgot_T(Z, T):
        return scipy_softmax(Z, axis=-1)

    e = TemperatureExplorer(forgot_T, logits=(2.0, 1.0, 0.1, -1.0), T=4.0)
    z = np.array([2.0, 1.0, 0.1, -1.0])
    assert not e.state["stable"]
    np.testing.assert_allclose(e.state["grad"], scipy_softmax(z) - np.eye(4)[0], atol=1e-7)
    assert e.state["loss"] == pytest.approx(-math.log(scipy_softmax(z)[0]), rel=1e-12)


def test_rows_are_labelled_and_entropy_is_never_negative_zero():
    e = TemperatureExplorer(logits=(50.0, 1.0, 0.1, -1.0))
    e.set_T(0.05)          # y = (1, 0, 0, 0): H = 0
    assert e.state["entropy"] == 0.0 and math.copysign(1.0, e.state["entropy"]) == 1.0
    assert "H = 0.0000" in e.entropy_html.value and "-0.0000" not in e.entropy_html.value
    for part in (e.probs_html.value, e.grad_html.value, e.entropy_html.value):
        assert "-0.0000" not in part
    assert e.probs_html.value.count("y<sub>") == 4 and "z<sub>" not in e.probs_html.value
    assert e.grad_html.value.count("∂L/∂z<sub>") >= 4


def test_editing_logits_and_target():
    e = TemperatureExplorer()
    e.logits_box.value = "1, 2, 3"
    np.testing.assert_allclose(e.state["probs"], [0.09003057, 0.24472847, 0.66524096], atol=1e-8)
    assert [v for _, v in e.target.options] == [0, 1, 2]
    assert e.probs_html.value.count('class="bp-prob"') == 3
    e.target.value = 2
    assert e.state["grad"][2] < 0 and e.state["grad"][0] > 0
    e.logits_box.value = "1, two, 3"
    assert "числа через запятую" in e.message.value
    np.testing.assert_allclose(e.state["probs"], [0.09003057, 0.24472847, 0.66524096], atol=1e-8)  # kept


def test_runs_on_the_students_function_and_reports_its_errors():
    calls = []

    def mine(Z, T):
        calls.append(T)
        return softmax_t(Z, T)

    e = TemperatureExplorer(mine)
    assert calls and "ваша softmax_t" in e.header.value
    e.set_T(3.0)
    assert calls[-1] == 3.0

    def blank(Z, T):
        raise NotImplementedError()

    e = TemperatureExplorer(blank)
    assert "ещё не реализована" in e.message.value and "scipy" in e.header.value
    np.testing.assert_allclose(e.state["probs"].sum(), 1.0)   # explores with scipy meanwhile

    def broken(Z, T):
        return Z[:, :1]

    e = TemperatureExplorer(broken)
    assert "ошибка" in e.message.value and e.state == {} and e.probs_html.value == ""

    def naive(Z, T):           # no shift by the maximum: overflows at 1000 / 0.05
        with np.errstate(over="ignore", invalid="ignore"):
            E = np.exp(Z / T)
            return E / E.sum(axis=-1, keepdims=True)

    e = TemperatureExplorer(naive, logits=(50.0, 1.0, 0.1, -1.0))
    assert e.state["T"] == 1.0 and np.isfinite(e.state["loss"])
    e.set_T(0.05)
    assert "nan или inf" in e.message.value
    assert e.state == {} and e.grad_html.value == "" and e.entropy_html.value == ""   # no stale numbers


@pytest.mark.parametrize("text", ["", "1", "1," * 20, "nan, 1", "1e9, 0"])
def test_bad_logits_are_refused(text):
    with pytest.raises(ValueError):
        parse_logits(text)
