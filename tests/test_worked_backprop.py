"""Chapter 6's backpropagation facts and the notes' slips on it, checked with nnkit's public API.

Seeds (../shared/seeds/): 000 is the one-neuron write-up (two weights, bias, ReLU, MSE, gradient descent),
001 and 003 are lecture decks (the layer equations; the worked dL/dw1 on Alice, see test_worked_examples.py).
"""

import numpy as np
import pytest

import nnkit
from nnkit import nn, optim
from nnkit.data import DataLoader
from nnkit.datasets import moons, people
from nnkit.gradcheck import numeric_gradient


def difference_quotient(f, a, h):
    return (f(a + h) - f(a)) / h


@pytest.mark.parametrize("h", [1e-1, 1e-3, 1e-5])
def test_limit_definition_gives_the_local_derivatives(h):
    # 000: f(w) = i w -> f'(w) = i;  f(b) = o + b -> f'(b) = 1 (the quotient is exact for every h: both are lines)
    i, w, o, b = -2.0, 0.7, 1.3, 0.4
    assert difference_quotient(lambda v: i * v, w, h) == pytest.approx(i, abs=1e-9)
    assert difference_quotient(lambda v: o + v, b, h) == pytest.approx(1.0, abs=1e-9)


def one_neuron(weights, bias):
    model = nn.Sequential(nn.Linear(2, 1), nn.ReLU())
    model.load_state_dict({"0.weight": [weights], "0.bias": [bias]})
    return model


def teacher_data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(16, 2))
    return X, np.maximum(X @ np.array([1.5, -0.5]) + 0.5, 0).reshape(-1, 1)


def test_one_relu_neuron_learns_its_two_weights_and_bias():
    # 000: 2 weights, bias, ReLU, MSE, gradient descent; the data come from ReLU(1.5 x1 - 0.5 x2 + 0.5)
    X, y = teacher_data()
    model, loss_fn = one_neuron([0.2, 0.4], 0.1), nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.2)
    first = None
    for _ in range(300):
        loss = loss_fn(model(X), y)
        first = loss if first is None else first
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    assert np.allclose(model[0].weight.data[0], [1.5, -0.5], atol=1e-3) and model[0].bias.data[0] == pytest.approx(
        0.5, abs=1e-3)
    assert first > 1 and loss < 1e-8


def test_the_printed_update_rule_is_a_slip():
    # 000 prints p_u = -g_p * r * p_o; gradient descent is p_u = p_o - r * g_p
    X, y = teacher_data()
    model, loss_fn, r = one_neuron([0.2, 0.4], 0.1), nn.MSELoss(), 0.1
    before = loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    weight, bias = model[0].weight, model[0].bias
    right = one_neuron((weight.data - r * weight.grad)[0], (bias.data - r * bias.grad)[0])
    printed = one_neuron((-weight.grad * r * weight.data)[0], (-bias.grad * r * bias.data)[0])
    assert loss_fn(right(X), y) < before < loss_fn(printed(X), y)
    # at a minimum the gradient is 0: the right rule stays, the printed one sends every parameter to 0
    optimum, zero = np.array([1.5, -0.5]), np.zeros(2)
    assert np.array_equal(optimum - r * zero, optimum) and np.all(-zero * r * optimum == 0)


def test_a_relu_neuron_with_a_large_negative_bias_never_learns():
    # 000's "interesting finding", the dying ReLU: z < 0 for every sample -> every gradient is exactly 0
    X, y = teacher_data()
    model, loss_fn = one_neuron([0.2, 0.4], -6.0), nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.2)
    for _ in range(50):
        loss_fn(model(X), y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    assert np.all(model[0].weight.grad == 0) and model[0].bias.grad[0] == 0
    assert model[0].weight.data[0].tolist() == [0.2, 0.4] and model[0].bias.data[0] == -6.0


def test_gradients_accumulate_until_zeroed():
    # 000: "the last piece of an iteration is to zero gradients" -- backward adds into Parameter.grad
    X, y = teacher_data()
    model, loss_fn = one_neuron([0.2, 0.4], 0.1), nn.MSELoss()
    for _ in range(2):
        loss_fn(model(X), y)
        model.backward(loss_fn.backward())
    twice = model[0].weight.grad.copy()
    model.zero_grad()
    loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    assert np.allclose(twice, 2 * model[0].weight.grad) and np.any(twice != 0)


def test_decks_dl_dw1_is_0_0215_by_finite_differences():
    # 003 prints 0.0214 (rounded factors multiplied); finite differences, no chain rule involved, give 0.02147
    network = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    network.load_state_dict({"0.weight": np.ones((2, 2)), "0.bias": np.zeros(2), "2.weight": np.ones((1, 2)),
                             "2.bias": np.zeros(1)})
    x, y, loss_fn = np.array([[-2.0, -1.0]]), np.array([[1.0]]), nn.MSELoss()
    numeric = numeric_gradient(lambda: loss_fn(network(x), y), network[0].weight.data)
    assert round(numeric[0, 0], 4) == 0.0215 and round(numeric[0, 0], 5) == 0.02147
    assert numeric[0, 0] == pytest.approx(numeric[1, 0]) == pytest.approx(numeric[0, 1] * 2)  # x1 = 2 x2
    assert round(-0.952 * 0.249 * -0.0904, 4) == 0.0214


def column_layout_gradients(network, X, y):
    """The lectures' equations with samples as columns: dZ = dA * g'(Z), dW = dZ A^T / m, db = sum dZ / m,
    dA[l-1] = W^T dZ; per-sample loss (a - y)^2; tanh hidden layers, sigmoid output."""
    linears = [layer for layer in network if isinstance(layer, nn.Linear)]
    activations = [X.T]
    for index, layer in enumerate(linears):
        z = layer.weight.data @ activations[-1] + layer.bias.data[:, None]
        activations.append(np.tanh(z) if index < len(linears) - 1 else 1 / (1 + np.exp(-z)))
    m = X.shape[0]
    dA = 2 * (activations[-1] - y.T)
    gradients = {}
    for depth in range(len(linears), 0, -1):
        a = activations[depth]
        dZ = dA * (a * (1 - a) if depth == len(linears) else 1 - a**2)
        gradients[depth] = (dZ @ activations[depth - 1].T / m, dZ.sum(axis=1) / m)
        dA = linears[depth - 1].weight.data.T @ dZ
    return gradients


def test_lecture_layer_equations_are_what_linear_backward_computes():
    # 001: dZ[l], dW[l], db[l], dA[l-1] with samples as columns == nnkit's batch-first G.T @ X, G.sum(0), G @ W
    np.random.seed(1)
    network = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid())
    X, y = np.random.randn(5, 3), np.random.rand(5, 1)
    loss_fn = nn.MSELoss()
    loss_fn(network(X), y)
    network.backward(loss_fn.backward())
    linears = [layer for layer in network if isinstance(layer, nn.Linear)]
    for depth, (dW, db) in column_layout_gradients(network, X, y).items():
        np.testing.assert_allclose(dW, linears[depth - 1].weight.grad, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(db, linears[depth - 1].bias.grad, rtol=1e-12, atol=1e-15)


def test_dw_needs_the_transpose_the_summary_slide_drops():
    # 001's summary prints dW[l] = dz[l] . a[l-1]; for columns of 4 and 3 numbers only dz a^T (4 x 3) exists
    rng = np.random.default_rng(0)
    dz, a_prev = rng.standard_normal((4, 1)), rng.standard_normal((3, 1))
    with pytest.raises(ValueError):
        dz @ a_prev
    layer = nn.Linear(3, 4)
    layer(a_prev.T)
    layer.backward(dz.T)
    np.testing.assert_allclose(dz @ a_prev.T, layer.weight.grad)


def test_dz_equals_a_minus_y_only_with_cross_entropy():
    # 001: dz[2] = a[2] - y holds for a sigmoid output with binary cross-entropy, not with the squared error
    a, y = np.array([[0.8], [0.3]]), np.array([[1.0], [0.0]])
    scores = np.log(a / (1 - a))
    results = {}
    for name, loss_fn in (("bce", nn.BCELoss()), ("mse", nn.MSELoss())):
        sigmoid = nn.Sigmoid()
        loss_fn(sigmoid(scores), y)
        results[name] = sigmoid.backward(loss_fn.backward()) * len(y)
    np.testing.assert_allclose(results["bce"], a - y)
    np.testing.assert_allclose(results["mse"], 2 * (a - y) * a * (1 - a))
    assert not np.allclose(results["mse"], a - y)


def test_gradcheck_catches_a_bias_gradient_divided_by_m_twice():
    class LinearWithBiasBug(nn.Linear):
        def backward(self, grad_output, input_grad=True):
            x = self.saved_values()
            self.weight.grad += grad_output.T @ x
            self.bias.grad += grad_output.mean(axis=0)
            return grad_output @ self.weight.data if input_grad else None

    np.random.seed(0)
    x = np.random.randn(5, 3)
    assert nnkit.gradcheck(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), x).passed
    report = nnkit.gradcheck(nn.Sequential(LinearWithBiasBug(3, 4), nn.ReLU(), nn.Linear(4, 2)), x)
    assert not report.passed and not report["0.bias"].passed and report["0.weight"].passed
    np.testing.assert_allclose(report["0.bias"].numeric, 5 * report["0.bias"].analytic, rtol=1e-6)


def test_weight_height_network_learns_the_four_people_with_sgd():
    # 003: 2-2-1 sigmoid network, MSE, stochastic gradient descent one person at a time
    table = people()
    X, y = table.X, table.y.reshape(-1, 1).astype(float)
    np.random.seed(0)
    network = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    loss_fn, optimizer = nn.MSELoss(), optim.SGD(network.parameters(), lr=0.1)
    before = loss_fn(network(X), y)
    for _ in range(1000):
        for x_person, y_person in DataLoader(X, y, batch_size=1, shuffle=False):
            loss_fn(network(x_person), y_person)
            optimizer.zero_grad()
            network.backward(loss_fn.backward())
            optimizer.step()
    prediction = network(X).ravel()
    assert np.all((prediction > 0.5) == (table.y == 1))
    assert loss_fn(network(X), y) < 0.01 < before


def test_ten_sigmoid_layers_shrink_the_first_layers_gradient_a_billionfold():
    X, labels = moons(200, seed=0)
    np.random.seed(0)
    layers, fan_in = [], 2
    for _ in range(10):
        layers += [nn.Linear(fan_in, 32), nn.Sigmoid()]
        fan_in = 32
    network = nn.Sequential(*layers, nn.Linear(32, 1))
    loss_fn = nn.MSELoss()
    loss_fn(network(X), labels.reshape(-1, 1).astype(float))
    network.backward(loss_fn.backward())
    norms = [np.linalg.norm(layer.weight.grad) for layer in network if isinstance(layer, nn.Linear)]
    assert norms[0] / norms[-1] < 1e-8
    assert all(earlier < later for earlier, later in zip(norms, norms[1:]))  # shrinks at every layer going back
