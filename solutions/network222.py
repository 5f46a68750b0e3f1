"""The lecture's 2-2-2 sigmoid network with squared error, in scalar formulas (notebook 04).

Lecture 000 (second half) and the published worked example: inputs i1, i2; hidden h1, h2;
outputs o1, o2; weights w1…w8; one bias per layer (b1 hidden, b2 output) that is shared by
the layer's neurons and not updated:

    net_h1 = w1 i1 + w2 i2 + b1      net_h2 = w3 i1 + w4 i2 + b1
    net_o1 = w5 h1 + w6 h2 + b2      net_o2 = w7 h1 + w8 h2 + b2
    E = ½ (t1 − o1)² + ½ (t2 − o2)²

All gradients of one step are computed with the weights *before* the step.
"""
from __future__ import annotations

import math

X = (0.05, 0.10)
TARGET = (0.01, 0.99)
WEIGHTS = (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)
B1, B2 = 0.35, 0.60
LR = 0.5


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def forward(w, x=X, b1=B1, b2=B2) -> dict:
    """Every intermediate value of the forward pass, by its lecture name."""
    w1, w2, w3, w4, w5, w6, w7, w8 = w
    i1, i2 = x
    v = {"net_h1": w1 * i1 + w2 * i2 + b1, "net_h2": w3 * i1 + w4 * i2 + b1}
    v["h1"], v["h2"] = sigmoid(v["net_h1"]), sigmoid(v["net_h2"])
    v["net_o1"] = w5 * v["h1"] + w6 * v["h2"] + b2
    v["net_o2"] = w7 * v["h1"] + w8 * v["h2"] + b2
    v["o1"], v["o2"] = sigmoid(v["net_o1"]), sigmoid(v["net_o2"])
    return v


def error(v: dict, t=TARGET) -> float:
    """E_total = ½ (t1 − o1)² + ½ (t2 − o2)²."""
    return 0.5 * (t[0] - v["o1"]) ** 2 + 0.5 * (t[1] - v["o2"]) ** 2


def gradients(w, x=X, t=TARGET, b1=B1, b2=B2) -> dict:
    """δ of every neuron and ∂E/∂w1 … ∂E/∂w8 (keys "dw1" … "dw8")."""
    _, _, _, _, w5, w6, w7, w8 = w
    i1, i2 = x
    v = forward(w, x, b1, b2)
    # output layer: δ_o = ∂E/∂o · ∂o/∂net_o = (o − t) · o (1 − o)
    d_o1 = (v["o1"] - t[0]) * v["o1"] * (1 - v["o1"])
    d_o2 = (v["o2"] - t[1]) * v["o2"] * (1 - v["o2"])
    # hidden layer: δ_h = (Σ_k δ_k w_kh) · h (1 − h)
    d_h1 = (d_o1 * w5 + d_o2 * w7) * v["h1"] * (1 - v["h1"])
    d_h2 = (d_o1 * w6 + d_o2 * w8) * v["h2"] * (1 - v["h2"])
    return {"delta_o1": d_o1, "delta_o2": d_o2, "delta_h1": d_h1, "delta_h2": d_h2,
            "dw1": d_h1 * i1, "dw2": d_h1 * i2, "dw3": d_h2 * i1, "dw4": d_h2 * i2,
            "dw5": d_o1 * v["h1"], "dw6": d_o1 * v["h2"], "dw7": d_o2 * v["h1"], "dw8": d_o2 * v["h2"]}


def step(w, lr: float = LR, **kwargs) -> tuple:
    """One gradient-descent step on w1…w8: w ← w − lr ∂E/∂w."""
    g = gradients(w, **kwargs)
    return tuple(wi - lr * g[f"dw{i}"] for i, wi in enumerate(w, start=1))


def train(steps: int, w=WEIGHTS, lr: float = LR) -> tuple[tuple, float]:
    """``steps`` steps from ``w``; returns the weights and the error after them."""
    for _ in range(steps):
        w = step(w, lr)
    return w, error(forward(w))


# --- the graded exercises of notebook 04, one quantity group each ------------------------------
# Each takes what it needs as inputs (the hidden δ takes the output δ's), so that an exercise is
# graded alone. ``w`` is the sequence w1 … w8 (an ndarray of 8 floats in the notebook).

def forward_222(w, i1, i2, t1, t2, b1, b2):
    """Forward pass: (h1, h2, o1, o2, E_total)."""
    v = forward(tuple(w), (i1, i2), b1, b2)
    return v["h1"], v["h2"], v["o1"], v["o2"], error(v, (t1, t2))


def output_deltas(o1, o2, t1, t2):
    """δ of the output neurons, ∂E/∂net_o: (delta_o1, delta_o2)."""
    return (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)


def output_grads(delta_o1, delta_o2, h1, h2):
    """∂E/∂w5 … ∂E/∂w8 from the output δ's and the hidden activations."""
    return delta_o1 * h1, delta_o1 * h2, delta_o2 * h1, delta_o2 * h2


def hidden_deltas(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):
    """δ of the hidden neurons: the sum over the two paths, times σ' from the stored activation."""
    return (delta_o1 * w5 + delta_o2 * w7) * h1 * (1 - h1), (delta_o1 * w6 + delta_o2 * w8) * h2 * (1 - h2)


def hidden_grads(delta_h1, delta_h2, i1, i2):
    """∂E/∂w1 … ∂E/∂w4 from the hidden δ's and the inputs."""
    return delta_h1 * i1, delta_h1 * i2, delta_h2 * i1, delta_h2 * i2


def update_step(w, i1, i2, t1, t2, b1, b2, lr):
    """One gradient-descent step on w1 … w8, every gradient from the weights before the step."""
    return step(tuple(w), lr, x=(i1, i2), t=(t1, t2), b1=b1, b2=b2)


def chain_grads(w, b, a_prev, y):
    """3Blue1Brown's one-neuron chain, C0 = (a − y)², a = σ(w a_prev + b): (∂C/∂w, ∂C/∂b, ∂C/∂a_prev)."""
    a = sigmoid(w * a_prev + b)
    dz = 2 * (a - y) * a * (1 - a)
    return dz * a_prev, dz, dz * w
