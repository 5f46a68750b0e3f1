"""Implementations of 08_training's exercises written NOT the way the reference is.

Each code replaces one whole solution cell: for SGD's methods a function attached to the class
(``SGD.step = …``; the notebook's SGD keeps ``self.params`` and ``self.lr``), otherwise a plain
function. The notebook imports numpy as np, copy, matplotlib and ``bpcourse.nn`` above them.
"""
# exercise name -> complete solution-cell codes, each CORRECT and in another idiom
CORRECT = {
    "sgd_step": [
        # a new array for every parameter, by index
        "def sgd_step(self):\n"
        "    for i in range(len(self.params)):\n"
        "        p = self.params[i]\n"
        "        p.data = p.data - self.lr * p.grad\n\n\nSGD.step = sgd_step",
        # numpy's out= (in place, no temporary for the result)
        "def _step(self):\n"
        "    for p in self.params:\n"
        "        np.subtract(p.data, np.multiply(self.lr, p.grad), out=p.data)\n\n\nSGD.step = _step",
    ],
    "sgd_zero_grad": [
        # a fresh array of zeros (PyTorch's set_to_none=False spirit)
        "def sgd_zero_grad(self):\n"
        "    for p in self.params:\n"
        "        p.grad = np.zeros_like(p.data)\n\n\nSGD.zero_grad = sgd_zero_grad",
        # fill in place
        "def sgd_zero_grad(self):\n"
        "    for p in self.params:\n"
        "        p.grad.fill(0.0)\n\n\nSGD.zero_grad = sgd_zero_grad",
        # a comprehension with np.zeros of the data's shape
        "def sgd_zero_grad(self):\n"
        "    [setattr(p, 'grad', np.zeros(p.data.shape)) for p in self.params]\n\n\nSGD.zero_grad = sgd_zero_grad",
    ],
    "batch_order": [
        # shuffle an arange in place (the same draws as rng.permutation), then np.array_split at the cuts
        "def batch_order(rng, M, batch_size):\n"
        "    idx = np.arange(M)\n"
        "    rng.shuffle(idx)\n"
        "    return np.array_split(idx, range(batch_size, M, batch_size))\n",
        # a while loop over the permutation
        "def batch_order(rng, M, batch_size):\n"
        "    perm = rng.permutation(M)\n"
        "    out, start = [], 0\n"
        "    while start < M:\n"
        "        out.append(perm[start:min(start + batch_size, M)])\n"
        "        start += batch_size\n"
        "    return out\n",
        # number of batches first, ceil division
        "def batch_order(rng, M, batch_size):\n"
        "    perm = list(rng.permutation(M))\n"
        "    n = -(-M // batch_size)\n"
        "    return [np.array(perm[k * batch_size:(k + 1) * batch_size]) for k in range(n)]\n",
    ],
    "train_epoch": [
        # zero_grad after the step (the other PyTorch habit), model and loss called directly
        "def train_epoch(model, loss_fn, opt, X, T, batches):\n"
        "    losses = []\n"
        "    for idx in batches:\n"
        "        Y = model(X[idx])\n"
        "        losses.append(loss_fn(Y, T[idx]))\n"
        "        model.backward(loss_fn.backward())\n"
        "        opt.step()\n"
        "        opt.zero_grad()\n"
        "    return losses\n",
        # shuffled copies of X and T, sliced by position; losses in an ndarray
        "def train_epoch(model, loss_fn, opt, X, T, batches):\n"
        "    order = np.concatenate(batches)\n"
        "    Xs, Ts = X[order], T[order]\n"
        "    losses = np.zeros(len(batches))\n"
        "    start = 0\n"
        "    for k, idx in enumerate(batches):\n"
        "        xb, tb = Xs[start:start + len(idx)], Ts[start:start + len(idx)]\n"
        "        start += len(idx)\n"
        "        opt.zero_grad()\n"
        "        out = model.forward(xb)\n"
        "        losses[k] = loss_fn.forward(out, tb)\n"
        "        dout = loss_fn.backward()\n"
        "        model.backward(dout)\n"
        "        opt.step()\n"
        "    return list(losses)\n",
    ],
    "grad_norm": [
        # one long vector
        "def grad_norm(grads):\n"
        "    return float(np.linalg.norm(np.concatenate([np.ravel(g) for g in grads])))\n",
        # math and per-array squared norms
        "import math\n\n\ndef grad_norm(grads):\n"
        "    total = 0.0\n"
        "    for g in grads:\n"
        "        total += float(np.linalg.norm(g)) ** 2\n"
        "    return math.sqrt(total)\n",
        # np.hypot folded over the arrays
        "def grad_norm(grads):\n"
        "    r = 0.0\n"
        "    for g in grads:\n"
        "        for v in np.ravel(g):\n"
        "            r = float(np.hypot(r, v))\n"
        "    return r\n",
    ],
    "should_stop": [
        # one boolean expression
        "def should_stop(losses, norm, eps_grad, eps_loss):\n"
        "    return bool(norm < eps_grad or (len(losses) > 1 and abs(losses[-1] - losses[-2]) < eps_loss))\n",
        # np.diff of the whole history
        "def should_stop(losses, norm, eps_grad, eps_loss):\n"
        "    changes = np.abs(np.diff(np.asarray(losses, dtype=float)))\n"
        "    small_change = changes.size > 0 and changes[-1] < eps_loss\n"
        "    return bool(norm < eps_grad) or bool(small_change)\n",
        # early returns, the change first
        "def should_stop(losses, norm, eps_grad, eps_loss):\n"
        "    if len(losses) >= 2:\n"
        "        d = losses[-1] - losses[-2]\n"
        "        if -eps_loss < d < eps_loss:\n"
        "            return True\n"
        "    return norm < eps_grad\n",
    ],
}

# (exercise, label) -> complete solution-cell code of a classic WRONG variant not in the bank
WRONG = {
    ("sgd_step", "divides_by_lr"):
        "def sgd_step(self):\n    for p in self.params:\n        p.data -= p.grad / self.lr\n\n\nSGD.step = sgd_step",
    ("sgd_step", "float32"):
        "def sgd_step(self):\n    for p in self.params:\n"
        "        p.data = (p.data - self.lr * p.grad).astype(np.float32)\n\n\nSGD.step = sgd_step",
    ("sgd_zero_grad", "ones"):
        "def sgd_zero_grad(self):\n    for p in self.params:\n        p.grad = np.ones_like(p.data)\n\n\n"
        "SGD.zero_grad = sgd_zero_grad",
    ("sgd_zero_grad", "resets_data_too"):
        "def sgd_zero_grad(self):\n    for p in self.params:\n        p.grad = np.zeros_like(p.data)\n"
        "        p.data = np.zeros_like(p.data)\n\n\nSGD.zero_grad = sgd_zero_grad",
    ("batch_order", "sorted_batches"):
        "def batch_order(rng, M, batch_size):\n    order = rng.permutation(M)\n"
        "    return [np.sort(order[s:s + batch_size]) for s in range(0, M, batch_size)]\n",
    ("batch_order", "two_permutations"):
        "def batch_order(rng, M, batch_size):\n    rng.permutation(M)\n    order = rng.permutation(M)\n"
        "    return [order[s:s + batch_size] for s in range(0, M, batch_size)]\n",
    ("train_epoch", "whole_data_each_step"):
        "def train_epoch(model, loss_fn, opt, X, T, batches):\n    losses = []\n    for idx in batches:\n"
        "        opt.zero_grad()\n        losses.append(loss_fn.forward(model.forward(X), T))\n"
        "        model.backward(loss_fn.backward())\n        opt.step()\n    return losses\n",
    ("train_epoch", "two_steps"):
        "def train_epoch(model, loss_fn, opt, X, T, batches):\n    losses = []\n    for idx in batches:\n"
        "        opt.zero_grad()\n        losses.append(loss_fn.forward(model.forward(X[idx]), T[idx]))\n"
        "        model.backward(loss_fn.backward())\n        opt.step()\n        opt.step()\n    return losses\n",
    ("grad_norm", "root_mean_square"):
        "def grad_norm(grads):\n    g = np.concatenate([np.ravel(g) for g in grads])\n"
        "    return float(np.sqrt(np.mean(g ** 2)))\n",
    ("grad_norm", "last_only"):
        "def grad_norm(grads):\n    return float(np.linalg.norm(grads[-1]))\n",
    ("should_stop", "relative_change"):
        "def should_stop(losses, norm, eps_grad, eps_loss):\n    if norm < eps_grad:\n        return True\n"
        "    return len(losses) >= 2 and abs(losses[-1] - losses[-2]) / abs(losses[-2]) < eps_loss\n",
    ("should_stop", "swapped_eps"):
        "def should_stop(losses, norm, eps_grad, eps_loss):\n    if norm < eps_loss:\n        return True\n"
        "    return len(losses) >= 2 and abs(losses[-1] - losses[-2]) < eps_grad\n",
}
