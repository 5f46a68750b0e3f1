"""The published figures of COURSE.md, to every digit they are published with."""
import numpy as np
import pytest

from solutions import losses, network222 as net


def test_2_2_2_forward_pass():
    v = net.forward(net.WEIGHTS)
    assert v["h1"] == pytest.approx(0.593269992, abs=5e-10)
    assert v["h2"] == pytest.approx(0.596884378, abs=5e-10)
    assert v["o1"] == pytest.approx(0.75136507, abs=5e-9)
    assert v["o2"] == pytest.approx(0.772928465, abs=5e-10)
    assert net.error(v) == pytest.approx(0.298371109, abs=5e-10)


def test_2_2_2_one_step():
    w = net.step(net.WEIGHTS)
    np.testing.assert_allclose(w[4:], [0.35891648, 0.408666186, 0.511301270, 0.561370121], atol=5e-9)
    np.testing.assert_allclose(w[:4], [0.149780716, 0.19956143, 0.24975114, 0.29950229], atol=5e-9)


def test_2_2_2_after_10000_rounds():
    """Published: 0.0000351085. That is the error printed *in* the 10 000th round, before its
    update, i.e. after 9 999 updates. (COURSE.md writes it 3.5085e-05, dropping a digit.)"""
    _, err = net.train(9999)
    assert err == pytest.approx(0.0000351085, abs=5e-11)
    _, after = net.train(10000)
    assert after < err


def test_softmax_tables():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(losses.softmax(z), [0.090, 0.245, 0.665], atol=5e-4)
    assert float(losses.logsumexp(z)) == pytest.approx(3.408, abs=5e-4)
    np.testing.assert_allclose(losses.softmax_t(z, 100), [0.33, 0.33, 0.34], atol=5e-3)
    hot = losses.softmax_t(z, 0.1)
    assert hot[0] == pytest.approx(2e-9, rel=0.05)          # 2.06e-9
    assert hot[1] == pytest.approx(4.5e-5, rel=0.01)        # 4.54e-5 (the notes round it to 4e-5)
    assert hot[2] == pytest.approx(0.99995, abs=5e-6)


def test_temperature_limits():
    z = np.array([0.3, -1.0, 2.0, 1.9])
    np.testing.assert_allclose(losses.softmax_t(z, 1e6), np.full(4, 0.25), atol=1e-6)
    np.testing.assert_allclose(losses.softmax_t(z, 1e-3), [0, 0, 1, 0], atol=1e-12)
    H = [float(losses.entropy(losses.softmax_t(z, T))) for T in (0.05, 0.5, 5, 50)]
    assert H == sorted(H) and H[-1] == pytest.approx(np.log(4), abs=1e-3)
