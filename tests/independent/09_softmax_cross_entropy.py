"""Implementations of 09_softmax_cross_entropy's exercises written NOT the way the reference is.

The notebook allows scipy.special.softmax / logsumexp (it says so), asks for self-contained
functions (no call of the student's own softmax or logsumexp), promises target probabilities
of at least 1e-4 in cross_entropy (so an eps <= 1e-12 inside the log is correct) and says a
target probability may underflow to 0 in softmax_cross_entropy.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "softmax": [
        # scipy, as the notebook allows
        "def softmax(Z):\n"
        "    from scipy.special import softmax as sp_softmax\n"
        "    return sp_softmax(Z, axis=1)",
        # a loop over rows, CS231n style shift by the row max (no in-place change of Z)
        "def softmax(Z):\n"
        "    out = np.empty_like(Z)\n"
        "    for i, z in enumerate(Z):\n"
        "        exp_scores = np.exp(z - np.max(z))\n"
        "        out[i] = exp_scores / exp_scores.sum()\n"
        "    return out",
        # through log-softmax, with np.newaxis
        "def softmax(Z):\n"
        "    m = Z.max(axis=1)[:, np.newaxis]\n"
        "    log_y = Z - m - np.log(np.exp(Z - m).sum(axis=1))[:, np.newaxis]\n"
        "    return np.exp(log_y)",
    ],
    "logsumexp": [
        "def logsumexp(Z):\n"
        "    from scipy.special import logsumexp as sp_lse\n"
        "    return sp_lse(Z, axis=1)",
        "def logsumexp(Z):\n"
        "    return np.logaddexp.reduce(Z, axis=1)",
        "def logsumexp(Z):\n"
        "    import math\n"
        "    out = []\n"
        "    for row in Z:\n"
        "        m = max(row)\n"
        "        out.append(m + math.log(math.fsum(math.exp(v - m) for v in row)))\n"
        "    return np.array(out)",
    ],
    "cross_entropy": [
        # CS231n: pick the probability of the correct class
        "def cross_entropy(Y, t):\n"
        "    N = Y.shape[0]\n"
        "    y = np.argmax(t, axis=1)\n"
        "    return float(-np.sum(np.log(Y[np.arange(N), y])) / N)",
        # an eps <= 1e-12 inside the log (rule 5)
        "def cross_entropy(Y, t):\n"
        "    eps = 1e-12\n"
        "    return float(np.mean(-np.sum(t * np.log(Y + eps), axis=1)))",
        # Keras-style clip at 1e-7: the notebook promises target probabilities >= 1e-4
        "def cross_entropy(Y, t):\n"
        "    Yc = np.clip(Y, 1e-7, 1 - 1e-7)\n"
        "    return float(-np.einsum('ij,ij->', t, np.log(Yc)) / len(Y))",
    ],
    "softmax_cross_entropy": [
        # CS231n softmax_loss, vectorised, self-contained
        "def softmax_cross_entropy(Z, t):\n"
        "    N = Z.shape[0]\n"
        "    y = t.argmax(axis=1)\n"
        "    shifted = Z - np.max(Z, axis=1, keepdims=True)\n"
        "    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))\n"
        "    probs = np.exp(log_probs)\n"
        "    loss = -np.sum(log_probs[np.arange(N), y]) / N\n"
        "    dx = probs.copy()\n"
        "    dx[np.arange(N), y] -= 1\n"
        "    dx /= N\n"
        "    return loss, dx",
        # scipy
        "def softmax_cross_entropy(Z, t):\n"
        "    from scipy.special import log_softmax, softmax as sp_softmax\n"
        "    M = len(Z)\n"
        "    return float(-(t * log_softmax(Z, axis=1)).sum() / M), (sp_softmax(Z, axis=1) - t) / M",
        # a loop over examples
        "def softmax_cross_entropy(Z, t):\n"
        "    M, K = Z.shape\n"
        "    loss, dZ = 0.0, np.zeros((M, K))\n"
        "    for i in range(M):\n"
        "        m = Z[i].max()\n"
        "        lse = m + np.log(np.sum(np.exp(Z[i] - m)))\n"
        "        loss += -np.dot(t[i], Z[i] - lse)\n"
        "        dZ[i] = (np.exp(Z[i] - lse) - t[i]) / M\n"
        "    return loss / M, dZ",
    ],
    "softmax_backward": [
        # the whole Jacobian per example with einsum
        "def softmax_backward(dY, Y):\n"
        "    K = Y.shape[1]\n"
        "    J = np.einsum('mi,ik->mik', Y, np.eye(K)) - np.einsum('mi,mk->mik', Y, Y)\n"
        "    return np.einsum('mik,mi->mk', J, dY)",
        # a loop over rows with diag(y) - y y^T
        "def softmax_backward(dY, Y):\n"
        "    dZ = np.zeros_like(dY)\n"
        "    for i in range(Y.shape[0]):\n"
        "        y = Y[i]\n"
        "        J = np.diag(y) - np.outer(y, y)\n"
        "        dZ[i] = J.T @ dY[i]\n"
        "    return dZ",
        # y * dy - y (y . dy), with a row-wise dot product by einsum
        "def softmax_backward(dY, Y):\n"
        "    s = np.einsum('ij,ij->i', dY, Y)[:, None]\n"
        "    return Y * dY - Y * s",
    ],
}

# (exercise, label) -> complete solution-cell code of a classic WRONG variant not in the bank
WRONG = {
    ("softmax", "global_max"):
        "def softmax(Z):\n"
        "    e = np.exp(Z - np.max(Z))\n"
        "    return e / np.sum(e, axis=1, keepdims=True)",
    ("softmax", "missing_keepdims"):
        "def softmax(Z):\n"
        "    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))\n"
        "    return e / np.sum(e, axis=1)",
    ("softmax", "float32"):
        "def softmax(Z):\n"
        "    Z = Z.astype(np.float32)\n"
        "    e = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=1, keepdims=True)",
    ("logsumexp", "global_max"):
        "def logsumexp(Z):\n"
        "    m = np.max(Z)\n"
        "    return m + np.log(np.sum(np.exp(Z - m), axis=1))",
    ("logsumexp", "max_only"):
        "def logsumexp(Z):\n"
        "    return np.max(Z, axis=1)",
    ("cross_entropy", "clip_1e-3"):
        "def cross_entropy(Y, t):\n"
        "    Y = np.clip(Y, 1e-3, 1.0)\n"
        "    return float(-np.sum(t * np.log(Y)) / Y.shape[0])",
    ("cross_entropy", "mean_over_all_entries"):
        "def cross_entropy(Y, t):\n"
        "    return float(-np.mean(t * np.log(Y)))",
    ("cross_entropy", "divided_by_K"):
        "def cross_entropy(Y, t):\n"
        "    return float(-np.sum(t * np.log(Y)) / Y.shape[1])",
    ("cross_entropy", "float32"):
        "def cross_entropy(Y, t):\n"
        "    Y32 = Y.astype(np.float32)\n"
        "    return float(-np.sum(t * np.log(Y32)) / Y.shape[0])",
    ("softmax_cross_entropy", "log_of_probabilities"):
        "def softmax_cross_entropy(Z, t):\n"
        "    N = Z.shape[0]\n"
        "    y = np.argmax(t, axis=1)\n"
        "    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))\n"
        "    probs = e / np.sum(e, axis=1, keepdims=True)\n"
        "    loss = -np.sum(np.log(probs[np.arange(N), y])) / N\n"
        "    return loss, (probs - t) / N",
    ("softmax_cross_entropy", "global_max"):
        "def softmax_cross_entropy(Z, t):\n"
        "    M = Z.shape[0]\n"
        "    shifted = Z - Z.max()\n"
        "    log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))\n"
        "    return float(-np.sum(t * log_y) / M), (np.exp(log_y) - t) / M",
    ("softmax_cross_entropy", "loss_not_averaged"):
        "def softmax_cross_entropy(Z, t):\n"
        "    M = Z.shape[0]\n"
        "    shifted = Z - np.max(Z, axis=1, keepdims=True)\n"
        "    log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))\n"
        "    return float(-np.sum(t * log_y)), (np.exp(log_y) - t) / M",
    ("softmax_backward", "missing_y_factor"):
        "def softmax_backward(dY, Y):\n"
        "    return dY - np.sum(dY * Y, axis=1, keepdims=True)",
    ("softmax_backward", "sum_over_everything"):
        "def softmax_backward(dY, Y):\n"
        "    return Y * (dY - np.sum(dY * Y))",
    ("softmax_backward", "missing_keepdims"):
        "def softmax_backward(dY, Y):\n"
        "    return Y * (dY - np.sum(dY * Y, axis=1))",
    # found by the visible checks' own hints (each hint of a check cell fires for one of these)
    ("softmax", "mutates_input"):
        "def softmax(Z):\n"
        "    Z -= Z.max(axis=1, keepdims=True)\n"
        "    e = np.exp(Z)\n"
        "    return e / e.sum(axis=1, keepdims=True)",
    ("logsumexp", "mutates_input"):
        "def logsumexp(Z):\n"
        "    m = Z.max(axis=1, keepdims=True)\n"
        "    Z -= m\n"
        "    return m[:, 0] + np.log(np.exp(Z).sum(axis=1))",
    ("logsumexp", "float32"):
        "def logsumexp(Z):\n"
        "    Z = Z.astype(np.float32)\n"
        "    m = Z.max(axis=1, keepdims=True)\n"
        "    return m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))",
    ("cross_entropy", "mutates_input"):
        "def cross_entropy(Y, t):\n"
        "    np.log(Y, out=Y)\n"
        "    return float(-np.sum(t * Y) / len(Y))",
    ("softmax_cross_entropy", "mutates_input"):
        "def softmax_cross_entropy(Z, t):\n"
        "    Z -= Z.max(axis=1, keepdims=True)\n"
        "    log_y = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))\n"
        "    return float(-np.sum(t * log_y) / len(Z)), (np.exp(log_y) - t) / len(Z)",
    ("softmax_cross_entropy", "float32"):
        "def softmax_cross_entropy(Z, t):\n"
        "    Z = Z.astype(np.float32)\n"
        "    s = Z - Z.max(axis=1, keepdims=True)\n"
        "    log_y = s - np.log(np.exp(s).sum(axis=1, keepdims=True))\n"
        "    return float(-np.sum(t * log_y) / len(Z)), (np.exp(log_y) - t) / len(Z)",
    ("softmax_cross_entropy", "dZ_float32"):
        "def softmax_cross_entropy(Z, t):\n"
        "    s = Z - Z.max(axis=1, keepdims=True)\n"
        "    log_y = s - np.log(np.exp(s).sum(axis=1, keepdims=True))\n"
        "    return float(-np.sum(t * log_y) / len(Z)), (np.exp(log_y.astype(np.float32)) - t) / len(Z)",
    ("softmax_cross_entropy", "dZ_naive"):
        "def softmax_cross_entropy(Z, t):\n"
        "    s = Z - Z.max(axis=1, keepdims=True)\n"
        "    log_y = s - np.log(np.exp(s).sum(axis=1, keepdims=True))\n"
        "    Y = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)\n"
        "    return float(-np.sum(t * log_y) / len(Z)), (Y - t) / len(Z)",
    ("softmax_cross_entropy", "dZ_global_max"):
        "def softmax_cross_entropy(Z, t):\n"
        "    s = Z - Z.max(axis=1, keepdims=True)\n"
        "    log_y = s - np.log(np.exp(s).sum(axis=1, keepdims=True))\n"
        "    e = np.exp(Z - Z.max())\n"
        "    return float(-np.sum(t * log_y) / len(Z)), (e / e.sum(axis=1, keepdims=True) - t) / len(Z)",
    ("softmax_backward", "mutates_input"):
        "def softmax_backward(dY, Y):\n"
        "    dY -= np.sum(dY * Y, axis=1, keepdims=True)\n"
        "    return Y * dY",
    ("softmax_backward", "float32"):
        "def softmax_backward(dY, Y):\n"
        "    Y = Y.astype(np.float32)\n"
        "    return Y * (dY - np.sum(dY * Y, axis=1, keepdims=True))",
    ("softmax", "min_shift"):
        "def softmax(Z):\n"
        "    e = np.exp(Z - Z.min(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=1, keepdims=True)",
    ("logsumexp", "min_shift"):
        "def logsumexp(Z):\n"
        "    m = Z.min(axis=1, keepdims=True)\n"
        "    return m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))",
}
