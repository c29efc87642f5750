"""The packaged training loop does what the explicit loop does, and early stopping restores the best weights."""

import numpy as np
import pytest

import nnkit
from nnkit import nn
from nnkit.training import accuracy, evaluate, fit, predict_classes, train_epoch


def blobs(seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(-1, 0.7, (40, 2)), rng.normal(1, 0.7, (40, 2))])
    return X, np.repeat([0, 1], 40)


def batches_of(X, y, size=16):
    return [(X[i:i + size], y[i:i + size]) for i in range(0, len(X), size)]


def test_train_epoch_equals_the_explicit_loop():
    X, y = blobs()
    np.random.seed(0)
    a = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
    b = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
    b.load_state_dict(a.state_dict())
    loss_fn = nn.CrossEntropyLoss()
    opt_a, opt_b = nnkit.optim.SGD(a.parameters(), lr=0.1), nnkit.optim.SGD(b.parameters(), lr=0.1)
    losses = []
    for xb, yb in batches_of(X, y):
        losses.append(loss_fn(a(xb), yb) * len(xb))
        opt_a.zero_grad()
        a.backward(loss_fn.backward())
        opt_a.step()
    assert train_epoch(b, loss_fn, opt_b, batches_of(X, y)) == pytest.approx(sum(losses) / len(X))
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[key], value)


def test_fit_learns_and_reports_history():
    X, y = blobs()
    np.random.seed(1)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    loss_fn = nn.CrossEntropyLoss()
    seen = []
    history = fit(model, loss_fn, nnkit.optim.Adam(model.parameters(), lr=0.05), batches_of(X, y), epochs=30,
                  validation=(X, y), callback=lambda epoch, h: seen.append(epoch))
    assert seen == list(range(30)) and len(history["train"]) == len(history["validation"]) == 30
    assert history["train"][-1] < 0.5 * history["train"][0]
    assert history["validation"][-1] == pytest.approx(evaluate(model, loss_fn, X, y))
    assert accuracy(model, X, y) > 0.9


def test_early_stopping_restores_best_weights():
    X, y = blobs()
    X_val, y_val = blobs(seed=9)
    np.random.seed(2)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 2))
    loss_fn = nn.CrossEntropyLoss()
    history = fit(model, loss_fn, nnkit.optim.Adam(model.parameters(), lr=0.3), batches_of(X, y), epochs=200,
                  validation=(X_val, y_val), patience=5)
    best = int(np.argmin(history["validation"]))
    assert len(history["validation"]) == best + 1 + 5  # stopped exactly `patience` epochs after the best
    assert evaluate(model, loss_fn, X_val, y_val) == pytest.approx(history["validation"][best])
    with pytest.raises(ValueError, match="validation"):
        fit(model, loss_fn, nnkit.optim.SGD(model.parameters(), lr=0.1), batches_of(X, y), 1, patience=2)


def test_predict_classes():
    assert predict_classes(np.array([[0.1, 0.9], [2.0, -1.0]])).tolist() == [1, 0]
    assert predict_classes(np.array([[0.2], [0.7]])).tolist() == [0, 1]
