"""The temperature explorer, driven from Python: every control updates the state and the page."""
import math

import numpy as np
import pytest

from bpcourse.widgets import TemperatureExplorer, parse_logits
from solutions.losses import entropy, softmax_t, softmax_t_cross_entropy


def test_initial_state_matches_the_reference():
    e = TemperatureExplorer(logits=(2.0, 1.0, 0.1, -1.0), T=1.0)
    z = np.array([[2.0, 1.0, 0.1, -1.0]])
    np.testing.assert_allclose(e.state["probs"], softmax_t(z, 1.0)[0], rtol=1e-12)
    assert e.state["entropy"] == pytest.approx(float(entropy(softmax_t(z, 1.0))[0]), rel=1e-12)
    _, dZ = softmax_t_cross_entropy(z, np.eye(4)[[0]], 1.0)
    np.testing.assert_allclose(e.state["grad"], dZ[0], atol=1e-7)   # numerical vs analytic


def test_slider_changes_probabilities_entropy_and_gradient():
    e = TemperatureExplorer()
    before = dict(e.state)
    e.T_slider.value = 50.0
    assert e.state["T"] == pytest.approx(50.0)
    assert e.state["entropy"] > before["entropy"] and e.state["entropy"] < math.log(4)
    assert np.linalg.norm(e.state["grad"]) < np.linalg.norm(before["grad"])   # the 1/T
    z = np.array([[2.0, 1.0, 0.1, -1.0]])
    _, dZ = softmax_t_cross_entropy(z, np.eye(4)[[0]], e.state["T"])
    np.testing.assert_allclose(e.state["grad"], dZ[0], atol=1e-7)
    e.T_slider.value = 0.05
    assert e.state["entropy"] < 1e-6
    assert f'{e.state["entropy"]:.4f}' in e.entropy_html.value


def test_slider_is_logarithmic_over_0_05_to_100():
    e = TemperatureExplorer()
    assert 10 ** e.T_slider.min == pytest.approx(0.05) and 10 ** e.T_slider.max == pytest.approx(100)
    assert e.T_slider.base == 10


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
    e.T_slider.value = 3.0
    assert calls[-1] == pytest.approx(3.0)

    def blank(Z, T):
        raise NotImplementedError()

    e = TemperatureExplorer(blank)
    assert "ещё не реализована" in e.message.value and "scipy" in e.header.value
    np.testing.assert_allclose(e.state["probs"].sum(), 1.0)   # explores with scipy meanwhile

    def broken(Z, T):
        return Z[:, :1]

    e = TemperatureExplorer(broken)
    assert "ошибка" in e.message.value


@pytest.mark.parametrize("text", ["", "1", "1," * 20, "nan, 1", "1e9, 0"])
def test_bad_logits_are_refused(text):
    with pytest.raises(ValueError):
        parse_logits(text)
