"""Hidden checks and mistakes of solutions/deltas.py: the δ recursion with loops (notebook 05).

Every student's cases have the same structure with random values inside it (grading rule 3):

- the derivatives: a vector, a matrix and a column; sigmoid_prime's z lies in [-8, 8] (every
  correct idiom, σ(1 − σ) or e^(−z) / (1 + e^(−z))², agrees to 1e-11 there) with both signs and
  an exact 0; every ReLU and leaky ReLU input has an exact 0 (the derivative there is 0, resp.
  alpha: eq. 28–29) and both signs; leaky_relu_prime is called once without alpha
  (its default, 0.01: a wrong default fails) and twice with alpha in [0.05, 0.3] (a hard-coded
  0.01 fails);
- the activation's derivative reaches delta_output, delta_hidden and depth_ratio as a test
  function ``fprime`` (the derivative of a polynomial or of a + sin wave): its values at the
  hidden z are away from 0 and from 1 (|f'| in [0.1, 0.9] ∪ [1.1, 3]), so a forgotten f' shows;
  delta_output's a is f(z) of the matching f, so f'(a) differs from f'(z), and its errors a − t
  have both signs;
- delta_hidden: a square layer, one with fewer and one with more neurons in the next layer
  (a missing transpose, w_jk read as W[j, k], gives other values or fails);
- grads_from_delta: two non-square layers and a square one (a transposed dW);
- depth_ratio: networks of 10, 6 and 5 layers; the first two have neighbouring layers of
  different widths (a missing transpose or f' of the wrong layer fails), the third has square
  layers (there the same mistakes give values, which tell them apart).

``features`` describes this structure; tests check that it is the same for every student.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import exercise
from bpcourse.cases import decode
from solutions import deltas

SHAPES = [(5,), (4, 3), (3, 1)]


def _signs(rng, shape, lo, hi):
    """Magnitudes in [lo, hi] with random signs."""
    return rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _mixed_signs_with_zero(rng, shape, lo, hi):
    """Random values in ±[lo, hi]; the first entry exactly 0, the second positive, the last negative."""
    z = _signs(rng, shape, lo, hi)
    z.flat[0], z.flat[1], z.flat[-1] = 0.0, abs(z.flat[1]), -abs(z.flat[-1])
    return z


def _zero_and_signs(cases):
    return tuple((bool(np.any(c["z"] == 0)), bool(np.any(c["z"] > 0)), bool(np.any(c["z"] < 0)))
                 for c in cases)


# --- sigmoid_prime, relu_prime, leaky_relu_prime -----------------------------------------------

def _sigmoid_cases(rng):
    return [{"z": _mixed_signs_with_zero(rng, s, 0.2, 8.0)} for s in SHAPES]


def _sigmoid_features(cases):
    return tuple(bool(np.max(np.abs(c["z"])) <= 8.0) for c in cases) + _zero_and_signs(cases)


def _relu_cases(rng):
    return [{"z": _mixed_signs_with_zero(rng, s, 0.1, 3.0)} for s in SHAPES]


def _leaky_cases(rng):
    """The first case leaves alpha at its default (0.01, eq. 29): a wrong default fails."""
    alphas = [float(rng.uniform(0.05, 0.3)), float(rng.uniform(0.05, 0.3))]
    cases = [{"z": _mixed_signs_with_zero(rng, SHAPES[0], 0.1, 3.0)}]
    return cases + [{"z": _mixed_signs_with_zero(rng, s, 0.1, 3.0), "alpha": a} for s, a in zip(SHAPES[1:], alphas)]


def _leaky_features(cases):
    return _zero_and_signs(cases) + tuple(0.05 <= c.get("alpha", 0.0) <= 0.3 for c in cases)


# --- test functions f, f' ------------------------------------------------------------------------

def _test_function(rng, kind: str):
    """(f, f') as encodable test functions of bpcourse.cases: a cubic or a wave."""
    if kind == "poly":
        c = rng.uniform(0.3, 1.0, size=4) * rng.choice([-1.0, 1.0], size=4)
        return {"fn": "poly", "params": {"c": c}}, {"fn": "poly_prime", "params": {"c": c}}
    params = {"a": float(rng.uniform(0.5, 1.5)), "b": float(rng.uniform(0.5, 1.5)),
              "c": float(rng.uniform(0.1, 0.4) * rng.choice([-1.0, 1.0]))}
    return {"fn": "wave", "params": params}, {"fn": "wave_prime", "params": dict(params)}


def _fp_ok(values) -> bool:
    """|f'| in [0.1, 0.9] or [1.1, 3]: a forgotten f' (a factor 1) and a zero factor both show."""
    m = np.abs(np.asarray(values, dtype=np.float64))
    return bool(np.all(((m >= 0.1) & (m <= 0.9)) | ((m >= 1.1) & (m <= 3.0))))


def _column(rng, n, fprime, tries=10000):
    """z of shape (n, 1) at which fprime is ok (:func:`_fp_ok`)."""
    fp = decode(fprime)
    for _ in range(tries):
        z = rng.normal(size=(n, 1))
        if _fp_ok(fp(z)):
            return z
    raise RuntimeError("no z satisfies the structure")  # pragma: no cover - tested by test_verify


def _far_apart(x, y, gap=0.05) -> bool:
    return bool(np.all(np.abs(np.asarray(x) - np.asarray(y)) >= gap))


# --- delta_output ------------------------------------------------------------------------------

def _output_case(rng, n, kind):
    for _ in range(1000):
        f, fprime = _test_function(rng, kind)
        z = _column(rng, n, fprime)
        a = decode(f)(z)
        if not _far_apart(decode(fprime)(a), decode(fprime)(z)):
            continue
        err = _signs(rng, (n, 1), 0.1, 1.0)
        err[0, 0], err[-1, 0] = abs(err[0, 0]), -abs(err[-1, 0])     # a − t of both signs
        return {"a": a, "t": a - err, "z": z, "fprime": fprime}
    raise RuntimeError("no case satisfies the structure")  # pragma: no cover


def _output_cases(rng):
    return [_output_case(rng, 3, "poly"), _output_case(rng, 2, "wave"), _output_case(rng, 4, "poly")]


def _output_features(cases):
    out = []
    for c in cases:
        fp = decode(c["fprime"])
        e = c["a"] - c["t"]
        out.append((c["fprime"]["fn"], bool(np.any(e > 0) and np.any(e < 0)), _fp_ok(fp(c["z"])),
                    _far_apart(fp(c["a"]), fp(c["z"]))))
    return tuple(out)


# --- delta_hidden --------------------------------------------------------------------------------

HIDDEN_LAYERS = [(3, 3), (2, 4), (5, 3)]     # (n_next, n): square, fewer next, more next


def _hidden_cases(rng):
    cases = []
    for (n_next, n), kind in zip(HIDDEN_LAYERS, ["poly", "wave", "poly"]):
        for _ in range(1000):
            _, fprime = _test_function(rng, kind)
            z = _column(rng, n, fprime)
            delta_next, W = rng.normal(size=(n_next, 1)), rng.normal(size=(n_next, n))
            s = W.T @ delta_next
            if np.all(np.abs(s) >= 0.1) and _far_apart(decode(fprime)(s), decode(fprime)(z)):
                cases.append({"delta_next": delta_next, "W_next": W, "z": z, "fprime": fprime})
                break
        else:  # pragma: no cover
            raise RuntimeError("no case satisfies the structure")
    return cases


def _hidden_features(cases):
    out = []
    for c in cases:
        n_next, n = c["W_next"].shape
        s = c["W_next"].T @ c["delta_next"]
        fp = decode(c["fprime"])
        out.append((int(np.sign(n_next - n)), c["fprime"]["fn"], _fp_ok(fp(c["z"])),
                    bool(np.all(np.abs(s) >= 0.1)), _far_apart(fp(s), fp(c["z"]))))
    return tuple(out)


# --- grads_from_delta ----------------------------------------------------------------------------

GRAD_LAYERS = [(3, 4), (4, 2), (3, 3)]       # (n, m): δ of n neurons, m inputs


def _grads_cases(rng):
    return [{"delta": rng.normal(size=(n, 1)), "a_prev": rng.uniform(0.05, 0.95, size=(m, 1))}
            for n, m in GRAD_LAYERS]


def _grads_features(cases):
    return tuple(int(np.sign(c["delta"].shape[0] - c["a_prev"].shape[0])) for c in cases)


# --- depth_ratio ---------------------------------------------------------------------------------

DEPTH_SIZES = [[4, 6, 5, 7, 3, 6, 4, 5, 6, 3, 2],     # 10 layers, neighbours of different widths
               [3, 5, 4, 6, 5, 3, 2],                 # 6 layers
               [4, 4, 4, 4, 4, 4]]                    # 5 square layers


def _depth_case(rng, sizes, kind):
    for _ in range(1000):
        f, fprime = _test_function(rng, kind)
        fp = decode(fprime)
        Ws = [rng.normal(scale=1.0 / np.sqrt(n), size=(m, n)) for n, m in zip(sizes, sizes[1:])]
        zs = [_column(rng, m, fprime) for m in sizes[1:]]
        delta_L = rng.normal(size=(sizes[-1], 1))
        ratio = deltas.depth_ratio(Ws, zs, delta_L, fp)
        if 1e-6 <= ratio <= 1e6:
            return {"Ws": Ws, "zs": zs, "delta_L": delta_L, "fprime": fprime}
    raise RuntimeError("no network satisfies the structure")  # pragma: no cover


def _depth_cases(rng):
    return [_depth_case(rng, sizes, kind) for sizes, kind in zip(DEPTH_SIZES, ["wave", "poly", "wave"])]


def _depth_features(cases):
    out = []
    for c in cases:
        widths = [c["Ws"][0].shape[1]] + [W.shape[0] for W in c["Ws"]]
        fp = decode(c["fprime"])
        out.append((tuple(widths), c["fprime"]["fn"], all(_fp_ok(fp(z)) for z in c["zs"]),
                    all(z.shape == (W.shape[0], 1) for z, W in zip(c["zs"], c["Ws"]))))
    return tuple(out)


# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# A mistake's code runs twice: in the grader, in the reference namespace (solutions.deltas),
# and end to end as the student's solution cell; it uses only names the notebook has (np).


@exercise()
class sigmoid_prime:
    cases = _sigmoid_cases
    features = _sigmoid_features

    class mistakes:
        def formula_of_y_on_z(z):
            """уравнение 27 выражает производную через выход нейрона y = σ(z), а в функцию приходит
            вход z: в формулу подставлен z вместо y."""
            return z * (1 - z)

        def derivative_of_sigma_of_a(z):
            """производная взята в точке a = σ(z), а не в точке z: σ применена дважды."""
            a = 1 / (1 + np.exp(-z))
            s = 1 / (1 + np.exp(-a))
            return s * (1 - s)

        def sigmoid_value(z):
            """возвращено значение самой сигмоиды, а не её производной."""
            return 1 / (1 + np.exp(-z))

        def flipped_sign(z):
            """перевёрнут знак: сигмоида возрастает, её производная положительна."""
            s = 1 / (1 + np.exp(-z))
            return s * (s - 1)


@exercise()
class relu_prime:
    cases = _relu_cases
    features = _zero_and_signs

    class mistakes:
        def one_at_zero(z):
            """в точке z = 0 производная ReLU по соглашению курса равна 0 (уравнение 28), а здесь 1."""
            return (z >= 0).astype(float)

        def relu_value(z):
            """возвращено значение ReLU, max(0, z), а не её производная."""
            return np.maximum(0, z)

        def wrong_side(z):
            """единицы стоят не с той стороны нуля: ReLU растёт при положительных z."""
            return (z < 0).astype(float)


@exercise()
class leaky_relu_prime:
    cases = _leaky_cases
    features = _leaky_features

    class mistakes:
        def slope_on_wrong_side(z, alpha=0.01):
            """наклон alpha применён не с той стороны нуля (уравнение 29)."""
            return np.where(z > 0, alpha, 1.0)

        def zero_slope(z, alpha=0.01):
            """это производная обычного ReLU: у Leaky ReLU при z ≤ 0 производная не ноль (уравнение 29)."""
            return (z > 0).astype(float)

        def one_at_zero(z, alpha=0.01):
            """в точке z = 0 производная Leaky ReLU по соглашению курса — наклон alpha, как при
            отрицательных z (уравнение 29), а здесь 1."""
            return np.where(z >= 0, 1.0, alpha)

        def hard_coded_slope(z, alpha=0.01):
            """наклон записан числом 0.01, а параметр alpha не использован."""
            return np.where(z > 0, 1.0, 0.01)

        def leaky_value(z, alpha=0.01):
            """возвращено значение Leaky ReLU, а не её производная."""
            return np.where(z > 0, z, alpha * z)


@exercise()
class delta_output:
    cases = _output_cases
    features = _output_features

    class mistakes:
        def forgot_fprime(a, t, z, fprime):
            """забыт множитель f'(z) выходного слоя: δ — производная по входу нейрона z, а не по
            его выходу a."""
            delta = np.zeros_like(z)
            for j in range(z.shape[0]):
                delta[j, 0] = a[j, 0] - t[j, 0]
            return delta

        def fprime_of_a(a, t, z, fprime):
            """производная активации взята в точке a (выход нейрона), а не в точке z (его вход)."""
            fp = fprime(a)
            delta = np.zeros_like(z)
            for j in range(z.shape[0]):
                delta[j, 0] = (a[j, 0] - t[j, 0]) * fp[j, 0]
            return delta

        def flipped_sign(a, t, z, fprime):
            """перевёрнут знак: производная ½ (t − a)² по a — это не t − a."""
            fp = fprime(z)
            delta = np.zeros_like(z)
            for j in range(z.shape[0]):
                delta[j, 0] = (t[j, 0] - a[j, 0]) * fp[j, 0]
            return delta


@exercise(demo="swapped_indices")
class delta_hidden:
    cases = _hidden_cases
    features = _hidden_features

    class mistakes:
        def swapped_indices(delta_next, W_next, z, fprime):
            """перепутан порядок индексов веса: в W^(l+1) строка — нейрон k следующего слоя,
            столбец — нейрон j этого слоя (w_jk из конспекта — это W_next[k, j])."""
            fp = fprime(z)
            delta = np.zeros_like(z)
            for j in range(z.shape[0]):
                s = 0.0
                for k in range(delta_next.shape[0]):
                    s += delta_next[k, 0] * W_next[j, k]
                delta[j, 0] = s * fp[j, 0]
            return delta

        def forgot_fprime(delta_next, W_next, z, fprime):
            """забыт множитель f'(z_j) этого слоя: ошибка проходит через активацию нейрона."""
            delta = np.zeros_like(z)
            for j in range(z.shape[0]):
                s = 0.0
                for k in range(delta_next.shape[0]):
                    s += delta_next[k, 0] * W_next[k, j]
                delta[j, 0] = s
            return delta

        def fprime_of_sum(delta_next, W_next, z, fprime):
            """производная активации взята не в точке z_j этого нейрона, а от собранной суммы."""
            delta = np.zeros_like(z)
            for j in range(z.shape[0]):
                s = 0.0
                for k in range(delta_next.shape[0]):
                    s += delta_next[k, 0] * W_next[k, j]
                delta[j, 0] = s * fprime(s)
            return delta


@exercise(outputs=("dW", "db"))
class grads_from_delta:
    cases = _grads_cases
    features = _grads_features

    class mistakes:
        def transposed_dW(delta, a_prev):
            """dW транспонирована: у dW форма W — строка j отвечает нейрону j слоя, столбец i — его входу i."""
            n, m = delta.shape[0], a_prev.shape[0]
            dW, db = np.zeros((m, n)), np.zeros((n, 1))
            for j in range(n):
                db[j, 0] = delta[j, 0]
                for i in range(m):
                    dW[i, j] = delta[j, 0] * a_prev[i, 0]
            return dW, db

        def flat_db(delta, a_prev):
            """у db форма (n,), а нужна форма смещения b — столбец (n, 1)."""
            n, m = delta.shape[0], a_prev.shape[0]
            dW, db = np.zeros((n, m)), np.zeros(n)
            for j in range(n):
                db[j] = delta[j, 0]
                for i in range(m):
                    dW[j, i] = delta[j, 0] * a_prev[i, 0]
            return dW, db

        def summed_db(delta, a_prev):
            """ошибки нейронов сложены в одно число, а у каждого нейрона своё смещение b_j."""
            n, m = delta.shape[0], a_prev.shape[0]
            dW = np.zeros((n, m))
            for j in range(n):
                for i in range(m):
                    dW[j, i] = delta[j, 0] * a_prev[i, 0]
            return dW, np.sum(delta)


@exercise()
class depth_ratio:
    cases = _depth_cases
    features = _depth_features

    class mistakes:
        def inverted(Ws, zs, delta_L, fprime):
            """отношение перевёрнуто: нужна норма первого слоя, делённая на норму последнего."""
            delta = delta_L
            for l in range(len(Ws) - 2, -1, -1):
                delta = (Ws[l + 1].T @ delta) * fprime(zs[l])
            return float(np.linalg.norm(delta_L) / np.linalg.norm(delta))

        def forgot_fprime(Ws, zs, delta_L, fprime):
            """на каждом шаге назад забыт множитель f'(z) слоя."""
            delta = delta_L
            for l in range(len(Ws) - 2, -1, -1):
                delta = Ws[l + 1].T @ delta
            return float(np.linalg.norm(delta) / np.linalg.norm(delta_L))

        def stops_at_second_layer(Ws, zs, delta_L, fprime):
            """обход остановился на δ второго слоя: не хватает последнего шага назад, до δ^(1)."""
            delta = delta_L
            for l in range(len(Ws) - 2, 0, -1):
                delta = (Ws[l + 1].T @ delta) * fprime(zs[l])
            return float(np.linalg.norm(delta) / np.linalg.norm(delta_L))

        def fprime_of_next_layer(Ws, zs, delta_L, fprime):
            """f' взята от z следующего слоя (l + 1), а δ^(l) умножается на f'(z^(l)) своего слоя."""
            delta = delta_L
            for l in range(len(Ws) - 2, -1, -1):
                delta = (Ws[l + 1].T @ delta) * fprime(zs[l + 1])
            return float(np.linalg.norm(delta) / np.linalg.norm(delta_L))

        def missing_transpose(Ws, zs, delta_L, fprime):
            """пропущено транспонирование матрицы весов при шаге назад: сравните формы W^(l+1),
            δ^(l+1) и δ^(l)."""
            delta = delta_L
            for l in range(len(Ws) - 2, -1, -1):
                delta = (Ws[l + 1] @ delta) * fprime(zs[l])
            return float(np.linalg.norm(delta) / np.linalg.norm(delta_L))

        def squared_norms(Ws, zs, delta_L, fprime):
            """сравниваются суммы квадратов, а норма — корень из суммы квадратов."""
            delta = delta_L
            for l in range(len(Ws) - 2, -1, -1):
                delta = (Ws[l + 1].T @ delta) * fprime(zs[l])
            return float(np.sum(delta ** 2) / np.sum(delta_L ** 2))
