"""Implementations of 03_neuron's exercises written NOT the way the reference is.

The notebook imports numpy as np (and time, matplotlib) above the exercises; scipy.special.expit
is allowed for logistic (it says so). decision_function, logistic, logistic_loss and
logistic_loss_grad must work for any number of features n (section 7 reuses them on three);
logistic must give exactly 0 or 1 without NaN at |d| ~ 1000; logistic_loss and its gradient see
only |d| < 6 (so log a and log(1 - a) may be taken directly); each function is self-contained
and leaves its inputs unchanged.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "decision_function": [
        # homogeneous coordinates: a column of ones in front of X, then one matrix product
        "def decision_function(X, w):\n"
        "    Xb = np.hstack([np.ones((X.shape[0], 1)), X])\n"
        "    return Xb @ w",
        # explicit Python loops over points and features
        "def decision_function(X, w):\n"
        "    M, n = X.shape\n"
        "    d = np.zeros(M)\n"
        "    for i in range(M):\n"
        "        s = w[0]\n"
        "        for j in range(n):\n"
        "            s += w[j + 1] * X[i, j]\n"
        "        d[i] = s\n"
        "    return d",
        # einsum for the row-by-vector products, np.dot style bias last
        "def decision_function(X, w):\n"
        "    return np.einsum('mj,j->m', X, w[1:]) + w[0]",
    ],
    "logistic": [
        # scipy's expit, as the notebook allows
        "def logistic(X, w):\n"
        "    from scipy.special import expit\n"
        "    return expit(np.dot(X, w[1:]) + w[0])",
        # boolean masks: each branch of the stable sigmoid only where it is safe
        "def logistic(X, w):\n"
        "    d = w[0] + X @ w[1:]\n"
        "    a = np.empty_like(d)\n"
        "    pos = d >= 0\n"
        "    a[pos] = 1.0 / (1.0 + np.exp(-d[pos]))\n"
        "    e = np.exp(d[~pos])\n"
        "    a[~pos] = e / (1.0 + e)\n"
        "    return a",
        # scalar math.exp in a loop, branching on the sign of d
        "import math\n\n"
        "def logistic(X, w):\n"
        "    out = []\n"
        "    for x in X:\n"
        "        d = w[0] + sum(wj * xj for wj, xj in zip(w[1:], x))\n"
        "        if d >= 0:\n"
        "            out.append(1.0 / (1.0 + math.exp(-d)))\n"
        "        else:\n"
        "            e = math.exp(d)\n"
        "            out.append(e / (1.0 + e))\n"
        "    return np.array(out)",
        # through log(1 + e^-d) with logaddexp: exp of a non-positive number only
        "def logistic(X, w):\n"
        "    d = w[0] + X @ w[1:]\n"
        "    return np.exp(-np.logaddexp(0.0, -d))",
    ],
    "sigmoid_backward": [
        # a - a^2 instead of a (1 - a)
        "def sigmoid_backward(da, a):\n"
        "    return da * (a - a ** 2)",
        # an element-by-element loop over any shape
        "def sigmoid_backward(da, a):\n"
        "    dz = np.empty_like(a, dtype=float)\n"
        "    for idx in np.ndindex(a.shape):\n"
        "        dz[idx] = da[idx] * a[idx] * (1.0 - a[idx])\n"
        "    return dz",
        # ufuncs with the factors in another order
        "def sigmoid_backward(da, a):\n"
        "    return np.multiply(np.multiply(a, np.subtract(1.0, a)), da)",
    ],
    "logistic_loss": [
        # a loop over examples with math.log, one branch per label
        "import math\n\n"
        "def logistic_loss(X, y, w):\n"
        "    total = 0.0\n"
        "    for x, label in zip(X, y):\n"
        "        a = 1.0 / (1.0 + math.exp(-(w[0] + float(np.dot(x, w[1:])))))\n"
        "        total += -math.log(a) if label == 1 else -math.log(1.0 - a)\n"
        "    return total / len(y)",
        # the likelihood of the observed label by np.where, then the mean negative log
        "def logistic_loss(X, y, w):\n"
        "    a = 1 / (1 + np.exp(-(X @ w[1:] + w[0])))\n"
        "    p = np.where(y == 1, a, 1 - a)\n"
        "    return float(-np.log(p).mean())",
        # softplus form: -log a = log(1 + e^-d), -log(1 - a) = log(1 + e^-d) + d
        "def logistic_loss(X, y, w):\n"
        "    d = w[0] + X @ w[1:]\n"
        "    return float(np.mean(np.log1p(np.exp(-d)) + (1 - y) * d))",
        # scipy: expit and xlogy
        "def logistic_loss(X, y, w):\n"
        "    from scipy.special import expit, xlogy\n"
        "    a = expit(w[0] + X @ w[1:])\n"
        "    return float(-np.sum(xlogy(y, a) + xlogy(1 - y, 1 - a)) / X.shape[0])",
    ],
    "logistic_loss_grad": [
        # a loop over examples, accumulating (a - y) [1, x]
        "import math\n\n"
        "def logistic_loss_grad(X, y, w):\n"
        "    M, n = X.shape\n"
        "    g = np.zeros(n + 1)\n"
        "    for i in range(M):\n"
        "        a = 1.0 / (1.0 + math.exp(-(w[0] + X[i] @ w[1:])))\n"
        "        g[0] += a - y[i]\n"
        "        g[1:] += (a - y[i]) * X[i]\n"
        "    return g / M",
        # homogeneous coordinates: [1, x] rows, one transposed product
        "def logistic_loss_grad(X, y, w):\n"
        "    from scipy.special import expit\n"
        "    Xb = np.column_stack([np.ones(len(X)), X])\n"
        "    return Xb.T @ (expit(Xb @ w) - y) / len(X)",
        # the chain rule unsimplified: dL/da * a (1 - a) * dd/dw, summed by einsum
        "def logistic_loss_grad(X, y, w):\n"
        "    M = X.shape[0]\n"
        "    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))\n"
        "    dL_da = (-y / a + (1 - y) / (1 - a)) / M\n"
        "    dL_dd = dL_da * a * (1 - a)\n"
        "    return np.concatenate([[dL_dd.sum()], np.einsum('m,mj->j', dL_dd, X)])",
    ],
    "hidden_features": [
        # scipy's expit
        "def hidden_features(X, W, b):\n"
        "    from scipy.special import expit\n"
        "    return expit(np.dot(X, W) + b[None, :])",
        # one neuron (column of W) at a time
        "def hidden_features(X, W, b):\n"
        "    out = np.empty((X.shape[0], W.shape[1]))\n"
        "    for k in range(W.shape[1]):\n"
        "        out[:, k] = 1.0 / (1.0 + np.exp(-(X @ W[:, k] + b[k])))\n"
        "    return out",
        # nested loops over points and neurons with math.exp
        "import math\n\n"
        "def hidden_features(X, W, b):\n"
        "    M, n_in = X.shape\n"
        "    n_out = W.shape[1]\n"
        "    Z = np.zeros((M, n_out))\n"
        "    for m in range(M):\n"
        "        for k in range(n_out):\n"
        "            z = b[k] + sum(X[m, j] * W[j, k] for j in range(n_in))\n"
        "            Z[m, k] = 1.0 / (1.0 + math.exp(-z))\n"
        "    return Z",
    ],
    "collapse_linear": [
        # einsum for both products
        "def collapse_linear(W1, b1, W2, b2):\n"
        "    W = np.einsum('ih,ho->io', W1, W2)\n"
        "    b = np.einsum('h,ho->o', b1, W2) + b2\n"
        "    return W, b",
        # triple loops
        "def collapse_linear(W1, b1, W2, b2):\n"
        "    n_in, n_h = W1.shape\n"
        "    n_out = W2.shape[1]\n"
        "    W = np.zeros((n_in, n_out))\n"
        "    b = b2.astype(float).copy()\n"
        "    for o in range(n_out):\n"
        "        for h in range(n_h):\n"
        "            b[o] += b1[h] * W2[h, o]\n"
        "            for i in range(n_in):\n"
        "                W[i, o] += W1[i, h] * W2[h, o]\n"
        "    return W, b",
        # probing the two layers: X = 0 gives b, X = I gives W + b
        "def collapse_linear(W1, b1, W2, b2):\n"
        "    def two_layers(X):\n"
        "        return (X @ W1 + b1) @ W2 + b2\n"
        "    n_in = W1.shape[0]\n"
        "    b = two_layers(np.zeros((1, n_in)))[0]\n"
        "    W = two_layers(np.eye(n_in)) - b\n"
        "    return W, b",
    ],
}

# (exercise, label) -> complete solution-cell code of a classic WRONG variant not in the bank
WRONG = {
    # the bias is subtracted: d = x w - w0
    ("decision_function", "bias_subtracted"):
        "def decision_function(X, w):\n"
        "    return X @ w[1:] - w[0]",
    # written for the plane only: the third feature (section 7) is ignored
    ("decision_function", "two_features_only"):
        "def decision_function(X, w):\n"
        "    return w[0] + w[1] * X[:, 0] + w[2] * X[:, 1]",
    # X scaled in place by the weights (the caller's X is changed)
    ("decision_function", "mutates_input"):
        "def decision_function(X, w):\n"
        "    X *= w[1:]\n"
        "    return w[0] + X.sum(axis=1)",
    # σ(2d): tanh(d) instead of tanh(d / 2)
    ("logistic", "tanh_without_half"):
        "def logistic(X, w):\n"
        "    d = w[0] + X @ w[1:]\n"
        "    return 0.5 * (1 + np.tanh(d))",
    # float32 arithmetic
    ("logistic", "float32"):
        "def logistic(X, w):\n"
        "    d = (w[0] + X @ w[1:]).astype(np.float32)\n"
        "    e = np.exp(-np.abs(d))\n"
        "    return np.where(d >= 0, 1 / (1 + e), e / (1 + e))",
    # written for the plane only: the third feature is ignored (the notebook asks for any n)
    ("logistic", "two_features_only"):
        "def logistic(X, w):\n"
        "    d = w[0] + w[1] * X[:, 0] + w[2] * X[:, 1]\n"
        "    e = np.exp(-np.abs(d))\n"
        "    return np.where(d >= 0, 1 / (1 + e), e / (1 + e))",
    # a (1 + a) instead of a (1 - a)
    ("sigmoid_backward", "one_plus_a"):
        "def sigmoid_backward(da, a):\n"
        "    return da * a * (1 + a)",
    # tanh's derivative 1 - a^2 used for the sigmoid
    ("sigmoid_backward", "tanh_derivative"):
        "def sigmoid_backward(da, a):\n"
        "    return da * (1 - a ** 2)",
    # the result written into da
    ("sigmoid_backward", "mutates_input"):
        "def sigmoid_backward(da, a):\n"
        "    da *= a * (1 - a)\n"
        "    return da",
    # divided by M - 1 (off by one)
    ("logistic_loss", "divided_by_M_minus_1"):
        "def logistic_loss(X, y, w):\n"
        "    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))\n"
        "    return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / (len(y) - 1))",
    # the class-0 term is missing
    ("logistic_loss", "missing_class0_term"):
        "def logistic_loss(X, y, w):\n"
        "    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))\n"
        "    return float(-np.mean(y * np.log(a)))",
    # an eps of 1e-3 inside the logs (far above the 1e-12 the notebook allows)
    ("logistic_loss", "eps_too_big"):
        "def logistic_loss(X, y, w):\n"
        "    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))\n"
        "    eps = 1e-3\n"
        "    return float(-np.mean(y * np.log(a + eps) + (1 - y) * np.log(1 - a + eps)))",
    # no bias in d
    ("logistic_loss", "forgot_bias"):
        "def logistic_loss(X, y, w):\n"
        "    a = 1 / (1 + np.exp(-(X @ w[1:])))\n"
        "    return float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))",
    # the bias component is missing: shape (n,) instead of (n + 1,)
    ("logistic_loss_grad", "no_bias_component"):
        "def logistic_loss_grad(X, y, w):\n"
        "    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))\n"
        "    return X.T @ (a - y) / len(y)",
    # the bias component put last
    ("logistic_loss_grad", "bias_component_last"):
        "def logistic_loss_grad(X, y, w):\n"
        "    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))\n"
        "    err = (a - y) / len(y)\n"
        "    return np.append(X.T @ err, err.sum())",
    # averaged over the n + 1 weights instead of the M examples
    ("logistic_loss_grad", "divided_by_n_plus_1"):
        "def logistic_loss_grad(X, y, w):\n"
        "    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))\n"
        "    g = np.concatenate([[np.sum(a - y)], X.T @ (a - y)])\n"
        "    return g / len(w)",
    # the bias is subtracted inside σ
    ("hidden_features", "bias_subtracted"):
        "def hidden_features(X, W, b):\n"
        "    return 1 / (1 + np.exp(-(X @ W - b)))",
    # the bias added after the sigmoid
    ("hidden_features", "bias_after_sigmoid"):
        "def hidden_features(X, W, b):\n"
        "    return 1 / (1 + np.exp(-(X @ W))) + b",
    # tanh instead of the sigmoid
    ("hidden_features", "tanh"):
        "def hidden_features(X, W, b):\n"
        "    return np.tanh(X @ W + b)",
    # written for two inputs only (the docstring promises any n_in)
    ("hidden_features", "two_inputs_only"):
        "def hidden_features(X, W, b):\n"
        "    Z = np.outer(X[:, 0], W[0]) + np.outer(X[:, 1], W[1]) + b\n"
        "    return 1 / (1 + np.exp(-Z))",
    # W transposed: (n_out, n_in) instead of (n_in, n_out)
    ("collapse_linear", "W_transposed"):
        "def collapse_linear(W1, b1, W2, b2):\n"
        "    return W2.T @ W1.T, b1 @ W2 + b2",
    # the second bias subtracted
    ("collapse_linear", "b2_subtracted"):
        "def collapse_linear(W1, b1, W2, b2):\n"
        "    return W1 @ W2, b1 @ W2 - b2",
    # the first layer's bias folded into W instead of b
    ("collapse_linear", "b1_into_W"):
        "def collapse_linear(W1, b1, W2, b2):\n"
        "    return W1 @ W2 + b1 @ W2, b2",
}
