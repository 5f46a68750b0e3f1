"""SGD with zero_grad/step, the training loop and its stopping criteria."""
import numpy as np
from sklearn.datasets import load_digits

from solutions import layers
from solutions.mlp import MLP, SGD, grad_norm, train


def test_gradients_accumulate_until_zero_grad_and_step_descends():
    rng = np.random.default_rng(0)
    model = MLP((3, 4, 2), "tanh", rng)
    X, t = rng.normal(size=(5, 3)), np.eye(2)[[0, 1, 1, 0, 1]]
    loss, opt = layers.SoftmaxCrossEntropyLoss(), SGD(model.parameters(), lr=0.1)
    before = loss.forward(model.forward(X), t)
    model.backward(loss.backward())
    once = [p.grad.copy() for p in opt.params]
    loss.forward(model.forward(X), t)
    model.backward(loss.backward())
    for g1, p in zip(once, opt.params):
        np.testing.assert_allclose(p.grad, 2 * g1)          # accumulated, as in PyTorch
    opt.zero_grad()
    assert grad_norm([p.grad for p in opt.params]) == 0.0
    loss.forward(model.forward(X), t)
    model.backward(loss.backward())
    opt.step()
    assert loss.forward(model.forward(X), t) < before


def test_training_stops_on_small_gradient_or_small_change():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    t = np.eye(2)[(X[:, 0] + X[:, 1] > 0).astype(int)]
    h = train(MLP((2, 8, 2), "relu", rng), layers.SoftmaxCrossEntropyLoss(), X, t, epochs=500,
              batch_size=8, lr=0.5, rng=rng, eps_loss=1e-4)
    assert h.stopped == "loss_change" and len(h.loss) < 500 and h.loss[-1] < h.loss[0]
    h = train(MLP((2, 8, 2), "relu", rng), layers.SoftmaxCrossEntropyLoss(), X, t, epochs=50,
              batch_size=8, lr=0.5, rng=rng, eps_grad=10.0)
    assert h.stopped == "grad_norm" and len(h.loss) == 1


def test_digits_64_16_16_10_learns():
    """The 8×8 digits bundled with scikit-learn (no download): a 64-16-16-10 network."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    train_idx, test_idx = order[:1400], order[1400:]
    model = MLP((64, 16, 16, 10), "relu", rng)
    t = np.eye(10)[y]
    h = train(model, layers.SoftmaxCrossEntropyLoss(), X[train_idx], t[train_idx], epochs=30,
              batch_size=32, lr=0.1, rng=rng)
    accuracy = np.mean(np.argmax(model.forward(X[test_idx]), axis=1) == y[test_idx])
    assert h.loss[-1] < h.loss[0] / 5
    assert accuracy > 0.9, accuracy
