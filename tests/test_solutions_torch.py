"""The reference against an independent oracle: PyTorch autograd in float64 on the same inputs.

torch is a test-only dependency (the CPU build); it is never part of the course install.
"""
import numpy as np
import torch  # installed by `pip install -e .[test]`; a missing oracle is a failure, not a skip
from hypothesis import given, settings, strategies as st

from solutions import activations as act, layers, losses
from solutions.engine import Value
from solutions.mlp import MLP

SEEDS = st.integers(0, 2**32 - 1)
TORCH_ACT = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh,
             "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01)}


def t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=True)


def close(a, b):
    np.testing.assert_allclose(a, b.detach().numpy() if hasattr(b, "detach") else b, rtol=1e-10, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(SEEDS)
def test_activations(seed):
    rng = np.random.default_rng(seed)
    z, dout = rng.normal(scale=3, size=(4, 5)), rng.normal(size=(4, 5))
    for name, (f, b, needs) in act.ACTIVATIONS.items():
        zt = t(z)
        out = TORCH_ACT[name](zt)
        out.backward(torch.tensor(dout))
        close(f(z), out)
        close(b(dout, f(z) if needs == "a" else z), zt.grad)


@settings(max_examples=20, deadline=None)
@given(SEEDS, st.integers(1, 6), st.integers(1, 5), st.integers(1, 5))
def test_linear_layer(seed, M, n_in, n_out):
    rng = np.random.default_rng(seed)
    X, W, b, dZ = (rng.normal(size=(M, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out),
                   rng.normal(size=(M, n_out)))
    Xt, Wt, bt = t(X), t(W), t(b)
    Zt = Xt @ Wt + bt
    Zt.backward(torch.tensor(dZ))
    Z, dX, dW, db = layers.linear_layer_gradients(X, W, b, dZ)
    close(Z, Zt), close(dX, Xt.grad), close(dW, Wt.grad), close(db, bt.grad)


@settings(max_examples=20, deadline=None)
@given(SEEDS, st.integers(1, 6), st.integers(2, 6), st.floats(0.05, 100))
def test_losses(seed, M, K, temp):
    rng = np.random.default_rng(seed)
    Z, Y = rng.normal(scale=4, size=(M, K)), rng.normal(size=(M, K))
    labels = rng.integers(0, K, size=M)
    T = np.eye(K)[labels]
    Yt = t(Y)
    lt = 0.5 * ((Yt - torch.tensor(T)) ** 2).sum() / M
    lt.backward()
    loss, dY = losses.mse(Y, T)
    close(loss, lt), close(dY, Yt.grad)
    for temperature in (1.0, temp):
        Zt = t(Z)
        lt = torch.nn.functional.cross_entropy(Zt / temperature, torch.tensor(labels))
        lt.backward()
        loss, dZ = losses.softmax_t_cross_entropy(Z, T, temperature)
        close(loss, lt), close(dZ, Zt.grad)
    close(losses.softmax(Z), torch.softmax(torch.tensor(Z), -1))
    close(losses.logsumexp(Z), torch.logsumexp(torch.tensor(Z), -1))
    close(losses.softmax_t(Z, temp), torch.softmax(torch.tensor(Z) / temp, -1))


def test_large_logits_stay_finite_like_torch():
    Z = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -999.0]])
    close(losses.softmax(Z), torch.softmax(torch.tensor(Z), -1))
    close(losses.logsumexp(Z), torch.logsumexp(torch.tensor(Z), -1))


@settings(max_examples=8, deadline=None)
@given(SEEDS, st.sampled_from(sorted(act.ACTIVATIONS)))
def test_mlp_gradients_match_torch(seed, activation):
    rng = np.random.default_rng(seed)
    model = MLP((5, 7, 4, 3), activation, rng)
    X, labels = rng.normal(size=(8, 5)), rng.integers(0, 3, size=8)
    loss = layers.SoftmaxCrossEntropyLoss()
    loss.forward(model.forward(X), np.eye(3)[labels])
    model.backward(loss.backward())
    params = [t(p.data) for p in model.parameters()]
    h = torch.tensor(X)
    for k in range(0, len(params), 2):
        h = h @ params[k] + params[k + 1]
        if k + 2 < len(params):
            h = TORCH_ACT[activation](h)
    torch.nn.functional.cross_entropy(h, torch.tensor(labels)).backward()
    for p, pt in zip(model.parameters(), params):
        close(p.grad, pt.grad)


@settings(max_examples=40, deadline=None)
@given(SEEDS)
def test_engine_matches_torch_on_a_fixed_expression(seed):
    rng = np.random.default_rng(seed)
    a0, b0 = rng.uniform(0.1, 2.0, size=2)
    a, b = Value(a0), Value(b0)
    c = a * b + b ** 3
    d = (c / (a + 2.0)).exp().log() - c.sigmoid() * a
    e = (d.relu() + (b * -1.0).relu() + (a * b).sigmoid()) ** 2
    e.backward()
    at, bt = t(a0), t(b0)
    ct = at * bt + bt ** 3
    dt = torch.log(torch.exp(ct / (at + 2.0))) - torch.sigmoid(ct) * at
    et = (torch.relu(dt) + torch.relu(-bt) + torch.sigmoid(at * bt)) ** 2
    et.backward()
    close(e.data, et), close(a.grad, at.grad), close(b.grad, bt.grad)
