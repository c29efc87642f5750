"""Every worked number in the lecture notes, reproduced with nnkit's public API.

Each test names the deck (../shared/seeds/) and the printed digits it checks.
"""

import numpy as np
import pytest

import nnkit
from nnkit import nn


def sigmoid_neuron(weights, bias):
    neuron = nn.Sequential(nn.Linear(len(weights), 1), nn.Sigmoid())
    neuron.load_state_dict({"0.weight": np.array([weights], dtype=float), "0.bias": np.array([bias], dtype=float)})
    return neuron


def test_sigmoid_neuron_outputs_0_999():
    # 003: w = [0, 1], b = 4, x = [2, 3] -> w.x + b = 7 -> sigmoid(7) = 0.999
    neuron = sigmoid_neuron([0, 1], 4)
    assert neuron[0](np.array([[2.0, 3.0]]))[0, 0] == 7
    assert round(neuron(np.array([[2.0, 3.0]]))[0, 0], 3) == 0.999


def test_feedforward_2_2_1_outputs_0_7216():
    # 003: all weights [0, 1], biases 0, sigmoid; h1 = h2 = f(3) = 0.9526, o1 = f(0.9526) = 0.7216
    network = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    network.load_state_dict({"0.weight": [[0, 1], [0, 1]], "0.bias": [0, 0], "2.weight": [[0, 1]], "2.bias": [0]})
    output = network(np.array([[2.0, 3.0]]))
    hidden = network[1](network[0](np.array([[2.0, 3.0]])))
    assert np.round(hidden, 4).tolist() == [[0.9526, 0.9526]]
    assert round(output[0, 0], 4) == 0.7216


def test_mse_of_always_male_is_0_5():
    # 003: y_true = [1, 0, 0, 1] (Alice, Bob, Charlie, Diana), y_pred = 0 for all -> MSE = 0.5
    assert nn.MSELoss()(np.zeros(4), np.array([1.0, 0, 0, 1])) == 0.5


def alice_network():
    # 003: all weights 1, all biases 0, sigmoid everywhere; only Alice (x = [-2, -1], y = 1) in the data set
    network = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    network.load_state_dict({"0.weight": np.ones((2, 2)), "0.bias": np.zeros(2), "2.weight": np.ones((1, 2)),
                             "2.bias": np.zeros(1)})
    return network, np.array([[-2.0, -1.0]]), np.array([[1.0]])


def test_backprop_dl_dw1_example():
    # 003: h1 = h2 = 0.0474, o1 = 0.524, dL/dy_pred = -0.952, dy_pred/dh1 = 0.249, dh1/dw1 = -0.0904, dL/dw1 = 0.0214.
    # The deck rounds as it goes: -0.952 is -2(1 - 0.524) with o1 already rounded (unrounded: -0.9526), and
    # 0.0214 is the product of the three rounded factors. The exact gradient is 0.02147.
    network, x, y = alice_network()
    loss_fn = nn.MSELoss()
    y_pred = network(x)
    hidden = network[1].saved_values()[1]
    assert np.round(hidden, 4).tolist() == [[0.0474, 0.0474]]
    assert round(y_pred[0, 0], 3) == 0.524
    loss_fn(y_pred, y)
    dl_dypred = loss_fn.backward()
    assert round(dl_dypred[0, 0], 4) == -0.9526
    assert round(-2 * (1 - round(y_pred[0, 0], 3)), 3) == -0.952
    network.backward(dl_dypred)
    # w1 connects x1 to h1: row 0, column 0 of the first layer's weight (PyTorch layout (out, in))
    assert round(network[0].weight.grad[0, 0], 5) == 0.02147
    # the three chain-rule factors, read off the values the forward pass saved
    (z_hidden, hidden), (z_out, output) = network[1].saved_values(), network[3].saved_values()
    assert z_hidden[0, 0] == -3 and round(output[0, 0], 4) == 0.5237
    assert round(z_out[0, 0], 4) == 0.0949  # the deck's 0.0948 is 0.0474 + 0.0474, rounded before adding
    dypred_dh1 = network[2].weight.data[0, 0] * output[0, 0] * (1 - output[0, 0])
    dh1_dw1 = x[0, 0] * hidden[0, 0] * (1 - hidden[0, 0])
    assert round(dypred_dh1, 3) == 0.249 and round(hidden[0, 0] * (1 - hidden[0, 0]), 4) == 0.0452
    assert round(dh1_dw1, 4) == -0.0904
    assert dl_dypred[0, 0] * dypred_dh1 * dh1_dw1 == pytest.approx(network[0].weight.grad[0, 0], rel=1e-12)
    assert round(-0.952 * 0.249 * -0.0904, 4) == 0.0214  # the deck's printed figure, from its rounded factors


@pytest.mark.parametrize(
    ("gate", "bias", "truth"),
    [("AND", -0.8, [0, 0, 0, 1]), ("OR", -0.3, [0, 1, 1, 1])],
)
def test_logic_gates_with_printed_weights(gate, bias, truth):
    # 002: w1 = w2 = 0.5, b = -0.8 (AND) or -0.3 (OR); z values printed for three inputs
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    perceptron = nnkit.Perceptron(2)
    perceptron.weights, perceptron.bias = np.array([0.5, 0.5]), bias
    assert perceptron.predict(X).tolist() == truth
    z = perceptron.weighted_sum(X)
    printed = {"AND": [-0.8, -0.3, -0.3, 0.2], "OR": [-0.3, 0.2, 0.2, 0.7]}[gate]
    np.testing.assert_allclose(z, printed, atol=1e-12)
    # the same neuron as a Linear layer with the Step activation
    neuron = nn.Sequential(nn.Linear(2, 1), nn.Step())
    neuron.load_state_dict({"0.weight": [[0.5, 0.5]], "0.bias": [bias]})
    assert neuron(X)[:, 0].tolist() == truth


def test_gradient_descent_step_sign():
    # 003: w1 <- w1 - eta * dL/dw1; with dL/dw1 = 0.0214 > 0 a step lowers w1 and lowers the loss.
    # (000 prints the update as p_u = -g * r * p_o, a slip: the update subtracts r * g from p_o.)
    network, x, y = alice_network()
    loss_fn = nn.MSELoss()
    before = loss_fn(network(x), y)
    network.backward(loss_fn.backward())
    optimizer = nnkit.optim.SGD(network.parameters(), lr=0.1)
    w1 = network[0].weight.data[0, 0]
    optimizer.step()
    assert network[0].weight.data[0, 0] == pytest.approx(w1 - 0.1 * network[0].weight.grad[0, 0], abs=1e-15)
    assert loss_fn(network(x), y) < before


def test_tanh_derivative_slip():
    # 002 prints tanh'(z) = (1 - tanh z)^2; the right derivative is 1 - tanh^2 z (checked numerically).
    z = np.array([1.0])
    report = nnkit.gradcheck(lambda v: np.tanh(v).sum(), z, grad=lambda v: 1 - np.tanh(v) ** 2)
    assert report.passed
    slip = nnkit.gradcheck(lambda v: np.tanh(v).sum(), z, grad=lambda v: (1 - np.tanh(v)) ** 2)
    assert not slip.passed
