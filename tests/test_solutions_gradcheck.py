"""The reference against central differences on random inputs (hypothesis).

Each backward is checked as a vector-Jacobian product: the gradient of sum(f(x) * dout).
Tolerances: rtol 1e-6 with a small atol, since entries near 0 carry ~1e-11 of roundoff.
"""
import numpy as np
from hypothesis import given, settings, strategies as st

from bpcourse.gradcheck import numerical_gradient, numerical_gradient_array
from solutions import activations as act, column, deltas, layers, losses, network222
from solutions.engine import Value
from solutions.mlp import MLP

SEEDS = st.integers(0, 2**32 - 1)
DIMS = st.integers(1, 5)


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(SEEDS, DIMS, DIMS)
def test_activation_backward_passes(seed, m, n):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2, size=(m, n))
    z[np.abs(z) < 1e-3] = 0.5   # keep away from the kink of ReLU, where h matters
    dout = rng.normal(size=(m, n))
    for name, (f, b, needs) in act.ACTIVATIONS.items():
        cache = f(z) if needs == "a" else z
        close(b(dout, cache), numerical_gradient_array(f, z.copy(), dout))


@settings(max_examples=25, deadline=None)
@given(SEEDS, DIMS, DIMS, DIMS)
def test_linear_layer(seed, M, n_in, n_out):
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(M, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    dZ = rng.normal(size=(M, n_out))
    Z, dX, dW, db = layers.linear_layer_gradients(X, W, b, dZ)
    close(Z, X @ W + b)
    close(dX, numerical_gradient_array(lambda v: v @ W + b, X.copy(), dZ))
    close(dW, numerical_gradient_array(lambda v: X @ v + b, W.copy(), dZ))
    close(db, numerical_gradient_array(lambda v: X @ W + v, b.copy(), dZ))


@settings(max_examples=20, deadline=None)
@given(SEEDS, DIMS, st.integers(2, 6))
def test_losses_gradients(seed, M, K):
    rng = np.random.default_rng(seed)
    Z, Y = rng.normal(scale=3, size=(M, K)), rng.normal(size=(M, K))
    t = np.eye(K)[rng.integers(0, K, size=M)]
    temp = float(np.exp(rng.uniform(np.log(0.1), np.log(10))))
    close(losses.mse(Y, t)[1], numerical_gradient(lambda v: losses.mse(v, t)[0], Y.copy()))
    close(losses.softmax_cross_entropy(Z, t)[1],
          numerical_gradient(lambda v: losses.softmax_cross_entropy(v, t)[0], Z.copy()))
    close(losses.softmax_t_cross_entropy(Z, t, temp)[1],
          numerical_gradient(lambda v: losses.softmax_t_cross_entropy(v, t, temp)[0], Z.copy()))
    dY = rng.normal(size=(M, K))
    close(losses.softmax_backward(dY, losses.softmax(Z)), numerical_gradient_array(losses.softmax, Z.copy(), dY))


@settings(max_examples=20, deadline=None)
@given(SEEDS, DIMS, st.integers(2, 6))
def test_composed_softmax_backprop_equals_the_fused_gradient(seed, M, K):
    rng = np.random.default_rng(seed)
    Z = rng.normal(scale=3, size=(M, K))
    t = np.eye(K)[rng.integers(0, K, size=M)]
    Y = losses.softmax(Z)
    dY = -t / Y / M                                     # d/dY of mean −Σ t log y
    close(losses.softmax_backward(dY, Y), losses.softmax_cross_entropy(Z, t)[1])


@settings(max_examples=15, deadline=None)
@given(SEEDS, st.lists(st.integers(1, 4), min_size=2, max_size=4), st.sampled_from(sorted(act.ACTIVATIONS)))
def test_column_backprop_and_the_loop_version(seed, sizes, activation):
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=(o, 1)) for o in sizes[1:]]
    x, t = rng.normal(size=(sizes[0], 1)), rng.uniform(size=(sizes[-1], 1))

    def E(Ws_, bs_):
        return 0.5 * float(np.sum((t - column.forward(Ws_, bs_, x, activation)[0][-1]) ** 2))

    dWs, dbs, ds = column.backprop(Ws, bs, x, t, activation)
    for k in range(len(Ws)):
        close(dWs[k], numerical_gradient(lambda v: E(Ws[:k] + [v] + Ws[k + 1:], bs), Ws[k].copy()))
        close(dbs[k], numerical_gradient(lambda v: E(Ws, bs[:k] + [v] + bs[k + 1:]), bs[k].copy()))
    lWs, lbs, lds = deltas.backprop_loops(Ws, bs, x, t, activation)
    for a, b in zip(lWs + lbs + lds, dWs + dbs + ds):
        close(a, b)


@settings(max_examples=10, deadline=None)
@given(SEEDS, st.sampled_from(["relu", "sigmoid", "tanh", "leaky_relu"]))
def test_mlp_backward_against_numerical_gradient_of_the_loss(seed, activation):
    rng = np.random.default_rng(seed)
    model = MLP((4, 5, 3, 3), activation, rng)
    for p in model.parameters():
        if p.data.ndim == 1:   # zero biases + dead inputs put a pre-activation exactly on ReLU's kink
            p.data[:] = rng.normal(scale=0.1, size=p.data.shape)
    X, t = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(0, 3, size=6)]
    loss = layers.SoftmaxCrossEntropyLoss()
    loss.forward(model.forward(X), t)
    model.backward(loss.backward())
    for p in model.parameters():
        analytic = p.grad.copy()

        def L(v, p=p):
            old = p.data
            p.data = v
            out = loss.forward(model.forward(X), t)
            p.data = old
            return out
        close(analytic, numerical_gradient(L, p.data.copy()))


def test_network222_gradients_against_numerical():
    w = np.array(network222.WEIGHTS)
    g = network222.gradients(tuple(w))
    numeric = numerical_gradient(lambda v: network222.error(network222.forward(tuple(v))), w.copy())
    close([g[f"dw{i}"] for i in range(1, 9)], numeric)


OPS = ["add", "mul", "pow", "exp", "log", "sigmoid", "relu", "sub", "div"]


def build(ops, xs):
    """A random expression over the inputs, reusing nodes (so some have two consumers)."""
    nodes = list(xs)
    for k, op in enumerate(ops):
        a, b = nodes[k % len(nodes)], nodes[(3 * k + 1) % len(nodes)]
        nodes.append({"add": lambda: a + b, "mul": lambda: a * b, "pow": lambda: a ** 2,
                      "exp": lambda: (a * 0.3).exp(), "log": lambda: (a * a + 1.0).log(),
                      "sigmoid": lambda: a.sigmoid(), "relu": lambda: (a + 0.05).relu(),
                      "sub": lambda: a - b, "div": lambda: a / (b * b + 1.0)}[op]())
    return nodes[-1]


def _edges_reachable(out) -> int:
    """Every (node, input) use in the graph ending in ``out``, each node visited once."""
    seen, stack, edges = set(), [out], 0
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            edges += len(v._prev)
            stack.extend(v._prev)
    return edges


def test_backward_counts_the_edges_of_the_lecture_graphs():
    w, x, b = Value(0.8), Value(1.5), Value(-0.2)
    assert (w * x + b).sigmoid().backward() == 5          # w·x: 2, + b: 2, σ: 1
    a = Value(2.0)
    assert (a * a + a).backward() == 4                     # a enters three times, a·a once


@settings(max_examples=40, deadline=None)
@given(SEEDS, st.lists(st.sampled_from(OPS), min_size=1, max_size=12))
def test_engine_against_numerical_derivatives(seed, ops):
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(-1.5, 1.5, size=3)

    def f(v):
        return build(ops, [Value(float(t)) for t in v]).data

    xs = [Value(float(t)) for t in x0]
    out = build(ops, xs)
    edges = out.backward()
    assert edges == _edges_reachable(out)      # counted here, not by the engine's own traversal
    np.testing.assert_allclose([x.grad for x in xs], numerical_gradient(f, x0.copy()), rtol=1e-5, atol=1e-7)
