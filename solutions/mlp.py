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
    """Plain stochastic gradient descent: p ← p − lr · p.grad."""

    def __init__(self, params: list[Parameter], lr: float):
        self.params, self.lr = list(params), lr

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad[...] = 0.0

    def step(self) -> None:
        for p in self.params:
            p.data -= self.lr * p.grad


def grad_norm(params: list[Parameter]) -> float:
    """‖∇E‖ over all parameters."""
    return float(np.sqrt(sum(np.sum(p.grad ** 2) for p in params)))


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
        hist.grad_norm.append(grad_norm(opt.params))
        opt.zero_grad()
        if hist.grad_norm[-1] < eps_grad:
            hist.stopped = "grad_norm"
            break
        if len(hist.loss) > 1 and abs(hist.loss[-1] - hist.loss[-2]) < eps_loss:
            hist.stopped = "loss_change"
            break
    return hist
