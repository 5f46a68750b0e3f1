"""Typical mistakes in activation backward passes (eq. 27–29)."""
from __future__ import annotations

import numpy as np

from solutions import activations as ref
from solutions.mistakes import Mistake

SIGMOID_BACKWARD = [
    Mistake("derivative_from_z_formula_on_a", lambda da, a: da * ref.sigmoid(a) * (1 - ref.sigmoid(a)),
            "σ'(z) = σ(z)(1 − σ(z)) применена к a, а a уже равно σ(z): используйте сохранённую "
            "активацию, σ' = a (1 − a)."),
    Mistake("forgot_upstream", lambda da, a: a * (1 - a),
            "не умножено на приходящий градиент da: dz = da ⊙ σ'(z)."),
    Mistake("flipped_sign", lambda da, a: -da * a * (1 - a),
            "перевёрнут знак: σ'(z) = a (1 − a) ≥ 0."),
]

RELU_BACKWARD = [
    Mistake("passes_upstream", lambda da, z: da,
            "градиент пропущен насквозь: забыта производная ReLU (0 при z ≤ 0)."),
    Mistake("forgot_upstream", lambda da, z: (z > 0).astype(float),
            "не умножено на приходящий градиент da: dz = da ⊙ [z > 0]."),
    Mistake("uses_activation_sign", lambda da, z: da * (z >= 0),
            "при z = 0 производная ReLU по соглашению курса равна 0 (eq. 28): условие z > 0, не z ≥ 0."),
]

LEAKY_RELU_BACKWARD = [
    Mistake("zero_slope", lambda da, z, alpha=ref.LEAK: da * (z > 0),
            "это производная обычного ReLU: у Leaky ReLU при z ≤ 0 производная равна 0.01, а не 0 (eq. 29)."),
    Mistake("forgot_upstream", lambda da, z, alpha=ref.LEAK: np.where(z > 0, 1.0, alpha),
            "не умножено на приходящий градиент da."),
]

TANH_BACKWARD = [
    Mistake("derivative_from_z_formula_on_a", lambda da, a: da * (1 - np.tanh(a) ** 2),
            "1 − tanh²(z) применено к a, а a уже равно tanh(z): dz = da ⊙ (1 − a²)."),
    Mistake("missing_square", lambda da, a: da * (1 - a),
            "производная tanh — это 1 − a², а не 1 − a."),
]
