"""Implementations of 10_temperature's exercises written NOT the way the reference is.

The notebook allows scipy.special.softmax / log_softmax / entr (it says so), asks for
self-contained functions (no call of the student's own softmax_t), says that
np.where(P > 0, P * np.log(P), 0.0) is correct although numpy warns about log(0), and that
the loss must survive a target probability that underflows to 0 at small T.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "softmax_t": [
        # distillation-style code: scipy's softmax of the scaled logits
        "def softmax_t(Z, T):\n"
        "    from scipy.special import softmax\n"
        "    return softmax(Z / T, axis=1)",
        # shift by the row max before dividing by T (T > 0 keeps the argmax)
        "def softmax_t(Z, T):\n"
        "    e = np.exp((Z - Z.max(axis=1, keepdims=True)) / T)\n"
        "    return e / e.sum(axis=1, keepdims=True)",
        # PyTorch-like: z = logits / T; z - z.max(-1, keepdim) ...; a loop over rows
        "def softmax_t(Z, T):\n"
        "    rows = []\n"
        "    for logits in Z:\n"
        "        z = logits / T\n"
        "        z = z - z.max(-1, keepdims=True)\n"
        "        rows.append(np.exp(z) / np.exp(z).sum(-1, keepdims=True))\n"
        "    return np.stack(rows)",
    ],
    "entropy": [
        # the natural idiom: warns about log(0), the result is right
        "def entropy(P):\n"
        "    return -np.sum(np.where(P > 0, P * np.log(P), 0), axis=1)",
        "def entropy(P):\n"
        "    from scipy.special import entr\n"
        "    return entr(P).sum(axis=1)",
        # an eps <= 1e-12 inside the log
        "def entropy(P):\n"
        "    return -np.sum(P * np.log(P + 1e-12), axis=1)",
        # nansum skips 0 * log 0 = nan (and warns)
        "def entropy(P):\n"
        "    return -np.nansum(P * np.log(P), axis=1)",
        # a mask and a loop
        "def entropy(P):\n"
        "    import math\n"
        "    return np.array([-math.fsum(p * math.log(p) for p in row if p > 0) for row in P])",
    ],
    "softmax_t_cross_entropy": [
        # scipy: log_softmax of the scaled logits; the chain rule through s = z / T
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    from scipy.special import log_softmax\n"
        "    M = Z.shape[0]\n"
        "    log_y = log_softmax(Z / T, axis=1)\n"
        "    loss = -np.sum(t * log_y) / M\n"
        "    dS = (np.exp(log_y) - t) / M\n"
        "    return float(loss), dS / T",
        # CS231n-style with labels, self-contained
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    N = Z.shape[0]\n"
        "    y = t.argmax(axis=1)\n"
        "    scores = Z / T\n"
        "    scores = scores - np.max(scores, axis=1, keepdims=True)\n"
        "    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))\n"
        "    loss = -np.mean(log_probs[np.arange(N), y])\n"
        "    dscores = np.exp(log_probs)\n"
        "    dscores[np.arange(N), y] -= 1\n"
        "    return loss, dscores / (N * T)",
        # a loop over examples with logaddexp
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    M = Z.shape[0]\n"
        "    loss, dZ = 0.0, np.zeros_like(Z)\n"
        "    for i in range(M):\n"
        "        s = Z[i] / T\n"
        "        lse = np.logaddexp.reduce(s)\n"
        "        loss -= np.dot(t[i], s - lse)\n"
        "        dZ[i] = (np.exp(s - lse) - t[i]) / (M * T)\n"
        "    return loss / M, dZ",
    ],
}

# (exercise, label) -> complete solution-cell code of a classic WRONG variant not in the bank
WRONG = {
    ("softmax_t", "missing_keepdims"):
        "def softmax_t(Z, T):\n"
        "    S = Z / T\n"
        "    e = np.exp(S - S.max(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=1)",
    ("softmax_t", "global_max"):
        "def softmax_t(Z, T):\n"
        "    S = Z / T\n"
        "    e = np.exp(S - S.max())\n"
        "    return e / e.sum(axis=1, keepdims=True)",
    ("softmax_t", "float32"):
        "def softmax_t(Z, T):\n"
        "    S = (Z / T).astype(np.float32)\n"
        "    e = np.exp(S - S.max(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=1, keepdims=True)",
    ("entropy", "mean_instead_of_sum"):
        "def entropy(P):\n"
        "    safe = np.where(P > 0, P, 1.0)\n"
        "    return -np.mean(P * np.log(safe), axis=1)",
    ("entropy", "sum_over_axis_0"):
        "def entropy(P):\n"
        "    safe = np.where(P > 0, P, 1.0)\n"
        "    return -np.sum(P * np.log(safe), axis=0)",
    ("entropy", "eps_1e-3"):
        "def entropy(P):\n"
        "    return -np.sum(P * np.log(P + 1e-3), axis=1)",
    ("softmax_t_cross_entropy", "T_squared_distillation"):
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    M = Z.shape[0]\n"
        "    S = Z / T\n"
        "    S = S - S.max(axis=1, keepdims=True)\n"
        "    log_y = S - np.log(np.exp(S).sum(axis=1, keepdims=True))\n"
        "    loss = -np.sum(t * log_y) / M\n"
        "    return float(loss), (np.exp(log_y) - t) / (T * M) * T ** 2",
    ("softmax_t_cross_entropy", "log_of_probabilities"):
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    M = Z.shape[0]\n"
        "    S = Z / T\n"
        "    e = np.exp(S - S.max(axis=1, keepdims=True))\n"
        "    y = e / e.sum(axis=1, keepdims=True)\n"
        "    loss = -np.sum(t * np.log(y)) / M\n"
        "    return float(loss), (y - t) / (T * M)",
    ("softmax_t_cross_entropy", "float32"):
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    M = Z.shape[0]\n"
        "    S = (Z / T).astype(np.float32)\n"
        "    S = S - S.max(axis=1, keepdims=True)\n"
        "    log_y = S - np.log(np.exp(S).sum(axis=1, keepdims=True))\n"
        "    loss = -np.sum(t * log_y) / M\n"
        "    return float(loss), (np.exp(log_y) - t) / (T * M)",
    # found by the visible checks' own hints (each hint of a check cell fires for one of these)
    ("softmax_t", "mutates_input"):
        "def softmax_t(Z, T):\n"
        "    Z /= T\n"
        "    e = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=1, keepdims=True)",
    ("softmax_t", "wrong_axis"):
        "def softmax_t(Z, T):\n"
        "    S = Z / T\n"
        "    e = np.exp(S - S.max(axis=0, keepdims=True))\n"
        "    return e / e.sum(axis=0, keepdims=True)",
    ("softmax_t", "unstable"):
        "def softmax_t(Z, T):\n"
        "    e = np.exp(Z / T)\n"
        "    return e / e.sum(axis=1, keepdims=True)",
    ("entropy", "mutates_input"):
        "def entropy(P):\n"
        "    P[P == 0] = 1.0\n"
        "    return -np.sum(P * np.log(P) * (P < 1), axis=1)",
    ("entropy", "float32"):
        "def entropy(P):\n"
        "    P = P.astype(np.float32)\n"
        "    return -np.sum(np.where(P > 0, P * np.log(np.where(P > 0, P, 1)), 0), axis=1)",
    ("softmax_t_cross_entropy", "mutates_input"):
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    Z /= T\n"
        "    Z -= Z.max(axis=1, keepdims=True)\n"
        "    log_y = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))\n"
        "    return float(-np.sum(t * log_y) / len(Z)), (np.exp(log_y) - t) / (T * len(Z))",
    ("softmax_t_cross_entropy", "loss_not_averaged"):
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    S = Z / T\n"
        "    S = S - S.max(axis=1, keepdims=True)\n"
        "    log_y = S - np.log(np.exp(S).sum(axis=1, keepdims=True))\n"
        "    return float(-np.sum(t * log_y)), (np.exp(log_y) - t) / (T * len(Z))",
    ("softmax_t_cross_entropy", "dZ_float32"):
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    S = Z / T\n"
        "    S = S - S.max(axis=1, keepdims=True)\n"
        "    log_y = S - np.log(np.exp(S).sum(axis=1, keepdims=True))\n"
        "    return float(-np.sum(t * log_y) / len(Z)), (np.exp(log_y.astype(np.float32)) - t) / (T * len(Z))",
    ("softmax_t_cross_entropy", "unstable"):
        "def softmax_t_cross_entropy(Z, t, T):\n"
        "    e = np.exp(Z / T)\n"
        "    y = e / e.sum(axis=1, keepdims=True)\n"
        "    return float(-np.sum(t * np.log(y)) / len(Z)), (y - t) / (T * len(Z))",
    ("softmax_t", "min_shift"):
        "def softmax_t(Z, T):\n"
        "    S = Z / T\n"
        "    e = np.exp(S - S.min(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=1, keepdims=True)",
}
