"""Mistakes put into submissions of 10_temperature (see 09's file for the two tables)."""
MISTAKES = {
    "mistake_missing_1_over_T": {
        "softmax_t_cross_entropy": '''def softmax_t_cross_entropy(Z, t, T):
    M = Z.shape[0]
    S = Z / T
    S = S - np.max(S, axis=1, keepdims=True)
    log_y = S - np.log(np.sum(np.exp(S), axis=1, keepdims=True))
    loss = float(-np.sum(t * log_y) / M)
    return loss, (np.exp(log_y) - t) / M''',
    },
}

_SOFTMAX = ("    S = {s}\n    e = np.exp(S - S.max(axis=1, keepdims=True))\n"
            "    Y = e / e.sum(axis=1, keepdims=True)\n")
_LOSS = ("    m = S.max(axis=1, keepdims=True)\n"
         "    loss = float(-np.sum(t * (S - m - np.log(np.exp(S - m).sum(axis=1, keepdims=True)))) / Z.shape[0])\n")

VARIANTS = {
    ("softmax_t", "forgot_T"): "def softmax_t(Z, T):\n" + _SOFTMAX.format(s="Z") + "    return Y",
    ("softmax_t", "multiplied_by_T"): "def softmax_t(Z, T):\n" + _SOFTMAX.format(s="Z * T") + "    return Y",
    ("entropy", "log2"):
        "def entropy(P):\n    safe = np.where(P > 0, P, 1.0)\n    return -np.sum(np.where(P > 0, P * np.log2(safe), 0.0), axis=1)",
    ("entropy", "nan_at_zero"): "def entropy(P):\n    return -np.sum(P * np.log(P), axis=1)",
    ("entropy", "flipped_sign"):
        "def entropy(P):\n    safe = np.where(P > 0, P, 1.0)\n    return np.sum(np.where(P > 0, P * np.log(safe), 0.0), axis=1)",
    ("softmax_t_cross_entropy", "missing_1_over_T"):
        "def softmax_t_cross_entropy(Z, t, T):\n" + _SOFTMAX.format(s="Z / T") + _LOSS
        + "    return loss, (Y - t) / Z.shape[0]",
    ("softmax_t_cross_entropy", "missing_1_over_M"):
        "def softmax_t_cross_entropy(Z, t, T):\n" + _SOFTMAX.format(s="Z / T") + _LOSS
        + "    return loss, (Y - t) / T",
    ("softmax_t_cross_entropy", "forgot_T_in_softmax"):
        "def softmax_t_cross_entropy(Z, t, T):\n" + _SOFTMAX.format(s="Z") + _LOSS
        + "    return loss, (Y - t) / (T * Z.shape[0])",
}
