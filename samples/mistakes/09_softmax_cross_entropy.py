"""Mistakes put into submissions of 09_softmax_cross_entropy.

MISTAKES: the demo class's mistaken student (student id -> solution cell -> code).
VARIANTS: every mistake-bank variant of this notebook written as a student would write it,
(exercise, mistake name) -> code; tests/test_notebooks_e2e.py grades them and checks that each
loses its points and gets its own hint. Each is self-contained, so variants of different
exercises can share one submission without affecting each other.
"""
MISTAKES = {
    "mistake_missing_1_over_M": {
        "softmax_cross_entropy": '''def softmax_cross_entropy(Z, t):
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = float(-np.sum(t * log_y) / Z.shape[0])
    return loss, np.exp(log_y) - t''',
    },
}

_STABLE = "    e = np.exp(Z - Z.max(axis=1, keepdims=True))\n    Y = e / e.sum(axis=1, keepdims=True)\n"
_LOSS = "    m = Z.max(axis=1, keepdims=True)\n    loss = float(-np.sum(t * (Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True)))) / Z.shape[0])\n"

VARIANTS = {
    ("softmax", "unstable"): "def softmax(Z):\n    e = np.exp(Z)\n    return e / np.sum(e, axis=1, keepdims=True)",
    ("softmax", "wrong_axis"):
        "def softmax(Z):\n    e = np.exp(Z - Z.max(axis=0, keepdims=True))\n    return e / e.sum(axis=0, keepdims=True)",
    ("logsumexp", "unstable"): "def logsumexp(Z):\n    return np.log(np.sum(np.exp(Z), axis=1))",
    ("logsumexp", "forgot_max"):
        "def logsumexp(Z):\n    m = Z.max(axis=1, keepdims=True)\n    return np.log(np.sum(np.exp(Z - m), axis=1))",
    ("cross_entropy", "missing_1_over_M"): "def cross_entropy(Y, t):\n    return float(-np.sum(t * np.log(Y)))",
    ("cross_entropy", "flipped_sign"):
        "def cross_entropy(Y, t):\n    return float(np.sum(t * np.log(Y)) / Y.shape[0])",
    ("cross_entropy", "log_of_target"):
        "def cross_entropy(Y, t):\n    return float(-np.sum(Y * np.log(t)) / Y.shape[0])",
    ("softmax_cross_entropy", "missing_1_over_M"):
        "def softmax_cross_entropy(Z, t):\n" + _STABLE + _LOSS + "    return loss, Y - t",
    ("softmax_cross_entropy", "flipped_sign"):
        "def softmax_cross_entropy(Z, t):\n" + _STABLE + _LOSS + "    return loss, (t - Y) / Z.shape[0]",
    ("softmax_cross_entropy", "unstable"):
        "def softmax_cross_entropy(Z, t):\n    Y = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)\n"
        "    return float(-np.sum(t * np.log(Y)) / Z.shape[0]), (Y - t) / Z.shape[0]",
    ("softmax_backward", "diagonal_only"): "def softmax_backward(dY, Y):\n    return Y * (1 - Y) * dY",
    ("softmax_backward", "sum_over_batch"):
        "def softmax_backward(dY, Y):\n    return Y * (dY - np.sum(dY * Y, axis=0, keepdims=True))",
    ("softmax_backward", "jacobian_not_transposed_sign"):
        "def softmax_backward(dY, Y):\n    return Y * (np.sum(dY * Y, axis=1, keepdims=True) - dY)",
}
