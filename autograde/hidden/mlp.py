"""Hidden checks of notebook 08: SGD's two methods, a batch order, one epoch, ‖∇E‖, the stopping test.

Every exercise runs alone (:mod:`bpcourse.train_probe`): ``SGD.step`` and ``SGD.zero_grad`` on
one object of the student's class over parameters the probe builds; ``batch_order`` on a
Generator the probe seeds; ``train_epoch`` on a network of :mod:`bpcourse.nn` layers with the
given initial weights, ``nn.MSELoss`` and ``nn.SGD`` (never the student's SGD) and the given
batches, so a correct loop reproduces the reference's weights to the last bits.

Every student's cases have the same structure with random values inside it (grading rule 3):

- SGD: three parameters of different shapes (so stopping after the first one shows), lr ≠ 1,
  nonzero data and gradients (so zeroing the data, or keeping old gradients, shows);
- batch_order: M not a multiple of batch_size in three cases of four (a dropped last batch
  shows), one multiple (a range that stops early shows), M > batch_size > 1;
- train_epoch: three batches, the last one smaller; M ≠ K ≠ n_in; lr ≠ 1; nonzero weights;
- grad_norm: four, two and one gradient arrays (only the first one, or one norm per array,
  shows), of both signs;
- should_stop (recorded with whether the answer is a bool, as the notebook promises): the same twelve
  situations for everyone — each criterion alone, both, neither,
  a loss rising and a loss falling fast, one epoch only, a value exactly equal to ε (the test
  is strict), a small loss that still changes fast, a change measured from the first epoch, a small change
  after only two epochs.
"""
from __future__ import annotations

import numpy as np

from autograde import verify
from autograde.hidden import exercise
from bpcourse import train_probe as probe
from solutions import mlp

SETUP = "from bpcourse import train_probe"

SGD_SHAPES = ((3, 2), (2,), (2, 4))
BATCH_SHAPES = ((10, 3), (7, 2), (13, 5), (12, 4))       # (M, batch_size)
EPOCH_SHAPES = ((7, 3, 4, 2, 3), (8, 2, 3, 3, 3))         # (M, n_in, n_hidden, K, batch_size)
NORM_SHAPES = (((3, 2), (2,), (2, 4), (4,)), ((1, 3), (3,)), ((5,),))


def _nonzero(rng, shape, low=0.2, high=1.5):
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _sgd_cases(rng):
    return [{"data": [_nonzero(rng, s) for s in SGD_SHAPES], "grads": [_nonzero(rng, s) for s in SGD_SHAPES],
             "lr": float(rng.uniform(0.05, 0.6))} for _ in range(3)]


def _sgd_features(cases):
    return tuple((len(c["data"]), all(np.all(g != 0) for g in c["grads"]), all(np.all(d != 0) for d in c["data"]),
                  c["lr"] != 1.0) for c in cases)


def _order_cases(rng):
    return [{"seed": int(rng.integers(0, 2**31)), "M": M, "batch_size": bs} for M, bs in BATCH_SHAPES]


def _order_features(cases):
    return tuple((c["M"] % c["batch_size"] != 0, c["M"] > c["batch_size"] > 1,
                  all(type(c[k]) is int for k in ("seed", "M", "batch_size"))) for c in cases)


def _epoch_cases(rng):
    cases = []
    for M, n_in, n_hidden, K, bs in EPOCH_SHAPES:
        order = list(rng.permutation(np.arange(1, M)))      # example 0 always in the last batch (structure)
        last = (M - 1) // bs * bs
        order.insert(int(rng.integers(last, M)), 0)
        order = np.array(order)
        cases.append({
            "weights": [_nonzero(rng, (n_in, n_hidden), 0.2, 1.0), _nonzero(rng, (n_hidden,), 0.1, 0.5),
                        _nonzero(rng, (n_hidden, K), 0.2, 1.0), _nonzero(rng, (K,), 0.1, 0.5)],
            "X": rng.normal(size=(M, n_in)), "T": rng.normal(size=(M, K)),
            "batches": [order[s:s + bs].astype(np.float64) for s in range(0, M, bs)],
            "lr": float(rng.uniform(0.2, 0.6))})
    return cases


def _epoch_features(cases):
    out = []
    for c in cases:
        sizes = [len(b) for b in c["batches"]]
        out.append((len(sizes), sizes[-1] < sizes[0], sorted(np.concatenate(c["batches"]).tolist()) ==
                    list(range(c["X"].shape[0])), c["lr"] != 1.0, c["T"].shape[1] != c["X"].shape[1]))
    return tuple(out)


def _both_signs(rng, shape):
    """Nonzero values, the first entry negative and the second positive."""
    g = np.abs(_nonzero(rng, shape, 0.05, 2.0))
    g.flat[0] *= -1.0
    return g * np.where(np.arange(g.size).reshape(shape) > 1, rng.choice([-1.0, 1.0], size=shape), 1.0)


def _norm_cases(rng):
    return [{"grads": [_both_signs(rng, s) for s in shapes]} for shapes in NORM_SHAPES]


def _norm_features(cases):
    return tuple((len(c["grads"]), all(np.any(g < 0) and np.any(g > 0) for g in c["grads"])) for c in cases)


def _stop_cases(rng):
    """Twelve situations (see the module docstring), random values inside each."""
    eg, el = float(rng.uniform(1e-3, 1e-2)), float(rng.uniform(1e-4, 1e-3))
    big_norm = lambda: float(rng.uniform(0.5, 3.0))                       # noqa: E731
    first = float(rng.uniform(1.0, 2.0))
    exact = float(rng.uniform(1.0, 1.5))            # exact + 0.25 and its difference with exact are exact

    def falling(n, last_change):
        """n losses falling by large steps, the last step of size last_change."""
        values = list(first - np.cumsum(rng.uniform(0.05, 0.2, size=n - 1)))
        values.insert(0, first)
        values[-1] = values[-2] - last_change
        return np.array(values)

    return [
        {"losses": falling(3, 5 * el), "norm": big_norm(), "eps_grad": eg, "eps_loss": el},          # neither
        {"losses": falling(3, 5 * el), "norm": eg * rng.uniform(0.1, 0.9), "eps_grad": eg, "eps_loss": el},  # ‖∇E‖
        {"losses": falling(4, el * rng.uniform(0.1, 0.9)), "norm": big_norm(), "eps_grad": eg, "eps_loss": el},  # |ΔE|
        {"losses": falling(3, el * rng.uniform(0.1, 0.9)), "norm": eg * rng.uniform(0.1, 0.9), "eps_grad": eg,
         "eps_loss": el},                                                                            # both
        {"losses": falling(3, -rng.uniform(0.05, 0.3)), "norm": big_norm(), "eps_grad": eg, "eps_loss": el},  # rising
        {"losses": falling(3, rng.uniform(0.05, 0.3)), "norm": big_norm(), "eps_grad": eg, "eps_loss": el},   # falling
        {"losses": np.array([first]), "norm": big_norm(), "eps_grad": eg, "eps_loss": 10.0},        # one epoch
        {"losses": falling(3, 0.1), "norm": eg, "eps_grad": eg, "eps_loss": el},                   # ‖∇E‖ = ε
        {"losses": np.array([exact + 0.25, exact]), "norm": big_norm(), "eps_grad": eg, "eps_loss": 0.25},  # |ΔE| = ε
        {"losses": np.array([first, el / 4]), "norm": big_norm(), "eps_grad": eg, "eps_loss": el},   # small E
        {"losses": np.array([first, first - 0.5, first - 0.5 - el / 3]), "norm": big_norm(), "eps_grad": eg,
         "eps_loss": el},                                                                            # from first
        {"losses": np.array([first, first - el * rng.uniform(0.1, 0.9)]), "norm": big_norm(), "eps_grad": eg,
         "eps_loss": el},                                                                            # two epochs
    ]


def _stop_features(cases):
    def verdicts(c):
        losses = c["losses"]
        change = abs(losses[-1] - losses[-2]) if len(losses) > 1 else None
        return (len(losses), c["norm"] < c["eps_grad"], c["norm"] == c["eps_grad"],
                None if change is None else (change < c["eps_loss"], change == c["eps_loss"]),
                None if change is None else bool(losses[-1] > losses[-2]), bool(losses[-1] < c["eps_loss"]))
    return tuple(verdicts(c) for c in cases)


SGD_OUTPUTS = ("W после шага", "b после шага", "W2 после шага", "W.grad", "b.grad", "W2.grad")

# --- the exercises: the hidden inputs, then each mistake as the student would write it -------


@exercise(reference=probe.sgd_step(mlp.SGD), outputs=SGD_OUTPUTS, whole_cell=True, setup=SETUP,
          recorded="train_probe.sgd_step(SGD)")
class sgd_step:
    cases = _sgd_cases
    features = _sgd_features

    class mistakes:
        def gradient_ascent():
            """параметры сдвинуты по градиенту, а не против него: это подъём, потери будут расти."""
            def sgd_step(self):
                for p in self.params:
                    p.data += self.lr * p.grad

            SGD.step = sgd_step

        def no_lr():
            """шаг сделан без скорости обучения self.lr."""
            def sgd_step(self):
                for p in self.params:
                    p.data -= p.grad

            SGD.step = sgd_step

        def only_first():
            """обновлён только первый параметр: return внутри цикла?"""
            def sgd_step(self):
                for p in self.params:
                    p.data -= self.lr * p.grad
                    return

            SGD.step = sgd_step

        def zeroes_grad():
            """step обнулил градиенты: это работа zero_grad, step их только читает."""
            def sgd_step(self):
                for p in self.params:
                    p.data -= self.lr * p.grad
                    p.grad = np.zeros_like(p.grad)

            SGD.step = sgd_step


@exercise(reference=probe.sgd_zero_grad(mlp.SGD), outputs=SGD_OUTPUTS, whole_cell=True, setup=SETUP,
          recorded="train_probe.sgd_zero_grad(SGD)")
class sgd_zero_grad:
    cases = _sgd_cases
    features = _sgd_features

    class mistakes:
        def zeroes_data():
            """обнулены сами параметры (p.data), а обнулить нужно их градиенты."""
            def sgd_zero_grad(self):
                for p in self.params:
                    p.data = np.zeros_like(p.data)

            SGD.zero_grad = sgd_zero_grad

        def scalar_zero():
            """градиент заменён числом 0: у p.grad должна остаться форма p.data."""
            def sgd_zero_grad(self):
                for p in self.params:
                    p.grad = 0.0

            SGD.zero_grad = sgd_zero_grad

        def only_first():
            """обнулён только градиент первого параметра: return внутри цикла?"""
            def sgd_zero_grad(self):
                for p in self.params:
                    p.grad = np.zeros_like(p.data)
                    return

            SGD.zero_grad = sgd_zero_grad


@exercise(reference=probe.seeded(mlp.batch_order), setup=SETUP, recorded="train_probe.seeded(batch_order)")
class batch_order:
    cases = _order_cases
    features = _order_features

    class mistakes:
        def not_shuffled(rng, M, batch_size):
            """примеры не перемешаны: пакеты идут по порядку 0, 1, 2, … в каждой эпохе."""
            order = np.arange(M)
            return [order[s:s + batch_size] for s in range(0, M, batch_size)]

        def drops_last(rng, M, batch_size):
            """последний неполный пакет потерян: каждый пример должен попасть в эпоху ровно один раз."""
            order = rng.permutation(M)
            return [order[s:s + batch_size] for s in range(0, M - batch_size + 1, batch_size)]

        def with_replacement(rng, M, batch_size):
            """индексы выбраны с возвращением: одни примеры повторяются, другие пропадают; нужна перестановка."""
            order = rng.integers(0, M, size=M)
            return [order[s:s + batch_size] for s in range(0, M, batch_size)]

        def own_generator(rng, M, batch_size):
            """перестановка взята не из переданного генератора rng: эпохи не будут воспроизводимы по его семени
            (и каждая эпоха получит один и тот же порядок)."""
            order = np.random.default_rng(0).permutation(M)
            return [order[s:s + batch_size] for s in range(0, M, batch_size)]


@exercise(reference=probe.epoch(mlp.train_epoch), setup=SETUP, recorded="train_probe.epoch(train_epoch)",
          outputs=("потери пакетов", "W1", "b1", "W2", "b2"), demo="no_zero_grad")
class train_epoch:
    cases = _epoch_cases
    features = _epoch_features

    class mistakes:
        def no_zero_grad(model, loss_fn, opt, X, T, batches):
            """градиенты не обнуляются перед шагом (нет opt.zero_grad()): backward добавляет в p.grad, и
            градиенты прошлых пакетов копятся."""
            losses = []
            for idx in batches:
                loss = loss_fn.forward(model.forward(X[idx]), T[idx])
                model.backward(loss_fn.backward())
                opt.step()
                losses.append(loss)
            return losses

        def step_before_backward(model, loss_fn, opt, X, T, batches):
            """шаг сделан до обратного прохода: opt.step() двигает параметры по градиентам, которых ещё нет."""
            losses = []
            for idx in batches:
                opt.zero_grad()
                loss = loss_fn.forward(model.forward(X[idx]), T[idx])
                opt.step()
                model.backward(loss_fn.backward())
                losses.append(loss)
            return losses

        def extra_1_over_M(model, loss_fn, opt, X, T, batches):
            """градиент ещё раз поделён на размер пакета: loss_fn.backward() уже несёт 1/M усреднённых потерь."""
            losses = []
            for idx in batches:
                opt.zero_grad()
                loss = loss_fn.forward(model.forward(X[idx]), T[idx])
                model.backward(loss_fn.backward() / len(idx))
                opt.step()
                losses.append(loss)
            return losses

        def shuffled_X_not_T(model, loss_fn, opt, X, T, batches):
            """перемешаны только входы X, а цели T остались в старом порядке: пример и его цель разъехались."""
            Xs = X[np.concatenate(batches)]
            losses, start = [], 0
            for idx in batches:
                stop = start + len(idx)
                opt.zero_grad()
                loss = loss_fn.forward(model.forward(Xs[start:stop]), T[start:stop])
                model.backward(loss_fn.backward())
                opt.step()
                losses.append(loss)
                start = stop
            return losses

        def loss_after_step(model, loss_fn, opt, X, T, batches):
            """записаны потери после шага (посчитанные заново), а нужны потери пакета до шага, те, по
            которым считался градиент."""
            losses = []
            for idx in batches:
                opt.zero_grad()
                loss_fn.forward(model.forward(X[idx]), T[idx])
                model.backward(loss_fn.backward())
                opt.step()
                losses.append(loss_fn.forward(model.forward(X[idx]), T[idx]))
            return losses


@exercise()
class grad_norm:
    cases = _norm_cases
    features = _norm_features

    class mistakes:
        def no_sqrt(grads):
            """не извлечён квадратный корень: это квадрат нормы."""
            return float(sum(np.sum(g ** 2) for g in grads))

        def sum_of_norms(grads):
            """сложены нормы отдельных массивов; норма всего градиента — корень из суммы квадратов всех чисел."""
            return float(sum(np.sqrt(np.sum(g ** 2)) for g in grads))

        def first_only(grads):
            """учтён только первый массив градиентов: ‖∇E‖ берётся по всем параметрам сети."""
            return float(np.sqrt(np.sum(grads[0] ** 2)))

        def max_abs(grads):
            """взят наибольший модуль, а не евклидова норма."""
            return float(max(np.max(np.abs(g)) for g in grads))


@exercise(reference=probe.verdict(mlp.should_stop), setup=SETUP, recorded="train_probe.verdict(should_stop)",
          outputs=("остановиться?", "результат — True или False"))
class should_stop:
    cases = _stop_cases
    features = _stop_features

    class mistakes:
        def no_abs(losses, norm, eps_grad, eps_loss):
            """изменение потерь взято без модуля: быстрый рост (или быстрое падение) потерь — не повод
            останавливаться."""
            if norm < eps_grad:
                return True
            return len(losses) >= 2 and losses[-2] - losses[-1] < eps_loss

        def loss_value(losses, norm, eps_grad, eps_loss):
            """сравнивается само значение потерь, а критерий — изменение потерь |ΔE| между эпохами."""
            return norm < eps_grad or losses[-1] < eps_loss

        def and_not_or(losses, norm, eps_grad, eps_loss):
            """критерии соединены через «и»: достаточно любого из двух."""
            return len(losses) >= 2 and norm < eps_grad and abs(losses[-1] - losses[-2]) < eps_loss

        def from_first(losses, norm, eps_grad, eps_loss):
            """изменение потерь измерено от первой эпохи, а нужно между двумя последними."""
            return norm < eps_grad or (len(losses) >= 2 and abs(losses[-1] - losses[0]) < eps_loss)

        def not_strict(losses, norm, eps_grad, eps_loss):
            """сравнение нестрогое: критерий — ‖∇E‖ < ε и |ΔE| < ε, равенство ещё не остановка."""
            return norm <= eps_grad or (len(losses) >= 2 and abs(losses[-1] - losses[-2]) <= eps_loss)

        def no_first_epoch_guard(losses, norm, eps_grad, eps_loss):
            """после первой эпохи ΔE ещё нет (одно значение потерь): функция упала на losses[-2]."""
            return norm < eps_grad or abs(losses[-1] - losses[-2]) < eps_loss


# --- how the grader reads the kernel's evidence (outside the kernel) ----------------------------
# The probe's last output is how many computations of bpcourse.nn ran inside the student's
# method (bpcourse.nn.probe_calls): verify.library_count_reader.

LIBRARY_HINT = ("метод вызвал bpcourse.nn (его SGD или слои) вместо своего кода. Баллы даются за ваш "
                "собственный шаг: обойдите self.params и измените p.data или p.grad сами.")


for _name in ['sgd_step', 'sgd_zero_grad']:
    verify.reads_evidence(_name, verify.library_count_reader(LIBRARY_HINT))
