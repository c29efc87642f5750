"""Rosenblatt's perceptron: zero start, one sample at a time, stops after a clean epoch."""

import numpy as np
import pytest

import nnkit

GATES = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


@pytest.mark.parametrize(("truth", "name"), [([0, 0, 0, 1], "AND"), ([0, 1, 1, 1], "OR"), ([1, 1, 1, 0], "NAND")])
def test_learns_linearly_separable_gates(truth, name):
    perceptron = nnkit.Perceptron(2)
    mistakes = perceptron.fit(GATES, truth, epochs=50)
    assert mistakes[-1] == 0 and all(m > 0 for m in mistakes[:-1])
    assert perceptron.predict(GATES).tolist() == truth


def test_and_trace_by_hand():
    # lr = 1, zero start, samples in order: the updates can be followed on paper
    perceptron = nnkit.Perceptron(2)
    mistakes = perceptron.fit(GATES, [0, 0, 0, 1], epochs=20)
    assert mistakes == [1, 3, 3, 2, 1, 0]
    assert perceptron.weights.tolist() == [2.0, 1.0] and perceptron.bias == -2.0
    # first update: sample (1, 1) predicted 0 (z = 0 is not > 0), so w += x, b += 1
    assert perceptron.history[1][0].tolist() == [1.0, 1.0] and perceptron.history[1][1] == 1.0


def test_xor_never_converges():
    perceptron = nnkit.Perceptron(2)
    mistakes = perceptron.fit(GATES, [0, 1, 1, 0], epochs=100)
    assert len(mistakes) == 100 and min(mistakes) >= 1


def test_converges_on_separable_blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-2, 0.5, (50, 2)), rng.normal(2, 0.5, (50, 2))])
    y = np.repeat([0, 1], 50)
    perceptron = nnkit.Perceptron(2, lr=0.1)
    assert perceptron.fit(X, y, epochs=100)[-1] == 0
    assert (perceptron.predict(X) == y).all()


def test_bad_input():
    perceptron = nnkit.Perceptron(2)
    with pytest.raises(ValueError, match="must be 0 or 1"):
        perceptron.fit(GATES, [0, 1, 2, 1])
    with pytest.raises(nnkit.ShapeError, match=r"X must have shape \(N, 2\), got \(4, 3\)"):
        perceptron.predict(np.ones((4, 3)))
    with pytest.raises(nnkit.ShapeError, match=r"y must have shape \(4,\), got \(3,\)"):
        perceptron.fit(GATES, [0, 1, 1])
