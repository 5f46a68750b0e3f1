"""Implementations of 05_deltas's exercises written NOT the way the reference is.

The notebook imports numpy as np (and matplotlib, bpcourse.checks, numerical_gradient,
rel_error) above the solution cells; scipy is installed in the kernel. The derivatives take z
of any shape and return floats of its shape; delta_output, delta_hidden and depth_ratio get
the activation's derivative as a function ``fprime`` (elementwise: array or scalar); all
columns are (n, 1); the inputs must not be changed in place.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "sigmoid_prime": [
        # scipy.special.expit, and σ(−z) = 1 − σ(z)
        "def sigmoid_prime(z):\n"
        "    from scipy.special import expit\n"
        "    return expit(z) * expit(-z)",
        # the identity σ'(z) = 1 / (4 cosh²(z / 2))
        "def sigmoid_prime(z):\n"
        "    return 0.25 / np.cosh(0.5 * z) ** 2",
        # math module scalars over every index of an array of any shape
        "def sigmoid_prime(z):\n"
        "    import math\n"
        "    out = np.empty(np.shape(z), dtype=float)\n"
        "    for idx in np.ndindex(out.shape):\n"
        "        e = math.exp(-abs(float(z[idx])))\n"
        "        out[idx] = e / (1.0 + e) ** 2\n"
        "    return out",
    ],
    "relu_prime": [
        # np.heaviside with the value 0 at z = 0
        "def relu_prime(z):\n"
        "    return np.heaviside(z, 0.0)",
        # np.where with float literals
        "def relu_prime(z):\n"
        "    return np.where(z > 0, 1.0, 0.0)",
        # a Python predicate vectorised, float output
        "def relu_prime(z):\n"
        "    step = np.vectorize(lambda v: 1.0 if v > 0 else 0.0, otypes=[float])\n"
        "    return step(z)",
    ],
    "leaky_relu_prime": [
        # ones, then alpha written into a new array by a boolean mask
        "def leaky_relu_prime(z, alpha=0.01):\n"
        "    out = np.ones(z.shape)\n"
        "    out[z <= 0] = alpha\n"
        "    return out",
        # np.maximum of the ReLU step and the slope (alpha < 1)
        "def leaky_relu_prime(z, alpha=0.01):\n"
        "    return np.maximum((z > 0).astype(float), alpha)",
        # an explicit loop over every index, any shape
        "def leaky_relu_prime(z, alpha=0.01):\n"
        "    out = np.empty(z.shape)\n"
        "    for idx in np.ndindex(z.shape):\n"
        "        out[idx] = 1.0 if z[idx] > 0 else alpha\n"
        "    return out",
    ],
    "delta_output": [
        # vectorised: elementwise product of two columns
        "def delta_output(a, t, z, fprime):\n"
        "    return (a - t) * fprime(z)",
        # fprime called on each scalar z[j, 0], a column built from a list
        "def delta_output(a, t, z, fprime):\n"
        "    return np.array([[(a[j, 0] - t[j, 0]) * fprime(z[j, 0])] for j in range(len(z))], dtype=float)",
        # einsum for the Hadamard product, with the sign written as −(t − a)
        "def delta_output(a, t, z, fprime):\n"
        "    return np.einsum('ij,ij->ij', -(t - a), fprime(z))",
    ],
    "delta_hidden": [
        # the vector form of eq. 45
        "def delta_hidden(delta_next, W_next, z, fprime):\n"
        "    return (W_next.T @ delta_next) * fprime(z)",
        # einsum over k, back to a column
        "def delta_hidden(delta_next, W_next, z, fprime):\n"
        "    s = np.einsum('kj,k->j', W_next, delta_next[:, 0])\n"
        "    return s[:, None] * fprime(z)",
        # the other loop order: k outside, rows of W added into the sum
        "def delta_hidden(delta_next, W_next, z, fprime):\n"
        "    n_next, n = W_next.shape\n"
        "    s = np.zeros((n, 1))\n"
        "    for k in range(n_next):\n"
        "        s = s + delta_next[k, 0] * W_next[k].reshape(n, 1)\n"
        "    fp = fprime(z)\n"
        "    return s * fp",
    ],
    "grads_from_delta": [
        # np.outer (flattens both columns)
        "def grads_from_delta(delta, a_prev):\n"
        "    return np.outer(delta, a_prev), delta.copy()",
        # a column times a row, by broadcasting; db as a new float array
        "def grads_from_delta(delta, a_prev):\n"
        "    dW = delta * a_prev.reshape(1, -1)\n"
        "    db = np.array(delta, dtype=float)\n"
        "    return dW, db",
        # einsum; db is delta itself (no copy: nothing is changed in place)
        "def grads_from_delta(delta, a_prev):\n"
        "    return np.einsum('ik,jk->ij', delta, a_prev), delta",
    ],
    "depth_ratio": [
        # recursion from the last layer down to the first
        "def depth_ratio(Ws, zs, delta_L, fprime):\n"
        "    def back(l, d):\n"
        "        # d = delta^(l + 1) (1-based); returns delta^(1)\n"
        "        if l == 0:\n"
        "            return d\n"
        "        return back(l - 1, (Ws[l].T @ d) * fprime(zs[l - 1]))\n"
        "    d1 = back(len(Ws) - 1, delta_L)\n"
        "    return float(np.sqrt(np.sum(d1 ** 2)) / np.sqrt(np.sum(delta_L ** 2)))",
        # loops over neurons, math.sqrt for the norms
        "def depth_ratio(Ws, zs, delta_L, fprime):\n"
        "    import math\n"
        "    delta = [float(v) for v in delta_L[:, 0]]\n"
        "    for l in range(len(Ws) - 1, 0, -1):\n"
        "        W, fp = Ws[l], fprime(zs[l - 1])\n"
        "        delta = [sum(delta[k] * W[k, j] for k in range(W.shape[0])) * fp[j, 0]\n"
        "                 for j in range(W.shape[1])]\n"
        "    top = math.sqrt(sum(v * v for v in delta))\n"
        "    bottom = math.sqrt(sum(float(v) ** 2 for v in delta_L[:, 0]))\n"
        "    return top / bottom",
        # 1-D vectors, reversed zip, einsum; the 2-norm of the (n, 1) matrices at the end
        "def depth_ratio(Ws, zs, delta_L, fprime):\n"
        "    d = delta_L.ravel()\n"
        "    for W, z in zip(reversed(Ws[1:]), reversed(zs[:-1])):\n"
        "        d = np.einsum('kj,k->j', W, d) * fprime(z).ravel()\n"
        "    return float(np.linalg.norm(d.reshape(-1, 1), 2) / np.linalg.norm(delta_L, 2))",
    ],
}

# (exercise, label) -> complete solution-cell code of a classic WRONG variant not in the bank
WRONG = {
    # the derivative of the hyperbolic tangent instead of the sigmoid
    ("sigmoid_prime", "tanh_derivative"):
        "def sigmoid_prime(z):\n"
        "    return 1.0 - np.tanh(z) ** 2",
    # e^(−z) / (1 + e^(−z)): the square of the denominator is missing (that is 1 − σ)
    ("sigmoid_prime", "missing_square"):
        "def sigmoid_prime(z):\n"
        "    e = np.exp(-z)\n"
        "    return e / (1.0 + e)",
    # the cosh identity without its factor 1/4
    ("sigmoid_prime", "cosh_without_quarter"):
        "def sigmoid_prime(z):\n"
        "    return 1.0 / np.cosh(z / 2) ** 2",
    # right values, but z is negated in place
    ("sigmoid_prime", "mutates_input"):
        "def sigmoid_prime(z):\n"
        "    np.negative(z, out=z)\n"
        "    e = np.exp(z)\n"
        "    return e / (1.0 + e) ** 2",
    # computed in float32
    ("sigmoid_prime", "float32"):
        "def sigmoid_prime(z):\n"
        "    s = 1 / (1 + np.exp(-z.astype(np.float32)))\n"
        "    return s * (1 - s)",
    # heaviside with the value 1/2 at z = 0 (numpy's usual example)
    ("relu_prime", "half_at_zero"):
        "def relu_prime(z):\n"
        "    return np.heaviside(z, 0.5)",
    # the sign function: −1 for negative z
    ("relu_prime", "sign"):
        "def relu_prime(z):\n"
        "    return np.sign(z)",
    # right values, written into z itself
    ("relu_prime", "mutates_input"):
        "def relu_prime(z):\n"
        "    z[z > 0] = 1.0\n"
        "    z[z <= 0] = 0.0\n"
        "    return z",
    # alpha added to every entry: 1 + alpha where z > 0
    ("leaky_relu_prime", "alpha_added_everywhere"):
        "def leaky_relu_prime(z, alpha=0.01):\n"
        "    return (z > 0).astype(float) + alpha",
    # the default slope is 0.1, not 0.01 (eq. 29)
    ("leaky_relu_prime", "wrong_default"):
        "def leaky_relu_prime(z, alpha=0.1):\n"
        "    return np.where(z > 0, 1.0, alpha)",
    # right values, written into z itself
    ("leaky_relu_prime", "mutates_input"):
        "def leaky_relu_prime(z, alpha=0.01):\n"
        "    neg = z <= 0\n"
        "    z[~neg] = 1.0\n"
        "    z[neg] = alpha\n"
        "    return z",
    # the derivative of (t − a)² without the ½: a factor 2
    ("delta_output", "factor_two"):
        "def delta_output(a, t, z, fprime):\n"
        "    return 2 * (a - t) * fprime(z)",
    # a flat vector (n,) instead of a column (n, 1)
    ("delta_output", "flat"):
        "def delta_output(a, t, z, fprime):\n"
        "    return ((a - t) * fprime(z)).ravel()",
    # right values, but a is overwritten
    ("delta_output", "mutates_input"):
        "def delta_output(a, t, z, fprime):\n"
        "    a -= t\n"
        "    a *= fprime(z)\n"
        "    return a",
    # the inner sum over k stops one neuron early
    ("delta_hidden", "inner_loop_off_by_one"):
        "def delta_hidden(delta_next, W_next, z, fprime):\n"
        "    fp = fprime(z)\n"
        "    delta = np.zeros_like(z)\n"
        "    for j in range(z.shape[0]):\n"
        "        s = 0.0\n"
        "        for k in range(delta_next.shape[0] - 1):\n"
        "            s += delta_next[k, 0] * W_next[k, j]\n"
        "        delta[j, 0] = s * fp[j, 0]\n"
        "    return delta",
    # the inner sum runs to the width of this layer, not of the next one
    ("delta_hidden", "inner_bound_of_this_layer"):
        "def delta_hidden(delta_next, W_next, z, fprime):\n"
        "    fp = fprime(z)\n"
        "    delta = np.zeros_like(z)\n"
        "    for j in range(z.shape[0]):\n"
        "        s = 0.0\n"
        "        for k in range(z.shape[0]):\n"
        "            s += delta_next[k, 0] * W_next[k, j]\n"
        "        delta[j, 0] = s * fp[j, 0]\n"
        "    return delta",
    # right values, but W_next is scaled in place
    ("delta_hidden", "mutates_input"):
        "def delta_hidden(delta_next, W_next, z, fprime):\n"
        "    W_next *= delta_next\n"
        "    return W_next.sum(axis=0)[:, None] * fprime(z)",
    # db summed over the inputs, as if they were examples of a batch
    ("grads_from_delta", "db_times_sum_of_inputs"):
        "def grads_from_delta(delta, a_prev):\n"
        "    dW = delta @ a_prev.T\n"
        "    return dW, dW.sum(axis=1, keepdims=True)",
    # the loop bounds swapped (j over the inputs, i over the neurons)
    ("grads_from_delta", "swapped_bounds"):
        "def grads_from_delta(delta, a_prev):\n"
        "    n, m = delta.shape[0], a_prev.shape[0]\n"
        "    dW, db = np.zeros((n, m)), np.zeros((n, 1))\n"
        "    for j in range(m):\n"
        "        for i in range(n):\n"
        "            dW[j, i] = delta[j, 0] * a_prev[i, 0]\n"
        "    for j in range(n):\n"
        "        db[j, 0] = delta[j, 0]\n"
        "    return dW, db",
    # dW divided by the number of inputs, as if they were the examples of a batch
    ("grads_from_delta", "averaged_over_inputs"):
        "def grads_from_delta(delta, a_prev):\n"
        "    return delta @ a_prev.T / a_prev.shape[0], delta.copy()",
    # one step too far: carried through W^(1) to the network's input
    ("depth_ratio", "one_step_too_far"):
        "def depth_ratio(Ws, zs, delta_L, fprime):\n"
        "    delta = delta_L\n"
        "    for l in range(len(Ws) - 1, 0, -1):\n"
        "        delta = (Ws[l].T @ delta) * fprime(zs[l - 1])\n"
        "    delta = Ws[0].T @ delta\n"
        "    return float(np.linalg.norm(delta) / np.linalg.norm(delta_L))",
    # the L1 norm instead of the Euclidean one
    ("depth_ratio", "l1_norm"):
        "def depth_ratio(Ws, zs, delta_L, fprime):\n"
        "    delta = delta_L\n"
        "    for l in range(len(Ws) - 1, 0, -1):\n"
        "        delta = (Ws[l].T @ delta) * fprime(zs[l - 1])\n"
        "    return float(np.abs(delta).sum() / np.abs(delta_L).sum())",
    # the norms of delta^(1) and delta^(L) are compared as a difference, not a ratio
    ("depth_ratio", "difference"):
        "def depth_ratio(Ws, zs, delta_L, fprime):\n"
        "    delta = delta_L\n"
        "    for l in range(len(Ws) - 1, 0, -1):\n"
        "        delta = (Ws[l].T @ delta) * fprime(zs[l - 1])\n"
        "    return float(np.linalg.norm(delta) - np.linalg.norm(delta_L))",
    # right value, but delta_L is normalised in place (then ||delta_L|| = 1)
    ("depth_ratio", "normalises_delta_L_in_place"):
        "def depth_ratio(Ws, zs, delta_L, fprime):\n"
        "    delta_L /= np.linalg.norm(delta_L)\n"
        "    delta = delta_L\n"
        "    for l in range(len(Ws) - 1, 0, -1):\n"
        "        delta = (Ws[l].T @ delta) * fprime(zs[l - 1])\n"
        "    return float(np.linalg.norm(delta))",
}
