"""One neuron: the linear classifier, logistic regression and its loss, a hidden layer of
sigmoid neurons, and why two linear layers are one (notebook 03; MML minor #3 slides).

Conventions: a batch of points is a float64 array ``X`` of shape (M, n), one point per row
(n = 2 on the plane); the weights of one neuron are ``w = [w0, w1, ..., wn]`` of shape (n + 1,),
``w0`` the bias, so ``d(x) = w0 + w1 x1 + w2 x2`` on the plane; labels are ``y`` in {0, 1} of
shape (M,) (the slides' -1 is our 0);
a layer is ``Z = X W + b`` with ``W`` of shape (n_in, n_out) (the slides' XW = Z).
The sigmoid forward and backward live in :mod:`solutions.activations`.
"""
from __future__ import annotations

import numpy as np

from solutions.activations import sigmoid


def decision_function(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """d(x) = w0 + w1 x1 + ... + wn xn for every row of X (w0 + w1 x1 + w2 x2 on the plane).

    Parameters
    ----------
    X : ndarray of shape (M, n), n features per point (n = 2 on the plane)
    w : ndarray of shape (n + 1,), [w0, w1, ..., wn]

    Returns
    -------
    d : ndarray of shape (M,)
    """
    return w[0] + X @ w[1:]


def logistic(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """a(x) = sigma(d(x)): the probability of class 1, without overflow for large |d|.

    Parameters
    ----------
    X : ndarray of shape (M, n)
    w : ndarray of shape (n + 1,)

    Returns
    -------
    a : ndarray of shape (M,), in [0, 1]
    """
    return sigmoid(decision_function(X, w))


def logistic_loss(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Mean log loss -(1/M) sum [y log a + (1 - y) log(1 - a)] for labels y in {0, 1}.

    Parameters
    ----------
    X : ndarray of shape (M, n)
    y : ndarray of shape (M,), labels 0.0 or 1.0
    w : ndarray of shape (n + 1,)

    Returns
    -------
    float
    """
    d = decision_function(X, w)
    # log(1 + e^d) - y d is the same loss, written without log of a probability
    return float(np.mean(np.logaddexp(0.0, d) - y * d))


def logistic_loss_grad(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Gradient of :func:`logistic_loss` with respect to w: (1/M) sum (a - y) [1, x1, x2].

    Parameters
    ----------
    X : ndarray of shape (M, n)
    y : ndarray of shape (M,), labels 0.0 or 1.0
    w : ndarray of shape (n + 1,)

    Returns
    -------
    dw : ndarray of shape (n + 1,)
    """
    err = (logistic(X, w) - y) / X.shape[0]
    return np.concatenate([[np.sum(err)], X.T @ err])


def hidden_features(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A hidden layer of sigmoid neurons, one line each: sigma(X W + b).

    Parameters
    ----------
    X : ndarray of shape (M, n_in)
    W : ndarray of shape (n_in, n_out); column i holds the line i's w_{1,i}, w_{2,i}
    b : ndarray of shape (n_out,); b[i] is the line i's w_{0,i}

    Returns
    -------
    ndarray of shape (M, n_out), the new features (the slides' z_1 ... z_n)
    """
    return sigmoid(X @ W + b)


def collapse_linear(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray):
    """The single linear layer (W, b) equal to two linear layers without activation:
    (X W1 + b1) W2 + b2 = X W + b for every X.

    Parameters
    ----------
    W1 : ndarray of shape (n_in, n_hidden)
    b1 : ndarray of shape (n_hidden,)
    W2 : ndarray of shape (n_hidden, n_out)
    b2 : ndarray of shape (n_out,)

    Returns
    -------
    W : ndarray of shape (n_in, n_out)
    b : ndarray of shape (n_out,)
    """
    return W1 @ W2, b1 @ W2 + b2
