"""Small neural-network layers for experiments, with gradients by the complex step (no formulas).

The API mirrors PyTorch and the course's mini-batch layers (notebook 07 on; rows are examples):

- ``Parameter``: ``.data`` (float64 array) and ``.grad`` (same shape, zeros at first);
- layers ``Linear(n_in, n_out, rng=...)`` (W of shape (n_in, n_out), b of shape (n_out,),
  Z = X W + b), ``Sigmoid()``, ``ReLU()``, ``Tanh()``, and ``Sequential(*layers)``. Every layer has
  ``forward(X) -> out`` (X of shape (M, n_in); stores X), ``backward(dout) -> dX`` (dout = dL/d(out)
  of the shape of out; *adds* dL/dp into every ``p.grad`` and returns dL/dX of the shape of X),
  ``parameters()`` and ``zero_grad()``;
- losses ``MSELoss()`` (per example ½ Σ_j (t_j − y_j)²) and ``SoftmaxCrossEntropyLoss()``
  (per example −Σ_j t_j log softmax(y)_j, on logits Y), both averaged over the batch:
  ``forward(Y, t) -> float`` and ``backward() -> dY`` of the shape of Y;
- ``SGD(params, lr)`` with ``zero_grad()`` and ``step()``.

Why the complex step
--------------------
These layers are a *tool* for the course's later notebooks and the training playground; the
backward formulas of notebooks 03–07 are the students' exercises, so this module must not
contain them (the course's own answers are never shipped). It contains no derivative at all:
every backward differentiates the layer's *forward* by the complex step. For a real-analytic f,

    f(p + i h e_k) = f(p) + i h ∂f/∂p_k + O(h²),  so  ∂f/∂p_k = Im f(p + i h e_k) / h,

with no subtraction of nearby numbers (the error of central differences): with h = 1e-30 the
O(h²) term is ~1e-60 relative, so the result is exact to machine precision (Squire & Trapp 1998;
Martins, Sturdza & Alonso 2003). A layer's backward takes f(p) = Σ out(p) ⊙ dout, whose
derivative with respect to a parameter p is dL/dp by the chain rule. All entries of a parameter
are perturbed at once, each in its own slice of a leading batch axis of perturbations (numpy's
matmul broadcasts over it); since rows are examples and the layers treat each row on its own,
dL/dX needs only one perturbation per column of X (an elementwise layer: one in all).

Every forward must therefore be complex-safe: analytic in the perturbed entries and using the
real part wherever it compares (ReLU's sign test; the stable softmax's shift by the row's real
maximum). Sigmoid is computed as ½ (1 + tanh(z / 2)), which complex tanh evaluates without
overflow; the softmax's log is scipy's ``log_softmax``. The cost of a parameter's gradient is
one forward per entry of it (a few milliseconds for a 2-16-16-1 network on a batch of 100).
"""
from __future__ import annotations

import contextlib

import numpy as np
from scipy.special import log_softmax as _log_softmax
from threadpoolctl import ThreadpoolController

H = 1e-30                  # the complex step
CHUNK = 512                # perturbations per batched forward (bounds memory: CHUNK · size of out)


_blas = None

#: How many computations of this module have run (forwards, backwards, losses, an optimiser's
#: step or zero_grad). Notebooks 07 and 08 grade the student's *own* layer methods and SGD: their
#: probes (:mod:`bpcourse.layer_probe`, :mod:`bpcourse.train_probe`) record how much this grew
#: while the student's method ran, and the grader gives no points to a method that handed its
#: work to these layers (evidence it reads outside the kernel). Each counted method adds to it in its
#: own body, never through a wrapper: a wrapper keeps the uncounted function reachable
#: (functools.wraps's ``__wrapped__``, the closure's cell). The core helpers that evaluate or
#: differentiate a layer (``_apply``, ``_backward``, ``_terms``, ``_perturbations``) count too, so
#: reaching past the public methods still counts.
probe_calls = 0


@contextlib.contextmanager
def single_threaded_blas():
    """One BLAS thread inside: these GEMMs are small, and OpenBLAS's threads busy-wait for each
    other — on a busy 2-core machine a step of a 64-16-16-10 network took 40× longer with two."""
    global _blas
    if _blas is None:
        _blas = ThreadpoolController()
    with _blas.limit(limits=1, user_api="blas"):
        yield


class Parameter:
    """An array and the gradient of the loss with respect to it (same shape)."""

    def __init__(self, data):
        self.data = np.array(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"Parameter(shape={self.data.shape})"


def _perturbations(a: np.ndarray, groups: int, start: int, stop: int) -> np.ndarray:
    """Copies g = start … stop−1 of ``a`` (shape (stop − start, *a.shape), complex), copy g with
    i·H added to every entry of slot g: slot g is entry g (groups = a.size) or, for a column-wise
    layer (groups = a.size // a.shape[-1]), the whole last-axis row g (W[g, :]; all of b)."""
    global probe_calls
    probe_calls += 1
    P = stop - start
    flat = np.empty((P, groups, a.size // groups), dtype=np.complex128)
    flat[:] = a.reshape(groups, -1)
    flat[np.arange(P), np.arange(start, stop)] += 1j * H
    return flat.reshape((P,) + a.shape)


def _fold(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Real A @ B broadcasting one leading axis of A (P, M, n) or of B (P, n, k) as one GEMM."""
    if A.ndim == 3 and B.ndim == 2:
        P, M, n = A.shape
        return (A.reshape(P * M, n) @ B).reshape(P, M, -1)
    if A.ndim == 2 and B.ndim == 3:
        P, n, k = B.shape
        return (A @ B.transpose(1, 0, 2).reshape(n, P * k)).reshape(-1, P, k).transpose(1, 0, 2)
    return np.matmul(A, B)


def _matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A @ B for real or complex A, B, by real GEMMs on the parts (numpy's complex stacked
    matmul does not use BLAS)."""
    a_c, b_c = np.iscomplexobj(A), np.iscomplexobj(B)
    if not (a_c or b_c):
        return _fold(A, B)
    if a_c and b_c:
        return (_fold(A.real, B.real) - _fold(A.imag, B.imag)
                + 1j * (_fold(A.real, B.imag) + _fold(A.imag, B.real)))
    if a_c:
        return _fold(A.real, B) + 1j * _fold(A.imag, B)
    return _fold(A, B.real) + 1j * _fold(A, B.imag)


class Module:
    """A layer: ``_apply(X, *params)`` is the complex-safe forward; it must broadcast over a
    leading axis of perturbations in X or in any one parameter (X (P, M, n_in) or a parameter
    of shape (P, *shape) -> out (P, M, n_out)).

    What a layer declares about which outputs an input reaches lets one perturbation serve many
    entries (perturbations whose effects land on disjoint outputs share a slot: Curtis, Powell &
    Reid 1974). Rows are examples: out[m] depends on X[m] only (every layer here), so dL/dX needs
    one perturbation per column of X. ``elementwise``: out[m, j] depends on X[m, j] alone, so one
    perturbation of every entry serves. ``column_wise``: out[:, k] depends on the parameters'
    last-axis index k only (W[:, k], b[k]), so W needs one perturbation per row and b one.
    """

    elementwise = False
    column_wise = False

    def parameters(self) -> list[Parameter]:
        return []

    def zero_grad(self) -> None:
        global probe_calls
        probe_calls += 1
        for p in self.parameters():
            p.grad.fill(0.0)

    def _apply(self, X, *params):
        raise NotImplementedError

    def forward(self, X: np.ndarray) -> np.ndarray:
        """X of shape (M, n_in) -> out of shape (M, n_out); stores X for ``backward``."""
        global probe_calls
        probe_calls += 1
        self.X = np.asarray(X, dtype=np.float64)
        return self._apply(self.X, *[p.data for p in self.parameters()])

    def __call__(self, X):
        return self.forward(X)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Add dL/dp into every ``p.grad``; return dL/dX, of the shape of the stored X."""
        global probe_calls
        probe_calls += 1
        with single_threaded_blas():
            return self._backward(dout)

    def _backward(self, dout):
        global probe_calls
        probe_calls += 1
        X = self.X
        dout = np.asarray(dout, dtype=np.float64)
        values = [p.data for p in self.parameters()]
        for i, p in enumerate(self.parameters()):
            size = p.data.size
            groups = size // p.data.shape[-1] if self.column_wise else size
            grad = np.empty((groups, size // groups))
            for start in range(0, groups, CHUNK):
                stop = min(groups, start + CHUNK)
                args = list(values)
                args[i] = _perturbations(p.data, groups, start, stop)
                out = self._apply(X, *args)                          # (P, M, n_out)
                if self.column_wise:      # column k of slot g's output: entry (g, k)
                    grad[start:stop] = np.sum(out.imag * dout, axis=-2) / H
                else:
                    grad[start:stop, 0] = np.sum(out.imag * dout, axis=(-2, -1)) / H
            p.grad += grad.reshape(p.data.shape)
        if self.elementwise:
            return self._apply(X + 1j * H, *values).imag * dout / H
        n = X.shape[-1]
        dX = np.empty_like(X)
        for start in range(0, n, CHUNK):                             # column j of every row at once
            stop = min(n, start + CHUNK)
            shift = np.zeros((stop - start, 1, n), dtype=np.complex128)
            shift[np.arange(stop - start), 0, np.arange(start, stop)] = 1j * H
            out = self._apply(X + shift, *values)                    # (P, M, n_out)
            dX[:, start:stop] = (np.sum(out.imag * dout, axis=-1) / H).T
        return dX


class Linear(Module):
    """Z = X W + b with W of shape (n_in, n_out) and b of shape (n_out,).

    Initialised as PyTorch's ``nn.Linear``: W and b uniform in ±1/√n_in. ``rng``: a numpy
    Generator or a seed (a fresh generator if None).
    """

    column_wise = True

    def __init__(self, n_in: int, n_out: int, rng=None):
        rng = np.random.default_rng(rng)
        bound = 1.0 / np.sqrt(n_in)
        self.W = Parameter(rng.uniform(-bound, bound, size=(n_in, n_out)))
        self.b = Parameter(rng.uniform(-bound, bound, size=n_out))

    def parameters(self):
        return [self.W, self.b]

    def _apply(self, X, W, b):
        global probe_calls
        probe_calls += 1
        return _matmul(X, W) + b[..., None, :]

    def __repr__(self):
        return f"Linear({self.W.data.shape[0]}, {self.W.data.shape[1]})"


class Sigmoid(Module):
    """σ(z), evaluated as ½ (1 + tanh(z / 2)) (stable and complex-safe)."""
    elementwise = True

    def _apply(self, X):
        global probe_calls
        probe_calls += 1
        return 0.5 + 0.5 * np.tanh(0.5 * X)

    def __repr__(self):
        return "Sigmoid()"


class Tanh(Module):
    elementwise = True

    def _apply(self, X):
        global probe_calls
        probe_calls += 1
        return np.tanh(X)

    def __repr__(self):
        return "Tanh()"


class ReLU(Module):
    """max(0, z), the sign taken from the real part (the derivative at 0 is 0, as in PyTorch)."""
    elementwise = True

    def _apply(self, X):
        global probe_calls
        probe_calls += 1
        return np.where(X.real > 0, X, 0.0)

    def __repr__(self):
        return "ReLU()"


class Sequential(Module):
    """Layers applied in order; ``backward`` runs them in reverse."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def parameters(self):
        return [param for layer in self.layers for param in layer.parameters()]

    def forward(self, X):
        global probe_calls
        probe_calls += 1
        out = X
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, dout):
        global probe_calls
        probe_calls += 1
        with single_threaded_blas():
            for layer in reversed(self.layers):
                dout = layer.backward(dout)
        return dout

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        return "Sequential(" + ", ".join(map(repr, self.layers)) + ")"


class _Loss:
    """A loss averaged over the batch: the sum of per-row terms ``_terms(Y, t)`` (…, M), each
    depending on its own row of Y only; ``backward`` perturbs a column of every row at once."""

    def forward(self, Y: np.ndarray, t: np.ndarray) -> float:
        """Y, t of shape (M, K) -> the loss (a float); stores Y and t for ``backward``."""
        global probe_calls
        probe_calls += 1
        self.Y = np.asarray(Y, dtype=np.float64)
        self.t = np.asarray(t, dtype=np.float64)
        if self.Y.shape != self.t.shape:
            raise ValueError(f"Y has shape {self.Y.shape}, t has shape {self.t.shape}: they must agree")
        return float(np.sum(self._terms(self.Y, self.t)))

    __call__ = forward

    def backward(self) -> np.ndarray:
        """dL/dY of the last forward, of the shape of Y."""
        global probe_calls
        probe_calls += 1
        Y, K = self.Y, self.Y.shape[-1]
        shift = np.zeros((K, 1, K), dtype=np.complex128)
        shift[np.arange(K), 0, np.arange(K)] = 1j * H
        return (self._terms(Y + shift, self.t).imag / H).T     # (K, M) -> (M, K)


class MSELoss(_Loss):
    """Mean over the batch of ½ Σ_j (t_j − y_j)² (lecture 000)."""

    def _terms(self, Y, t):
        global probe_calls
        probe_calls += 1
        r = t - Y
        return 0.5 * np.sum(r * r, axis=-1) / Y.shape[-2]      # r * r, not |r|²: analytic

    def __repr__(self):
        return "MSELoss()"


class SoftmaxCrossEntropyLoss(_Loss):
    """Mean over the batch of −Σ_j t_j log softmax(Y)_j for logits Y and targets t (one-hot or
    distributions). The log-softmax is scipy's, of Y shifted by its row's real maximum."""

    def _terms(self, Y, t):
        global probe_calls
        probe_calls += 1
        shifted = Y - np.max(Y.real, axis=-1, keepdims=True)
        return -np.sum(t * _log_softmax(shifted, axis=-1), axis=-1) / Y.shape[-2]

    def __repr__(self):
        return "SoftmaxCrossEntropyLoss()"


class SGD:
    """Plain stochastic gradient descent: each step moves every parameter by −lr · its grad.

    A tool for the playground and for notebook 08's checks; notebook 08 asks the student to
    write an optimiser's ``step`` and ``zero_grad`` over a list of parameters. This one treats
    all parameters as one long vector (as ‖∇E‖ does)."""

    def __init__(self, params, lr: float):
        self.params, self.lr = list(params), float(lr)

    def zero_grad(self) -> None:
        global probe_calls
        probe_calls += 1
        for p in self.params:
            p.grad.fill(0.0)

    def step(self) -> None:
        global probe_calls
        probe_calls += 1
        if not self.params:
            return
        flat = np.concatenate([p.data.ravel() for p in self.params])
        flat -= self.lr * np.concatenate([p.grad.ravel() for p in self.params])
        cuts = np.cumsum([p.data.size for p in self.params])[:-1]
        for p, piece in zip(self.params, np.split(flat, cuts)):
            p.data = piece.reshape(p.data.shape)
