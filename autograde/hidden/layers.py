"""Hidden checks of notebook 07: each method of each layer, alone, and two small exercises.

A method is probed alone (:mod:`bpcourse.layer_probe`): one object of the student's class, built
with the hidden parameters; for ``forward`` the probe records what it returned and what it
stored; for ``backward`` the probe itself sets what ``forward`` would have stored (never running
the student's ``forward``) and pre-sets nonzero parameter gradients, so ``=`` instead of ``+=``
shows. No other class or method of the student's runs.

Every student's cases have the same structure with random values inside it (grading rule 3):

- Linear: M ≠ n_out and n_in ≠ n_out in most cases (a missing transpose changes a shape), one
  case with a square W (a missing transpose still runs, and gives a wrong value), one with
  M = n_out (a sum of dZ over the wrong axis still runs), M > 1 everywhere (a second 1/M shows),
  b ≠ 0, pre-set gradients ≠ 0;
- Sigmoid: inputs of both signs within |z| ≤ 6 (every correct idiom, with or without the
  overflow guard, agrees), dA of both signs and never ±1;
- ReLU: exact zeros at the input (the derivative there is 0, eq. 28), inputs of both signs;
- MSE: M ≠ K, M > 1, K > 1 (averaging over all M·K entries differs from the mean over the batch);
- jacobian_entries: M, n_in, n_out pairwise different and > 1;
- rows_from_columns: M, n_in, n_out pairwise different, M > 1.

``features`` describes this structure; tests check that it is the same for every student.
"""
from __future__ import annotations

import numpy as np

from autograde import verify
from autograde.hidden import exercise
from bpcourse import layer_probe as probe
from solutions import activations, layers

#: (M, n_in, n_out) of the Linear cases: non-square, non-square, square W, M = n_out
LINEAR_SHAPES = ((5, 3, 4), (4, 6, 2), (4, 3, 3), (3, 5, 3))
#: shapes of the activation and loss cases: M ≠ K
BATCH_SHAPES = ((4, 3), (2, 5), (6, 4))


def _nonzero(rng, shape, low=0.3, high=1.5):
    """Random values of random sign, magnitude in [low, high]: never 0, never near ±1 only."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _upstream(rng, shape):
    """dout: both signs, magnitudes in [0.3, 0.8] ∪ [1.3, 2.5] (never ±1, so a missing dout shows)."""
    mag = np.where(rng.random(shape) < 0.5, rng.uniform(0.3, 0.8, size=shape), rng.uniform(1.3, 2.5, size=shape))
    signs = np.resize([1.0, -1.0], shape[0] * shape[1]).reshape(shape)   # both signs in every case
    return mag * signs * rng.choice([-1.0, 1.0])


def _linear_forward_cases(rng):
    return [{"X": rng.normal(size=(M, n_in)), "W": rng.normal(size=(n_in, n_out)), "b": _nonzero(rng, (n_out,))}
            for M, n_in, n_out in LINEAR_SHAPES]


def _linear_backward_cases(rng):
    cases = []
    for M, n_in, n_out in LINEAR_SHAPES:
        cases.append({"X": rng.normal(size=(M, n_in)), "W": rng.normal(size=(n_in, n_out)),
                      "b": _nonzero(rng, (n_out,)), "dZ": _upstream(rng, (M, n_out)),
                      "W_grad": _nonzero(rng, (n_in, n_out)), "b_grad": _nonzero(rng, (n_out,))})
    return cases


def _linear_features(cases):
    out = []
    for c in cases:
        (M, n_in), n_out = c["X"].shape, c["W"].shape[1]
        pre_set = all(np.all(c[k] != 0) for k in ("W_grad", "b_grad") if k in c)
        out.append((M > 1, M == n_out, n_in == n_out, bool(np.all(c["b"] != 0)), pre_set))
    return tuple(out)


def _sigmoid_z(rng, shape):
    """Both signs in every row's reach, |z| ≤ 6."""
    Z = rng.uniform(-6.0, 6.0, size=shape)
    Z.flat[0], Z.flat[1] = rng.uniform(-6.0, -1.0), rng.uniform(1.0, 6.0)
    return Z


def _relu_z(rng, shape):
    """Both signs and exact zeros (two per case)."""
    Z = _nonzero(rng, shape, 0.2, 2.5)
    Z.flat[0], Z.flat[1] = -abs(Z.flat[0]), abs(Z.flat[1])
    zeros = rng.choice(np.arange(2, Z.size), size=2, replace=False)
    Z.flat[zeros] = 0.0
    return Z


def _sigmoid_forward_cases(rng):
    return [{"Z": _sigmoid_z(rng, shape)} for shape in BATCH_SHAPES]


def _sigmoid_backward_cases(rng):
    cases = []
    for shape in BATCH_SHAPES:
        Z = _sigmoid_z(rng, shape)
        cases.append({"Z": Z, "A": activations.sigmoid(Z), "dA": _upstream(rng, shape)})
    return cases


def _relu_forward_cases(rng):
    return [{"Z": _relu_z(rng, shape)} for shape in BATCH_SHAPES]


def _relu_backward_cases(rng):
    cases = []
    for shape in BATCH_SHAPES:
        Z = _relu_z(rng, shape)
        cases.append({"Z": Z, "A": np.maximum(0.0, Z), "dA": _upstream(rng, shape)})
    return cases


def _activation_features(cases):
    out = []
    for c in cases:
        Z = c["Z"]
        traits = [bool(np.any(Z < 0)), bool(np.any(Z > 0)), int(np.sum(Z == 0)), bool(np.max(np.abs(Z)) <= 6.0)]
        if "dA" in c:
            dA = c["dA"]
            traits += [bool(np.any(dA < 0)), bool(np.any(dA > 0)), bool(np.all(np.abs(np.abs(dA) - 1) >= 0.2))]
        out.append(tuple(traits))
    return tuple(out)


def _mse_cases(rng):
    return [{"Y": rng.normal(size=shape), "t": rng.normal(size=shape)} for shape in BATCH_SHAPES]


def _mse_features(cases):
    return tuple((c["Y"].shape[0] > 1, c["Y"].shape[1] > 1, c["Y"].shape[0] != c["Y"].shape[1]) for c in cases)


def _jacobian_cases(rng):
    cases = []
    for _ in range(3):
        M, n_in, n_out = (int(v) for v in rng.choice(np.arange(2, 40), size=3, replace=False))
        cases.append({"M": M, "n_in": n_in, "n_out": n_out})
    # a realistic layer with odd sizes: both counts are odd and above 2**24, so a count that went
    # through float32 (or any float with a 24-bit mantissa) is off
    M, n_in, n_out = (int(2 * rng.integers(lo, hi) + 1) for lo, hi in ((50, 128), (300, 500), (130, 256)))
    cases.append({"M": M, "n_in": n_in, "n_out": n_out})
    return cases


def _jacobian_features(cases):
    return tuple((len({c["M"], c["n_in"], c["n_out"]}) == 3, min(c["M"], c["n_in"], c["n_out"]) > 1,
                  all(type(c[k]) is int for k in ("M", "n_in", "n_out")),
                  c["M"] * c["n_in"] * c["n_out"] ** 2 > 2 ** 24 and c["M"] * c["n_in"] * c["n_out"] % 2 == 1)
                 for c in cases)


def _columns_cases(rng):
    return [{"Delta": rng.normal(size=(n_out, M)), "Y": rng.normal(size=(n_in, M))}
            for M, n_in, n_out in ((5, 3, 2), (4, 6, 3), (7, 2, 4))]


def _columns_features(cases):
    return tuple((len({c["Delta"].shape[1], c["Y"].shape[0], c["Delta"].shape[0]}) == 3, c["Delta"].shape[1] > 1)
                 for c in cases)


FORWARD_LINEAR = ("Z = forward(X)", "self.X после forward")
BACKWARD_LINEAR = ("dX = backward(dZ)", "W.grad после backward", "b.grad после backward")
FORWARD_SIGMOID = ("A = forward(Z)", "self.A после forward")
FORWARD_RELU = ("A = forward(Z)", "self.Z после forward")
FORWARD_MSE = ("потери", "self.Y после forward", "self.t после forward")

#: the hidden region's import: its recorded expression calls the probe on the notebook's class
SETUP = "from bpcourse import layer_probe"

#: rel_error accepted for a backward method: every analytic idiom (matmul, einsum, loops; σ from
#: the stored A or recomputed) stays below 1e-12 on the hidden inputs, while a central difference
#: of the forward (bpcourse.gradcheck.numerical_gradient_array) is off by 1e-11 or more
BACKWARD_TOL = 1e-11

# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# Each solution cell of notebook 07 defines a function and attaches it to a class as a method,
# so each mistake is a whole cell (whole_cell=True): the body of a function without arguments.
# The grader runs it on fresh subclasses of the reference classes and records the same probe as
# the notebook's hidden region. It uses only the notebook's names (np, Linear, Sigmoid, ReLU,
# MSELoss).


@exercise(reference=probe.linear_forward(layers.Linear), outputs=FORWARD_LINEAR, whole_cell=True, setup=SETUP,
          recorded="layer_probe.linear_forward(Linear)")
class linear_layer_forward:
    cases = _linear_forward_cases
    features = _linear_features

    class mistakes:
        def not_stored():
            """forward не сохранил свой вход X в self.X, а backward берёт его оттуда."""
            def linear_layer_forward(self, X):
                return X @ self.W.data + self.b.data

            Linear.forward = linear_layer_forward

        def forgot_bias():
            """смещение b не прибавлено."""
            def linear_layer_forward(self, X):
                self.X = X
                return X @ self.W.data

            Linear.forward = linear_layer_forward

        def transposed_weights():
            """W транспонирована: в курсе W имеет форму (n_вх, n_вых), и пример-строка умножается на неё справа."""
            def linear_layer_forward(self, X):
                self.X = X
                return X @ self.W.data.T + self.b.data

            Linear.forward = linear_layer_forward


@exercise(reference=probe.linear_backward(layers.Linear), outputs=BACKWARD_LINEAR, tol=BACKWARD_TOL, whole_cell=True,
          setup=SETUP,
          recorded="layer_probe.linear_backward(Linear)", demo="assign_not_accumulate")
class linear_layer_backward:
    cases = _linear_backward_cases
    features = _linear_features

    class mistakes:
        def assign_not_accumulate():
            """градиенты параметров присвоены, а не добавлены (= вместо +=): параметр, использованный
            несколько раз, должен получить сумму вкладов — градиенты накапливаются до zero_grad."""
            def linear_layer_backward(self, dZ):
                self.W.grad = self.X.T @ dZ
                self.b.grad = dZ.sum(axis=0)
                return dZ @ self.W.data.T

            Linear.backward = linear_layer_backward

        def bias_not_summed():
            """db не просуммирован по примерам пакета: у b.grad форма b, (n_вых,), а у dZ — (M, n_вых)."""
            def linear_layer_backward(self, dZ):
                self.W.grad += self.X.T @ dZ
                self.b.grad += dZ
                return dZ @ self.W.data.T

            Linear.backward = linear_layer_backward

        def bias_wrong_axis():
            """db просуммирован не по той оси: складывать нужно вклады примеров пакета (строк)."""
            def linear_layer_backward(self, dZ):
                self.W.grad += self.X.T @ dZ
                self.b.grad += dZ.sum(axis=1)
                return dZ @ self.W.data.T

            Linear.backward = linear_layer_backward

        def dX_missing_transpose():
            """в dX не транспонирована W: проверьте формы — dX должен иметь форму X, (M, n_вх)."""
            def linear_layer_backward(self, dZ):
                self.W.grad += self.X.T @ dZ
                self.b.grad += dZ.sum(axis=0)
                return dZ @ self.W.data

            Linear.backward = linear_layer_backward

        def extra_1_over_M():
            """градиенты ещё раз поделены на M: dZ уже несёт 1/M усреднённых потерь, второй раз делить
            не нужно."""
            def linear_layer_backward(self, dZ):
                M = dZ.shape[0]
                self.W.grad += self.X.T @ dZ / M
                self.b.grad += dZ.sum(axis=0) / M
                return dZ @ self.W.data.T

            Linear.backward = linear_layer_backward

        def no_return():
            """backward ничего не вернул: нужно вернуть градиент для слоя ниже, dL/dX."""
            def linear_layer_backward(self, dZ):
                self.W.grad += self.X.T @ dZ
                self.b.grad += dZ.sum(axis=0)

            Linear.backward = linear_layer_backward


@exercise(reference=probe.activation_forward(layers.Sigmoid, "A"), outputs=FORWARD_SIGMOID, whole_cell=True,
          setup=SETUP, recorded='layer_probe.activation_forward(Sigmoid, "A")')
class sigmoid_layer_forward:
    cases = _sigmoid_forward_cases
    features = _activation_features

    class mistakes:
        def not_stored():
            """forward не сохранил выход A в self.A, а backward сигмоиды берёт его оттуда («храним
            активации»)."""
            def sigmoid_layer_forward(self, Z):
                return 1.0 / (1.0 + np.exp(-Z))

            Sigmoid.forward = sigmoid_layer_forward

        def flipped_sign():
            """в показателе экспоненты потерян минус: σ(z) растёт вместе с z."""
            def sigmoid_layer_forward(self, Z):
                self.A = 1.0 / (1.0 + np.exp(Z))
                return self.A

            Sigmoid.forward = sigmoid_layer_forward


@exercise(reference=probe.activation_backward(layers.Sigmoid), tol=BACKWARD_TOL, whole_cell=True, setup=SETUP,
          recorded="layer_probe.activation_backward(Sigmoid)")
class sigmoid_layer_backward:
    cases = _sigmoid_backward_cases
    features = _activation_features

    class mistakes:
        def derivative_from_input():
            """производная сигмоиды посчитана от входа z; её выражают через сохранённый выход a = σ(z)."""
            def sigmoid_layer_backward(self, dA):
                return dA * self.Z * (1.0 - self.Z)

            Sigmoid.backward = sigmoid_layer_backward

        def derivative_from_z_formula_on_a():
            """сигмоида применена к уже сохранённой активации ещё раз: self.A — это уже σ(z)."""
            def sigmoid_layer_backward(self, dA):
                s = 1.0 / (1.0 + np.exp(-self.A))
                return dA * s * (1.0 - s)

            Sigmoid.backward = sigmoid_layer_backward

        def forgot_upstream():
            """локальная производная не умножена на пришедший сверху градиент dA (цепное правило)."""
            def sigmoid_layer_backward(self, dA):
                return self.A * (1.0 - self.A)

            Sigmoid.backward = sigmoid_layer_backward


@exercise(reference=probe.activation_forward(layers.ReLU, "Z"), outputs=FORWARD_RELU, whole_cell=True,
          setup=SETUP, recorded='layer_probe.activation_forward(ReLU, "Z")')
class relu_layer_forward:
    cases = _relu_forward_cases
    features = _activation_features

    class mistakes:
        def not_stored():
            """forward не сохранил свой вход Z в self.Z, а backward ReLU берёт его оттуда."""
            def relu_layer_forward(self, Z):
                return np.maximum(0.0, Z)

            ReLU.forward = relu_layer_forward

        def leaks_negatives():
            """отрицательные входы пропущены наружу: ReLU обнуляет их."""
            def relu_layer_forward(self, Z):
                self.Z = Z
                return np.abs(Z)

            ReLU.forward = relu_layer_forward


@exercise(reference=probe.activation_backward(layers.ReLU), whole_cell=True, setup=SETUP,
          recorded="layer_probe.activation_backward(ReLU)")
class relu_layer_backward:
    cases = _relu_backward_cases
    features = _activation_features

    class mistakes:
        def passes_gradient_through():
            """градиент пропущен и там, где вход ReLU отрицателен; там вклад должен быть нулевым."""
            def relu_layer_backward(self, dA):
                return dA

            ReLU.backward = relu_layer_backward

        def one_at_zero():
            """в точке z = 0 производная ReLU в курсе та же, что при z < 0 (конспект, eq. 28), а градиент
            пропущен как при z > 0."""
            def relu_layer_backward(self, dA):
                return dA * (self.Z >= 0)

            ReLU.backward = relu_layer_backward

        def multiplies_by_output():
            """градиент умножен на значение выхода ReLU; производная ReLU — не значение выхода."""
            def relu_layer_backward(self, dA):
                return dA * np.maximum(0.0, self.Z)

            ReLU.backward = relu_layer_backward


@exercise(reference=probe.loss_forward(layers.MSELoss), outputs=FORWARD_MSE, whole_cell=True, setup=SETUP,
          recorded="layer_probe.loss_forward(MSELoss)")
class mse_loss_forward:
    cases = _mse_cases
    features = _mse_features

    class mistakes:
        def missing_1_over_M():
            """потери не усреднены по пакету: разделите сумму на число примеров M."""
            def mse_loss_forward(self, Y, t):
                self.Y, self.t = Y, t
                return float(0.5 * np.sum((t - Y) ** 2))

            MSELoss.forward = mse_loss_forward

        def mean_over_all_entries():
            """усреднение по всем M·K числам, а не по M примерам: внутри примера ошибки выходов
            складываются (E = ½ Σ_j …)."""
            def mse_loss_forward(self, Y, t):
                self.Y, self.t = Y, t
                return float(0.5 * np.mean((t - Y) ** 2))

            MSELoss.forward = mse_loss_forward

        def no_half():
            """нет множителя ½: по соглашению курса E = ½ Σ_j (t_j − y_j)²."""
            def mse_loss_forward(self, Y, t):
                self.Y, self.t = Y, t
                return float(np.sum((t - Y) ** 2) / Y.shape[0])

            MSELoss.forward = mse_loss_forward

        def not_stored():
            """forward не сохранил Y и t в self.Y и self.t, а backward берёт их оттуда."""
            def mse_loss_forward(self, Y, t):
                return float(0.5 * np.sum((t - Y) ** 2) / Y.shape[0])

            MSELoss.forward = mse_loss_forward


@exercise(reference=probe.loss_backward(layers.MSELoss), tol=BACKWARD_TOL, whole_cell=True, setup=SETUP,
          recorded="layer_probe.loss_backward(MSELoss)")
class mse_loss_backward:
    cases = _mse_cases
    features = _mse_features

    class mistakes:
        def missing_1_over_M():
            """потери усредняются по пакету, значит и градиент несёт множитель 1/M."""
            def mse_loss_backward(self):
                return self.Y - self.t

            MSELoss.backward = mse_loss_backward

        def flipped_sign():
            """перевёрнут знак: продифференцируйте ½ (t − y)² по y внимательно."""
            def mse_loss_backward(self):
                return (self.t - self.Y) / self.Y.shape[0]

            MSELoss.backward = mse_loss_backward

        def mean_over_all_entries():
            """поделено на число всех элементов M·K, а потери усреднены только по M примерам."""
            def mse_loss_backward(self):
                return (self.Y - self.t) / self.Y.size

            MSELoss.backward = mse_loss_backward

        def no_half():
            """лишний множитель 2: у E = ½ Σ (t − y)² двойка из производной квадрата сокращается с ½."""
            def mse_loss_backward(self):
                return 2 * (self.Y - self.t) / self.Y.shape[0]

            MSELoss.backward = mse_loss_backward


@exercise(outputs=("элементов в ∂Z/∂W", "элементов в ∂Z/∂X"))
class jacobian_entries:
    cases = _jacobian_cases
    features = _jacobian_features

    class mistakes:
        def one_example(M, n_in, n_out):
            """посчитан якобиан одного примера; Z — это выходы всех M примеров пакета."""
            return n_out * n_in * n_out, n_out * n_in

        def block_diagonal_only(M, n_in, n_out):
            """в ∂Z/∂X учтены только производные выходов примера по его собственному входу; якобиан
            содержит и (нулевые) производные по входам других примеров — их тоже надо хранить."""
            return M * n_out * n_in * n_out, M * n_out * n_in

        def summed_shapes(M, n_in, n_out):
            """размеры осей сложены, а число элементов тензора — их произведение."""
            return M + n_out + n_in + n_out, M + n_out + M + n_in


@exercise(outputs=("X", "dZ"))
class rows_from_columns:
    cases = _columns_cases
    features = _columns_features

    class mistakes:
        def missing_1_over_M(Delta, Y):
            """в dZ нет множителя 1/M: δ_k в Δ — производные потерь одного примера, а потери пакета —
            их среднее."""
            return Y.T, Delta.T

        def not_transposed(Delta, Y):
            """dZ не транспонирован: в курсе примеры — строки, dZ формы (M, n_вых)."""
            return Y.T, Delta / Delta.shape[1]

        def times_M(Delta, Y):
            """умножено на M, а среднее по пакету делит на M."""
            return Y.T, Delta.T * Delta.shape[1]


# --- how the grader reads the kernel's evidence (outside the kernel) ----------------------------
# The probe's last output is how many computations of bpcourse.nn ran inside the student's
# method (bpcourse.nn.probe_calls): verify.library_count_reader.

LIBRARY_HINT = ("метод вызвал bpcourse.nn (готовые слои или потери курса) вместо своей формулы. Баллы "
                "даются за вашу собственную формулу: напишите вычисление сами, на numpy, по лекции.")


for _name in ['linear_layer_forward', 'linear_layer_backward', 'sigmoid_layer_forward', 'sigmoid_layer_backward', 'relu_layer_forward', 'relu_layer_backward', 'mse_loss_forward', 'mse_loss_backward']:
    verify.reads_evidence(_name, verify.library_count_reader(LIBRARY_HINT))
verify.OWN_FORMULA.update(("linear_layer_backward", "sigmoid_layer_backward", "relu_layer_backward",
                           "mse_loss_backward"))
