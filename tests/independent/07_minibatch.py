"""Implementations of 07_minibatch's exercises written NOT the way the reference is.

Each code replaces one whole solution cell: a function attached to a class as a method (the
notebook's interface: Linear.forward stores self.X, Sigmoid.forward self.A, ReLU.forward self.Z,
MSELoss.forward self.Y and self.t; backward may read only those), or a plain function. The
notebook imports numpy as np above them and defines Parameter, Layer, Linear, Sigmoid, ReLU
and MSELoss.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "linear_layer_forward": [
        # np.dot and broadcasting of b[None, :]; X kept as a copy
        "def linear_layer_forward(self, X):\n"
        "    self.X = X.copy()\n"
        "    return np.dot(X, self.W.data) + self.b.data[None, :]\n\n\nLinear.forward = linear_layer_forward",
        # einsum, CS231n-style cache under the interface's name
        "def _fwd(self, x):\n"
        "    out = np.einsum('mi,io->mo', x, self.W.data)\n"
        "    out = out + self.b.data\n"
        "    self.X = x\n"
        "    return out\n\n\n"
        "Linear.forward = _fwd",
    ],
    "linear_layer_backward": [
        # loops over the batch: sum of per-example outer products
        "def linear_layer_backward(self, dZ):\n"
        "    dW = np.zeros_like(self.W.data)\n"
        "    db = np.zeros_like(self.b.data)\n"
        "    for x, dz in zip(self.X, dZ):\n"
        "        dW += np.outer(x, dz)\n"
        "        db += dz\n"
        "    self.W.grad = self.W.grad + dW\n"
        "    self.b.grad = self.b.grad + db\n"
        "    return np.dot(dZ, self.W.data.T)\n\n\nLinear.backward = linear_layer_backward",
        # einsum and np.sum(..., axis=0), in-place np.add
        "def linear_layer_backward(self, dZ):\n"
        "    np.add(self.W.grad, np.einsum('mi,mo->io', self.X, dZ), out=self.W.grad)\n"
        "    np.add(self.b.grad, np.sum(dZ, axis=0), out=self.b.grad)\n"
        "    return np.einsum('mo,io->mi', dZ, self.W.data)\n\n\nLinear.backward = linear_layer_backward",
        # the transpose of the notes' column form (eq. 52, with the 1/M already in dZ)
        "def linear_layer_backward(self, dZ):\n"
        "    self.W.grad += (dZ.T @ self.X).T\n"
        "    self.b.grad += np.ones(dZ.shape[0]) @ dZ\n"
        "    return (self.W.data @ dZ.T).T\n\n\nLinear.backward = linear_layer_backward",
    ],
    "sigmoid_layer_forward": [
        # overflow-free form, by the sign of z
        "def sigmoid_layer_forward(self, Z):\n"
        "    A = np.where(Z >= 0, 1.0 / (1.0 + np.exp(-np.abs(Z))), np.exp(-np.abs(Z)) / (1.0 + np.exp(-np.abs(Z))))\n"
        "    self.A = A\n"
        "    return A\n\n\nSigmoid.forward = sigmoid_layer_forward",
        # through tanh: σ(z) = (1 + tanh(z/2)) / 2
        "def sigmoid_layer_forward(self, Z):\n"
        "    self.A = 0.5 * (1.0 + np.tanh(0.5 * Z))\n"
        "    return self.A\n\n\nSigmoid.forward = sigmoid_layer_forward",
        # scipy's expit
        "def sigmoid_layer_forward(self, Z):\n"
        "    from scipy.special import expit\n"
        "    self.A = expit(Z)\n"
        "    return self.A\n\n\nSigmoid.forward = sigmoid_layer_forward",
    ],
    "sigmoid_layer_backward": [
        "def sigmoid_layer_backward(self, dA):\n"
        "    return dA * (self.A - self.A ** 2)\n\n\nSigmoid.backward = sigmoid_layer_backward",
        # recomputed from the stored input, as some students keep it too (the probe sets both)
        "def sigmoid_layer_backward(self, dA):\n"
        "    e = np.exp(-self.Z)\n"
        "    return dA * e / (1.0 + e) ** 2\n\n\nSigmoid.backward = sigmoid_layer_backward",
    ],
    "relu_layer_forward": [
        "def relu_layer_forward(self, Z):\n"
        "    self.Z = Z\n"
        "    return Z * (Z > 0)\n\n\nReLU.forward = relu_layer_forward",
        "def relu_layer_forward(self, Z):\n"
        "    self.Z = Z.copy()\n"
        "    A = Z.copy()\n"
        "    A[A < 0] = 0.0\n"
        "    return A\n\n\nReLU.forward = relu_layer_forward",
    ],
    "relu_layer_backward": [
        "def relu_layer_backward(self, dA):\n"
        "    return np.where(self.Z > 0, dA, 0.0)\n\n\nReLU.backward = relu_layer_backward",
        # CS231n: copy, then zero where the input was not positive
        "def relu_layer_backward(self, dA):\n"
        "    dZ = dA.copy()\n"
        "    dZ[self.Z <= 0] = 0\n"
        "    return dZ\n\n\nReLU.backward = relu_layer_backward",
        "def relu_layer_backward(self, dA):\n"
        "    return dA * np.heaviside(self.Z, 0.0)\n\n\nReLU.backward = relu_layer_backward",
    ],
    "mse_loss_forward": [
        "def mse_loss_forward(self, Y, t):\n"
        "    self.Y = Y\n"
        "    self.t = t\n"
        "    return 0.5 * np.mean(np.sum((Y - t) ** 2, axis=1))\n\n\nMSELoss.forward = mse_loss_forward",
        # per example, then the mean (a Python float via .item())
        "def mse_loss_forward(self, Y, t):\n"
        "    self.Y, self.t = Y.copy(), t.copy()\n"
        "    E = [0.5 * np.dot(y - tt, y - tt) for y, tt in zip(Y, t)]\n"
        "    return np.mean(E).item()\n\n\nMSELoss.forward = mse_loss_forward",
    ],
    "mse_loss_backward": [
        "def mse_loss_backward(self):\n"
        "    M = len(self.Y)\n"
        "    return (1.0 / M) * (self.Y - self.t)\n\n\nMSELoss.backward = mse_loss_backward",
        "def mse_loss_backward(self):\n"
        "    return -(self.t - self.Y) / self.Y.shape[0]\n\n\nMSELoss.backward = mse_loss_backward",
    ],
    "jacobian_entries": [
        "def jacobian_entries(M, n_in, n_out):\n"
        "    return int(np.prod([M, n_out, n_in, n_out])), int(np.prod([M, n_out, M, n_in]))",
        # build the shapes and count
        "def jacobian_entries(M, n_in, n_out):\n"
        "    dZdW = (M, n_out) + (n_in, n_out)\n"
        "    dZdX = (M, n_out) + (M, n_in)\n"
        "    size = lambda s: int(np.prod(s))\n"
        "    return size(dZdW), size(dZdX)",
    ],
    "rows_from_columns": [
        "def rows_from_columns(Delta, Y):\n"
        "    M = Y.shape[1]\n"
        "    return np.transpose(Y), np.transpose(Delta) * (1.0 / M)",
        "def rows_from_columns(Delta, Y):\n"
        "    X = np.ascontiguousarray(Y.T)\n"
        "    dZ = (Delta / Delta.shape[1]).T\n"
        "    return X, dZ",
    ],
}

# (exercise, label) -> complete solution-cell code of a classic WRONG variant not in the bank
WRONG = {
    ("linear_layer_forward", "bias_per_example"):
        "def linear_layer_forward(self, X):\n"
        "    self.X = X\n"
        "    return X @ self.W.data + self.b.data[:X.shape[0], None]\n\n\nLinear.forward = linear_layer_forward",
    ("linear_layer_forward", "float32"):
        "def linear_layer_forward(self, X):\n"
        "    self.X = X\n"
        "    return (X.astype(np.float32) @ self.W.data.astype(np.float32) + self.b.data).astype(np.float64)\n\n\nLinear.forward = linear_layer_forward",
    ("linear_layer_backward", "dW_transposed"):
        "def linear_layer_backward(self, dZ):\n"
        "    self.W.grad += (dZ.T @ self.X).reshape(self.W.data.shape)\n"
        "    self.b.grad += dZ.sum(axis=0)\n"
        "    return dZ @ self.W.data.T\n\n\nLinear.backward = linear_layer_backward",
    ("linear_layer_backward", "dX_uses_grad"):
        "def linear_layer_backward(self, dZ):\n"
        "    self.W.grad += self.X.T @ dZ\n"
        "    self.b.grad += dZ.sum(axis=0)\n"
        "    return dZ @ self.W.grad.T\n\n\nLinear.backward = linear_layer_backward",
    ("linear_layer_backward", "db_mean"):
        "def linear_layer_backward(self, dZ):\n"
        "    self.W.grad += self.X.T @ dZ\n"
        "    self.b.grad += dZ.mean(axis=0)\n"
        "    return dZ @ self.W.data.T\n\n\nLinear.backward = linear_layer_backward",
    ("sigmoid_layer_forward", "stores_input_as_A"):
        "def sigmoid_layer_forward(self, Z):\n"
        "    self.A = Z\n"
        "    return 1.0 / (1.0 + np.exp(-Z))\n\n\nSigmoid.forward = sigmoid_layer_forward",
    ("sigmoid_layer_backward", "one_minus_a_only"):
        "def sigmoid_layer_backward(self, dA):\n"
        "    return dA * (1.0 - self.A)\n\n\nSigmoid.backward = sigmoid_layer_backward",
    ("relu_layer_forward", "clips_above_one"):
        "def relu_layer_forward(self, Z):\n"
        "    self.Z = Z\n"
        "    return np.clip(Z, 0.0, 1.0)\n\n\nReLU.forward = relu_layer_forward",
    ("relu_layer_backward", "mask_from_dA"):
        "def relu_layer_backward(self, dA):\n"
        "    return dA * (dA > 0)\n\n\nReLU.backward = relu_layer_backward",
    ("mse_loss_forward", "absolute_error"):
        "def mse_loss_forward(self, Y, t):\n"
        "    self.Y, self.t = Y, t\n"
        "    return float(np.sum(np.abs(t - Y)) / Y.shape[0])\n\n\nMSELoss.forward = mse_loss_forward",
    ("mse_loss_backward", "divided_by_K"):
        "def mse_loss_backward(self):\n"
        "    return (self.Y - self.t) / self.Y.shape[1]\n\n\nMSELoss.backward = mse_loss_backward",
    ("jacobian_entries", "dW_shape_only"):
        "def jacobian_entries(M, n_in, n_out):\n"
        "    return n_in * n_out, M * n_in",
    ("rows_from_columns", "divided_by_n_out"):
        "def rows_from_columns(Delta, Y):\n"
        "    return Y.T, Delta.T / Delta.shape[0]",
}
