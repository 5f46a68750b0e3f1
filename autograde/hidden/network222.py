"""Hidden checks and mistakes of solutions/network222.py: the 2-2-2 network by hand (notebook 04).

Every student gets random networks inside one fixed structure (grading rule 3):

- weights w1 … w8 of both signs (|w| in [0.2, 1.5], at least two negative), pairwise at least
  0.1 apart, so that two weights confused with each other (w2 with w3, w6 with w7, the weights
  into o1 with those out of h1) give a different answer; inputs i1, i2 and biases b1, b2 at
  least 0.1 apart (inputs or biases swapped);
- targets: one output above its target and one below (|t − o| > 0.05 each): a sign error or a
  forgotten f' changes every δ by far more than the tolerance;
- each hidden δ is a sum of two paths of comparable size (each at least 15 % of the sum of
  their magnitudes) without cancellation (the sum at least 20 % of it): a hidden δ missing one
  path is far from the truth, and correct idioms agree to ~1e-15;
- learning rates away from 0.5 and 1 (a hard-coded 0.5 or a missing lr is wrong);
- the one-neuron chain: |w| and a^(L−1) at least 0.3 apart, |a − y| > 0.05 and a − y of both
  signs over the cases.

``features`` describes this structure; tests check that it is the same for every student.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import exercise
from solutions import network222 as ref

GAP = 0.1


def _apart(values, gap=GAP) -> bool:
    v = sorted(float(x) for x in values)
    return all(b - a >= gap for a, b in zip(v, v[1:]))


def _traits(net: dict) -> tuple:
    """The structure one random network must have (see the module docstring)."""
    w = net["w"]
    v = ref.forward(tuple(w), (net["i1"], net["i2"]), net["b1"], net["b2"])
    g = ref.gradients(tuple(w), (net["i1"], net["i2"]), (net["t1"], net["t2"]), net["b1"], net["b2"])
    d1, d2 = g["delta_o1"], g["delta_o2"]
    paths = [(d1 * w[4], d2 * w[6]), (d1 * w[5], d2 * w[7])]
    balanced = all(min(abs(a), abs(b)) >= 0.15 * (abs(a) + abs(b)) and abs(a + b) >= 0.2 * (abs(a) + abs(b))
                   for a, b in paths)
    e1, e2 = v["o1"] - net["t1"], v["o2"] - net["t2"]
    return tuple((name, bool(ok)) for name, ok in (
        ("weights of both signs", int(np.sum(w < 0)) >= 2 and int(np.sum(w > 0)) >= 2),
        ("weights in [0.2, 1.5] and pairwise apart", bool(np.all((np.abs(w) >= 0.2) & (np.abs(w) <= 1.5)))
         and _apart(w)),
        ("inputs apart, biases apart", abs(net["i1"] - net["i2"]) >= GAP and abs(net["b1"] - net["b2"]) >= GAP),
        ("one output above its target, one below", e1 * e2 < 0 and min(abs(e1), abs(e2)) > 0.05),
        ("two balanced paths into each hidden neuron", balanced),
    ))


def _draw_network(rng) -> dict:
    w = rng.uniform(0.2, 1.5, size=8) * rng.choice([-1.0, 1.0], size=8)
    i1, i2 = rng.uniform(0.05, 1.0, size=2)
    b1, b2 = rng.uniform(-0.5, 0.8, size=2)
    t1, t2 = rng.uniform(0.01, 0.99, size=2)
    return {"w": w, "i1": float(i1), "i2": float(i2), "t1": float(t1), "t2": float(t2),
            "b1": float(b1), "b2": float(b2)}


def _network(rng, tries: int = 10000) -> dict:
    """A random network inside the fixed structure (:func:`_traits` all true)."""
    for _ in range(tries):
        net = _draw_network(rng)
        if all(ok for _, ok in _traits(net)):
            return net
    raise RuntimeError("no network satisfies the structure")  # pragma: no cover - tested by test_verify


def _networks(rng, n=3) -> list[dict]:
    return [_network(rng) for _ in range(n)]


def _values(net: dict) -> tuple[dict, dict]:
    x, t = (net["i1"], net["i2"]), (net["t1"], net["t2"])
    return (ref.forward(tuple(net["w"]), x, net["b1"], net["b2"]),
            ref.gradients(tuple(net["w"]), x, t, net["b1"], net["b2"]))


# --- the cases of each exercise: values of real random networks ------------------------------

def _forward_cases(rng):
    return _networks(rng)


def _network_features(cases):
    return tuple(_traits(c) for c in cases)


def _output_deltas_cases(rng):
    out = []
    for net in _networks(rng):
        v, _ = _values(net)
        out.append({"o1": v["o1"], "o2": v["o2"], "t1": net["t1"], "t2": net["t2"]})
    return out


def _output_deltas_features(cases):
    return tuple(((c["o1"] - c["t1"]) * (c["o2"] - c["t2"]) < 0,
                  min(abs(c["o1"] - c["t1"]), abs(c["o2"] - c["t2"])) > 0.05) for c in cases)


def _output_grads_cases(rng):
    out = []
    for net in _networks(rng):
        v, g = _values(net)
        out.append({"delta_o1": g["delta_o1"], "delta_o2": g["delta_o2"], "h1": v["h1"], "h2": v["h2"]})
    return out


def _grads_features(cases, d1, d2, a1, a2):
    return tuple((bool(c[d1] * c[d2] < 0), bool(abs(c[a1] - c[a2]) >= 0.02)) for c in cases)


def _hidden_deltas_cases(rng):
    out = []
    for net in _networks(rng):
        v, g = _values(net)
        w = net["w"]
        out.append({"delta_o1": g["delta_o1"], "delta_o2": g["delta_o2"], "h1": v["h1"], "h2": v["h2"],
                    "w5": float(w[4]), "w6": float(w[5]), "w7": float(w[6]), "w8": float(w[7])})
    return out


def _hidden_deltas_features(cases):
    out = []
    for c in cases:
        paths = [(c["delta_o1"] * c["w5"], c["delta_o2"] * c["w7"]), (c["delta_o1"] * c["w6"], c["delta_o2"] * c["w8"])]
        out.append((all(min(abs(a), abs(b)) >= 0.15 * (abs(a) + abs(b)) and abs(a + b) >= 0.2 * (abs(a) + abs(b))
                        for a, b in paths), _apart([c["w5"], c["w6"], c["w7"], c["w8"]])))
    return tuple(out)


def _hidden_grads_cases(rng):
    out = []
    for net in _networks(rng):
        _, g = _values(net)
        out.append({"delta_h1": g["delta_h1"], "delta_h2": g["delta_h2"], "i1": net["i1"], "i2": net["i2"]})
    return out


def _hidden_grads_features(cases):
    return tuple((bool(abs(c["i1"] - c["i2"]) >= GAP), bool(abs(abs(c["delta_h1"]) - abs(c["delta_h2"]))
                  >= 0.05 * (abs(c["delta_h1"]) + abs(c["delta_h2"])))) for c in cases)


def _hidden_grads_cases_apart(rng, tries: int = 1000):
    for _ in range(tries):
        cases = _hidden_grads_cases(rng)
        if all(all(f) for f in _hidden_grads_features(cases)):
            return cases
    raise RuntimeError("no case satisfies the structure")  # pragma: no cover


def _output_grads_cases_apart(rng, tries: int = 1000):
    for _ in range(tries):
        cases = _output_grads_cases(rng)
        if all(all(f) for f in _grads_features(cases, "delta_o1", "delta_o2", "h1", "h2")):
            return cases
    raise RuntimeError("no case satisfies the structure")  # pragma: no cover


def _update_step_cases(rng):
    lrs = [rng.uniform(0.1, 0.4), rng.uniform(0.6, 0.9), rng.uniform(1.5, 3.0)]
    return [dict(net, lr=float(lr)) for net, lr in zip(_networks(rng), lrs)]


def _update_step_features(cases):
    return tuple((_traits({k: v for k, v in c.items() if k != "lr"}), c["lr"] < 0.45, 0.55 < c["lr"] < 0.95,
                  c["lr"] > 1.05) for c in cases)


def _chain_case(rng, above: bool):
    for _ in range(10000):
        w = float(rng.uniform(0.5, 2.0) * rng.choice([-1.0, 1.0]))
        b, a_prev = float(rng.uniform(-1.0, 1.0)), float(rng.uniform(0.05, 0.95))
        y = float(rng.uniform(0.0, 1.0))
        a = ref.sigmoid(w * a_prev + b)
        if abs(abs(w) - a_prev) >= 0.3 and abs(a - y) > 0.05 and (a > y) == above:
            return {"w": w, "b": b, "a_prev": a_prev, "y": y}
    raise RuntimeError("no case satisfies the structure")  # pragma: no cover


def _chain_cases(rng):
    return [_chain_case(rng, True), _chain_case(rng, False), _chain_case(rng, True)]


def _chain_features(cases):
    out = []
    for c in cases:
        a = ref.sigmoid(c["w"] * c["a_prev"] + c["b"])
        out.append((a > c["y"], abs(a - c["y"]) > 0.05, abs(abs(c["w"]) - c["a_prev"]) >= 0.3))
    return tuple(out)


# --- the exercises: the hidden inputs, then each mistake as the student would write it -------
# A mistake's code runs twice: in the grader, in the reference namespace (solutions.network222,
# whose names are the notebook's: math, np, sigmoid), and end to end as the student's solution
# cell; so it uses only those names and no helper of this file.


@exercise(outputs=("h1", "h2", "o1", "o2", "E_total"))
class forward_222:
    cases = _forward_cases
    features = _network_features

    class mistakes:
        def biases_swapped(w, i1, i2, t1, t2, b1, b2):
            """смещения слоёв перепутаны: b1 — смещение скрытого слоя, b2 — выходного."""
            w1, w2, w3, w4, w5, w6, w7, w8 = w
            h1 = sigmoid(w1 * i1 + w2 * i2 + b2)
            h2 = sigmoid(w3 * i1 + w4 * i2 + b2)
            o1 = sigmoid(w5 * h1 + w6 * h2 + b1)
            o2 = sigmoid(w7 * h1 + w8 * h2 + b1)
            E_total = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2
            return h1, h2, o1, o2, E_total

        def no_hidden_sigmoid(w, i1, i2, t1, t2, b1, b2):
            """в выходной слой переданы net_h1 и net_h2, а не активации h1, h2: сигмоида скрытого
            слоя пропущена."""
            w1, w2, w3, w4, w5, w6, w7, w8 = w
            net_h1 = w1 * i1 + w2 * i2 + b1
            net_h2 = w3 * i1 + w4 * i2 + b1
            o1 = sigmoid(w5 * net_h1 + w6 * net_h2 + b2)
            o2 = sigmoid(w7 * net_h1 + w8 * net_h2 + b2)
            E_total = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2
            return net_h1, net_h2, o1, o2, E_total

        def weights_confused(w, i1, i2, t1, t2, b1, b2):
            """веса связей перепутаны: у каждого нейрона свои два входящих веса — сверьтесь со
            схемой сети, какой вес соединяет какие два нейрона."""
            w1, w2, w3, w4, w5, w6, w7, w8 = w
            h1 = sigmoid(w1 * i1 + w3 * i2 + b1)
            h2 = sigmoid(w2 * i1 + w4 * i2 + b1)
            o1 = sigmoid(w5 * h1 + w7 * h2 + b2)
            o2 = sigmoid(w6 * h1 + w8 * h2 + b2)
            E_total = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2
            return h1, h2, o1, o2, E_total

        def no_half(w, i1, i2, t1, t2, b1, b2):
            """в E_total нет множителя ½ (в лекции ошибка каждого выхода — половина квадрата
            разности)."""
            w1, w2, w3, w4, w5, w6, w7, w8 = w
            h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
            h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
            o1 = sigmoid(w5 * h1 + w6 * h2 + b2)
            o2 = sigmoid(w7 * h1 + w8 * h2 + b2)
            E_total = (t1 - o1) ** 2 + (t2 - o2) ** 2
            return h1, h2, o1, o2, E_total


@exercise(outputs=("delta_o1", "delta_o2"))
class output_deltas:
    cases = _output_deltas_cases
    features = _output_deltas_features

    class mistakes:
        def forgot_fprime(o1, o2, t1, t2):
            """забыта производная сигмоиды f': δ — производная E по net_o (входу нейрона), а не
            по его выходу o."""
            return o1 - t1, o2 - t2

        def flipped_sign(o1, o2, t1, t2):
            """перевёрнут знак: проверьте знак ∂E/∂o при дифференцировании ½ (t − o)² по o."""
            return (t1 - o1) * o1 * (1 - o1), (t2 - o2) * o2 * (1 - o2)

        def fprime_of_activation(o1, o2, t1, t2):
            """f' посчитана от o, как будто o — это net_o (сигмоида применена второй раз);
            производную сигмоиды выражают через сохранённую активацию (слайд «Храним активации»)."""
            s1, s2 = sigmoid(o1), sigmoid(o2)
            return (o1 - t1) * s1 * (1 - s1), (o2 - t2) * s2 * (1 - s2)


@exercise(outputs=("dE/dw5", "dE/dw6", "dE/dw7", "dE/dw8"))
class output_grads:
    cases = _output_grads_cases_apart

    def features(cases):
        return _grads_features(cases, "delta_o1", "delta_o2", "h1", "h2")

    class mistakes:
        def wiring_swapped(delta_o1, delta_o2, h1, h2):
            """перепутаны связи: w6 соединяет h2 с o1, а w7 — h1 с o2 (посмотрите на схему сети)."""
            return delta_o1 * h1, delta_o2 * h1, delta_o1 * h2, delta_o2 * h2

        def flipped_sign(delta_o1, delta_o2, h1, h2):
            """перевёрнут знак: нужен сам градиент ∂E/∂w, минус появится только в шаге спуска."""
            return -delta_o1 * h1, -delta_o1 * h2, -delta_o2 * h1, -delta_o2 * h2

        def extra_fprime(delta_o1, delta_o2, h1, h2):
            """лишний множитель h(1 − h): производная сигмоиды выходного нейрона уже внутри δ, а
            net_o от веса зависит линейно."""
            return (delta_o1 * h1 * h1 * (1 - h1), delta_o1 * h2 * h2 * (1 - h2),
                    delta_o2 * h1 * h1 * (1 - h1), delta_o2 * h2 * h2 * (1 - h2))


@exercise(outputs=("delta_h1", "delta_h2"))
class hidden_deltas:
    cases = _hidden_deltas_cases
    features = _hidden_deltas_features

    class mistakes:
        def one_path(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):
            """учтён только путь через o1: скрытый нейрон влияет на E_total через оба выходных
            нейрона, и вклады двух путей складываются (слайд «Градиент скрытого слоя»)."""
            return delta_o1 * w5 * h1 * (1 - h1), delta_o1 * w6 * h2 * (1 - h2)

        def forgot_fprime(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):
            """забыта производная сигмоиды скрытого нейрона: δ_h — производная по net_h, а не по h."""
            return delta_o1 * w5 + delta_o2 * w7, delta_o1 * w6 + delta_o2 * w8

        def weights_confused(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):
            """веса путей перепутаны: путь от h1 к o2 идёт по весу, который соединяет именно h1 и o2
            (посмотрите на схему сети)."""
            return (delta_o1 * w5 + delta_o2 * w6) * h1 * (1 - h1), (delta_o1 * w7 + delta_o2 * w8) * h2 * (1 - h2)

        def fprime_of_activation(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):
            """f' посчитана от h, как будто h — это net_h (сигмоида применена второй раз);
            производную сигмоиды выражают через сохранённую активацию (слайд «Храним активации»)."""
            s1, s2 = sigmoid(h1), sigmoid(h2)
            return (delta_o1 * w5 + delta_o2 * w7) * s1 * (1 - s1), (delta_o1 * w6 + delta_o2 * w8) * s2 * (1 - s2)


@exercise(outputs=("dE/dw1", "dE/dw2", "dE/dw3", "dE/dw4"))
class hidden_grads:
    cases = _hidden_grads_cases_apart
    features = _hidden_grads_features

    class mistakes:
        def wiring_swapped(delta_h1, delta_h2, i1, i2):
            """перепутаны связи: w2 соединяет i2 с h1, а w3 — i1 с h2 (посмотрите на схему сети)."""
            return delta_h1 * i1, delta_h2 * i1, delta_h1 * i2, delta_h2 * i2

        def inputs_swapped(delta_h1, delta_h2, i1, i2):
            """входы перепутаны: w1 и w3 выходят из i1, w2 и w4 — из i2."""
            return delta_h1 * i2, delta_h1 * i1, delta_h2 * i2, delta_h2 * i1

        def flipped_sign(delta_h1, delta_h2, i1, i2):
            """перевёрнут знак: нужен сам градиент ∂E/∂w, минус появится только в шаге спуска."""
            return -delta_h1 * i1, -delta_h1 * i2, -delta_h2 * i1, -delta_h2 * i2


@exercise(demo="output_weights_updated_first")
class update_step:
    cases = _update_step_cases
    features = _update_step_features

    class mistakes:
        def output_weights_updated_first(w, i1, i2, t1, t2, b1, b2, lr):
            """w5…w8 обновлены раньше, чем посчитаны δ скрытых нейронов: все градиенты одного шага
            считаются по весам ДО шага."""
            w1, w2, w3, w4, w5, w6, w7, w8 = w
            h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
            h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
            o1 = sigmoid(w5 * h1 + w6 * h2 + b2)
            o2 = sigmoid(w7 * h1 + w8 * h2 + b2)
            delta_o1 = (o1 - t1) * o1 * (1 - o1)
            delta_o2 = (o2 - t2) * o2 * (1 - o2)
            w5 = w5 - lr * delta_o1 * h1
            w6 = w6 - lr * delta_o1 * h2
            w7 = w7 - lr * delta_o2 * h1
            w8 = w8 - lr * delta_o2 * h2
            delta_h1 = (delta_o1 * w5 + delta_o2 * w7) * h1 * (1 - h1)
            delta_h2 = (delta_o1 * w6 + delta_o2 * w8) * h2 * (1 - h2)
            return (w1 - lr * delta_h1 * i1, w2 - lr * delta_h1 * i2, w3 - lr * delta_h2 * i1,
                    w4 - lr * delta_h2 * i2, w5, w6, w7, w8)

        def ascent(w, i1, i2, t1, t2, b1, b2, lr):
            """шаг сделан вверх по градиенту: ошибка от такого шага растёт."""
            w1, w2, w3, w4, w5, w6, w7, w8 = w
            h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
            h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
            o1 = sigmoid(w5 * h1 + w6 * h2 + b2)
            o2 = sigmoid(w7 * h1 + w8 * h2 + b2)
            delta_o1 = (o1 - t1) * o1 * (1 - o1)
            delta_o2 = (o2 - t2) * o2 * (1 - o2)
            delta_h1 = (delta_o1 * w5 + delta_o2 * w7) * h1 * (1 - h1)
            delta_h2 = (delta_o1 * w6 + delta_o2 * w8) * h2 * (1 - h2)
            grads = (delta_h1 * i1, delta_h1 * i2, delta_h2 * i1, delta_h2 * i2,
                     delta_o1 * h1, delta_o1 * h2, delta_o2 * h1, delta_o2 * h2)
            return tuple(wk + lr * gk for wk, gk in zip(w, grads))

        def no_lr(w, i1, i2, t1, t2, b1, b2, lr):
            """не учтена скорость обучения lr: шаг — градиент, умноженный на lr."""
            w1, w2, w3, w4, w5, w6, w7, w8 = w
            h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
            h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
            o1 = sigmoid(w5 * h1 + w6 * h2 + b2)
            o2 = sigmoid(w7 * h1 + w8 * h2 + b2)
            delta_o1 = (o1 - t1) * o1 * (1 - o1)
            delta_o2 = (o2 - t2) * o2 * (1 - o2)
            delta_h1 = (delta_o1 * w5 + delta_o2 * w7) * h1 * (1 - h1)
            delta_h2 = (delta_o1 * w6 + delta_o2 * w8) * h2 * (1 - h2)
            grads = (delta_h1 * i1, delta_h1 * i2, delta_h2 * i1, delta_h2 * i2,
                     delta_o1 * h1, delta_o1 * h2, delta_o2 * h1, delta_o2 * h2)
            return tuple(wk - gk for wk, gk in zip(w, grads))

        def hidden_one_path(w, i1, i2, t1, t2, b1, b2, lr):
            """в δ скрытых нейронов учтён только путь через o1: вклады обоих выходных нейронов
            складываются (слайд «Градиент скрытого слоя»)."""
            w1, w2, w3, w4, w5, w6, w7, w8 = w
            h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
            h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
            o1 = sigmoid(w5 * h1 + w6 * h2 + b2)
            o2 = sigmoid(w7 * h1 + w8 * h2 + b2)
            delta_o1 = (o1 - t1) * o1 * (1 - o1)
            delta_o2 = (o2 - t2) * o2 * (1 - o2)
            delta_h1 = delta_o1 * w5 * h1 * (1 - h1)
            delta_h2 = delta_o1 * w6 * h2 * (1 - h2)
            grads = (delta_h1 * i1, delta_h1 * i2, delta_h2 * i1, delta_h2 * i2,
                     delta_o1 * h1, delta_o1 * h2, delta_o2 * h1, delta_o2 * h2)
            return tuple(wk - lr * gk for wk, gk in zip(w, grads))


@exercise(outputs=("dC/dw", "dC/db", "dC/da_prev"))
class chain_grads:
    cases = _chain_cases
    features = _chain_features

    class mistakes:
        def no_two(w, b, a_prev, y):
            """потерян множитель 2: у 3Blue1Brown C0 = (a − y)² — без ½."""
            a = sigmoid(w * a_prev + b)
            dz = (a - y) * a * (1 - a)
            return dz * a_prev, dz, dz * w

        def forgot_fprime(w, b, a_prev, y):
            """забыта производная сигмоиды ∂a^(L)/∂z^(L) — среднее звено цепочки."""
            dz = 2 * (sigmoid(w * a_prev + b) - y)
            return dz * a_prev, dz, dz * w

        def w_and_a_swapped(w, b, a_prev, y):
            """∂C/∂w и ∂C/∂a^(L−1) перепутаны: в последнем звене цепочки у них стоят разные
            множители — какой из них откуда?"""
            a = sigmoid(w * a_prev + b)
            dz = 2 * (a - y) * a * (1 - a)
            return dz * w, dz, dz * a_prev

        def flipped_sign(w, b, a_prev, y):
            """перевёрнут знак ∂C0/∂a^(L): проверьте, что C растёт, когда a удаляется от y."""
            a = sigmoid(w * a_prev + b)
            dz = 2 * (y - a) * a * (1 - a)
            return dz * a_prev, dz, dz * w
