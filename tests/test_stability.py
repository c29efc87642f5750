"""Extreme inputs stay finite: sigmoid, softmax, cross-entropy and BCE at |x| up to 1e4 (property tests)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnkit import nn

extreme = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
matrices = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 5)), elements=extreme)


@settings(max_examples=200, deadline=None)
@given(matrices)
def test_sigmoid_finite_and_in_range(x):
    sigmoid = nn.Sigmoid()
    y = sigmoid(x)
    assert np.all(np.isfinite(y)) and np.all((y >= 0) & (y <= 1))
    assert np.all(np.isfinite(sigmoid.backward(np.ones_like(x))))


@settings(max_examples=200, deadline=None)
@given(matrices)
def test_softmax_rows_are_distributions(x):
    softmax = nn.Softmax(dim=1)
    y = softmax(x)
    assert np.all(np.isfinite(y)) and np.all(y >= 0)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.isfinite(softmax.backward(np.ones_like(x))))


@settings(max_examples=200, deadline=None)
@given(matrices, st.data())
def test_cross_entropy_finite(logits, data):
    labels = np.array(data.draw(st.lists(st.integers(0, logits.shape[1] - 1), min_size=len(logits),
                                         max_size=len(logits))))
    loss_fn = nn.CrossEntropyLoss()
    loss = loss_fn(logits, labels)
    grad = loss_fn.backward()
    assert np.isfinite(loss) and loss >= 0
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-12)  # softmax minus one-hot sums to zero


@settings(max_examples=200, deadline=None)
@given(matrices, st.data())
def test_bce_after_sigmoid_finite(logits, data):
    targets = data.draw(arrays(np.float64, logits.shape, elements=st.sampled_from([0.0, 1.0])))
    loss_fn = nn.BCELoss()
    loss = loss_fn(nn.Sigmoid()(logits), targets)
    assert np.isfinite(loss) and 0 <= loss <= 100  # each log is clamped at -100, as in PyTorch
    assert np.all(np.isfinite(loss_fn.backward()))


def test_known_extremes():
    assert nn.Sigmoid()(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]
    assert nn.Softplus()(np.array([1e4]))[0] == 1e4
    assert np.isfinite(nn.ELU()(np.array([1e4, -1e4]))).all()
    # a confident wrong answer costs its margin, not infinity
    assert nn.CrossEntropyLoss()(np.array([[1e4, -1e4]]), np.array([1])) == 2e4
