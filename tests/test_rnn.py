"""Recurrent layers (RNN, LSTM, GRU): gradients, agreement with PyTorch, shapes, dtypes and clear errors."""

import itertools

import numpy as np
import pytest

from nnkit.errors import ShapeError
from nnkit.gradcheck import gradcheck, numeric_gradient
from nnkit.nn.gru import GRU
from nnkit.nn.lstm import LSTM
from nnkit.nn.rnn import RNN, tanh
from tests.clear_errors import assert_clear_error

N, L, INPUT, HIDDEN = 3, 5, 4, 6

LAYERS = {
    "rnn_tanh": lambda **kw: RNN(INPUT, HIDDEN, **kw),
    "rnn_relu": lambda **kw: RNN(INPUT, HIDDEN, nonlinearity="relu", **kw),
    "lstm": lambda **kw: LSTM(INPUT, HIDDEN, **kw),
    "gru": lambda **kw: GRU(INPUT, HIDDEN, **kw),
}


def sequence(seed=0, shape=(N, L, INPUT)):
    return np.random.default_rng(seed).normal(size=shape)


def initial_states(layer, seed=1):
    """h0 (and c0 for an LSTM) as a tuple of extra forward arguments."""
    rng = np.random.default_rng(seed)
    count = 2 if isinstance(layer, LSTM) else 1
    return tuple(rng.normal(scale=0.5, size=(N, HIDDEN)) for _ in range(count))


def relu_preactivations(layer, x, h0):
    """a_t of a ReLU RNN, recomputed from its outputs, to see how far they are from the kink at 0."""
    outputs = layer(x, h0)
    h_previous = np.concatenate([h0[:, None], outputs[:, :-1]], axis=1)
    return (x @ layer.weight_ih_l0.data.T + layer.bias_ih_l0.data + h_previous @ layer.weight_hh_l0.data.T
            + layer.bias_hh_l0.data)


# -- gradients ---------------------------------------------------------------

@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("given_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("kind", LAYERS)
def test_gradcheck(kind, given_state, bias):
    np.random.seed(0)
    layer = LAYERS[kind](bias=bias)
    x = sequence()
    states = initial_states(layer) if given_state else ()
    if kind == "rnn_relu" and bias:
        # finite differences across ReLU's kink are meaningless: make sure this case stays clear of it
        h0 = states[0] if states else np.zeros((N, HIDDEN))
        assert np.abs(relu_preactivations(layer, x, h0)).min() > 1e-4
    report = gradcheck(layer, x, *states)
    assert report.passed, report


@pytest.mark.parametrize("kind", LAYERS)
def test_initial_state_gradient_matches_finite_differences(kind):
    np.random.seed(0)
    layer = LAYERS[kind]()
    x = sequence()
    states = initial_states(layer)
    upstream = np.random.default_rng(2).normal(size=(N, L, HIDDEN))

    def loss():
        return float(np.sum(layer(x, *states) * upstream))

    loss()
    layer.backward(upstream)
    analytic = [layer.grad_h0] + ([layer.grad_c0] if isinstance(layer, LSTM) else [])
    for state, grad in zip(states, analytic, strict=True):
        numeric = numeric_gradient(loss, state)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
        assert np.abs(grad).max() > 1e-3  # a real gradient, not zeros agreeing with zeros


def test_tanh_matches_numpy_without_overflow():
    x = np.concatenate([np.random.default_rng(0).normal(scale=3, size=1000),
                        [0.0, -0.0, 1e-300, -1e-12, 1e-8, 20.0, -20.0, 800.0, -800.0, 1e308, -1e308]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = tanh(x)
    np.testing.assert_allclose(values, np.tanh(x), rtol=0, atol=4e-16)
    assert np.all(np.abs(values) <= 1)
    assert tanh(np.linspace(-5, 5, 11, dtype=np.float32)).dtype == np.float32


def test_vanishing_gradient_with_small_recurrent_weights():
    """With every singular value of W_hh at 0.5, each step back multiplies dL/dh by at most 0.5."""
    np.random.seed(0)
    layer = RNN(INPUT, HIDDEN)
    orthogonal, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(HIDDEN, HIDDEN)))
    layer.weight_hh_l0.data = 0.5 * orthogonal
    layer.weight_ih_l0.data *= 0.1
    x = sequence(shape=(N, 40, INPUT))
    norms = []
    for length in (1, 5, 10, 20, 40):
        layer(x[:, :length])
        upstream = np.zeros((N, length, HIDDEN))
        upstream[:, -1] = 1.0  # L = sum of the last outputs
        layer.backward(upstream)
        norms.append(np.linalg.norm(layer.grad_h0))
    assert all(later < earlier for earlier, later in itertools.pairwise(norms)), norms
    assert norms[-1] < 1e-9 * norms[0]


# -- agreement with PyTorch ----------------------------------------------------

TORCH_CLASSES = {"rnn_tanh": "RNN", "rnn_relu": "RNN", "lstm": "LSTM", "gru": "GRU"}


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("given_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("kind", LAYERS)
def test_matches_torch(kind, given_state, bias):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: agreement tests skipped")
    torch.manual_seed(0)
    options = {"nonlinearity": "relu"} if kind == "rnn_relu" else {}
    theirs = getattr(torch.nn, TORCH_CLASSES[kind])(INPUT, HIDDEN, bias=bias, batch_first=True, **options).double()
    ours = LAYERS[kind](bias=bias)
    ours.load_state_dict(theirs.state_dict())
    assert list(ours.state_dict()) == list(theirs.state_dict())

    x = sequence()
    upstream = np.random.default_rng(3).normal(size=(N, L, HIDDEN))
    states = initial_states(ours) if given_state else ()
    x_t = torch.tensor(x, requires_grad=True)
    states_t = [torch.tensor(state[None], requires_grad=True) for state in states]  # torch's are (1, N, H)
    if kind == "lstm":
        output_t, (h_n_t, c_n_t) = theirs(x_t, tuple(states_t) if states_t else None)
    else:
        output_t, h_n_t = theirs(x_t, *states_t)
    output_t.backward(torch.from_numpy(upstream))

    close = {"rtol": 1e-6, "atol": 1e-9}
    np.testing.assert_allclose(ours(x, *states), output_t.detach().numpy(), **close)
    np.testing.assert_allclose(ours.h_n, h_n_t[0].detach().numpy(), **close)
    if kind == "lstm":
        np.testing.assert_allclose(ours.c_n, c_n_t[0].detach().numpy(), **close)
    np.testing.assert_allclose(ours.backward(upstream), x_t.grad.numpy(), **close)
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(dict(ours.named_parameters())[name].grad, parameter.grad.numpy(), **close,
                                   err_msg=name)
    if given_state:
        ours_state_grads = [ours.grad_h0] + ([ours.grad_c0] if kind == "lstm" else [])
        for grad, state_t in zip(ours_state_grads, states_t, strict=True):
            np.testing.assert_allclose(grad, state_t.grad[0].numpy(), **close)


# -- parameters, shapes, dtypes ------------------------------------------------

@pytest.mark.parametrize(("layer_class", "gates"), [(RNN, 1), (LSTM, 4), (GRU, 3)])
def test_parameters_named_shaped_and_initialized_as_pytorch(layer_class, gates):
    np.random.seed(0)
    layer = layer_class(7, 50)
    shapes = {name: value.shape for name, value in layer.state_dict().items()}
    assert shapes == {"weight_ih_l0": (gates * 50, 7), "weight_hh_l0": (gates * 50, 50),
                      "bias_ih_l0": (gates * 50,), "bias_hh_l0": (gates * 50,)}
    assert list(shapes) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    values = np.concatenate([p.data.ravel() for p in layer.parameters()])
    bound = 1 / np.sqrt(50)
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.95 * bound  # spread over the whole range ...
    assert abs(values.mean()) < 0.05 * bound  # ... and centred
    assert list(layer_class(7, 50, bias=False).state_dict()) == ["weight_ih_l0", "weight_hh_l0"]


@pytest.mark.parametrize("kind", LAYERS)
def test_seed_reproducibility(kind):
    np.random.seed(42)
    first = LAYERS[kind]().state_dict()
    np.random.seed(42)
    second = LAYERS[kind]().state_dict()
    np.random.seed(43)
    other = LAYERS[kind]().state_dict()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
        assert not np.array_equal(first[name], other[name])


@pytest.mark.parametrize("kind", LAYERS)
def test_shapes_and_last_state(kind):
    layer = LAYERS[kind]()
    x = sequence()
    outputs = layer(x)
    assert outputs.shape == (N, L, HIDDEN)
    np.testing.assert_array_equal(layer.h_n, outputs[:, -1])
    if isinstance(layer, LSTM):
        assert layer.c_n.shape == (N, HIDDEN)
    grad_x = layer.backward(np.ones_like(outputs))
    assert grad_x.shape == x.shape
    assert layer.grad_h0.shape == (N, HIDDEN)


@pytest.mark.parametrize("kind", LAYERS)
def test_samples_in_a_batch_are_independent(kind):
    layer = LAYERS[kind]()
    x = sequence()
    together = layer(x)
    for n in range(N):
        np.testing.assert_allclose(layer(x[n:n + 1])[0], together[n], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kind", LAYERS)
def test_given_state_is_used(kind):
    layer = LAYERS[kind]()
    x = sequence()
    states = initial_states(layer)
    zero_start = layer(x)
    given_start = layer(x, *states)
    assert not np.allclose(zero_start[:, 0], given_start[:, 0])
    np.testing.assert_array_equal(layer(x, *(np.zeros_like(s) for s in states)), zero_start)


@pytest.mark.parametrize("kind", LAYERS)
def test_parameter_gradients_accumulate(kind):
    layer = LAYERS[kind]()
    x = sequence()
    upstream = np.random.default_rng(3).normal(size=(N, L, HIDDEN))
    layer(x)
    layer.backward(upstream)
    once = {name: p.grad.copy() for name, p in layer.named_parameters()}
    layer(x)  # the values saved by a forward pass serve one backward (as PyTorch's graph without retain_graph)
    layer.backward(upstream)
    for name, parameter in layer.named_parameters():
        np.testing.assert_allclose(parameter.grad, 2 * once[name], rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("kind", LAYERS)
def test_float32_stays_float32(kind):
    layer = LAYERS[kind](dtype=np.float32)
    x = sequence()  # float64 input is cast to the parameters' dtype
    outputs = layer(x, *(s.astype(np.float32) for s in initial_states(layer)))
    grad_x = layer.backward(np.ones((N, L, HIDDEN)))
    assert outputs.dtype == grad_x.dtype == layer.h_n.dtype == layer.grad_h0.dtype == np.float32
    assert all(p.data.dtype == p.grad.dtype == np.float32 for p in layer.parameters())
    reference = LAYERS[kind]()
    reference.load_state_dict(layer.state_dict())
    np.testing.assert_allclose(outputs, reference(x, *initial_states(layer)), atol=1e-5)


def test_repr_reads_like_pytorch():
    assert repr(LSTM(16, 64)) == "LSTM(16, 64)"
    assert repr(GRU(3, 4, bias=False)) == "GRU(3, 4, bias=False)"
    assert repr(RNN(3, 4, nonlinearity="relu")) == "RNN(3, 4, nonlinearity='relu')"


# -- bad input -------------------------------------------------------------------

lstm = LSTM(16, 64)
gru = GRU(3, 4)
ones = np.ones


def forward_then_backward(layer, x, grad_output):
    layer(x)
    layer.backward(grad_output)


BAD_INPUT = [
    # (what goes wrong, call, exception, words the message must contain)
    ("unbatched sequence", lambda: lstm(ones((5, 16))), ShapeError,
     ["LSTM(16, 64)", "(N, L, 16)", "(5, 16)", "x[None]"]),
    ("wrong input size", lambda: lstm(ones((2, 5, 8))), ShapeError, ["LSTM(16, 64)", "(N, L, 16)", "(2, 5, 8)"]),
    ("channels-first layout", lambda: lstm(ones((2, 16, 5))), ShapeError,
     ["LSTM(16, 64)", "(N, L, 16)", "(2, 16, 5)", "transpose(0, 2, 1)"]),
    ("4-D input", lambda: gru(ones((2, 5, 3, 1))), ShapeError,
     ["GRU(3, 4)", "(N, L, 3)", "(2, 5, 3, 1)", "batch-first"]),
    ("PyTorch-shaped h0", lambda: lstm(ones((2, 5, 16)), ones((1, 2, 64))), ShapeError,
     ["LSTM(16, 64)", "h0", "(2, 64)", "(1, 2, 64)", "h0[0]"]),
    ("c0 wrong size", lambda: lstm(ones((2, 5, 16)), ones((2, 64)), ones((2, 32))), ShapeError,
     ["LSTM(16, 64)", "c0", "(2, 64)", "(2, 32)"]),
    ("sequence-first input", lambda: gru(ones((7, 2, 3)), ones((2, 4))), ShapeError,
     ["GRU(3, 4)", "h0", "(7, 4)", "(2, 4)", "sequence-first", "transpose(1, 0, 2)"]),
    ("grad_output of the last step only", lambda: forward_then_backward(gru, ones((2, 5, 3)), ones((2, 4))),
     ShapeError, ["GRU(3, 4)", "grad_output", "(2, 5, 4)", "(2, 4)", "grad_output[:, -1]"]),
    ("grad_output wrong length", lambda: forward_then_backward(gru, ones((2, 5, 3)), ones((2, 6, 4))),
     ShapeError, ["GRU(3, 4)", "grad_output", "(2, 5, 4)", "(2, 6, 4)"]),
    ("empty sequence", lambda: gru(ones((2, 0, 3))), ShapeError, ["GRU(3, 4)", "(2, 0, 3)", "at least one step"]),
    ("text instead of numbers", lambda: gru([[["a", "b", "c"]]]), TypeError, ["GRU(3, 4)", "input"]),
    ("zero input size", lambda: RNN(0, 4), ValueError, ["RNN", "input_size", "positive integer", "0"]),
    ("fractional hidden size", lambda: GRU(3, 2.5), ValueError, ["GRU", "hidden_size", "2.5"]),
    ("unknown nonlinearity", lambda: RNN(3, 4, nonlinearity="sigmoid"), ValueError,
     ["RNN", "nonlinearity", "'tanh' or 'relu'", "'sigmoid'"]),
    ("backward before forward", lambda: GRU(3, 4).backward(ones((2, 5, 4))), RuntimeError,
     ["GRU(3, 4)", "before forward"]),
]


@pytest.mark.parametrize(("call", "error", "words"), [case[1:] for case in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_clear_error(call, error, words):
    assert_clear_error(call, error, words)
