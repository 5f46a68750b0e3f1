"""Probes of notebook 07's layers: one method of one layer object, run alone, reported as numbers.

Nothing here knows a layer's formula. Each probe builds one object of the student's class
with the given parameters, puts into it what the method under test needs and calls that one
method — never another method of the student's:

* ``forward``: the layer is built fresh, ``forward`` is called once; the probe returns what it
  returned and the attribute(s) it had to store for ``backward`` (the notebook's interface:
  ``Linear`` stores ``self.X``, ``Sigmoid`` stores ``self.A``, ``ReLU`` stores ``self.Z``,
  ``MSELoss`` stores ``self.Y`` and ``self.t``);
* ``backward``: the layer is built fresh, the stored attributes are set by the probe (not by the
  student's ``forward``), the parameters' ``.grad`` are pre-set to nonzero arrays, and
  ``backward`` is called once; the probe returns what it returned and, for ``Linear``, the
  parameters' gradients afterwards (so ``=`` instead of ``+=`` shows).

The hidden-check functions (below) also record how many computations of :mod:`bpcourse.nn`
ran during the call (:func:`library_calls`): raw evidence the grader reads outside the kernel,
where a method that handed its work to the course's own layers gets no points.

The hidden checks call these in the grading kernel with the student's classes; the grader calls
them outside with the reference classes and compares. The visible checks of notebook 07
(``bpcourse.checks.check_linear_layer_forward`` …) run the same probes on inputs written into
the check.
"""
from __future__ import annotations

import numpy as np

#: what each kind of layer's forward stores for its backward (the notebook's interface)
STORED = {"linear": ("X",), "sigmoid": ("A",), "relu": ("Z",), "mse": ("Y", "t")}


class NotStored(AttributeError):
    """``forward`` did not store what ``backward`` needs."""


def _array(value, what: str) -> np.ndarray:
    """A returned value as a float64 array, with a clear error when it is not numbers."""
    if value is None:
        raise TypeError(f"{what} вернул None — пропущен return?")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{what} вернул не числа ({type(value).__name__})") from None


def stored(layer, name: str, method: str = "forward") -> np.ndarray:
    """``layer.<name>`` as a float64 array; :class:`NotStored` if ``method`` did not store it."""
    if not hasattr(layer, name):
        raise NotStored(f"{method} не сохранил self.{name}: backward берёт его из объекта слоя")
    return _array(getattr(layer, name), f"self.{name} после {method}")


def _fresh(cls, *args):
    return cls(*(np.array(a, dtype=np.float64) for a in args))


# --- Linear -----------------------------------------------------------------------------------

def run_linear_forward(Linear, X, W, b) -> tuple[np.ndarray, np.ndarray]:
    """``Linear(W, b).forward(X)``: (what it returned, the stored self.X)."""
    layer = _fresh(Linear, W, b)
    out = _array(layer.forward(X), "forward(X)")
    return out, stored(layer, "X")


def run_linear_backward(Linear, X, W, b, dZ, W_grad, b_grad) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``Linear(W, b)`` with ``self.X = X`` and pre-set ``W.grad``, ``b.grad``; ``backward(dZ)``
    once: (what it returned, W.grad, b.grad afterwards)."""
    layer = _fresh(Linear, W, b)
    layer.X = X
    layer.W.grad = np.array(W_grad, dtype=np.float64)
    layer.b.grad = np.array(b_grad, dtype=np.float64)
    dX = _array(layer.backward(dZ), "backward(dZ)")
    return dX, _array(layer.W.grad, "W.grad после backward"), _array(layer.b.grad, "b.grad после backward")


# --- activations ----------------------------------------------------------------------------

def run_activation_forward(cls, name: str, Z) -> tuple[np.ndarray, np.ndarray]:
    """``cls().forward(Z)``: (what it returned, the stored self.<name>)."""
    layer = cls()
    out = _array(layer.forward(Z), "forward(Z)")
    return out, stored(layer, name)


def run_activation_backward(cls, Z, A, dA) -> np.ndarray:
    """``cls()`` with ``self.Z = Z`` and ``self.A = A`` (both given, consistent); ``backward(dA)``
    once: what it returned."""
    layer = cls()
    layer.Z, layer.A = Z, A
    return _array(layer.backward(dA), "backward(dA)")


# --- MSE loss -------------------------------------------------------------------------------

def run_loss_forward(cls, Y, t) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``cls().forward(Y, t)``: (the loss, the stored self.Y, self.t)."""
    loss = cls()
    value = _array(loss.forward(Y, t), "forward(Y, t)")
    return value, stored(loss, "Y"), stored(loss, "t")


def run_loss_backward(cls, Y, t) -> np.ndarray:
    """``cls()`` with ``self.Y = Y``, ``self.t = t``; ``backward()`` once: what it returned."""
    loss = cls()
    loss.Y, loss.t = Y, t
    return _array(loss.backward(), "backward()")


# --- the hidden-check functions: case kwargs -> outputs -------------------------------------

def library_calls(run, *args):
    """``run(*args)``'s outputs, then ``[n]``: how many computations of :mod:`bpcourse.nn` ran
    meanwhile (``nn.probe_calls``; the probe itself runs none). Recorded as evidence; the
    grader decides."""
    from bpcourse import nn

    before = nn.probe_calls
    out = run(*args)
    used = float(nn.probe_calls - before)
    return (*(out if isinstance(out, tuple) else (out,)), np.array([used]))


def linear_forward(Linear):
    def probe(X, W, b):
        return library_calls(run_linear_forward, Linear, X, W, b)
    return probe


def linear_backward(Linear):
    def probe(X, W, b, dZ, W_grad, b_grad):
        return library_calls(run_linear_backward, Linear, X, W, b, dZ, W_grad, b_grad)
    return probe


def activation_forward(cls, name: str):
    if name not in ("A", "Z"):
        raise ValueError(f"an activation stores A or Z, not {name!r}")

    def probe(Z):
        return library_calls(run_activation_forward, cls, name, Z)
    return probe


def activation_backward(cls):
    def probe(Z, A, dA):
        return library_calls(run_activation_backward, cls, Z, A, dA)
    return probe


def loss_forward(cls):
    def probe(Y, t):
        return library_calls(run_loss_forward, cls, Y, t)
    return probe


def loss_backward(cls):
    def probe(Y, t):
        return library_calls(run_loss_backward, cls, Y, t)
    return probe
