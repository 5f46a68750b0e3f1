"""bpcourse.nn: gradients by the complex step, against central differences and PyTorch autograd.

torch is a test-only dependency (the CPU build); a missing oracle is a failure, not a skip.
"""
import inspect
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from bpcourse import nn

SEEDS = st.integers(0, 2**32 - 1)
ACTS = {"sigmoid": (nn.Sigmoid, torch.sigmoid), "relu": (nn.ReLU, torch.relu), "tanh": (nn.Tanh, torch.tanh)}


def tt(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=True)


def close(a, b, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(a, b.detach().numpy() if hasattr(b, "detach") else b, rtol=rtol, atol=atol)


def central(f, x, h=1e-5):
    """Central differences of the scalar f() with respect to the array x (changed in place)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def net(sizes, act="tanh", rng=None):
    rng = np.random.default_rng(rng)
    layers = []
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, rng=rng))
        if k < len(sizes) - 2:
            layers.append(ACTS[act][0]())
    return nn.Sequential(*layers)


def torch_forward(model, Xt, params_t, act):
    it = iter(params_t)
    out = Xt
    for layer in model.layers:
        if isinstance(layer, nn.Linear):
            out = out @ next(it) + next(it)
        else:
            out = ACTS[act][1](out)
    return out


# --- single layers --------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(SEEDS, st.integers(1, 7), st.integers(1, 6), st.integers(1, 6))
def test_linear_against_torch(seed, M, n_in, n_out):
    rng = np.random.default_rng(seed)
    layer = nn.Linear(n_in, n_out, rng=rng)
    X, dout = rng.normal(size=(M, n_in)), rng.normal(size=(M, n_out))
    Xt, Wt, bt = tt(X), tt(layer.W.data), tt(layer.b.data)
    Zt = Xt @ Wt + bt
    Zt.backward(torch.tensor(dout))
    Z = layer.forward(X)
    dX = layer.backward(dout)
    assert Z.shape == (M, n_out) and dX.shape == X.shape
    assert layer.W.grad.shape == (n_in, n_out) and layer.b.grad.shape == (n_out,)
    close(Z, Zt), close(dX, Xt.grad), close(layer.W.grad, Wt.grad), close(layer.b.grad, bt.grad)


@settings(max_examples=25, deadline=None)
@given(SEEDS, st.sampled_from(sorted(ACTS)), st.floats(0.5, 30))
def test_activations_against_torch(seed, name, scale):
    rng = np.random.default_rng(seed)
    z, dout = rng.normal(scale=scale, size=(5, 4)), rng.normal(size=(5, 4))
    z[0, 0] = 0.0                                    # ReLU's kink: derivative 0, as in torch
    layer = ACTS[name][0]()
    zt = tt(z)
    out = ACTS[name][1](zt)
    out.backward(torch.tensor(dout))
    close(layer.forward(z), out, rtol=1e-12, atol=1e-15)
    close(layer.backward(dout), zt.grad, rtol=1e-9, atol=1e-15)


def test_activations_are_stable_for_huge_inputs():
    z = np.array([[-1000.0, -40.0, 0.0, 40.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow to 0 is right
        for name, (cls, tf) in ACTS.items():
            layer = cls()
            out = layer.forward(z)
            d = layer.backward(np.ones_like(z))
            zt = tt(z)
            tf(zt).sum().backward()
            assert np.all(np.isfinite(out)) and np.all(np.isfinite(d)), name
            close(out, tf(torch.tensor(z)), rtol=1e-12, atol=1e-16)
            close(d, zt.grad, rtol=1e-9, atol=1e-16)


@pytest.mark.parametrize("loss_cls", [nn.MSELoss, nn.SoftmaxCrossEntropyLoss])
@settings(max_examples=20, deadline=None)
@given(seed=SEEDS, M=st.integers(1, 7), K=st.integers(1, 6))
def test_losses_against_torch(loss_cls, seed, M, K):
    rng = np.random.default_rng(seed)
    Y = rng.normal(scale=3, size=(M, K))
    if loss_cls is nn.MSELoss:
        t = rng.normal(size=(M, K))
        ref = lambda Yt: 0.5 * ((torch.tensor(t) - Yt) ** 2).sum() / M    # noqa: E731
    else:
        t = np.eye(K)[rng.integers(0, K, M)]
        ref = lambda Yt: torch.nn.functional.cross_entropy(Yt, torch.tensor(t))    # noqa: E731
    loss = loss_cls()
    value = loss.forward(Y, t)
    dY = loss.backward()
    Yt = tt(Y)
    Lt = ref(Yt)
    Lt.backward()
    assert isinstance(value, float) and dY.shape == Y.shape
    assert value == pytest.approx(Lt.item(), rel=1e-12, abs=1e-14)
    close(dY, Yt.grad)


def test_cross_entropy_with_large_logits_is_finite_and_exact():
    Y = np.array([[1000.0, 0.0, -1000.0], [2.0, 1.0, 0.1]])
    t = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])      # a soft target in the second row
    loss = nn.SoftmaxCrossEntropyLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, dY = loss.forward(Y, t), loss.backward()
    Yt = tt(Y)
    Lt = -(torch.tensor(t) * torch.log_softmax(Yt, dim=1)).sum() / 2
    Lt.backward()
    assert value == pytest.approx(Lt.item(), rel=1e-14)
    close(dY, Yt.grad, rtol=1e-12, atol=1e-15)


def test_loss_shapes_must_agree():
    with pytest.raises(ValueError, match="shape"):
        nn.MSELoss().forward(np.zeros((3, 2)), np.zeros((3, 1)))


# --- whole networks ---------------------------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(SEEDS, st.sampled_from(sorted(ACTS)), st.integers(1, 9))
def test_network_gradients_against_torch(seed, act, M):
    rng = np.random.default_rng(seed)
    model = net((3, 5, 4, 2), act, rng)
    X, t = rng.normal(size=(M, 3)), np.eye(2)[rng.integers(0, 2, M)]
    loss = nn.SoftmaxCrossEntropyLoss()
    value = loss.forward(model.forward(X), t)
    dX = model.backward(loss.backward())
    Xt = tt(X)
    ps = [tt(p.data) for p in model.parameters()]
    Lt = torch.nn.functional.cross_entropy(torch_forward(model, Xt, ps, act), torch.tensor(t))
    Lt.backward()
    assert value == pytest.approx(Lt.item(), rel=1e-12)
    close(dX, Xt.grad, atol=1e-13)
    for p, q in zip(model.parameters(), ps):
        close(p.grad, q.grad, atol=1e-13)


@pytest.mark.parametrize("act", sorted(ACTS))
def test_network_gradients_against_central_differences(act):
    rng = np.random.default_rng(7)
    model = net((4, 6, 3), act, rng)
    X, t = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    loss = nn.MSELoss()

    def L():
        return loss.forward(model.forward(X), t)

    L()
    dX = model.backward(loss.backward())
    for p in model.parameters():
        assert np.max(np.abs(p.grad - central(L, p.data))) / max(1e-8, np.max(np.abs(p.grad))) < 1e-7
    assert np.max(np.abs(dX - central(L, X))) / np.max(np.abs(dX)) < 1e-7


def test_the_generic_path_agrees_with_the_column_wise_one():
    """Without the Linear layer's declaration (one perturbation per entry), the same numbers."""
    rng = np.random.default_rng(3)
    a = nn.Linear(5, 4, rng=rng)
    b = nn.Linear(5, 4, rng=rng)
    b.W.data[...], b.b.data[...] = a.W.data, a.b.data
    b.column_wise = False
    X, dout = rng.normal(size=(6, 5)), rng.normal(size=(6, 4))
    a.forward(X), b.forward(X)
    close(a.backward(dout), b.backward(dout), rtol=1e-14, atol=1e-15)
    close(a.W.grad, b.W.grad, rtol=1e-14, atol=1e-15)
    close(a.b.grad, b.b.grad, rtol=1e-14, atol=1e-15)


def test_chunks_of_perturbations_agree(monkeypatch):
    rng = np.random.default_rng(4)
    layer = nn.Linear(7, 3, rng=rng)
    layer.column_wise = False                 # 21 + 3 perturbations, in chunks of 5
    X, dout = rng.normal(size=(4, 7)), rng.normal(size=(4, 3))
    layer.forward(X)
    whole = layer.backward(dout), layer.W.grad.copy(), layer.b.grad.copy()
    layer.zero_grad()
    monkeypatch.setattr(nn, "CHUNK", 5)
    chunked = layer.backward(dout), layer.W.grad, layer.b.grad
    for u, v in zip(whole, chunked):
        close(u, v, rtol=1e-14, atol=1e-15)


# --- accumulation, zero_grad, SGD ---------------------------------------------------------------

def test_backward_accumulates_and_zero_grad_clears():
    rng = np.random.default_rng(1)
    model = net((2, 3, 1), "sigmoid", rng)
    X, dout = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    model.forward(X)
    model.backward(dout)
    once = [p.grad.copy() for p in model.parameters()]
    assert all(np.any(g != 0) for g in once)
    model.forward(X)
    model.backward(dout)
    for p, g in zip(model.parameters(), once):
        close(p.grad, 2 * g, rtol=1e-14, atol=0)
    model.zero_grad()
    assert all(np.all(p.grad == 0) for p in model.parameters())


def test_a_layer_used_twice_gets_the_sum_of_both_uses():
    """The same Linear applied twice (a shared parameter): its gradient is the sum over uses."""
    rng = np.random.default_rng(2)
    shared = nn.Linear(3, 3, rng=rng)
    X, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    # run the shared layer twice, backward through each use with its own stored input
    H1 = shared.forward(X)
    Xt, Wt, bt = tt(X), tt(shared.W.data), tt(shared.b.data)
    out_t = torch.tanh(Xt @ Wt + bt) @ Wt + bt
    out_t.backward(torch.tensor(dout))
    tanh = nn.Tanh()
    A = tanh.forward(H1)
    second = shared.forward(A)
    assert second.shape == (4, 3)
    dA = shared.backward(dout)                 # the second use (stored input A)
    dH1 = tanh.backward(dA)
    shared.forward(X)                          # restore the first use's input
    dX = shared.backward(dH1)
    close(shared.W.grad, Wt.grad), close(shared.b.grad, bt.grad), close(dX, Xt.grad)


def test_sgd_step_moves_against_the_gradient_and_lowers_the_loss():
    rng = np.random.default_rng(5)
    model = net((2, 8, 1), "tanh", rng)
    X = rng.normal(size=(50, 2))
    t = np.sin(X[:, :1]) * X[:, 1:]
    loss, opt = nn.MSELoss(), nn.SGD(model.parameters(), lr=0.1)
    before = [p.data.copy() for p in model.parameters()]
    opt.zero_grad()
    L0 = loss.forward(model.forward(X), t)
    model.backward(loss.backward())
    grads = [p.grad.copy() for p in model.parameters()]
    opt.step()
    for p, b, g in zip(model.parameters(), before, grads):
        close(p.data, b - 0.1 * g, rtol=1e-15, atol=1e-15)
    for _ in range(200):
        opt.zero_grad()
        loss.forward(model.forward(X), t)
        model.backward(loss.backward())
        opt.step()
    assert loss.forward(model.forward(X), t) < 0.5 * L0
    opt.zero_grad()
    assert all(np.all(p.grad == 0) for p in model.parameters())


def test_parameters_shapes_init_and_dtype():
    model = net((64, 16, 16, 10), "relu", 0)
    shapes = [p.data.shape for p in model.parameters()]
    assert shapes == [(64, 16), (16,), (16, 16), (16,), (16, 10), (10,)]
    assert all(p.data.dtype == np.float64 and p.grad.shape == p.data.shape for p in model.parameters())
    assert np.max(np.abs(model[0].W.data)) <= 1 / 8 and np.std(model[0].W.data) > 0.05   # ±1/√64
    again = net((64, 16, 16, 10), "relu", 0)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(model.parameters(), again.parameters()))
    assert len(model) == 5 and isinstance(model[1], nn.ReLU)
    out = model.forward(np.zeros((3, 64), dtype=np.float32))
    assert out.shape == (3, 10) and out.dtype == np.float64
    assert model.backward(np.ones((3, 10))).shape == (3, 64)


def test_no_backprop_formula_in_the_module():
    """What students get contains no backward formula of notebooks 03-07 (rule 8): every
    gradient comes from the complex step of a forward."""
    src = inspect.getsource(nn)
    code = "\n".join(line.split("#")[0] for line in src.splitlines())
    code = re.sub(r'"""(.|\n)*?"""', "", code)
    for pattern in [r"\.T\s*@", r"@\s*\w+(\.data)?\.T\b", r"1\s*-\s*\w+\s*\*\*\s*2", r"\(1(\.0)?\s*-\s*\w+\)",
                    r"\*\s*\(\s*\w+\s*>\s*0\s*\)", r"sum\(axis=0\)", r"Y\s*-\s*t\b", r"-\s*t\)\s*/"]:
        assert not re.search(pattern, code), pattern
