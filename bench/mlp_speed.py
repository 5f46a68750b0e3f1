"""Speed of the reference MLP: one training epoch, numpy reference vs PyTorch, and batch vs loop.

    python bench/mlp_speed.py [--repeats R]

Networks: 64-16-16-10 on scikit-learn's 8×8 digits (1 797 examples) and 784-256-10 on 6 000
generated 784-dimensional examples. Both implementations start from the same weights, use
float64 and the same shuffled mini-batches of 32 with SGD (lr 0.1) and softmax cross-entropy;
the script checks that they end the epoch with the same weights. It also runs the reference
one example at a time (a batch of 1 per step, same updates' count as examples) to show what
the vectorised mini-batch form buys. Prints the median ms per epoch and the ratios.
Needs torch (`pip install -e .[test]`; the CPU build).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from solutions import layers  # noqa: E402
from solutions.mlp import MLP, SGD  # noqa: E402

LR, BATCH = 0.1, 32


def epoch_numpy(model: MLP, X, T, order, batch):
    loss, opt = layers.SoftmaxCrossEntropyLoss(), SGD(model.parameters(), LR)
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        opt.zero_grad()
        loss.forward(model.forward(X[idx]), T[idx])
        model.backward(loss.backward())
        opt.step()


def torch_model(model: MLP, activation=torch.nn.ReLU):
    mods = []
    for layer in model.layers:
        if isinstance(layer, layers.Linear):
            lin = torch.nn.Linear(*layer.W.data.shape, dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(layer.W.data.T))
                lin.bias.copy_(torch.from_numpy(layer.b.data))
            mods.append(lin)
        else:
            mods.append(activation())
    return torch.nn.Sequential(*mods)


def epoch_torch(net, X, labels, order, batch):
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    lossf = torch.nn.CrossEntropyLoss()
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        opt.zero_grad()
        lossf(net(X[idx]), labels[idx]).backward()
        opt.step()


def median_ms(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench(name, sizes, X, y, repeats):
    rng = np.random.default_rng(0)
    T = np.eye(sizes[-1])[y]
    order = rng.permutation(len(y))
    Xt, yt, ordert = torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(order)

    # same start, one epoch each: the weights must agree
    model = MLP(sizes, "relu", np.random.default_rng(1))
    net = torch_model(model)
    epoch_numpy(model, X, T, order, BATCH)
    epoch_torch(net, Xt, yt, ordert, BATCH)
    W_ref = model.layers[0].W.data
    W_torch = next(net.parameters()).detach().numpy().T
    agree = np.max(np.abs(W_ref - W_torch))

    ref_ms = median_ms(lambda: epoch_numpy(MLP(sizes, "relu", np.random.default_rng(1)), X, T, order, BATCH), repeats)
    torch_ms = median_ms(lambda: epoch_torch(torch_model(MLP(sizes, "relu", np.random.default_rng(1))),
                                             Xt, yt, ordert, BATCH), repeats)
    n_loop = min(len(y), 600)   # the per-example loop is slow: time a slice and scale it
    loop_ms = median_ms(lambda: epoch_numpy(MLP(sizes, "relu", np.random.default_rng(1)), X, T,
                                            order[:n_loop], 1), max(1, repeats // 2)) * len(y) / n_loop
    print(f"\n{name}: {len(y)} examples, batches of {BATCH}, float64 "
          f"(max |ΔW| between the two after one epoch: {agree:.1e})")
    print(f"  {'implementation':<38}{'ms/epoch':>10}{'x reference':>13}")
    for label, ms in [("reference (numpy, mini-batch)", ref_ms), ("PyTorch CPU (same batches)", torch_ms),
                      ("reference, one example per step", loop_ms)]:
        print(f"  {label:<38}{ms:>10.1f}{ms / ref_ms:>13.2f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)")
    X, y = load_digits(return_X_y=True)
    bench("64-16-16-10 on the 8x8 digits", (64, 16, 16, 10), X / 16.0, y.astype(np.int64), args.repeats)
    rng = np.random.default_rng(7)
    centers = rng.normal(size=(10, 784))
    y2 = rng.integers(0, 10, size=6000)
    X2 = centers[y2] + rng.normal(scale=2.0, size=(6000, 784))
    bench("784-256-10 on generated data", (784, 256, 10), X2, y2.astype(np.int64), args.repeats)


if __name__ == "__main__":
    main()
