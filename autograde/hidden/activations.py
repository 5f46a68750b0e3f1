"""Hidden checks of the activation backward passes (notebooks 05, 07)."""
from __future__ import annotations

import numpy as np

from autograde.hidden import Exercise
from solutions import activations as ref
from solutions.mistakes import activations as m


def _batches(rng, n=3):
    return [(int(rng.integers(2, 6)), int(rng.integers(2, 6))) for _ in range(n)]


def _sigmoid_cases(rng):
    return [{"da": rng.normal(size=s), "a": ref.sigmoid(rng.normal(scale=2, size=s))} for s in _batches(rng)]


def _tanh_cases(rng):
    return [{"da": rng.normal(size=s), "a": np.tanh(rng.normal(size=s))} for s in _batches(rng)]


def _relu_cases(rng):
    cases = []
    for s in _batches(rng):
        z = rng.normal(size=s)
        z[0, 0] = 0.0   # the derivative at exactly 0 is 0 (eq. 28)
        cases.append({"da": rng.normal(size=s), "z": z})
    return cases


def _leaky_cases(rng):
    return [dict(c, alpha=0.01) for c in _relu_cases(rng)]


EXERCISES = [
    Exercise("sigmoid_backward", ref.sigmoid_backward, _sigmoid_cases, m.SIGMOID_BACKWARD),
    Exercise("relu_backward", ref.relu_backward, _relu_cases, m.RELU_BACKWARD),
    Exercise("leaky_relu_backward", ref.leaky_relu_backward, _leaky_cases, m.LEAKY_RELU_BACKWARD),
    Exercise("tanh_backward", ref.tanh_backward, _tanh_cases, m.TANH_BACKWARD),
]
