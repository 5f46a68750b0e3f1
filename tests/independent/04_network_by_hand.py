"""Implementations of 04_network_by_hand's exercises written NOT the way the reference is.

The notebook imports math and numpy as np and defines sigmoid(x) (for a number) above the
exercises. Each function returns its quantities in the documented order (a tuple of floats; an
ndarray of shape (k,) is read the same way); forward_222 and update_step receive w as an ndarray
of eight weights and must not change it; update_step is self-contained and computes every
gradient from the weights before the step.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "forward_222": [
        # matrix form: rows of W1 / W2 are the weights into one neuron
        "def forward_222(w, i1, i2, t1, t2, b1, b2):\n"
        "    W1 = np.array([[w[0], w[1]], [w[2], w[3]]])\n"
        "    W2 = np.array([[w[4], w[5]], [w[6], w[7]]])\n"
        "    h = 1.0 / (1.0 + np.exp(-(W1 @ np.array([i1, i2]) + b1)))\n"
        "    o = 1.0 / (1.0 + np.exp(-(W2 @ h + b2)))\n"
        "    E_total = 0.5 * np.sum((np.array([t1, t2]) - o) ** 2)\n"
        "    return h[0], h[1], o[0], o[1], E_total",
        # one generic layer function applied twice, math.exp, the error as a mean of two squares
        "def forward_222(w, i1, i2, t1, t2, b1, b2):\n"
        "    def layer(inputs, weights, bias):\n"
        "        outs = []\n"
        "        for k in range(2):\n"
        "            net = bias + sum(weights[2 * k + j] * inputs[j] for j in range(2))\n"
        "            outs.append(1.0 / (1.0 + math.exp(-net)))\n"
        "        return outs\n"
        "    h1, h2 = layer([i1, i2], list(w[:4]), b1)\n"
        "    o1, o2 = layer([h1, h2], list(w[4:]), b2)\n"
        "    E_total = ((t1 - o1) ** 2 + (t2 - o2) ** 2) / 2\n"
        "    return h1, h2, o1, o2, E_total",
        # scipy's expit on scalars, the terms of the error by math.fsum
        "def forward_222(w, i1, i2, t1, t2, b1, b2):\n"
        "    from scipy.special import expit\n"
        "    w1, w2, w3, w4, w5, w6, w7, w8 = (float(v) for v in w)\n"
        "    h1 = float(expit(b1 + i1 * w1 + i2 * w2))\n"
        "    h2 = float(expit(b1 + i1 * w3 + i2 * w4))\n"
        "    o1 = float(expit(b2 + h1 * w5 + h2 * w6))\n"
        "    o2 = float(expit(b2 + h1 * w7 + h2 * w8))\n"
        "    E_total = math.fsum([0.5 * (o1 - t1) ** 2, 0.5 * (o2 - t2) ** 2])\n"
        "    return h1, h2, o1, o2, E_total",
    ],
    "output_deltas": [
        # a generator over the two neurons
        "def output_deltas(o1, o2, t1, t2):\n"
        "    return tuple((o - t) * o * (1 - o) for o, t in ((o1, t1), (o2, t2)))",
        # numpy vector, -(t - o) (o - o^2), returned as an array of shape (2,)
        "def output_deltas(o1, o2, t1, t2):\n"
        "    o, t = np.array([o1, o2]), np.array([t1, t2])\n"
        "    return -(t - o) * (o - o * o)",
        # named links of the chain: dE/do times do/dnet
        "def output_deltas(o1, o2, t1, t2):\n"
        "    dE_do1 = -(t1 - o1)\n"
        "    dE_do2 = -(t2 - o2)\n"
        "    do1_dnet = o1 * (1.0 - o1)\n"
        "    do2_dnet = o2 * (1.0 - o2)\n"
        "    return dE_do1 * do1_dnet, dE_do2 * do2_dnet",
    ],
    "output_grads": [
        # the outer product of the deltas and the activations, flattened row by row
        "def output_grads(delta_o1, delta_o2, h1, h2):\n"
        "    return np.outer([delta_o1, delta_o2], [h1, h2]).ravel()",
        # np.kron of the two vectors
        "def output_grads(delta_o1, delta_o2, h1, h2):\n"
        "    return tuple(np.kron([delta_o1, delta_o2], [h1, h2]))",
        # a nested generator: for every output neuron, for every hidden neuron
        "def output_grads(delta_o1, delta_o2, h1, h2):\n"
        "    return tuple(d * h for d in (delta_o1, delta_o2) for h in (h1, h2))",
    ],
    "hidden_deltas": [
        # matrix form: W2^T delta_o, times h (1 - h)
        "def hidden_deltas(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):\n"
        "    W2 = np.array([[w5, w6], [w7, w8]])\n"
        "    h = np.array([h1, h2])\n"
        "    return (W2.T @ np.array([delta_o1, delta_o2])) * h * (1 - h)",
        # a loop over the children of every hidden neuron (the slide's recursion)
        "def hidden_deltas(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):\n"
        "    w_out = {(1, 1): w5, (1, 2): w6, (2, 1): w7, (2, 2): w8}   # (output k, hidden j)\n"
        "    delta_o = {1: delta_o1, 2: delta_o2}\n"
        "    h = {1: h1, 2: h2}\n"
        "    out = []\n"
        "    for j in (1, 2):\n"
        "        total = 0.0\n"
        "        for k in (1, 2):\n"
        "            total += delta_o[k] * w_out[(k, j)]\n"
        "        out.append(total * h[j] * (1 - h[j]))\n"
        "    return tuple(out)",
        # math.fsum of the two paths, sigma' as h - h^2
        "def hidden_deltas(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):\n"
        "    dE_dh1 = math.fsum([w5 * delta_o1, w7 * delta_o2])\n"
        "    dE_dh2 = math.fsum([w6 * delta_o1, w8 * delta_o2])\n"
        "    return dE_dh1 * (h1 - h1 * h1), dE_dh2 * (h2 - h2 * h2)",
    ],
    "hidden_grads": [
        # the outer product of the deltas and the inputs
        "def hidden_grads(delta_h1, delta_h2, i1, i2):\n"
        "    return np.outer(np.array([delta_h1, delta_h2]), np.array([i1, i2])).flatten()",
        # a table weight -> (delta of its neuron, its input)
        "def hidden_grads(delta_h1, delta_h2, i1, i2):\n"
        "    wiring = {1: (delta_h1, i1), 2: (delta_h1, i2), 3: (delta_h2, i1), 4: (delta_h2, i2)}\n"
        "    return tuple(d * x for d, x in (wiring[k] for k in range(1, 5)))",
        # einsum, a list result
        "def hidden_grads(delta_h1, delta_h2, i1, i2):\n"
        "    return list(np.einsum('j,k->jk', [delta_h1, delta_h2], [i1, i2]).reshape(-1))",
    ],
    "update_step": [
        # vectorised: W1, W2 matrices, outer products, a new array w - lr * grad
        "def update_step(w, i1, i2, t1, t2, b1, b2, lr):\n"
        "    x, t = np.array([i1, i2]), np.array([t1, t2])\n"
        "    W1, W2 = np.asarray(w[:4]).reshape(2, 2), np.asarray(w[4:]).reshape(2, 2)\n"
        "    h = 1 / (1 + np.exp(-(W1 @ x + b1)))\n"
        "    o = 1 / (1 + np.exp(-(W2 @ h + b2)))\n"
        "    d_o = (o - t) * o * (1 - o)\n"
        "    d_h = (W2.T @ d_o) * h * (1 - h)\n"
        "    grad = np.concatenate([np.outer(d_h, x).ravel(), np.outer(d_o, h).ravel()])\n"
        "    return np.asarray(w, dtype=float) - lr * grad",
        # scalars with math.exp; all eight gradients first, then a copy updated in place
        "def update_step(w, i1, i2, t1, t2, b1, b2, lr):\n"
        "    w1, w2, w3, w4, w5, w6, w7, w8 = w\n"
        "    s = lambda v: 1.0 / (1.0 + math.exp(-v))\n"
        "    h1, h2 = s(w1 * i1 + w2 * i2 + b1), s(w3 * i1 + w4 * i2 + b1)\n"
        "    o1, o2 = s(w5 * h1 + w6 * h2 + b2), s(w7 * h1 + w8 * h2 + b2)\n"
        "    d_o1 = -(t1 - o1) * o1 * (1 - o1)\n"
        "    d_o2 = -(t2 - o2) * o2 * (1 - o2)\n"
        "    d_h1 = (w5 * d_o1 + w7 * d_o2) * h1 * (1 - h1)\n"
        "    d_h2 = (w6 * d_o1 + w8 * d_o2) * h2 * (1 - h2)\n"
        "    grads = [d_h1 * i1, d_h1 * i2, d_h2 * i1, d_h2 * i2, d_o1 * h1, d_o1 * h2, d_o2 * h1, d_o2 * h2]\n"
        "    new = w.copy()\n"
        "    for k, g in enumerate(grads):\n"
        "        new[k] -= lr * g\n"
        "    return new",
        # layer by layer with lists; the output layer is updated after the hidden deltas are known
        "def update_step(w, i1, i2, t1, t2, b1, b2, lr):\n"
        "    W_h = [[w[0], w[1]], [w[2], w[3]]]\n"
        "    W_o = [[w[4], w[5]], [w[6], w[7]]]\n"
        "    x, t = [i1, i2], [t1, t2]\n"
        "    h = [sigmoid(sum(W_h[j][k] * x[k] for k in range(2)) + b1) for j in range(2)]\n"
        "    o = [sigmoid(sum(W_o[j][k] * h[k] for k in range(2)) + b2) for j in range(2)]\n"
        "    d_o = [(o[j] - t[j]) * o[j] * (1 - o[j]) for j in range(2)]\n"
        "    d_h = [sum(d_o[k] * W_o[k][j] for k in range(2)) * h[j] * (1 - h[j]) for j in range(2)]\n"
        "    new_h = [W_h[j][k] - lr * d_h[j] * x[k] for j in range(2) for k in range(2)]\n"
        "    new_o = [W_o[j][k] - lr * d_o[j] * h[k] for j in range(2) for k in range(2)]\n"
        "    return tuple(float(v) for v in new_h + new_o)",
    ],
    "chain_grads": [
        # sigma'(z) from z itself (z is moderate here), math.exp
        "def chain_grads(w, b, a_prev, y):\n"
        "    z = w * a_prev + b\n"
        "    a = 1.0 / (1.0 + math.exp(-z))\n"
        "    e = math.exp(-z)\n"
        "    dz = 2.0 * (a - y) * e / (1.0 + e) ** 2\n"
        "    return dz * a_prev, dz, dz * w",
        # the three links named, multiplied in the other order
        "def chain_grads(w, b, a_prev, y):\n"
        "    a = sigmoid(w * a_prev + b)\n"
        "    dC_da = 2 * (a - y)\n"
        "    da_dz = a * (1 - a)\n"
        "    dz_dw, dz_db, dz_da_prev = a_prev, 1.0, w\n"
        "    return dz_dw * da_dz * dC_da, dz_db * da_dz * dC_da, dz_da_prev * da_dz * dC_da",
        # numpy: the common factor times the vector of last links
        "def chain_grads(w, b, a_prev, y):\n"
        "    from scipy.special import expit\n"
        "    a = expit(w * a_prev + b)\n"
        "    return 2 * (a - y) * a * (1 - a) * np.array([a_prev, 1.0, w])",
    ],
}

# (exercise, label) -> complete solution-cell code of a classic WRONG variant not in the bank
WRONG = {
    # the hidden bias b1 reused in the output layer
    ("forward_222", "one_bias_for_both_layers"):
        "def forward_222(w, i1, i2, t1, t2, b1, b2):\n"
        "    w1, w2, w3, w4, w5, w6, w7, w8 = w\n"
        "    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)\n"
        "    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)\n"
        "    o1 = sigmoid(w5 * h1 + w6 * h2 + b1)\n"
        "    o2 = sigmoid(w7 * h1 + w8 * h2 + b1)\n"
        "    E_total = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2\n"
        "    return h1, h2, o1, o2, E_total",
    # o2 takes h1 by w8 and h2 by w7
    ("forward_222", "o2_inputs_swapped"):
        "def forward_222(w, i1, i2, t1, t2, b1, b2):\n"
        "    w1, w2, w3, w4, w5, w6, w7, w8 = w\n"
        "    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)\n"
        "    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)\n"
        "    o1 = sigmoid(w5 * h1 + w6 * h2 + b2)\n"
        "    o2 = sigmoid(w8 * h1 + w7 * h2 + b2)\n"
        "    E_total = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2\n"
        "    return h1, h2, o1, o2, E_total",
    # absolute errors instead of squares
    ("forward_222", "abs_error"):
        "def forward_222(w, i1, i2, t1, t2, b1, b2):\n"
        "    w1, w2, w3, w4, w5, w6, w7, w8 = w\n"
        "    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)\n"
        "    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)\n"
        "    o1 = sigmoid(w5 * h1 + w6 * h2 + b2)\n"
        "    o2 = sigmoid(w7 * h1 + w8 * h2 + b2)\n"
        "    E_total = 0.5 * abs(t1 - o1) + 0.5 * abs(t2 - o2)\n"
        "    return h1, h2, o1, o2, E_total",
    # the targets swapped between the two outputs
    ("output_deltas", "targets_swapped"):
        "def output_deltas(o1, o2, t1, t2):\n"
        "    return (o1 - t2) * o1 * (1 - o1), (o2 - t1) * o2 * (1 - o2)",
    # tanh's derivative 1 - o^2
    ("output_deltas", "tanh_derivative"):
        "def output_deltas(o1, o2, t1, t2):\n"
        "    return (o1 - t1) * (1 - o1 ** 2), (o2 - t2) * (1 - o2 ** 2)",
    # an extra factor 1/2 (the 2 of the square not cancelled)
    ("output_deltas", "extra_half"):
        "def output_deltas(o1, o2, t1, t2):\n"
        "    return 0.5 * (o1 - t1) * o1 * (1 - o1), 0.5 * (o2 - t2) * o2 * (1 - o2)",
    # each weight paired with the other output's delta
    ("output_grads", "deltas_swapped"):
        "def output_grads(delta_o1, delta_o2, h1, h2):\n"
        "    return delta_o2 * h1, delta_o2 * h2, delta_o1 * h1, delta_o1 * h2",
    # each weight paired with the other hidden activation
    ("output_grads", "activations_swapped"):
        "def output_grads(delta_o1, delta_o2, h1, h2):\n"
        "    return delta_o1 * h2, delta_o1 * h1, delta_o2 * h2, delta_o2 * h1",
    # only the path through o2
    ("hidden_deltas", "second_path_only"):
        "def hidden_deltas(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):\n"
        "    return delta_o2 * w7 * h1 * (1 - h1), delta_o2 * w8 * h2 * (1 - h2)",
    # the two paths subtracted
    ("hidden_deltas", "paths_subtracted"):
        "def hidden_deltas(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):\n"
        "    return ((delta_o1 * w5 - delta_o2 * w7) * h1 * (1 - h1),\n"
        "            (delta_o1 * w6 - delta_o2 * w8) * h2 * (1 - h2))",
    # sigma' of the other hidden neuron
    ("hidden_deltas", "fprime_of_other_neuron"):
        "def hidden_deltas(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):\n"
        "    return ((delta_o1 * w5 + delta_o2 * w7) * h2 * (1 - h2),\n"
        "            (delta_o1 * w6 + delta_o2 * w8) * h1 * (1 - h1))",
    # each weight paired with the other hidden neuron's delta
    ("hidden_grads", "deltas_swapped"):
        "def hidden_grads(delta_h1, delta_h2, i1, i2):\n"
        "    return delta_h2 * i1, delta_h2 * i2, delta_h1 * i1, delta_h1 * i2",
    # an extra factor i (1 - i), as if the inputs had passed a sigmoid
    ("hidden_grads", "extra_input_fprime"):
        "def hidden_grads(delta_h1, delta_h2, i1, i2):\n"
        "    return (delta_h1 * i1 * (1 - i1), delta_h1 * i2 * (1 - i2),\n"
        "            delta_h2 * i1 * (1 - i1), delta_h2 * i2 * (1 - i2))",
    # the published learning rate hard-coded instead of lr
    ("update_step", "lr_hardcoded"):
        "def update_step(w, i1, i2, t1, t2, b1, b2, lr):\n"
        "    w1, w2, w3, w4, w5, w6, w7, w8 = w\n"
        "    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)\n"
        "    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)\n"
        "    o1 = sigmoid(w5 * h1 + w6 * h2 + b2)\n"
        "    o2 = sigmoid(w7 * h1 + w8 * h2 + b2)\n"
        "    d_o1 = (o1 - t1) * o1 * (1 - o1)\n"
        "    d_o2 = (o2 - t2) * o2 * (1 - o2)\n"
        "    d_h1 = (d_o1 * w5 + d_o2 * w7) * h1 * (1 - h1)\n"
        "    d_h2 = (d_o1 * w6 + d_o2 * w8) * h2 * (1 - h2)\n"
        "    g = [d_h1 * i1, d_h1 * i2, d_h2 * i1, d_h2 * i2, d_o1 * h1, d_o1 * h2, d_o2 * h1, d_o2 * h2]\n"
        "    return tuple(wk - 0.5 * gk for wk, gk in zip(w, g))",
    # the step written into the caller's array
    ("update_step", "mutates_input"):
        "def update_step(w, i1, i2, t1, t2, b1, b2, lr):\n"
        "    w1, w2, w3, w4, w5, w6, w7, w8 = w\n"
        "    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)\n"
        "    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)\n"
        "    o1 = sigmoid(w5 * h1 + w6 * h2 + b2)\n"
        "    o2 = sigmoid(w7 * h1 + w8 * h2 + b2)\n"
        "    d_o1 = (o1 - t1) * o1 * (1 - o1)\n"
        "    d_o2 = (o2 - t2) * o2 * (1 - o2)\n"
        "    d_h1 = (d_o1 * w5 + d_o2 * w7) * h1 * (1 - h1)\n"
        "    d_h2 = (d_o1 * w6 + d_o2 * w8) * h2 * (1 - h2)\n"
        "    w -= lr * np.array([d_h1 * i1, d_h1 * i2, d_h2 * i1, d_h2 * i2,\n"
        "                        d_o1 * h1, d_o1 * h2, d_o2 * h1, d_o2 * h2])\n"
        "    return w",
    # the output bias b2 used in the hidden layer too
    ("update_step", "b2_in_hidden_layer"):
        "def update_step(w, i1, i2, t1, t2, b1, b2, lr):\n"
        "    w1, w2, w3, w4, w5, w6, w7, w8 = w\n"
        "    h1 = sigmoid(w1 * i1 + w2 * i2 + b2)\n"
        "    h2 = sigmoid(w3 * i1 + w4 * i2 + b2)\n"
        "    o1 = sigmoid(w5 * h1 + w6 * h2 + b2)\n"
        "    o2 = sigmoid(w7 * h1 + w8 * h2 + b2)\n"
        "    d_o1 = (o1 - t1) * o1 * (1 - o1)\n"
        "    d_o2 = (o2 - t2) * o2 * (1 - o2)\n"
        "    d_h1 = (d_o1 * w5 + d_o2 * w7) * h1 * (1 - h1)\n"
        "    d_h2 = (d_o1 * w6 + d_o2 * w8) * h2 * (1 - h2)\n"
        "    g = [d_h1 * i1, d_h1 * i2, d_h2 * i1, d_h2 * i2, d_o1 * h1, d_o1 * h2, d_o2 * h1, d_o2 * h2]\n"
        "    return tuple(wk - lr * gk for wk, gk in zip(w, g))",
    # the hidden deltas use the outputs' sigma' o (1 - o)
    ("update_step", "hidden_fprime_of_outputs"):
        "def update_step(w, i1, i2, t1, t2, b1, b2, lr):\n"
        "    w1, w2, w3, w4, w5, w6, w7, w8 = w\n"
        "    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)\n"
        "    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)\n"
        "    o1 = sigmoid(w5 * h1 + w6 * h2 + b2)\n"
        "    o2 = sigmoid(w7 * h1 + w8 * h2 + b2)\n"
        "    d_o1 = (o1 - t1) * o1 * (1 - o1)\n"
        "    d_o2 = (o2 - t2) * o2 * (1 - o2)\n"
        "    d_h1 = (d_o1 * w5 + d_o2 * w7) * o1 * (1 - o1)\n"
        "    d_h2 = (d_o1 * w6 + d_o2 * w8) * o2 * (1 - o2)\n"
        "    g = [d_h1 * i1, d_h1 * i2, d_h2 * i1, d_h2 * i2, d_o1 * h1, d_o1 * h2, d_o2 * h1, d_o2 * h2]\n"
        "    return tuple(wk - lr * gk for wk, gk in zip(w, g))",
    # dC/db multiplied by b (as if b were a weight on itself)
    ("chain_grads", "db_times_b"):
        "def chain_grads(w, b, a_prev, y):\n"
        "    a = sigmoid(w * a_prev + b)\n"
        "    dz = 2 * (a - y) * a * (1 - a)\n"
        "    return dz * a_prev, dz * b, dz * w",
    # dC/da_prev takes the last activation a instead of the weight w
    ("chain_grads", "da_prev_times_a"):
        "def chain_grads(w, b, a_prev, y):\n"
        "    a = sigmoid(w * a_prev + b)\n"
        "    dz = 2 * (a - y) * a * (1 - a)\n"
        "    return dz * a_prev, dz, dz * a",
    # sigma' taken at the previous activation: a_prev (1 - a_prev)
    ("chain_grads", "fprime_of_a_prev"):
        "def chain_grads(w, b, a_prev, y):\n"
        "    a = sigmoid(w * a_prev + b)\n"
        "    dz = 2 * (a - y) * a_prev * (1 - a_prev)\n"
        "    return dz * a_prev, dz, dz * w",
}
