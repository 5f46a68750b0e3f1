"""Hidden checks of softmax, log-sum-exp, cross-entropy and softmax with temperature (09, 10)."""
from __future__ import annotations

import numpy as np

from autograde.hidden import Exercise
from solutions import losses
from solutions.mistakes import softmax as m


def _logits(rng):
    """Three batches of logits; the last has large ones, where a naive softmax overflows."""
    return [rng.normal(size=(4, 3)), rng.normal(scale=3, size=(5, 6)), rng.normal(loc=800, scale=30, size=(3, 4))]


def _one_hot(rng, M, K):
    T = np.zeros((M, K))
    T[np.arange(M), rng.integers(0, K, size=M)] = 1.0
    return T


def _softmax_cases(rng):
    return [{"Z": Z} for Z in _logits(rng)]


def _ce_cases(rng):
    return [{"Z": Z, "T": _one_hot(rng, *Z.shape)} for Z in _logits(rng)]


def _temperature(rng):
    return float(np.exp(rng.uniform(np.log(0.05), np.log(100))))


def _softmax_t_cases(rng):
    return [{"Z": Z, "T": T} for Z, T in zip(_logits(rng)[:2], [_temperature(rng), 0.5])] + \
        [{"Z": rng.normal(size=(2, 5)), "T": 20.0}]


def _softmax_t_ce_cases(rng):
    return [{"Z": Z, "targets": _one_hot(rng, *Z.shape), "T": T}
            for Z, T in zip(_logits(rng), [_temperature(rng), 0.3, 7.0])]


EXERCISES = [
    Exercise("softmax", losses.softmax, _softmax_cases, m.SOFTMAX),
    Exercise("logsumexp", losses.logsumexp, _softmax_cases, m.LOGSUMEXP),
    Exercise("softmax_cross_entropy", losses.softmax_cross_entropy, _ce_cases, m.SOFTMAX_CROSS_ENTROPY),
    Exercise("softmax_t", losses.softmax_t, _softmax_t_cases, m.SOFTMAX_T),
    Exercise("softmax_t_cross_entropy", losses.softmax_t_cross_entropy, _softmax_t_ce_cases,
             m.SOFTMAX_T_CROSS_ENTROPY),
]
