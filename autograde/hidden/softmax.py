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


def _probabilities(rng):
    P = [losses.softmax(rng.normal(scale=2, size=(4, 5))), losses.softmax(rng.normal(scale=4, size=(3, 3)))]
    return P


def _cross_entropy_cases(rng):
    return [{"Y": Y, "T": _one_hot(rng, *Y.shape)} for Y in _probabilities(rng)]


def _softmax_backward_cases(rng):
    cases = []
    for M, K in [(4, 3), (3, 6), (5, 5)]:
        cases.append({"dY": rng.normal(size=(M, K)), "Y": losses.softmax(rng.normal(scale=2, size=(M, K)))})
    return cases


def _entropy_cases(rng):
    P = _probabilities(rng)
    hard = np.zeros((2, 4))
    hard[0, 1] = 1.0
    hard[1, :2] = 0.5          # zeros: 0 log 0 = 0
    return [{"P": p} for p in P] + [{"P": hard}]


EXERCISES = [
    Exercise("softmax", losses.softmax, _softmax_cases, m.SOFTMAX),
    Exercise("logsumexp", losses.logsumexp, _softmax_cases, m.LOGSUMEXP),
    Exercise("cross_entropy", losses.cross_entropy, _cross_entropy_cases, m.CROSS_ENTROPY),
    Exercise("softmax_backward", losses.softmax_backward, _softmax_backward_cases, m.SOFTMAX_BACKWARD),
    Exercise("entropy", losses.entropy, _entropy_cases, m.ENTROPY),
    Exercise("softmax_cross_entropy", losses.softmax_cross_entropy, _ce_cases, m.SOFTMAX_CROSS_ENTROPY),
    Exercise("softmax_t", losses.softmax_t, _softmax_t_cases, m.SOFTMAX_T),
    Exercise("softmax_t_cross_entropy", losses.softmax_t_cross_entropy, _softmax_t_ce_cases,
             m.SOFTMAX_T_CROSS_ENTROPY),
]
