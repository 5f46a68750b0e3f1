"""A multilayer perceptron, SGD with zero_grad/step, and the training loop (notebook 08).

The API mirrors PyTorch: ``model(X)``/``model.forward``, ``loss.forward``/``loss.backward``,
``model.backward(dout)``, ``opt.zero_grad()``, ``opt.step()``. Lecture 000 "алгоритм": epochs,
shuffled mini-batches, the update W ← W − α ∇W (eq. 49–50), and stopping when ‖∇E‖ < ε or
|ΔE| < ε.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from solutions.layers import Activation, Layer, Linear, Parameter


class MLP(Layer):
    """Linear → activation → … → Linear (no activation after the last layer: logits).

    Parameters
    ----------
    sizes : e.g. (64, 16, 16, 10)
    activation : name of the hidden activation
    """

    def __init__(self, sizes, activation: str = "relu", rng: np.random.Generator | None = None):
        rng = rng or np.random.default_rng(0)
        scale = "he" if activation in ("relu", "leaky_relu") else "xavier"
        self.layers: list[Layer] = []
        for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            self.layers.append(Linear.init(n_in, n_out, rng, scale))
            if k < len(sizes) - 2:
                self.layers.append(Activation(activation))

    def forward(self, X: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            X = layer.forward(X)
        return X

    __call__ = forward

    def backward(self, dout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]


class SGD:
    """Plain stochastic gradient descent: p ← p − lr · p.grad (notebook 08: ``step`` and
    ``zero_grad`` are its exercises ``sgd_step`` and ``sgd_zero_grad``)."""

    def __init__(self, params: list[Parameter], lr: float):
        self.params, self.lr = list(params), lr

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (same shape), leaving the data alone."""
        for p in self.params:
            p.grad[...] = 0.0

    def step(self) -> None:
        """Move every parameter against its gradient; the gradients are left as they are."""
        for p in self.params:
            p.data -= self.lr * p.grad


def batch_order(rng: np.random.Generator, M: int, batch_size: int) -> list[np.ndarray]:
    """The mini-batches of one epoch: one ``rng.permutation(M)`` cut into consecutive pieces.

    Parameters
    ----------
    rng : numpy Generator (exactly one call, ``rng.permutation(M)``)
    M, batch_size : int

    Returns
    -------
    list of int ndarrays, ceil(M / batch_size) of them, each of length batch_size but the last
    (the rest); together a permutation of 0 … M−1
    """
    order = rng.permutation(M)
    return [order[start:start + batch_size] for start in range(0, M, batch_size)]


def train_epoch(model, loss_fn, opt, X: np.ndarray, T: np.ndarray, batches) -> list[float]:
    """One epoch of mini-batch SGD over the given batches, in their order.

    For each batch of indices ``idx``: ``opt.zero_grad()``, the loss of ``model(X[idx])``
    against ``T[idx]``, ``model.backward(loss_fn.backward())``, ``opt.step()``.

    Parameters
    ----------
    model : forward(X) -> Y, backward(dY); loss_fn : forward(Y, T) -> float, backward() -> dY
    opt : zero_grad(), step() over the model's parameters
    X : ndarray of shape (M, n_in); T : ndarray of shape (M, K)
    batches : list of int ndarrays of indices (e.g. from :func:`batch_order`)

    Returns
    -------
    list of float : the loss of each batch, computed before its step
    """
    losses = []
    for idx in batches:
        opt.zero_grad()
        loss = loss_fn.forward(model.forward(X[idx]), T[idx])
        model.backward(loss_fn.backward())
        opt.step()
        losses.append(float(loss))
    return losses


def grad_norm(grads) -> float:
    """‖∇E‖: the Euclidean norm of all gradients together, as one long vector.

    Parameters
    ----------
    grads : list of ndarrays of any shapes (e.g. ``[p.grad for p in params]``)

    Returns
    -------
    float
    """
    return float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))


def should_stop(losses, norm: float, eps_grad: float, eps_loss: float) -> bool:
    """The stopping test after an epoch: ‖∇E‖ < eps_grad, or |ΔE| < eps_loss between the last
    two epochs (no ΔE after the first epoch).

    Parameters
    ----------
    losses : sequence of float (list or 1-D ndarray), the full-data loss after each epoch so far
    norm : float, ‖∇E‖ after the last epoch
    eps_grad, eps_loss : float

    Returns
    -------
    bool
    """
    if norm < eps_grad:
        return True
    return len(losses) >= 2 and abs(losses[-1] - losses[-2]) < eps_loss


@dataclass
class History:
    loss: list = field(default_factory=list)       # full-data loss after every epoch
    grad_norm: list = field(default_factory=list)  # full-batch ‖∇E‖ after every epoch
    stopped: str = "epochs"                         # why training stopped


def train(model: MLP, loss, X: np.ndarray, t: np.ndarray, *, epochs: int, batch_size: int, lr: float,
          rng: np.random.Generator, eps_grad: float = 0.0, eps_loss: float = 0.0) -> History:
    """Mini-batch SGD; after each epoch records the full-data loss and gradient norm and
    stops early when ‖∇E‖ < eps_grad or |ΔE| < eps_loss."""
    opt = SGD(model.parameters(), lr)
    hist = History()
    M = X.shape[0]
    for _ in range(epochs):
        order = rng.permutation(M)
        for start in range(0, M, batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad()
            loss.forward(model.forward(X[idx]), t[idx])
            model.backward(loss.backward())
            opt.step()
        opt.zero_grad()
        hist.loss.append(loss.forward(model.forward(X), t))
        model.backward(loss.backward())
        hist.grad_norm.append(grad_norm([p.grad for p in opt.params]))
        opt.zero_grad()
        if hist.grad_norm[-1] < eps_grad:
            hist.stopped = "grad_norm"
            break
        if len(hist.loss) > 1 and abs(hist.loss[-1] - hist.loss[-2]) < eps_loss:
            hist.stopped = "loss_change"
            break
    return hist
