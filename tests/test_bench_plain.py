"""The benchmarks' plain numpy reference computes what nnkit computes, so timing the two compares like with like."""

import numpy as np
import pytest

from bench import plain
from nnkit import nn
from nnkit.optim import SGD


def test_plain_mlp_takes_the_same_training_step_as_nnkit():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 6)), rng.integers(0, 3, 40)
    np.random.seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    reference = plain.PlainMLP((6, 5, 4, 3), np.float64, X, y, like=model, lr=0.1)
    loss_fn, optimizer = nn.CrossEntropyLoss(), SGD(model.parameters(), lr=0.1)
    batches = [np.arange(0, 20), np.arange(20, 40)]
    for batch in batches:
        loss = loss_fn(model(X[batch]), y[batch])
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        assert reference.step(X[batch], y[batch]) == pytest.approx(loss, rel=1e-12)
    for index, (weight, bias) in enumerate(zip(reference.weights, reference.biases)):
        np.testing.assert_allclose(weight, model[2 * index].weight.data, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(bias, model[2 * index].bias.data, rtol=1e-12, atol=1e-14)
    assert reference.accuracy(X, y) == float((model(X).argmax(axis=1) == y).mean())


@pytest.mark.parametrize("layer_class, function", [(nn.RNN, plain.rnn_pass), (nn.LSTM, plain.lstm_pass)])
def test_plain_recurrent_passes_match_the_nnkit_layers(layer_class, function):
    np.random.seed(3)
    layer = layer_class(4, 5)
    rng = np.random.default_rng(1)
    x, grad = rng.standard_normal((3, 7, 4)), rng.standard_normal((3, 7, 5))
    outputs = layer(x)
    grad_x = layer.backward(grad)
    state = layer.state_dict()
    names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    plain_outputs, plain_grad_x, grad_w_ih, grad_w_hh, grad_bias = function(x, grad, *(state[n] for n in names))
    np.testing.assert_allclose(plain_outputs, outputs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(plain_grad_x, grad_x, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grad_w_ih, layer.weight_ih_l0.grad, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grad_w_hh, layer.weight_hh_l0.grad, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grad_bias, layer.bias_ih_l0.grad, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grad_bias, layer.bias_hh_l0.grad, rtol=1e-10, atol=1e-13)
