"""The Module contract: names, gradient accumulation, zero_grad, state_dict, dtype."""

import numpy as np
import pytest

import nnkit
from nnkit import nn


def small_model():
    np.random.seed(0)
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))


def test_named_parameters_follow_pytorch():
    model = small_model()
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p.shape for p in model.parameters()] == [(3, 2), (3,), (1, 3), (1,)]
    assert nn.count_parameters(model) == 13


def test_backward_adds_into_grad_and_zero_grad_resets():
    model = small_model()
    x = np.array([[1.0, -2.0], [0.5, 0.3]])
    model(x)
    model.backward(np.ones((2, 1)))
    first = [p.grad.copy() for p in model.parameters()]
    model(x)
    model.backward(np.ones((2, 1)))
    for before, param in zip(first, model.parameters()):
        np.testing.assert_allclose(param.grad, 2 * before)
    model.zero_grad()
    assert all(isinstance(p.grad, np.ndarray) and p.grad.shape == p.data.shape and not p.grad.any()
               for p in model.parameters())


def test_accumulate_grad_keeps_the_first_gradient_and_adds_the_next():
    param = nn.Parameter(np.zeros((2, 3)))
    first = np.arange(6.0).reshape(2, 3).copy()  # an array of its own, as a matrix product returns
    param.accumulate_grad(first)
    assert param.grad is first  # 0 + g is g: no zeros were made and nothing was added
    param.accumulate_grad(np.ones((2, 3)))
    np.testing.assert_array_equal(param.grad, np.arange(6.0).reshape(2, 3) + 1)
    param.zero_grad()
    assert not param.grad.any() and param.grad.shape == (2, 3)
    param.grad[0, 0] = 5.0  # a gradient written by hand after zero_grad() is kept and added to
    param.accumulate_grad(np.ones((2, 3)))
    assert param.grad[0, 0] == 6.0 and param.grad[1, 2] == 1.0


def test_accumulate_grad_copies_what_it_cannot_keep():
    param = nn.Parameter(np.zeros(3, dtype=np.float32))
    shared = np.ones((2, 3))
    param.accumulate_grad(shared[0])  # a view into someone's array, and float64 for a float32 parameter
    shared[0] = 7.0
    np.testing.assert_array_equal(param.grad, [1.0, 1.0, 1.0])
    assert param.grad.dtype == np.float32
    param.zero_grad()
    param.accumulate_grad(np.float64(2.0))  # a scalar is broadcast over the zeros
    np.testing.assert_array_equal(param.grad, [2.0, 2.0, 2.0])


def test_backward_before_forward_is_a_runtime_error():
    for module in [nn.Linear(2, 2), nn.ReLU(), nn.Softmax(), nn.Flatten(), nn.Sequential(nn.Linear(1, 1))]:
        with pytest.raises(RuntimeError, match="before forward"):
            module.backward(np.ones((1, 1)))
    with pytest.raises(RuntimeError, match="before the loss"):
        nn.MSELoss().backward()


def test_state_dict_round_trip_is_a_copy():
    model = small_model()
    state = model.state_dict()
    state["0.weight"][:] = 7
    assert not (model[0].weight.data == 7).any()
    other = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    other.load_state_dict(model.state_dict())
    x = np.random.default_rng(0).normal(size=(4, 2))
    np.testing.assert_array_equal(other(x), model(x))


def test_load_state_dict_errors_name_the_key():
    model = small_model()
    with pytest.raises(KeyError, match=r"missing keys \['2.bias'\]"):
        model.load_state_dict({k: v for k, v in model.state_dict().items() if k != "2.bias"})
    bad = model.state_dict()
    bad["0.weight"] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"'0.weight' must have shape \(3, 2\), got \(2, 3\)"):
        model.load_state_dict(bad)


def test_linear_forward_is_x_w_transpose_plus_b():
    layer = nn.Linear(2, 3)
    layer.load_state_dict({"weight": [[1, 2], [3, 4], [5, 6]], "bias": [0.5, -1, 0]})
    np.testing.assert_array_equal(layer(np.array([[1.0, 1.0]])), [[3.5, 6.0, 11.0]])


def test_step_and_sign_conventions():
    x = np.array([-1.0, 0.0, 2.0])
    assert nn.Step()(x).tolist() == [0, 0, 1]      # 1 where x > 0
    assert nn.Sign()(x).tolist() == [-1, 1, 1]     # +1 where x >= 0
    assert nn.ReLU()(x).tolist() == [0, 0, 2]


def test_default_dtype_and_float32():
    assert nnkit.get_default_dtype() is np.float64
    try:
        nnkit.set_default_dtype(np.float32)
        model = nn.Sequential(nn.Linear(3, 2), nn.Sigmoid())
        assert all(p.data.dtype == np.float32 for p in model.parameters())
        y = model(np.ones((4, 3)))   # float64 input is cast to the layer's dtype
        assert y.dtype == np.float32
        assert model.backward(np.ones((4, 2), dtype=np.float32)).dtype == np.float32
        loss_fn = nn.CrossEntropyLoss()
        loss_fn(y, np.array([0, 1, 1, 0]))
        assert loss_fn.backward().dtype == np.float32
        opt = nnkit.optim.Adam(model.parameters())
        opt.step()
        assert all(p.data.dtype == np.float32 for p in model.parameters())
    finally:
        nnkit.set_default_dtype(np.float64)
    assert nn.Linear(2, 2, dtype=np.float32).weight.data.dtype == np.float32
    with pytest.raises(ValueError, match="float32 and float64"):
        nnkit.set_default_dtype(np.int32)


def test_explicit_training_loop_learns_xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0])
    np.random.seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = nnkit.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    assert loss < 0.05
    assert model(X).argmax(axis=1).tolist() == [0, 1, 1, 0]
