"""Every shortcut the benchmarks made nnkit take computes exactly what the plain formula computes."""

import warnings

import numpy as np
import pytest

from nnkit.nn import LSTM, RNN, CrossEntropyLoss, Linear, ReLU, Sequential, Sigmoid
from nnkit.nn.activation import sigmoid
from nnkit.optim import SGD


def mlp(dtype=np.float64, seed=0):
    np.random.seed(seed)
    return Sequential(Linear(5, 7, dtype=dtype), ReLU(), Linear(7, 3, dtype=dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_input_grad_false_gives_the_same_parameter_gradients(dtype):
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(dtype)
    grad = np.random.default_rng(2).standard_normal((4, 3)).astype(dtype)
    full, skipping = mlp(dtype), mlp(dtype)
    full(x), skipping(x)
    grad_x = full.backward(grad)
    assert grad_x.shape == x.shape
    assert skipping.backward(grad, input_grad=False) is None
    for (name, a), (_, b) in zip(full.named_parameters(), skipping.named_parameters()):
        np.testing.assert_array_equal(a.grad, b.grad, err_msg=name)


def test_input_grad_false_still_returns_the_gradient_when_the_first_layer_is_not_linear():
    model = Sequential(ReLU(), Linear(3, 2))
    x = np.array([[1.0, -2.0, 3.0]])
    model(x)
    grad_x = model.backward(np.ones((1, 2)), input_grad=False)
    assert grad_x.shape == (1, 3) and grad_x[0, 1] == 0


def test_linear_quick_input_check_and_full_conversion_agree():
    """A list, an int array or a float64 array into a float32 layer take the slow path; same numbers."""
    np.random.seed(0)
    layer = Linear(3, 2, dtype=np.float32)
    rows = [[1, 2, 3], [4, 5, 6]]
    expected = np.asarray(rows, dtype=np.float32) @ layer.weight.data.T + layer.bias.data
    for given in (rows, np.array(rows), np.array(rows, dtype=np.float64), np.array(rows, dtype=np.float32)):
        y = layer(given)
        assert y.dtype == np.float32
        np.testing.assert_allclose(y, expected, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_on_class_indices_equals_the_one_hot_formula(dtype):
    """Indices skip building the one-hot rows; the loss and gradient are those of the one-hot target."""
    rng = np.random.default_rng(3)
    scores = (5 * rng.standard_normal((9, 4))).astype(dtype)
    labels = rng.integers(0, 4, 9)
    by_index, by_one_hot = CrossEntropyLoss(), CrossEntropyLoss()
    value = by_index(scores, labels)
    reference = by_one_hot(scores, np.eye(4, dtype=dtype)[labels])
    tolerance = 1e-6 if dtype == np.float32 else 1e-13
    assert value == pytest.approx(reference, rel=tolerance)
    gradient = by_index.backward()
    assert gradient.dtype == dtype
    np.testing.assert_allclose(gradient, by_one_hot.backward(), rtol=tolerance, atol=tolerance)
    # and the definition itself: -mean log softmax at the label, gradient (p - t) / N
    shifted = scores.astype(np.float64) - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    assert value == pytest.approx(-log_p[np.arange(9), labels].mean(), rel=tolerance)


def test_sigmoid_equals_the_two_branch_formula_and_stays_silent_at_extremes():
    """The reference twin: e^x/(1+e^x) for x < 0 and 1/(1+e^-x) otherwise (no exponent can overflow)."""
    x = np.concatenate([np.linspace(-740, 740, 100_001), [-1e4, -1e300, 1e4, 1e300, 0.0]])
    e = np.exp(-np.abs(x))
    reference = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = sigmoid(x)
        layer_values = Sigmoid()(x)
    # equal to the last bits where the value is a normal float; below 1e-300 both are 0 or subnormal
    np.testing.assert_allclose(values, reference, rtol=4e-16, atol=1e-300)
    np.testing.assert_array_equal(values, layer_values)
    assert sigmoid(np.float32(-100.0)) == 0 and sigmoid(np.float32(100.0)) == 1
    assert sigmoid(np.linspace(-3, 3, 7, dtype=np.float32)).dtype == np.float32


def bptt_reference(layer, x, grad_output):
    """Backpropagation through time for the LSTM, one step at a time, exactly as its docstring writes it.

    Returns dL/dx, dL/dW_ih, dL/dW_hh, dL/db (the same for b_ih and b_hh), dL/dh0, dL/dc0.
    """
    w_ih, w_hh = layer.weight_ih_l0.data, layer.weight_hh_l0.data
    bias = layer.bias_ih_l0.data + layer.bias_hh_l0.data
    batch, length, _ = x.shape
    hidden = layer.hidden_size
    h, c = np.zeros((batch, hidden)), np.zeros((batch, hidden))
    states = []
    for t in range(length):
        a = x[:, t] @ w_ih.T + h @ w_hh.T + bias
        i, f, o = (1 / (1 + np.exp(-a[:, k * hidden:(k + 1) * hidden])) for k in (0, 1, 3))
        g = np.tanh(a[:, 2 * hidden:3 * hidden])
        c_previous, h_previous = c, h
        c = f * c + i * g
        h = o * np.tanh(c)
        states.append((i, f, g, o, c_previous, h_previous, c))
    grads = [np.zeros_like(x), np.zeros_like(w_ih), np.zeros_like(w_hh), np.zeros_like(bias)]
    grad_h_later, grad_c_later = np.zeros((batch, hidden)), np.zeros((batch, hidden))
    for t in reversed(range(length)):
        i, f, g, o, c_previous, h_previous, c = states[t]
        grad_h = grad_output[:, t] + grad_h_later
        grad_c = grad_c_later + grad_h * o * (1 - np.tanh(c) ** 2)
        delta = np.concatenate([grad_c * g * i * (1 - i), grad_c * c_previous * f * (1 - f),
                                grad_c * i * (1 - g**2), grad_h * np.tanh(c) * o * (1 - o)], axis=1)
        grads[0][:, t] = delta @ w_ih
        grads[1] += delta.T @ x[:, t]
        grads[2] += delta.T @ h_previous
        grads[3] += delta.sum(axis=0)
        grad_h_later, grad_c_later = delta @ w_hh, grad_c * f
    return (*grads, grad_h_later, grad_c_later)


def lstm_forward_reference(layer, x):
    """The LSTM's forward pass exactly as its docstring writes it, sigma(a) = 1/(1 + e^{-a}): outputs, h_n, c_n."""
    w_ih, w_hh = layer.weight_ih_l0.data, layer.weight_hh_l0.data
    bias = layer.bias_ih_l0.data + layer.bias_hh_l0.data
    hidden = layer.hidden_size
    h = c = np.zeros((x.shape[0], hidden))
    outputs = []
    for t in range(x.shape[1]):
        a = x[:, t] @ w_ih.T + h @ w_hh.T + bias
        i, f, o = (1 / (1 + np.exp(-a[:, k * hidden:(k + 1) * hidden])) for k in (0, 1, 3))
        c = f * c + i * np.tanh(a[:, 2 * hidden:3 * hidden])
        h = o * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


def test_lstm_backward_equals_step_by_step_bptt():
    """nnkit's LSTM (time-major buffers, one input product for all steps) gives the plain per-step loop's numbers."""
    np.random.seed(4)
    layer = LSTM(3, 5)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 3))
    grad_output = rng.standard_normal((2, 6, 5))
    outputs = layer(x)
    ref_outputs, ref_h_n, ref_c_n = lstm_forward_reference(layer, x)
    for ours, theirs in ((outputs, ref_outputs), (layer.h_n, ref_h_n), (layer.c_n, ref_c_n)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    grad_x = layer.backward(grad_output)
    ref_x, ref_w_ih, ref_w_hh, ref_b, ref_h0, ref_c0 = bptt_reference(layer, x, grad_output)
    for ours, theirs in ((grad_x, ref_x), (layer.weight_ih_l0.grad, ref_w_ih), (layer.weight_hh_l0.grad, ref_w_hh),
                         (layer.bias_ih_l0.grad, ref_b), (layer.bias_hh_l0.grad, ref_b), (layer.grad_h0, ref_h0),
                         (layer.grad_c0, ref_c0)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_rnn_backward_equals_step_by_step_bptt():
    np.random.seed(6)
    layer = RNN(3, 4)
    rng = np.random.default_rng(7)
    x, grad_output = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 4))
    outputs = layer(x)
    grad_x = layer.backward(grad_output)
    w_hh, w_ih = layer.weight_hh_l0.data, layer.weight_ih_l0.data
    grad_h_later, ref_x = np.zeros((2, 4)), np.zeros_like(x)
    for t in reversed(range(5)):
        delta = (grad_output[:, t] + grad_h_later) * (1 - outputs[:, t] ** 2)
        ref_x[:, t] = delta @ w_ih
        grad_h_later = delta @ w_hh
    np.testing.assert_allclose(grad_x, ref_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.grad_h0, grad_h_later, rtol=1e-12, atol=1e-12)


def test_a_training_step_with_the_fast_paths_decreases_the_loss():
    rng = np.random.default_rng(8)
    x, labels = rng.standard_normal((32, 5)), rng.integers(0, 3, 32)
    model, loss_fn = mlp(), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.5)
    first = loss_fn(model(x), labels)
    for _ in range(20):
        loss_fn(model(x), labels)
        optimizer.zero_grad()
        model.backward(loss_fn.backward(), input_grad=False)
        optimizer.step()
    assert loss_fn(model(x), labels) < 0.8 * first


def max_pool_backward_reference(x, grad_output, kernel, stride):
    """dL/dx of 2-D max pooling, one window at a time: the window's gradient goes to its (first) maximum."""
    grad_x = np.zeros_like(x)
    for n, c, i, j in np.ndindex(*grad_output.shape):
        window = x[n, c, i * stride[0]:i * stride[0] + kernel[0], j * stride[1]:j * stride[1] + kernel[1]]
        p, q = np.unravel_index(np.argmax(window), window.shape)  # argmax: the first maximum in row-major order
        grad_x[n, c, i * stride[0] + p, j * stride[1] + q] += grad_output[n, c, i, j]
    return grad_x


@pytest.mark.parametrize(("kernel", "stride"), [((2, 2), (2, 2)), ((3, 3), (3, 3)), ((2, 3), (3, 4)),
                                                ((3, 3), (2, 2)), ((3, 2), (1, 2))])
def test_max_pool_backward_writes_or_adds_like_the_window_loop(kernel, stride):
    """Non-overlapping windows (stride >= kernel) write each gradient in place; overlapping ones add."""
    from nnkit.nn import MaxPool2d

    rng = np.random.default_rng(9)
    x = rng.integers(-3, 4, (2, 3, 11, 10)).astype(np.float64)  # small integers: many ties
    pool = MaxPool2d(kernel, stride=stride)
    y = pool(x)
    grad_output = rng.standard_normal(y.shape)
    # overlapping windows add their gradients in another order than the loop: equal to rounding
    np.testing.assert_allclose(pool.backward(grad_output), max_pool_backward_reference(x, grad_output, kernel, stride),
                               rtol=0, atol=1e-14)


@pytest.mark.parametrize("layer_class", [RNN, LSTM])
def test_recurrent_float32_stays_float32_and_extreme_inputs_stay_finite(layer_class):
    """No silent upcast anywhere in the fast loops; saturated gates (|a| ~ 1e4) give finite, silent results."""
    np.random.seed(10)
    layer = layer_class(3, 4, dtype=np.float32)
    x = (1e4 * np.random.default_rng(11).standard_normal((2, 5, 3))).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outputs = layer(x)
        grad_x = layer.backward(np.ones_like(outputs))
    assert outputs.dtype == grad_x.dtype == layer.grad_h0.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in layer.parameters())
    assert np.isfinite(outputs).all() and np.isfinite(grad_x).all() and np.abs(outputs).max() <= 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sum_rows_is_the_column_sum(dtype):
    """Bias gradients are summed over samples as the product 1^T a; the reference twin is a.sum(axis=0)."""
    from nnkit.nn.rnn import sum_rows

    a = np.random.default_rng(12).standard_normal((1600, 7)).astype(dtype)
    total = sum_rows(a)
    assert total.dtype == dtype and total.shape == (7,)
    tolerance = 1e-3 if dtype == np.float32 else 1e-11
    np.testing.assert_allclose(total, a.astype(np.float64).sum(axis=0), rtol=0, atol=tolerance)
