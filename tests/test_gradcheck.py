"""bpcourse.gradcheck: rel_error and numerical gradients, on random inputs (hypothesis)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays, array_shapes

from bpcourse.gradcheck import numerical_gradient, numerical_gradient_array, rel_error

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@given(arrays(np.float64, array_shapes(max_dims=3, max_side=4), elements=finite))
def test_rel_error_is_zero_on_equal_arrays_and_symmetric(a):
    assert rel_error(a, a) == 0.0
    b = a + 1.0
    assert rel_error(a, b) == rel_error(b, a)
    assert 0.0 < rel_error(a, b) <= 1.0


def test_rel_error_values():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 4.2)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0          # the 1e-8 floor: no NaN
    assert rel_error(np.array([1.0]), np.array([-1.0])) == 1.0  # |a|+|b|, not |a+b|
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.zeros(2), np.zeros((2, 1)))


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, array_shapes(max_dims=2, max_side=4), elements=st.floats(-3, 3)))
def test_numerical_gradient_matches_analytic_and_restores_x(x):
    f = lambda v: float(np.sum(np.sin(v) * v))
    before = x.copy()
    grad = numerical_gradient(f, x)
    assert grad.shape == x.shape
    np.testing.assert_array_equal(x, before)
    # entries near 0 carry ~1e-11 of absolute roundoff, hence atol
    np.testing.assert_allclose(grad, np.cos(before) * before + np.sin(before), rtol=1e-7, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31))
def test_numerical_gradient_array_is_the_vector_jacobian_product(m, n, seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(n, 3))
    X = rng.normal(size=(m, n))
    dout = rng.normal(size=(m, 3))
    dX = numerical_gradient_array(lambda v: v @ W, X, dout)
    np.testing.assert_allclose(dX, dout @ W.T, rtol=1e-7, atol=1e-9)
