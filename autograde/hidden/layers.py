"""Hidden checks of linear layers, backprop and MSE (notebooks 06, 07)."""
from __future__ import annotations

from autograde.hidden import Exercise
from solutions import column, layers, losses
from solutions.mistakes import layers as m


def _column_linear_cases(rng):
    cases = []
    for n_out, n_in in [(3, 4), (2, 5), (3, 3)]:      # one square case: a missing .T still runs
        cases.append({"delta": rng.normal(size=(n_out, 1)), "W": rng.normal(size=(n_out, n_in)),
                      "a": rng.normal(size=(n_in, 1))})
    return cases


def _backprop_cases(rng):
    cases = []
    for sizes, activation in [((3, 4, 2), "sigmoid"), ((2, 5, 3, 2), "sigmoid"), ((4, 3, 3), "tanh")]:
        Ws = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
        bs = [rng.normal(size=(o, 1)) for o in sizes[1:]]
        cases.append({"Ws": Ws, "bs": bs, "x": rng.normal(size=(sizes[0], 1)),
                      "t": rng.uniform(size=(sizes[-1], 1)), "activation": activation})
    return cases


def _linear_layer_cases(rng):
    cases = []
    for M, n_in, n_out in [(5, 3, 4), (4, 6, 2), (6, 3, 3)]:   # M != n_out; one square W
        cases.append({"X": rng.normal(size=(M, n_in)), "W": rng.normal(size=(n_in, n_out)),
                      "b": rng.normal(size=(n_out,)), "dZ": rng.normal(size=(M, n_out))})
    return cases


def _mse_cases(rng):
    return [{"Y": rng.normal(size=(M, K)), "t": rng.normal(size=(M, K))} for M, K in [(4, 3), (7, 2), (3, 5)]]


EXERCISES = [
    Exercise("column_linear_backward", column.linear_backward, _column_linear_cases, m.COLUMN_LINEAR_BACKWARD),
    Exercise("column_backprop", column.backprop, _backprop_cases, m.COLUMN_BACKPROP),
    Exercise("linear_layer", layers.linear_layer_gradients, _linear_layer_cases, m.LINEAR_LAYER),
    Exercise("mse", losses.mse, _mse_cases, m.MSE),
]
