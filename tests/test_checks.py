"""bpcourse.checks: type, then shape, then finiteness, then values — each with its own message."""
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from bpcourse import checks


def fails(fn, *args, **kwargs) -> str:
    with pytest.raises(checks.CheckError) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, AssertionError)  # nbgrader scores the cell 0
    return str(info.value)


def test_pass_prints_one_line_on_stdout_only(capsys):
    checks.check_close("x", np.ones((2, 1)), np.ones((2, 1)))
    out = capsys.readouterr()
    assert out.out.startswith("✔ x") and out.err == ""


def test_type_then_shape_then_finite_then_value():
    assert "вернула None" in fails(checks.check_close, "dW", None, np.ones((2, 2)))
    assert "ожидался тип ndarray, получен list" in fails(checks.check_close, "dW", [[1.0]], np.ones((1, 1)))
    msg = fails(checks.check_close, "dW", np.ones((3, 2)), np.ones((2, 3)))
    assert "неверная форма" in msg and "(2, 3)" in msg and "(3, 2)" in msg and ".T" in msg
    assert "потерянная ось" in fails(checks.check_close, "db", np.ones(3), np.ones((3, 1)))
    assert "broadcasting" in fails(checks.check_close, "z", np.ones((3, 3)), np.ones((3, 1)))
    assert "NaN или inf" in fails(checks.check_close, "a", np.array([1.0, np.nan]), np.ones(2))
    msg = fails(checks.check_close, "a", np.array([1.0, 2.5]), np.array([1.0, 2.0]))
    assert "элементе (1,)" in msg and "относительная ошибка" in msg


def test_sign_flip_and_known_wrong_values_are_named():
    assert "знаки перевёрнуты" in fails(checks.check_close, "g", -np.arange(1.0, 4.0), np.arange(1.0, 4.0))
    msg = fails(checks.check_close, "E", 0.5, 0.25, wrong=[(0.5, "нет множителя ½")])
    assert "нет множителя ½" in msg


def test_scalar_expected_rejects_arrays_and_none():
    assert "ожидалось число" in fails(checks.check_close, "E", np.ones(2), 1.0)
    assert "None" in fails(checks.check_close, "E", None, 1.0)


def test_check_raises_and_not_implemented():
    checks.check_raises("f", ValueError, lambda: (_ for _ in ()).throw(ValueError("x")))
    assert "ничего не подняла" in fails(checks.check_raises, "f", ValueError, lambda: 1)
    def stub():
        raise NotImplementedError()
    assert "ещё не реализована" in fails(checks.check_raises, "f", ValueError, stub)
    assert "ещё не реализована" in fails(checks.check_not_implemented, "f", stub)


def test_check_gradient_reports_the_error():
    checks.check_gradient("dx", np.ones(3), np.ones(3) + 1e-9)
    assert "rel_error = " in fails(checks.check_gradient, "dx", np.ones(3), 2 * np.ones(3))


def test_known_wrong_value_is_named_before_the_finiteness_check():
    """An unstable softmax returns NaN on large logits: its hint must win over "not finite"."""
    nan = np.array([[np.nan, np.nan, 0.0]])
    msg = fails(checks.check_close, "softmax(Z)", nan, np.array([[0.2, 0.3, 0.5]]),
                wrong=[(nan, "вычтите максимум")])
    assert "вычтите максимум" in msg and "NaN" not in msg
    # a NaN that is not the listed wrong value still gets the finiteness message
    msg = fails(checks.check_close, "softmax(Z)", np.array([[np.nan, 0.5, 0.5]]), np.array([[0.2, 0.3, 0.5]]),
                wrong=[(nan, "вычтите максимум")])
    assert "NaN или inf" in msg and "(0, 0)" in msg and "вычтите максимум" not in msg


def test_wrong_value_written_with_eight_digits_still_matches():
    got = np.array([0.12345678912, 0.5])
    msg = fails(checks.check_close, "x", got, np.array([0.3, 0.5]), wrong=[([0.12345679, 0.5], "ошибка A")])
    assert "ошибка A" in msg


def test_scalar_not_finite_is_proper_russian():
    msg = fails(checks.check_close, "E", float("inf"), 1.0)
    assert "получено inf — не конечное число" in msg and "скаляр" not in msg and "элемент" not in msg
    msg = fails(checks.check_finite, "E", float("nan"))
    assert "получено nan" in msg


def test_nan_never_passes_a_value_comparison():
    assert "NaN" in fails(checks.check_close, "x", np.array([np.nan]), np.array([1.0]))


MESSAGES_WITH_LATIN = re.compile(r"[A-Za-z_]{4,}")
ALLOWED_LATIN = {"return", "None", "ndarray", "list", "float", "keepdims", "axis", "broadcasting", "rel_error",
                 "NotImplementedError", "raise", "asarray", "ValueError", "TypeError", "dtype", "int"}


@pytest.mark.parametrize("call", [
    lambda: checks.check_close("x", None, np.ones(2)),
    lambda: checks.check_close("x", [1.0, 2.0], np.ones(2)),
    lambda: checks.check_close("x", np.ones(3), np.ones((3, 1))),
    lambda: checks.check_close("x", np.ones((3, 3)), np.ones((3, 1))),
    lambda: checks.check_close("x", np.ones((2, 3)), np.ones((3, 2))),
    lambda: checks.check_close("x", np.array([1.0, np.inf]), np.ones(2)),
    lambda: checks.check_close("x", float("nan"), 1.0),
    lambda: checks.check_close("x", np.ones(2), 1.0),
    lambda: checks.check_close("x", 2.0, 1.0),
    lambda: checks.check_gradient("x", np.ones(2), 2 * np.ones(2)),
    lambda: checks.check_raises("x", ValueError, lambda: 1),
])
def test_messages_are_russian_apart_from_code_names(call):
    with pytest.raises(checks.CheckError) as info:
        call()
    words = set(MESSAGES_WITH_LATIN.findall(str(info.value)))
    assert words <= ALLOWED_LATIN, words


def test_warnings_go_to_stdout_as_a_short_note(capsys):
    """nbgrader scores a test cell with stderr output 0: a harmless warning must not go there."""
    checks.route_warnings()
    P = np.array([0.0, 0.5, 0.5])
    with np.errstate(all="warn"):
        h = -np.sum(np.where(P > 0, P * np.log(P), 0.0))
    checks.check_close("entropy(P)", h, np.log(2))
    out = capsys.readouterr()
    assert out.err == ""
    assert "⚠ предупреждение" in out.out and "RuntimeWarning" in out.out and "log" in out.out
    assert "✔ entropy(P): верно" in out.out


def test_warnings_are_routed_in_a_fresh_interpreter_after_importing_the_checks():
    code = ("import warnings; from bpcourse import checks\n"
            "warnings.warn('осторожно', RuntimeWarning)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert "⚠ предупреждение" in run.stdout and "RuntimeWarning: осторожно" in run.stdout


# --- the named visible checks of the notebooks (one per exercise) ---------------------------------
def exercise_checks() -> dict[str, str]:
    """{exercise: assignment} for every test cell of a source notebook that calls a named check."""
    from autograde.source import assignments, read_source

    found = {}
    for a in assignments():
        for cell in read_source(a).cells:
            name = cell.metadata.get("nbgrader", {}).get("grade_id", "").removeprefix("check_")
            if cell.metadata.get("nbgrader", {}).get("grade") and f"checks.check_{name}({name})" in cell.source:
                found[name] = a
    return found


NAMED = exercise_checks()


def given_names(assignment: str) -> dict:
    """What a notebook gives its solution cells: the names of its code cells that only import or
    define functions (e.g. notebook 04's ``sigmoid``), not solution or test cells."""
    import ast

    from autograde.source import read_source

    ns = {"np": np}
    for cell in read_source(assignment).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("solution") or meta.get("grade"):
            continue
        body = ast.parse(cell.source).body
        if body and all(isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef)) for n in body):
            exec(cell.source, ns)
    return ns


def student_function(code: str, name: str, given: dict | None = None):
    ns = dict(given) if given else {"np": np}
    exec(code, ns)
    return ns[name]


def test_the_long_checks_are_named_checks():
    assert set(NAMED) >= {"squared_error", "numerical_derivative", "worst_entry", "directional_derivative", "derivative_error",
                          "count_paths", "softmax", "logsumexp", "cross_entropy", "softmax_cross_entropy",
                          "softmax_backward", "softmax_t", "entropy", "softmax_t_cross_entropy"}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_a_named_check_passes_the_solution_and_prints_only_passes(name, capsys):
    from autograde.release import solution_code
    from autograde.source import read_source

    fn = student_function(solution_code(read_source(NAMED[name]))[name], name, given_names(NAMED[name]))
    with np.errstate(all="ignore"):
        getattr(checks, f"check_{name}")(fn)
    out = capsys.readouterr()
    assert out.err == "" and out.out.count("✔") >= 1, out
    assert all(line.startswith("✔") for line in out.out.splitlines()), out.out


#: one typical mistake per named check, and the specific hint (shape, sign, transpose, 1/M …) it gets
WRONG = {
    "squared_error": ("def squared_error(t, o):\n    if t.shape != o.shape:\n        raise ValueError('shapes')\n"
                      "    return float(np.sum((t - o) ** 2))", "нет множителя ½"),
    "numerical_derivative": ("def numerical_derivative(f, x, h=1e-5):\n    return float((f(x + h) - f(x - h)) / (2 * h))",
                             "массив точек): поднята TypeError"),
    "worst_entry": ("def worst_entry(a, b):\n    e = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))\n"
                    "    return float(e.max()), int(np.argmax(e))", "через np.unravel_index"),
    "directional_derivative": ("def directional_derivative(f, x, v, h=1e-5):\n    x += h * v\n    a = f(x)\n"
                               "    x -= 2 * h * v\n    b = f(x)\n    x += h * v\n    return (a - b) / (2 * h)",
                               "изменил x"),
    "derivative_error": ("def derivative_error(f, df, x, hs):\n"
                         "    return np.array([abs((f(x + h) - f(x - h)) / (2 * h) - df(x)) for h in np.ravel(hs)])",
                         "форма результата (4,), а должна быть формой hs"),
    "count_paths": ("def count_paths(adj, source, target):\n    p = np.zeros(len(adj))\n    p[0] = 1\n"
                    "    for j in range(1, target + 1):\n        p[j] += p[:j] @ adj[:j, j]\n    return int(p[target])",
                    "пути считаются от узла 0, а не от source"),
    "softmax": ("def softmax(Z):\n    e = np.exp(Z - Z.max())\n    return e / e.sum(axis=1, keepdims=True)",
                "максимум вычтен один на весь пакет"),
    "logsumexp": ("def logsumexp(Z):\n    m = Z.max(axis=1, keepdims=True)\n    return np.log(np.exp(Z - m).sum(axis=1))",
                  "максимум вычтен, но не прибавлен обратно"),
    "cross_entropy": ("def cross_entropy(Y, t):\n    return float(-np.sum(t * np.log(Y)))",
                      "не усреднено по пакету: разделите сумму на число примеров M = 3"),
    "softmax_cross_entropy": ("def softmax_cross_entropy(Z, t):\n    m = Z.max(axis=1, keepdims=True)\n"
                              "    log_y = Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))\n"
                              "    return float(-np.sum(t * log_y) / len(Z)), np.exp(log_y) - t",
                              "dZ = (y − t) / M, здесь M = 4"),
    "softmax_backward": ("def softmax_backward(dY, Y):\n    return -Y * (dY - np.sum(dY * Y, axis=1, keepdims=True))",
                         "перевёрнут знак: dz = Jᵀ dy"),
    "softmax_t": ("def softmax_t(Z, T):\n    S = Z * T\n    e = np.exp(S - S.max(axis=1, keepdims=True))\n"
                  "    return e / e.sum(axis=1, keepdims=True)", "логиты умножены на T, а нужно разделить"),
    "entropy": ("def entropy(P):\n    Q = np.where(P > 0, P, 1.0)\n    return -np.sum(P * np.log2(Q), axis=1)",
                "это биты (log2)"),
    "softmax_t_cross_entropy": ("def softmax_t_cross_entropy(Z, t, T):\n    S = Z / T\n"
                                "    m = S.max(axis=1, keepdims=True)\n"
                                "    log_y = S - m - np.log(np.exp(S - m).sum(axis=1, keepdims=True))\n"
                                "    return float(-np.sum(t * log_y) / len(Z)), (np.exp(log_y) - t) / len(Z)",
                                "пропущен множитель из ∂s/∂z"),
    # 04_network_by_hand
    "forward_222": ("def forward_222(w, i1, i2, t1, t2, b1, b2):\n    w1, w2, w3, w4, w5, w6, w7, w8 = w\n"
                    "    s = lambda x: 1 / (1 + np.exp(-x))\n    h1, h2 = s(w1 * i1 + w2 * i2 + b1), s(w3 * i1 + w4 * i2 + b1)\n"
                    "    o1, o2 = s(w5 * h1 + w6 * h2 + b1), s(w7 * h1 + w8 * h2 + b1)\n"
                    "    return h1, h2, o1, o2, 0.5 * ((t1 - o1) ** 2 + (t2 - o2) ** 2)", "o1 неверно"),
    "output_deltas": ("def output_deltas(o1, o2, t1, t2):\n    return o1 - t1, o2 - t2", "забыта производная сигмоиды f'"),
    "output_grads": ("def output_grads(delta_o1, delta_o2, h1, h2):\n"
                     "    return delta_o1 * h1, delta_o2 * h1, delta_o1 * h2, delta_o2 * h2",
                     "w6 соединяет h2 с o1"),
    "hidden_deltas": ("def hidden_deltas(delta_o1, delta_o2, h1, h2, w5, w6, w7, w8):\n"
                      "    return delta_o1 * w5 * h1 * (1 - h1), delta_o1 * w6 * h2 * (1 - h2)",
                      "учтён только путь через o1"),
    "hidden_grads": ("def hidden_grads(delta_h1, delta_h2, i1, i2):\n    return delta_h1 * i1, delta_h1 * i2, delta_h2 * i1",
                     "ожидалось 4 числа"),
    "update_step": ("def update_step(w, i1, i2, t1, t2, b1, b2, lr):\n    s = lambda x: 1 / (1 + np.exp(-x))\n"
                    "    w = w.copy()\n    h1, h2 = s(w[0] * i1 + w[1] * i2 + b1), s(w[2] * i1 + w[3] * i2 + b1)\n"
                    "    o1, o2 = s(w[4] * h1 + w[5] * h2 + b2), s(w[6] * h1 + w[7] * h2 + b2)\n"
                    "    d1, d2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)\n"
                    "    w[4:] -= lr * np.array([d1 * h1, d1 * h2, d2 * h1, d2 * h2])\n"
                    "    e1, e2 = (d1 * w[4] + d2 * w[6]) * h1 * (1 - h1), (d1 * w[5] + d2 * w[7]) * h2 * (1 - h2)\n"
                    "    w[:4] -= lr * np.array([e1 * i1, e1 * i2, e2 * i1, e2 * i2])\n    return w",
                    "w5…w8 обновлены раньше, чем посчитаны δ скрытых нейронов"),
    "chain_grads": ("def chain_grads(w, b, a_prev, y):\n    a = 1 / (1 + np.exp(-(w * a_prev + b)))\n"
                    "    d = (a - y) * a * (1 - a)\n    return d * a_prev, d, d * w", "потерян множитель 2"),
    # 03_neuron
    "decision_function": ("def decision_function(X, w):\n    return X @ w[1:]", "забыт свободный член w0"),
    "logistic": ("def logistic(X, w):\n    d = w[0] + X @ w[1:]\n    return np.exp(d) / (1 + np.exp(d))",
                 "e^d / (1 + e^d) даёт inf / inf = NaN"),
    "sigmoid_backward": ("def sigmoid_backward(da, a):\n    s = 1 / (1 + np.exp(-a))\n    return da * s * (1 - s)",
                         "применена к a, а a уже равно σ(z)"),
    "logistic_loss": ("def logistic_loss(X, y, w):\n    d = w[0] + X @ w[1:]\n"
                      "    return float(np.mean(np.log(1 + np.exp(-y * d))))", "перепутано соглашение о метках"),
    "logistic_loss_grad": ("def logistic_loss_grad(X, y, w):\n    a = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))\n"
                           "    e = (a - y) * a * (1 - a) / len(y)\n    return np.concatenate([[e.sum()], X.T @ e])",
                           "лишний множитель a(1 − a)"),
    "hidden_features": ("def hidden_features(X, W, b):\n    return X @ W + b", "нет сигмоиды"),
    "collapse_linear": ("def collapse_linear(W1, b1, W2, b2):\n    return W1 @ W2, b2",
                        "потерян свободный член первого слоя"),
    # 06_vector_form
    "column_forward": ("def column_forward(Ws, bs, x):\n    zs, acts = [], [x]\n    for W, b in zip(Ws, bs):\n"
                       "        zs.append(W.T @ acts[-1] + b)\n        acts.append(1 / (1 + np.exp(-zs[-1])))\n"
                       "    return zs, acts", "лишнее транспонирование W"),
    "column_output_delta": ("def column_output_delta(z, a, t):\n    return a - t", "забыт множитель f'(z^(L))"),
    "column_hidden_delta": ("def column_hidden_delta(W_next, delta_next, z, a):\n"
                            "    return (W_next @ delta_next) * a * (1 - a)", "пропущено транспонирование W^(l+1)"),
    "column_hidden_delta_loops": ("def column_hidden_delta_loops(W_next, delta_next, z, a):\n"
                                  "    d = np.zeros((W_next.shape[1], 1))\n"
                                  "    for j in range(W_next.shape[1]):\n"
                                  "        for k in range(W_next.shape[0]):\n"
                                  "            d[j, 0] += W_next[j, k] * delta_next[k, 0] * a[j, 0] * (1 - a[j, 0])\n"
                                  "    return d", "перепутаны индексы веса"),
    "column_grads": ("def column_grads(deltas, activations):\n"
                     "    return [d @ a for d, a in zip(deltas, activations)], [d.copy() for d in deltas]",
                     "пропущено транспонирование a^(l−1)"),
    # 05_deltas
    "sigmoid_prime": ("def sigmoid_prime(z):\n    return z * (1 - z)", "подставлен z вместо y"),
    "relu_prime": ("def relu_prime(z):\n    return (z >= 0) * 1.0", "в точке z = 0 производная ReLU"),
    "leaky_relu_prime": ("def leaky_relu_prime(z, alpha=0.01):\n    return np.where(z > 0, 1.0, 0.01)",
                         "параметр alpha не использован"),
    "delta_output": ("def delta_output(a, t, z, fprime):\n    return (a - t) * fprime(a)",
                     "взята в точке a (выход нейрона), а не в точке z"),
    "delta_hidden": ("def delta_hidden(delta_next, W_next, z, fprime):\n"
                     "    return (W_next @ delta_next) * fprime(z)", "перепутан порядок индексов веса"),
    "grads_from_delta": ("def grads_from_delta(delta, a_prev):\n    return delta @ a_prev.T, delta.ravel()",
                         "потерянная ось"),
    "jacobian_entries": ("def jacobian_entries(M, n_in, n_out):\n    return n_out * n_in * n_out, n_out * n_in",
                         "посчитан якобиан одного примера"),
    "rows_from_columns": ("def rows_from_columns(Delta, Y):\n    return Y.T.copy(), Delta.T", "в dZ нет множителя 1/M"),
    # 08_training
    "batch_order": ("def batch_order(rng, M, batch_size):\n    order = np.arange(M)\n"
                    "    return [order[s:s + batch_size] for s in range(0, M, batch_size)]", "примеры не перемешаны"),
    "train_epoch": ("def train_epoch(model, loss_fn, opt, X, T, batches):\n    losses = []\n    for idx in batches:\n"
                    "        opt.zero_grad()\n        losses.append(loss_fn.forward(model.forward(X[idx]), T[idx]))\n"
                    "        opt.step()\n        model.backward(loss_fn.backward())\n    return losses",
                    "шаг сделан до обратного прохода"),
    "grad_norm": ("def grad_norm(grads):\n    return float(sum(np.sqrt(np.sum(g ** 2)) for g in grads))",
                  "сложены нормы отдельных массивов"),
    "should_stop": ("def should_stop(losses, norm, eps_grad, eps_loss):\n"
                    "    return norm < eps_grad or (len(losses) >= 2 and losses[-2] - losses[-1] < eps_loss)",
                    "изменение потерь берётся по модулю"),
    "depth_ratio": ("def depth_ratio(Ws, zs, delta_L, fprime):\n    d = delta_L\n"
                    "    for l in range(len(Ws) - 2, 0, -1):\n        d = (Ws[l + 1].T @ d) * fprime(zs[l])\n"
                    "    return float(np.linalg.norm(d) / np.linalg.norm(delta_L))", "обход остановился на δ второго слоя"),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_named_check_names_the_mistake(name):
    code, hint = WRONG[name]
    with np.errstate(all="ignore"):
        msg = fails(getattr(checks, f"check_{name}"), student_function(code, name))
    assert hint in msg, msg


def test_every_named_check_has_a_mistake_here():
    assert set(WRONG) == set(NAMED)


def test_the_named_checks_hold_no_answer(repo):
    """Rule 8: no line of any exercise's solution is in the student library."""
    from autograde.release import solution_code
    from autograde.source import assignments, read_source

    library = (repo / "bpcourse" / "checks.py").read_text()
    for a in assignments():
        for name, code in solution_code(read_source(a)).items():
            for line in code.splitlines():
                line = line.strip()
                if len(line) > 12 and not line.startswith(("def ", "#", '"""', "return out")):
                    assert line not in library, (a, name, line)


# --- what a student sees of a failure in a real kernel -----------------------------------------
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def kernel():
    """A real IPython kernel (as in JupyterLab, nbgrader's Validate and the grader); yields
    ``run(code)`` -> the cell's (stdout, error output or None)."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")

    def run(code: str):
        msg_id = kc.execute(code)
        out, error = "", None
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return out, error
            if kind == "stream" and content["name"] == "stdout":
                out += content["text"]
            if kind == "error":
                error = dict(content, text="\n".join(ANSI.sub("", t) for t in content["traceback"]))
    try:
        out, error = run("import numpy as np\nfrom bpcourse import checks")
        assert error is None, error
        yield run
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def no_course_internals(text: str) -> bool:
    return not any(word in text for word in ("checks.py", "_fail", "bpcourse/", "engine_probe.py",
                                              "skipping hidden"))


def test_a_failed_check_shows_its_russian_message_first_and_the_student_s_line_only(kernel):
    _, error = kernel('t = np.array([1.0, 2.0])\n'
                      'checks.check_close("squared_error(t, o)", 2.25, 1.125, wrong=[(2.25, "нет множителя ½.")])\n')
    assert error["ename"] == "CheckError"
    assert error["text"].startswith("CheckError: squared_error(t, o): неверное значение.\nПодсказка: нет множителя ½.")
    assert '----> 2 checks.check_close("squared_error(t, o)"' in error["text"]      # the student's line
    assert no_course_internals(error["text"]), error["text"]
    # the message is not repeated at the end of the traceback
    assert error["text"].count("нет множителя ½.") == 2           # the message, and the quoted line
    # a check inside a helper function of the cell: both of the cell's lines, none of ours
    _, error = kernel('def helper(a):\n    checks.check_gradient("dx", a, 2 * a)\nhelper(np.ones(3))\n')
    assert error["text"].startswith("CheckError: dx: не совпадает с численным градиентом")
    assert "----> 3 helper(np.ones(3))" in error["text"] and "in helper(a)" in error["text"]
    assert no_course_internals(error["text"]), error["text"]
    # a check that caught the student's exception: no chained traceback through our frames
    _, error = kernel('def f():\n    raise TypeError("bad")\nchecks.check_raises("f()", ValueError, f)\n')
    assert error["text"].startswith("CheckError: f(): ожидалась ошибка ValueError, а поднята TypeError: bad")
    assert "During handling" not in error["text"] and no_course_internals(error["text"]), error["text"]


def test_an_unsolved_exercise_is_named_in_russian_and_the_cell_still_fails(kernel):
    kernel("def squared_error(t, o):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    out, error = kernel('checks.check_close("squared_error(t, o)", squared_error(1, 2), 1.0)\n')
    assert error["ename"] == "NotImplementedError"          # the cell fails, as before
    assert error["evalue"].startswith("Упражнение «squared_error» ещё не решено")
    assert error["text"].startswith("NotImplementedError: Упражнение «squared_error» ещё не решено")
    assert "----> 3     raise NotImplementedError()" in error["text"] and no_course_internals(error["text"])
    # raised in a closure of an exercise (02's _backward) and passed through a course helper
    kernel("def _add(self, other):\n    def _backward():\n        raise NotImplementedError()\n    return _backward\n")
    _, error = kernel("from bpcourse.checks import check_not_implemented\n"
                      "try:\n    check_not_implemented('x', lambda: 1 / 0)\nexcept ZeroDivisionError:\n    pass\n"
                      "import bpcourse.gradcheck as g\ng.numerical_gradient(lambda v: _add(1, 2)(), np.ones(2))\n")
    assert error["evalue"].startswith("Упражнение «_add» ещё не решено"), error
    assert "gradcheck.py" not in error["text"], error["text"]
    # a NotImplementedError raised by a library is not blamed on an exercise
    _, error = kernel("import asyncio\nasyncio.AbstractEventLoop().run_forever()\n")
    assert error["ename"] == "NotImplementedError" and "Упражнение" not in error["text"], error
    _, error = kernel("raise ValueError('ordinary')\n")
    assert error["text"].rstrip().endswith("ValueError: ordinary") and "Упражнение" not in error["text"]


def test_nbgrader_validate_shows_the_russian_message_of_a_failed_check_first(repo, tmp_path):
    """What nbgrader's Validate (the dialog's text) reports for a released notebook with one
    wrong answer and the other exercises not done."""
    import json

    from nbgrader.validator import Validator

    nb = json.loads((repo / "notebooks" / "00_intro" / "00_intro.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "squared_error":
            cell["source"] = ("def squared_error(t, o):\n    t, o = np.asarray(t, float), np.asarray(o, float)\n"
                              "    if t.shape != o.shape:\n        raise ValueError('shapes')\n"
                              "    return float(np.sum((t - o) ** 2))\n")
    path = tmp_path / "00_intro.ipynb"
    path.write_text(json.dumps(nb))
    failed = Validator().validate(str(path))["failed"]
    first = ANSI.sub("", failed[0]["raw_error"])
    assert first.startswith("CheckError: squared_error(t, o): неверное значение.\nПодсказка: нет множителя ½"), first
    assert no_course_internals(first), first
    for cell in failed[1:]:
        error = ANSI.sub("", cell["raw_error"])
        assert error.startswith("NotImplementedError: Упражнение «"), error
        assert no_course_internals(error), error


def test_the_feedback_of_a_blank_notebook_names_every_unsolved_exercise(repo, tmp_path):
    """A real grading run of the blank 00: under every check, a Russian line naming its exercise."""
    import html
    import json

    a = "00_intro"
    sub = tmp_path / "class" / "blank" / a
    sub.mkdir(parents=True)
    source = (repo / "samples" / "class" / "blank" / a / f"{a}.ipynb").read_bytes()
    (sub / f"{a}.ipynb").write_bytes(source)
    bpcourse = str(__import__("pathlib").Path(sys.executable).parent / "bpcourse")
    subprocess.run([bpcourse, "grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                    "--assignment", a, "--jobs", "1"], check=True, capture_output=True, timeout=900)
    page = html.unescape((tmp_path / "out" / "feedback" / "blank" / a / f"{a}.html").read_text())
    exercises = [c["metadata"]["nbgrader"]["grade_id"] for c in json.loads(source)["cells"]
                 if c["metadata"].get("nbgrader", {}).get("solution")]
    assert len(exercises) == 4
    for name in exercises:
        assert f"NotImplementedError: Упражнение «{name}» ещё не решено" in page, name


def test_a_student_s_exception_inside_a_named_check_shows_the_student_s_lines_only(kernel):
    kernel("def softmax(Z):\n    return np.exp(Z) @ np.ones(4)\n")
    _, error = kernel('"""Проверка softmax"""\nchecks.check_softmax(softmax)\n')
    assert error["ename"] == "ValueError"
    assert "----> 2 checks.check_softmax(softmax)" in error["text"]
    assert "----> 2     return np.exp(Z) @ np.ones(4)" in error["text"]
    assert no_course_internals(error["text"]), error["text"]
    # an unsolved exercise behind a named check: named in Russian, nothing of ours
    kernel("def softmax(Z):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    _, error = kernel("checks.check_softmax(softmax)\n")
    assert error["text"].startswith("NotImplementedError: Упражнение «softmax» ещё не решено")
    assert no_course_internals(error["text"]), error["text"]
    # other cells' errors keep IPython's usual look
    _, error = kernel("x = (1,\n")
    assert error["ename"] == "SyntaxError" and "Traceback" not in error["text"], error["text"]
    _, error = kernel("1 / 0\n")
    assert error["ename"] == "ZeroDivisionError" and "----> 1 1 / 0" in error["text"], error["text"]
