"""Probes of notebook 08's training exercises: each runs one exercise alone, reported as numbers.

Nothing here knows an update rule or a loop. Each probe builds what the exercise is given and
calls it once — never another of the student's functions or classes:

* ``SGD.step`` / ``SGD.zero_grad`` (:func:`sgd_step`, :func:`sgd_zero_grad`): parameters of
  :mod:`bpcourse.nn` with the given data and nonzero gradients, one object of the student's
  ``SGD`` class over them, one call of the method; the probe returns every parameter's data and
  gradient afterwards;
* ``batch_order`` (:func:`seeded`): a fresh ``np.random.default_rng(seed)`` is the Generator the
  student's function gets (the grader cannot send a Generator, only its seed);
* ``train_epoch`` (:func:`epoch`): a network of :mod:`bpcourse.nn` layers built with the given
  initial weights, ``nn.MSELoss`` and ``nn.SGD`` (the course's, not the student's optimiser),
  the given batches as int index arrays; the probe returns the losses the function returned
  and the weights after the epoch. The same weights and batches give the same numbers to the
  last bit for every correct loop;
* ``should_stop`` (:func:`verdict`): its answer and whether that answer is a bool.

``SGD.step`` and ``SGD.zero_grad``'s hidden-check functions also record how many computations
of :mod:`bpcourse.nn` ran inside the student's method (``nn.probe_calls``): raw evidence the
grader reads outside the kernel, where a method that hands its work to ``nn.SGD`` gets no points.
``train_epoch`` legitimately runs ``bpcourse.nn`` (the probe gives it the course's layers and
optimiser), so nothing is counted there.

The hidden checks call these in the grading kernel with the student's code; the grader calls
them outside with the reference and compares. The visible checks of notebook 08
(``bpcourse.checks.check_sgd_step`` …) run the same probes on inputs written into the check.
"""
from __future__ import annotations

import numpy as np

from bpcourse import nn


def _array(value, what: str) -> np.ndarray:
    if value is None:
        raise TypeError(f"{what}: None вместо массива")
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{what}: не числа ({type(value).__name__})") from None


def parameters(data, grads) -> list:
    """``nn.Parameter`` objects with the given data and gradients (copies)."""
    params = []
    for d, g in zip(data, grads):
        p = nn.Parameter(d)
        p.grad = np.array(g, dtype=np.float64)
        params.append(p)
    return params


def _state(params) -> list[np.ndarray]:
    return ([_array(p.data, "p.data") for p in params]
            + [_array(p.grad, "p.grad") for p in params])


def run_sgd(SGD, method: str, data, grads, lr, count: bool = False) -> list[np.ndarray]:
    """``SGD(params, lr).<method>()`` once: [data of each parameter…, grad of each parameter…]
    (and, with ``count``, ``[n]``: the computations of :mod:`bpcourse.nn` the method ran)."""
    params = parameters(data, grads)
    opt = SGD(params, float(lr))
    before = nn.probe_calls
    getattr(opt, method)()
    used = float(nn.probe_calls - before)
    return _state(params) + ([np.array([used])] if count else [])


def network(weights, activation: str = "tanh") -> nn.Sequential:
    """Linear → activation → Linear → … of :mod:`bpcourse.nn` with the given
    ``[W1, b1, W2, b2, …]`` (no activation after the last Linear)."""
    act = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}[activation]
    layers = []
    pairs = list(zip(weights[0::2], weights[1::2]))
    for k, (W, b) in enumerate(pairs):
        W = np.array(W, dtype=np.float64)
        lin = nn.Linear(W.shape[0], W.shape[1], rng=0)
        lin.W.data, lin.b.data = W, np.array(b, dtype=np.float64)
        layers.append(lin)
        if k < len(pairs) - 1:
            layers.append(act())
    return nn.Sequential(*layers)


def run_epoch(train_epoch, weights, X, T, batches, lr) -> list[np.ndarray]:
    """``train_epoch(model, nn.MSELoss(), nn.SGD(…, lr), X, T, batches)`` on a tanh network with
    the given initial weights: [the returned losses, each parameter after the epoch…]."""
    model = network(weights)
    opt = nn.SGD(model.parameters(), float(lr))
    idx = [np.asarray(b, dtype=np.float64).astype(np.int64) for b in batches]
    losses = train_epoch(model, nn.MSELoss(), opt, np.array(X, dtype=np.float64),
                         np.array(T, dtype=np.float64), idx)
    if losses is None:
        raise TypeError("train_epoch вернул None — пропущен return?")
    return [_array(losses, "потери")] + [_array(p.data, "параметр") for p in model.parameters()]


# --- the hidden-check functions: case kwargs -> outputs -------------------------------------

def sgd_step(SGD):
    def probe(data, grads, lr):
        return run_sgd(SGD, "step", data, grads, lr, count=True)
    return probe


def sgd_zero_grad(SGD):
    def probe(data, grads, lr):
        return run_sgd(SGD, "zero_grad", data, grads, lr, count=True)
    return probe


def seeded(batch_order):
    """``batch_order(np.random.default_rng(seed), M, batch_size)``, each batch as a float array."""
    def probe(seed, M, batch_size):
        got = batch_order(np.random.default_rng(seed), M, batch_size)
        if got is None:
            raise TypeError("batch_order вернул None — пропущен return?")
        return [_array(b, "пакет") for b in got]
    return probe


def epoch(train_epoch):
    def probe(weights, X, T, batches, lr):
        return run_epoch(train_epoch, weights, X, T, batches, lr)
    return probe


def verdict(should_stop):
    """``should_stop(...)`` as two numbers: its truth value, and 1.0 if it is a bool (Python's or
    numpy's), 0.0 otherwise — the notebook promises True or False."""
    def probe(losses, norm, eps_grad, eps_loss):
        got = should_stop(losses, norm, eps_grad, eps_loss)
        return np.array([float(bool(got)), float(isinstance(got, (bool, np.bool_)))])
    return probe
