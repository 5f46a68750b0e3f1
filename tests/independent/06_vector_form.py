"""Implementations of 06_vector_form's exercises written NOT the way the reference is.

The notebook imports time and numpy as np (and matplotlib, bpcourse.checks,
numerical_gradient, rel_error) and defines sigmoid(z) above the solution cells; scipy is
installed in the kernel. A sigmoid in every layer, one example as a column (n, 1), W of shape
(n_out, n_in); each function is self-contained and must not change its inputs in place.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "column_forward": [
        # scipy.special.expit and np.dot, an index loop over the layers
        "def column_forward(Ws, bs, x):\n"
        "    from scipy.special import expit\n"
        "    zs, activations = [], [x]\n"
        "    for l in range(len(Ws)):\n"
        "        zs.append(np.dot(Ws[l], activations[l]) + bs[l])\n"
        "        activations.append(expit(zs[l]))\n"
        "    return zs, activations",
        # recursion over the layers; σ(z) = (1 + tanh(z / 2)) / 2
        "def column_forward(Ws, bs, x):\n"
        "    def run(l, a):\n"
        "        if l == len(Ws):\n"
        "            return [], [a]\n"
        "        z = Ws[l] @ a + bs[l]\n"
        "        zs, acts = run(l + 1, 0.5 * (1.0 + np.tanh(0.5 * z)))\n"
        "        return [z] + zs, [a] + acts\n"
        "    return run(0, x)",
        # einsum on flat vectors, reshaped back to columns; the notebook's sigmoid
        "def column_forward(Ws, bs, x):\n"
        "    zs, activations = [], [x]\n"
        "    a = x.ravel()\n"
        "    for W, b in zip(Ws, bs):\n"
        "        z = np.einsum('ji,i->j', W, a) + b.ravel()\n"
        "        a = sigmoid(z)\n"
        "        zs.append(z.reshape(-1, 1))\n"
        "        activations.append(a.reshape(-1, 1))\n"
        "    return zs, activations",
    ],
    "column_output_delta": [
        # σ'(z) from z again, with scipy: σ(z) σ(−z)
        "def column_output_delta(z, a, t):\n"
        "    from scipy.special import expit\n"
        "    return (a - t) * expit(z) * expit(-z)",
        # an explicit loop over the output neurons
        "def column_output_delta(z, a, t):\n"
        "    delta = np.empty(z.shape)\n"
        "    for j in range(z.shape[0]):\n"
        "        delta[j, 0] = (a[j, 0] - t[j, 0]) * a[j, 0] * (1.0 - a[j, 0])\n"
        "    return delta",
        # np.multiply / np.subtract, a − a² for σ'
        "def column_output_delta(z, a, t):\n"
        "    return np.multiply(np.subtract(a, t), a - a ** 2)",
    ],
    "column_hidden_delta": [
        # einsum for Wᵀ δ
        "def column_hidden_delta(W_next, delta_next, z, a):\n"
        "    return np.einsum('kj,kl->jl', W_next, delta_next) * (a - a * a)",
        # the row-vector route: (δᵀ W)ᵀ, and σ'(z) recomputed from z
        "def column_hidden_delta(W_next, delta_next, z, a):\n"
        "    s = 1.0 / (1.0 + np.exp(-z))\n"
        "    return (delta_next.T @ W_next).T * s * (1.0 - s)",
        # broadcasting and a sum over the neurons of the next layer
        "def column_hidden_delta(W_next, delta_next, z, a):\n"
        "    back = (W_next.T * delta_next.T).sum(axis=1, keepdims=True)\n"
        "    return back * a * (1 - a)",
    ],
    "column_grads": [
        # np.outer and an index loop; dbs as new arrays
        "def column_grads(deltas, activations):\n"
        "    dWs, dbs = [], []\n"
        "    for l in range(len(deltas)):\n"
        "        dWs.append(np.outer(deltas[l], activations[l]))\n"
        "        dbs.append(np.array(deltas[l]))\n"
        "    return dWs, dbs",
        # einsum on flat vectors; dbs are the deltas themselves (nothing changed in place)
        "def column_grads(deltas, activations):\n"
        "    dWs = [np.einsum('i,j->ij', d[:, 0], a[:, 0]) for d, a in zip(deltas, activations)]\n"
        "    return dWs, list(deltas)",
        # broadcasting a column (n, 1) against a row (1, m)
        "def column_grads(deltas, activations):\n"
        "    L = len(deltas)\n"
        "    dWs = [deltas[l] * activations[l].reshape(1, -1) for l in range(L)]\n"
        "    dbs = [deltas[l].reshape(-1, 1).copy() for l in range(L)]\n"
        "    return dWs, dbs",
    ],
    "column_hidden_delta_loops": [
        # nested comprehensions and sum()
        "def column_hidden_delta_loops(W_next, delta_next, z, a):\n"
        "    n_next, n = W_next.shape\n"
        "    return np.array([[sum(W_next[k, j] * delta_next[k, 0] for k in range(n_next))\n"
        "                      * a[j, 0] * (1 - a[j, 0])] for j in range(n)])",
        # the other loop order: k outside, j inside, σ' applied at the end
        "def column_hidden_delta_loops(W_next, delta_next, z, a):\n"
        "    n_next, n = W_next.shape\n"
        "    acc = np.zeros((n, 1))\n"
        "    for k in range(n_next):\n"
        "        for j in range(n):\n"
        "            acc[j, 0] += W_next[k, j] * delta_next[k, 0]\n"
        "    for j in range(n):\n"
        "        acc[j, 0] *= a[j, 0] * (1 - a[j, 0])\n"
        "    return acc",
        # math module scalars: σ'(z_j) from z, via σ(z) σ(−z)
        "def column_hidden_delta_loops(W_next, delta_next, z, a):\n"
        "    import math\n"
        "    delta = np.zeros((W_next.shape[1], 1))\n"
        "    for j in range(W_next.shape[1]):\n"
        "        total = 0.0\n"
        "        for k in range(W_next.shape[0]):\n"
        "            total += delta_next[k][0] * W_next[k][j]\n"
        "        zj = float(z[j][0])\n"
        "        delta[j][0] = total / ((1 + math.exp(-zj)) * (1 + math.exp(zj)))\n"
        "    return delta",
    ],
}

# (exercise, label) -> complete solution-cell code of a classic WRONG variant not in the bank
WRONG = {
    # the bias subtracted instead of added
    ("column_forward", "bias_subtracted"):
        "def column_forward(Ws, bs, x):\n"
        "    zs, activations = [], [x]\n"
        "    for W, b in zip(Ws, bs):\n"
        "        z = W @ activations[-1] - b\n"
        "        zs.append(z)\n"
        "        activations.append(sigmoid(z))\n"
        "    return zs, activations",
    # the sign in the sigmoid's exponent lost: 1 / (1 + e^z) = σ(−z)
    ("column_forward", "sigmoid_sign"):
        "def column_forward(Ws, bs, x):\n"
        "    zs, activations = [], [x]\n"
        "    for W, b in zip(Ws, bs):\n"
        "        z = W @ activations[-1] + b\n"
        "        zs.append(z)\n"
        "        activations.append(1.0 / (1.0 + np.exp(z)))\n"
        "    return zs, activations",
    # every layer is fed the network's input x, not the previous activation
    ("column_forward", "x_into_every_layer"):
        "def column_forward(Ws, bs, x):\n"
        "    zs, activations = [], [x]\n"
        "    for W, b in zip(Ws, bs):\n"
        "        z = W @ x + b\n"
        "        zs.append(z)\n"
        "        activations.append(sigmoid(z))\n"
        "    return zs, activations",
    # off by one: the last layer is never computed
    ("column_forward", "last_layer_missing"):
        "def column_forward(Ws, bs, x):\n"
        "    zs, activations = [], [x]\n"
        "    for l in range(len(Ws) - 1):\n"
        "        z = Ws[l] @ activations[l] + bs[l]\n"
        "        zs.append(z)\n"
        "        activations.append(sigmoid(z))\n"
        "    return zs, activations",
    # the derivative of (t − a)² without the ½: a factor 2
    ("column_output_delta", "factor_two"):
        "def column_output_delta(z, a, t):\n"
        "    return 2 * (a - t) * a * (1 - a)",
    # a matrix product instead of the elementwise ⊙: an (n, n) outer product
    ("column_output_delta", "matrix_product"):
        "def column_output_delta(z, a, t):\n"
        "    return (a - t) @ (a * (1 - a)).T",
    # right values, but t is overwritten
    ("column_output_delta", "mutates_input"):
        "def column_output_delta(z, a, t):\n"
        "    t -= a\n"
        "    return -t * a * (1 - a)",
    # σ'(z) written as a (1 + a)
    ("column_hidden_delta", "one_plus_a"):
        "def column_hidden_delta(W_next, delta_next, z, a):\n"
        "    return (W_next.T @ delta_next) * a * (1 + a)",
    # Wᵀ δ by broadcasting, summed over the wrong axis (over j, not k): shape (n_next, 1)
    ("column_hidden_delta", "sum_over_wrong_axis"):
        "def column_hidden_delta(W_next, delta_next, z, a):\n"
        "    back = (W_next * delta_next).sum(axis=1, keepdims=True)\n"
        "    return back * a * (1 - a)",
    # a row (1, n) instead of a column
    ("column_hidden_delta", "row"):
        "def column_hidden_delta(W_next, delta_next, z, a):\n"
        "    return (delta_next.T @ W_next) * (a * (1 - a)).T",
    # right values, but W_next is scaled in place
    ("column_hidden_delta", "mutates_input"):
        "def column_hidden_delta(W_next, delta_next, z, a):\n"
        "    W_next *= delta_next\n"
        "    return W_next.sum(axis=0, keepdims=True).T * a * (1 - a)",
    # the sum s is not reset for each neuron j: it accumulates across j
    ("column_hidden_delta_loops", "sum_not_reset"):
        "def column_hidden_delta_loops(W_next, delta_next, z, a):\n"
        "    n_next, n = W_next.shape\n"
        "    delta = np.zeros((n, 1))\n"
        "    s = 0.0\n"
        "    for j in range(n):\n"
        "        for k in range(n_next):\n"
        "            s += W_next[k, j] * delta_next[k, 0]\n"
        "        delta[j, 0] = s * a[j, 0] * (1 - a[j, 0])\n"
        "    return delta",
    # the inner loop runs to this layer's width n, not to n_next
    ("column_hidden_delta_loops", "inner_bound_n"):
        "def column_hidden_delta_loops(W_next, delta_next, z, a):\n"
        "    n = W_next.shape[1]\n"
        "    delta = np.zeros((n, 1))\n"
        "    for j in range(n):\n"
        "        s = 0.0\n"
        "        for k in range(n):\n"
        "            s += W_next[k, j] * delta_next[k, 0]\n"
        "        delta[j, 0] = s * a[j, 0] * (1 - a[j, 0])\n"
        "    return delta",
    # = instead of +=: only the last k's term survives
    ("column_hidden_delta_loops", "assigns_not_accumulates"):
        "def column_hidden_delta_loops(W_next, delta_next, z, a):\n"
        "    n_next, n = W_next.shape\n"
        "    delta = np.zeros((n, 1))\n"
        "    for j in range(n):\n"
        "        for k in range(n_next):\n"
        "            delta[j, 0] = W_next[k, j] * delta_next[k, 0] * a[j, 0] * (1 - a[j, 0])\n"
        "    return delta",
    # off by one: the first layer's gradients are missing
    ("column_grads", "first_layer_missing"):
        "def column_grads(deltas, activations):\n"
        "    dWs = [deltas[l] @ activations[l].T for l in range(1, len(deltas))]\n"
        "    dbs = [deltas[l].copy() for l in range(1, len(deltas))]\n"
        "    return dWs, dbs",
    # ∇b summed to one number per layer
    ("column_grads", "summed_db"):
        "def column_grads(deltas, activations):\n"
        "    dWs = [d @ a.T for d, a in zip(deltas, activations)]\n"
        "    return dWs, [float(d.sum()) for d in deltas]",
    # the layers' order reversed in the output lists
    ("column_grads", "reversed_lists"):
        "def column_grads(deltas, activations):\n"
        "    dWs, dbs = [], []\n"
        "    for l in range(len(deltas) - 1, -1, -1):\n"
        "        dWs.append(deltas[l] @ activations[l].T)\n"
        "        dbs.append(deltas[l].copy())\n"
        "    return dWs, dbs",
}
