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
