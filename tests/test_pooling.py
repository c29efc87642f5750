"""MaxPool1d, MaxPool2d, AvgPool2d: worked example, sizes, gradient routing, PyTorch agreement, clear errors."""

import math

import numpy as np
import pytest

from nnkit.errors import ShapeError
from nnkit.gradcheck import gradcheck
from nnkit.nn.pooling import AvgPool2d, MaxPool1d, MaxPool2d, pool_reference
from tests.clear_errors import assert_clear_error


def test_lecture_worked_example_max_pooling():
    """Seed 002, "CNN – Maxpooling layer": windows of 2, stride 2 (the default: stride = kernel_size).

    The deck's first step prints "max(3, 0) = 3", but the first window is (3, 1); the answer 3 is right either way.
    """
    x = np.array([[[3, 1, 0, 3, -1, 3, 0, 2, 1, -1, 0, 4]]])
    np.testing.assert_array_equal(MaxPool1d(2)(x), [[[3, 3, 3, 2, 1, 4]]])


def expected_size(size, kernel, stride, padding):
    """PyTorch's output-size formula (dilation 1), written independently of nnkit."""
    return math.floor((size + 2 * padding - (kernel - 1) - 1) / stride) + 1


@pytest.mark.parametrize(("length", "kernel", "stride", "padding"), [
    (12, 2, None, 0), (13, 2, None, 0), (12, 3, None, 1), (10, 3, 1, 1), (11, 4, 3, 2), (9, 5, 2, 0), (4, 4, 1, 2),
])
def test_maxpool1d_output_size(length, kernel, stride, padding):
    y = MaxPool1d(kernel, stride, padding)(np.random.randn(2, 3, length))
    assert y.shape == (2, 3, expected_size(length, kernel, kernel if stride is None else stride, padding))


@pytest.mark.parametrize("layer_class", [MaxPool2d, AvgPool2d])
@pytest.mark.parametrize(("spatial", "kernel", "stride", "padding"), [
    ((28, 28), (2, 2), None, (0, 0)), ((27, 26), (3, 2), None, (1, 1)), ((14, 15), (3, 3), (1, 2), (1, 0)),
    ((9, 11), (2, 4), (3, 1), (1, 2)), ((5, 7), (5, 1), (2, 3), (2, 0)),
])
def test_pool2d_output_size(layer_class, spatial, kernel, stride, padding):
    y = layer_class(kernel, stride, padding)(np.random.randn(2, 3, *spatial))
    stride = kernel if stride is None else stride
    assert y.shape == (2, 3, *(expected_size(*args) for args in zip(spatial, kernel, stride, padding)))


def test_stride_defaults_to_kernel_size():
    pool = MaxPool2d(3)
    assert pool.stride == 3
    assert repr(pool) == "MaxPool2d(kernel_size=3, stride=3, padding=0)"
    assert repr(AvgPool2d((2, 3), stride=1, padding=1)) == "AvgPool2d(kernel_size=(2, 3), stride=1, padding=1)"


LAYERS = [
    MaxPool1d(2), MaxPool1d(3, stride=1), MaxPool1d(4, stride=3, padding=2),
    MaxPool2d(2), MaxPool2d(3, stride=1, padding=1), MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0)),
    MaxPool2d(2, stride=3),
    AvgPool2d(2), AvgPool2d(3, stride=1, padding=1), AvgPool2d((2, 3), stride=(1, 2), padding=(1, 1)),
]


def random_input(pool, seed=0):
    """Continuous random values: no two entries of a window tie, so max pooling is differentiable there."""
    return np.random.default_rng(seed).standard_normal((2, 3, 7) if pool.spatial_dims == 1 else (2, 2, 7, 6))


@pytest.mark.parametrize("pool", LAYERS, ids=repr)
def test_gradcheck(pool):
    report = gradcheck(pool, random_input(pool))
    assert report.passed, str(report)


@pytest.mark.parametrize("pool", LAYERS, ids=repr)
def test_fast_path_matches_reference_formula(pool):
    x = random_input(pool, seed=1)
    window = pool.window
    if isinstance(pool, AvgPool2d):
        expected = pool_reference(x, np.mean, window["kernel_size"], window["stride"], window["padding"])
    else:
        expected = pool_reference(x, np.max, window["kernel_size"], window["stride"], window["padding"], -np.inf)
    np.testing.assert_allclose(pool(x), expected, rtol=1e-12, atol=1e-12)


def test_max_pool_tie_goes_to_the_first_entry():
    pool = MaxPool2d(2)
    pool(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(pool.backward(np.ones((1, 1, 1, 1))), [[[[1, 0], [0, 0]]]])


def test_overlapping_windows_accumulate():
    pool = MaxPool1d(3, stride=1)
    np.testing.assert_array_equal(pool(np.array([[[0.0, 5.0, 0.0, 1.0]]])), [[[5, 5]]])
    # 5 is the maximum of both windows, so it collects both gradients
    np.testing.assert_array_equal(pool.backward(np.array([[[2.0, 3.0]]])), [[[0, 5, 0, 0]]])


def test_avg_pool_counts_padded_zeros():
    pool = AvgPool2d(2, padding=1)
    y = pool(np.full((1, 1, 2, 2), 4.0))
    np.testing.assert_array_equal(y, np.ones((1, 1, 2, 2)))  # each corner window: one 4 and three padded zeros


@pytest.mark.parametrize("pool", [MaxPool1d(2), MaxPool2d(2), AvgPool2d(2)], ids=repr)
def test_float32_in_float32_out(pool):
    x = np.random.randn(*(2, 3, 8) if pool.spatial_dims == 1 else (2, 3, 8, 8)).astype(np.float32)
    y = pool(x)
    assert y.dtype == np.float32
    assert pool.backward(np.ones_like(y)).dtype == np.float32


def test_integer_input_becomes_default_float():
    assert MaxPool2d(2)(np.arange(16).reshape(1, 1, 4, 4)).dtype == np.float64


# --------------------------------------------------------------------------------------------------- PyTorch
TORCH_CASES = [
    ("MaxPool1d", {"kernel_size": 2}, (3, 2, 12)),
    ("MaxPool1d", {"kernel_size": 3, "stride": 1, "padding": 1}, (2, 3, 9)),
    ("MaxPool1d", {"kernel_size": 4, "stride": 3, "padding": 2}, (2, 2, 13)),
    ("MaxPool2d", {"kernel_size": 2}, (4, 3, 8, 9)),
    ("MaxPool2d", {"kernel_size": 3, "stride": 1, "padding": 1}, (2, 2, 7, 6)),
    ("MaxPool2d", {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 1)}, (2, 3, 11, 10)),
    ("AvgPool2d", {"kernel_size": 2}, (4, 3, 8, 9)),
    ("AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, (2, 2, 9, 7)),
    ("AvgPool2d", {"kernel_size": (2, 4), "stride": (1, 3), "padding": (1, 2)}, (2, 3, 6, 11)),
]


def compare_with_torch(name, kwargs, x):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: comparison tests skipped")
    ours, theirs = {"MaxPool1d": MaxPool1d, "MaxPool2d": MaxPool2d, "AvgPool2d": AvgPool2d}[name](**kwargs), \
        getattr(torch.nn, name)(**kwargs)
    x_torch = torch.tensor(x, requires_grad=True)
    y_torch = theirs(x_torch)
    upstream = np.random.default_rng(5).standard_normal(tuple(y_torch.shape))
    y_torch.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(ours(x), y_torch.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.backward(upstream), x_torch.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("name", "kwargs", "input_shape"), TORCH_CASES, ids=str)
def test_matches_pytorch(name, kwargs, input_shape):
    compare_with_torch(name, kwargs, np.random.default_rng(0).standard_normal(input_shape))


@pytest.mark.parametrize(("name", "kwargs", "input_shape"), [case for case in TORCH_CASES if "Max" in case[0]],
                         ids=str)
def test_ties_route_like_pytorch(name, kwargs, input_shape):
    """Small integers tie often; PyTorch's CPU kernel sends the gradient to the first maximum of each window."""
    compare_with_torch(name, kwargs, np.random.default_rng(3).integers(0, 3, input_shape).astype(np.float64))


@pytest.mark.parametrize("layer_class", [MaxPool2d, AvgPool2d])
def test_padding_limit_is_pytorchs(layer_class):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: comparison tests skipped")
    x = np.zeros((1, 1, 6, 6))
    layer_class(4, padding=2)(x)  # exactly half the kernel: allowed by both
    getattr(torch.nn, layer_class.__name__)(4, padding=2)(torch.from_numpy(x))
    with pytest.raises(ValueError):
        layer_class(3, padding=2)
    with pytest.raises(RuntimeError):  # PyTorch only complains when called
        getattr(torch.nn, layer_class.__name__)(3, padding=2)(torch.from_numpy(x))


# ------------------------------------------------------------------------------------------------ bad input
pool2d = MaxPool2d(2)
POOL2D = "MaxPool2d(kernel_size=2, stride=2, padding=0)"
ones = np.ones


def backward_with_wrong_grad():
    pool2d(ones((4, 8, 28, 28)))
    pool2d.backward(ones((4, 8, 28, 28)))


BAD_INPUT_CASES = [
    # (what goes wrong, call, exception, words the message must contain)
    ("unbatched image", lambda: pool2d(ones((8, 28, 28))), ShapeError,
     [POOL2D, "(N, C, H, W)", "(8, 28, 28)", "batch axis"]),
    ("flat input", lambda: pool2d(ones((4, 784))), ShapeError, [POOL2D, "(N, C, H, W)", "(4, 784)"]),
    ("2-D pooling on a signal", lambda: AvgPool2d(2)(ones((2, 3, 12))), ShapeError,
     ["AvgPool2d(kernel_size=2, stride=2, padding=0)", "(N, C, H, W)", "(2, 3, 12)", "batch axis"]),
    ("1-D pooling on an image", lambda: MaxPool1d(2)(ones((2, 3, 4, 4))), ShapeError,
     ["MaxPool1d(kernel_size=2, stride=2, padding=0)", "(N, C, L)", "(2, 3, 4, 4)"]),
    ("image smaller than window", lambda: MaxPool2d(3)(ones((1, 1, 2, 8))), ShapeError,
     ["MaxPool2d(kernel_size=3, stride=3, padding=0)", "2x8", "3x3", "(1, 1, 2, 8)"]),
    ("grad_output wrong shape", backward_with_wrong_grad, ShapeError,
     [POOL2D, "grad_output", "(4, 8, 14, 14)", "(4, 8, 28, 28)"]),
    ("padding more than half the kernel", lambda: MaxPool2d(2, padding=2), ValueError,
     ["MaxPool2d(kernel_size=2, stride=2, padding=2)", "at most half", "1", "padding=2"]),
    ("padding too large on one axis", lambda: AvgPool2d((4, 2), padding=(2, 2)), ValueError,
     ["AvgPool2d", "(2, 1)", "padding=(2, 2)"]),
    ("zero kernel", lambda: MaxPool1d(0), ValueError, ["MaxPool1d", "kernel_size", "positive integer", "0"]),
    ("fractional stride", lambda: MaxPool2d(2, stride=1.5), ValueError, ["MaxPool2d", "stride", "1.5"]),
    ("negative padding", lambda: AvgPool2d(2, padding=-1), ValueError, ["AvgPool2d", "padding", ">= 0", "-1"]),
    ("backward before forward", lambda: MaxPool1d(2).backward(ones((1, 1, 3))), RuntimeError,
     ["MaxPool1d(kernel_size=2, stride=2, padding=0)", "before forward"]),
]


@pytest.mark.parametrize(("call", "error", "words"), [case[1:] for case in BAD_INPUT_CASES],
                         ids=[case[0] for case in BAD_INPUT_CASES])
def test_clear_error(call, error, words):
    assert_clear_error(call, error, words)


def test_bad_input_table_is_large_enough():
    assert len(BAD_INPUT_CASES) >= 8
