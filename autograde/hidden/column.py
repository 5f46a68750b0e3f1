"""Hidden checks and mistakes of solutions/column.py: the vector form for one example (notebook 06).

The network is a sigmoid network, z^(l) = W^(l) a^(l-1) + b^(l), a^(l) = σ(z^(l)), with
E = ½ Σ (t − a^(L))². Every student's cases have the same structure with random values inside
it (grading rule 3):

- every weight matrix is non-square and the layers of one network all have different widths,
  so a missing or an extra transpose (W δ for Wᵀ δ, δ a for δ aᵀ, Wᵀ a for W a) raises or gives
  the wrong shape, and an activation of the wrong layer gives the wrong shape;
- inputs, weights, biases, pre-activations and δ take both signs (a sign error shows);
- the stored activations are a = σ(z) of the given z, strictly inside (0, 1), so σ'(z) may be
  computed from z or from a, and σ' evaluated at a instead of z gives a different number;
- targets t lie in (0, 1) on both sides of the outputs a (a − t takes both signs).

``features`` describes this structure; tests check that it is the same for every student.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import exercise
from solutions import column

#: layer widths of the hidden networks: no two equal within one network
NETWORKS = [(3, 5, 2), (4, 2, 6, 3), (2, 4, 3)]
#: (n_{l+1}, n_l) of the hidden-layer cases: non-square, both orders
STEPS = [(3, 5), (4, 2), (2, 6)]


def _both_signs(rng, shape, lo=0.2, hi=2.0):
    """Random entries away from 0, with both signs present."""
    v = rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    v.flat[0], v.flat[-1] = abs(v.flat[0]), -abs(v.flat[-1])
    return v


def _network(rng, sizes):
    Ws = [_both_signs(rng, (o, i), 0.1, 1.5) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [_both_signs(rng, (o, 1), 0.1, 1.0) for o in sizes[1:]]
    return Ws, bs


def _signs(v) -> tuple:
    v = np.asarray(v)
    return bool(np.any(v > 0)), bool(np.any(v < 0))


def _distinct_widths(shapes) -> bool:
    """Non-square matrices and no two layers of the same width."""
    widths = [shapes[0][1]] + [s[0] for s in shapes]
    return len(set(widths)) == len(widths) and all(s[0] != s[1] for s in shapes)


def _stored(a, z) -> bool:
    return bool(np.all((a > 0) & (a < 1)) and np.allclose(a, column.sigmoid(z), rtol=0, atol=1e-15))


# --- column_forward(Ws, bs, x) -----------------------------------------------------------------

def _forward_cases(rng):
    cases = []
    for sizes in NETWORKS:
        Ws, bs = _network(rng, sizes)
        cases.append({"Ws": Ws, "bs": bs, "x": _both_signs(rng, (sizes[0], 1), 0.2, 1.5)})
    return cases


def _forward_features(cases):
    return tuple((tuple(W.shape for W in c["Ws"]), _distinct_widths([W.shape for W in c["Ws"]]),
                  _signs(c["x"]), all(_signs(b) == (True, True) for b in c["bs"])) for c in cases)


# --- column_output_delta(z, a, t) ------------------------------------------------------------

def _output_delta_cases(rng):
    cases = []
    for n in (4, 3, 6):
        z = _both_signs(rng, (n, 1), 0.2, 2.5)
        a = column.sigmoid(z)
        t = np.clip(a + _both_signs(rng, (n, 1), 0.05, 0.5), 0.01, 0.99)   # t on both sides of a
        cases.append({"z": z, "a": a, "t": t})
    return cases


def _output_delta_features(cases):
    return tuple((_signs(c["z"]), _signs(c["a"] - c["t"]), _stored(c["a"], c["z"]),
                  bool(np.all((c["t"] > 0) & (c["t"] < 1)))) for c in cases)


# --- column_hidden_delta(W_next, delta_next, z, a) -------------------------------------------

def _hidden_delta_cases(rng):
    cases = []
    for n_next, n in STEPS:
        z = _both_signs(rng, (n, 1), 0.2, 2.5)
        cases.append({"W_next": _both_signs(rng, (n_next, n), 0.1, 1.5),
                      "delta_next": _both_signs(rng, (n_next, 1), 0.05, 1.0),
                      "z": z, "a": column.sigmoid(z)})
    return cases


def _hidden_delta_features(cases):
    return tuple((c["W_next"].shape, _signs(c["z"]), _signs(c["delta_next"]), _stored(c["a"], c["z"]))
                 for c in cases)


# --- column_grads(deltas, activations) ---------------------------------------------------------

def _grads_cases(rng):
    cases = []
    for sizes in NETWORKS:
        deltas = [_both_signs(rng, (n, 1), 0.05, 1.0) for n in sizes[1:]]
        activations = [_both_signs(rng, (sizes[0], 1), 0.2, 1.5)]
        activations += [column.sigmoid(_both_signs(rng, (n, 1), 0.2, 2.5)) for n in sizes[1:]]
        cases.append({"deltas": deltas, "activations": activations})
    return cases


def _grads_features(cases):
    out = []
    for c in cases:
        widths = [a.shape[0] for a in c["activations"]]
        out.append((tuple(widths), len(set(widths)) == len(widths), _signs(c["activations"][0]),
                    all(_signs(d) == (True, True) for d in c["deltas"])))
    return tuple(out)


# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# A mistake's code runs twice: in the grader, in this module's reference namespace
# (solutions.column), and end to end as the student's solution cell; so it uses only names the
# notebook has (np, the notebook's sigmoid) and no helper of this file.


@exercise(outputs=("zs", "activations"))
class column_forward:
    cases = _forward_cases
    features = _forward_features

    class mistakes:
        def no_bias(Ws, bs, x):
            """смещение b^(l) не прибавлено ко взвешенной сумме (уравнение 40)."""
            zs, activations = [], [x]
            for W in Ws:
                z = W @ activations[-1]
                zs.append(z)
                activations.append(sigmoid(z))
            return zs, activations

        def extra_transpose(Ws, bs, x):
            """лишнее транспонирование W: по соглашению курса W^(l) имеет форму (n_out, n_in), и формы
            при умножении перестают сходиться."""
            zs, activations = [], [x]
            for W, b in zip(Ws, bs):
                z = W.T @ activations[-1] + b
                zs.append(z)
                activations.append(sigmoid(z))
            return zs, activations

        def stores_a_as_z(Ws, bs, x):
            """в zs сохранены активации a = σ(z), а нужны входы нейронов z до сигмоиды: обратный
            проход берёт из них f'(z)."""
            zs, activations = [], [x]
            for W, b in zip(Ws, bs):
                a = sigmoid(W @ activations[-1] + b)
                zs.append(a)
                activations.append(a)
            return zs, activations

        def no_input(Ws, bs, x):
            """в activations нет входа x = a^(0): он нужен обратному проходу для ∇W^(1)."""
            zs, activations = [], []
            a = x
            for W, b in zip(Ws, bs):
                z = W @ a + b
                a = sigmoid(z)
                zs.append(z)
                activations.append(a)
            return zs, activations

        def linear_output(Ws, bs, x):
            """на последнем слое не применена сигмоида: в этой сети она стоит в каждом слое, включая
            выходной."""
            zs, activations = [], [x]
            for l, (W, b) in enumerate(zip(Ws, bs)):
                z = W @ activations[-1] + b
                zs.append(z)
                activations.append(z if l == len(Ws) - 1 else sigmoid(z))
            return zs, activations


@exercise()
class column_output_delta:
    cases = _output_delta_cases
    features = _output_delta_features

    class mistakes:
        def forgot_fprime(z, a, t):
            """забыт множитель f'(z^(L)): выход сети — сигмоида, и ∂E/∂z проходит ещё и через неё."""
            return a - t

        def fprime_of_a(z, a, t):
            """производная сигмоиды взята в точке a, а не z: a уже равно σ(z), второй раз сигмоиду
            применять не нужно."""
            s = sigmoid(a)
            return (a - t) * s * (1 - s)

        def fprime_formula_on_z(z, a, t):
            """выражение производной сигмоиды через активацию подставлено с z вместо a = σ(z)."""
            return (a - t) * z * (1 - z)

        def flipped_sign(z, a, t):
            """перевёрнут знак: ∂/∂a ½ (t − a)² = a − t, а не t − a."""
            return (t - a) * a * (1 - a)


@exercise(demo="missing_transpose")
class column_hidden_delta:
    cases = _hidden_delta_cases
    features = _hidden_delta_features

    class mistakes:
        def missing_transpose(W_next, delta_next, z, a):
            """пропущено транспонирование W^(l+1): ошибка идёт назад, из слоя l+1 (n_{l+1} нейронов) в
            слой l (n_l нейронов), а W^(l+1) формы (n_{l+1}, n_l) переводит векторы в обратную
            сторону — на неквадратной матрице формы не сходятся (ValueError)."""
            return (W_next @ delta_next) * a * (1 - a)

        def forgot_fprime(W_next, delta_next, z, a):
            """забыт множитель f'(z^(l)) (поэлементно, ⊙): Wᵀ δ — это только ∂E/∂a^(l), до сигмоиды."""
            return W_next.T @ delta_next

        def fprime_of_a(W_next, delta_next, z, a):
            """производная сигмоиды взята в точке a, а не z: a уже равно σ(z), второй раз сигмоиду
            применять не нужно."""
            s = sigmoid(a)
            return (W_next.T @ delta_next) * s * (1 - s)

        def fprime_formula_on_z(W_next, delta_next, z, a):
            """выражение производной сигмоиды через активацию подставлено с z вместо a = σ(z)."""
            return (W_next.T @ delta_next) * z * (1 - z)

        def flipped_sign(W_next, delta_next, z, a):
            """перевёрнут знак δ^(l): в рекурсии по слоям знак не меняется."""
            return -(W_next.T @ delta_next) * a * (1 - a)


@exercise()
class column_hidden_delta_loops:
    cases = _hidden_delta_cases
    features = _hidden_delta_features

    class mistakes:
        def swapped_indices(W_next, delta_next, z, a):
            """перепутаны индексы веса: w_kj связывает нейрон j слоя l с нейроном k слоя l+1, то есть
            стоит в строке k и столбце j матрицы W^(l+1) — это и есть транспонирование."""
            n, n_next = W_next.shape[1], W_next.shape[0]
            delta = np.zeros((n, 1))
            for j in range(n):
                s = 0.0
                for k in range(n_next):
                    s += W_next[j, k] * delta_next[k, 0]
                delta[j, 0] = s * a[j, 0] * (1 - a[j, 0])
            return delta

        def forgot_fprime(W_next, delta_next, z, a):
            """забыт множитель f'(z_j^(l)): сумма Σ_k δ_k w_kj — это только ∂E/∂a_j^(l)."""
            n, n_next = W_next.shape[1], W_next.shape[0]
            delta = np.zeros((n, 1))
            for j in range(n):
                s = 0.0
                for k in range(n_next):
                    s += W_next[k, j] * delta_next[k, 0]
                delta[j, 0] = s
            return delta

        def fprime_of_a(W_next, delta_next, z, a):
            """производная сигмоиды взята в точке a, а не z: a уже равно σ(z), второй раз сигмоиду
            применять не нужно."""
            n, n_next = W_next.shape[1], W_next.shape[0]
            delta = np.zeros((n, 1))
            for j in range(n):
                s = 0.0
                for k in range(n_next):
                    s += W_next[k, j] * delta_next[k, 0]
                sj = sigmoid(a[j, 0])
                delta[j, 0] = s * sj * (1 - sj)
            return delta


@exercise(outputs=("dWs", "dbs"))
class column_grads:
    cases = _grads_cases
    features = _grads_features

    class mistakes:
        def missing_transpose(deltas, activations):
            """пропущено транспонирование a^(l−1): столбец δ (n_l, 1) на столбец a (n_{l−1}, 1) матрично
            не умножается (ValueError) — нужна матрица формы W."""
            dWs = [delta @ a_prev for delta, a_prev in zip(deltas, activations[:-1])]
            return dWs, [delta.copy() for delta in deltas]

        def transposed(deltas, activations):
            """∇W транспонирована: ∇W^(l) имеет форму W^(l), (n_l, n_{l−1})."""
            dWs = [a_prev @ delta.T for delta, a_prev in zip(deltas, activations[:-1])]
            return dWs, [delta.copy() for delta in deltas]

        def wrong_layer(deltas, activations):
            """взята активация не того слоя: вес W^(l) умножает выход предыдущего слоя a^(l−1), а
            activations[0] — это вход x = a^(0)."""
            dWs = [delta @ a.T for delta, a in zip(deltas, activations[1:])]
            return dWs, [delta.copy() for delta in deltas]

        def bias_flat(deltas, activations):
            """у ∇b неверная форма: градиент имеет форму самого b^(l) — столбец (n_l, 1), а не (n_l,)."""
            dWs = [delta @ a_prev.T for delta, a_prev in zip(deltas, activations[:-1])]
            return dWs, [delta.ravel() for delta in deltas]

        def flipped_sign(deltas, activations):
            """перевёрнут знак: δ = ∂E/∂z уже несёт знак, ∇W и ∇b его не меняют."""
            dWs = [-(delta @ a_prev.T) for delta, a_prev in zip(deltas, activations[:-1])]
            return dWs, [-delta for delta in deltas]
