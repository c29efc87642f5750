"""Conv1d and Conv2d: the lecture's worked example, output sizes, gradients, PyTorch agreement, clear errors."""

import math

import numpy as np
import pytest

from nnkit.errors import ShapeError
from nnkit.gradcheck import gradcheck
from nnkit.nn.conv import Conv1d, Conv2d, conv1d_reference, conv2d_reference
from tests.clear_errors import assert_clear_error

LECTURE_INPUT = [3, 1, 0, 3, -1, 3, 0, 2, 1, -1, 0, 4]


def test_lecture_worked_example_1d():
    """Seed 002, "CNN – Convolutional layer": the kernel slides one step at a time, no padding, no bias."""
    conv = Conv1d(1, 1, 4, bias=False)
    conv.load_state_dict({"weight": np.array([[[2, 0, 1, 1]]])})
    y = conv(np.array([[LECTURE_INPUT]]))
    np.testing.assert_array_equal(y, [[[9, 4, 2, 9, 0, 9, 0, 3, 6]]])


def expected_size(size, kernel, stride, padding, dilation):
    """PyTorch's output-size formula, written independently of nnkit."""
    return math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1


SIZE_GRID_1D = [
    # (L, K, stride, padding, dilation)
    (12, 4, 1, 0, 1), (12, 4, 2, 0, 1), (12, 4, 3, 0, 1), (11, 3, 2, 1, 1), (10, 3, 3, 2, 1), (9, 3, 1, 0, 2),
    (13, 2, 3, 1, 3), (7, 7, 1, 0, 1), (5, 1, 2, 0, 1), (8, 3, 5, 2, 2), (6, 4, 1, 3, 1),
]


@pytest.mark.parametrize(("length", "kernel", "stride", "padding", "dilation"), SIZE_GRID_1D)
def test_conv1d_output_size(length, kernel, stride, padding, dilation):
    conv = Conv1d(2, 3, kernel, stride=stride, padding=padding, dilation=dilation)
    y = conv(np.zeros((2, 2, length)))
    assert y.shape == (2, 3, expected_size(length, kernel, stride, padding, dilation))


SIZE_GRID_2D = [
    # ((H, W), (kH, kW), stride, padding, dilation); W differs from H so a swapped axis shows
    ((28, 28), (3, 3), (1, 1), (0, 0), (1, 1)),
    ((28, 27), (5, 3), (2, 3), (2, 1), (1, 1)),
    ((14, 15), (3, 2), (3, 1), (0, 1), (2, 1)),
    ((9, 11), (2, 4), (2, 2), (1, 2), (1, 2)),
    ((7, 10), (1, 3), (1, 3), (0, 0), (1, 3)),
    ((6, 6), (6, 6), (1, 1), (0, 0), (1, 1)),
]


@pytest.mark.parametrize(("spatial", "kernel", "stride", "padding", "dilation"), SIZE_GRID_2D)
def test_conv2d_output_size(spatial, kernel, stride, padding, dilation):
    conv = Conv2d(1, 2, kernel, stride=stride, padding=padding, dilation=dilation)
    y = conv(np.zeros((3, 1, *spatial)))
    expected = tuple(expected_size(*args) for args in zip(spatial, kernel, stride, padding, dilation))
    assert y.shape == (3, 2, *expected)


def case_id(value):
    """Readable test ids: 'Conv2d', '(2, 3, (3, 2))', "{'stride': (2, 1)}", ..."""
    return value.__name__ if isinstance(value, type) else str(value)


GRADCHECK_CASES = [
    # (layer, (in_channels, out_channels, kernel_size), other arguments, input shape)
    (Conv1d, (1, 1, 3), {}, (2, 1, 7)),
    (Conv1d, (2, 3, 3), {"stride": 2, "padding": 1}, (2, 2, 8)),
    (Conv1d, (3, 2, 2), {"stride": 3, "dilation": 2, "bias": False}, (2, 3, 11)),
    (Conv2d, (1, 2, 3), {}, (2, 1, 5, 6)),
    (Conv2d, (2, 3, (3, 2)), {"stride": (2, 1), "padding": (1, 2)}, (2, 2, 6, 5)),
    (Conv2d, (2, 2, 2), {"stride": 3, "dilation": 2, "bias": False}, (2, 2, 8, 7)),
    (Conv2d, (3, 2, (1, 3)), {"padding": 1, "dilation": (1, 2)}, (1, 3, 4, 6)),
]


@pytest.mark.parametrize(("layer_class", "args", "options", "input_shape"), GRADCHECK_CASES, ids=case_id)
def test_gradcheck(layer_class, args, options, input_shape):
    np.random.seed(0)
    conv = layer_class(*args, **options, dtype=np.float64)
    report = gradcheck(conv, np.random.randn(*input_shape))
    assert report.passed, str(report)
    names = [comparison.name for comparison in report.comparisons]
    assert names == ["input", "weight"] + (["bias"] if options.get("bias", True) else [])


@pytest.mark.parametrize(("layer_class", "args", "options", "input_shape"), GRADCHECK_CASES, ids=case_id)
def test_fast_path_matches_reference_formula(layer_class, args, options, input_shape):
    np.random.seed(1)
    conv = layer_class(*args, **options)
    x = np.random.randn(*input_shape)
    reference = conv1d_reference if layer_class is Conv1d else conv2d_reference
    unpack = (lambda pair: pair[0]) if layer_class is Conv1d else tuple  # the 1-D twin takes plain ints
    bias = conv.bias.data if conv.bias is not None else None
    expected = reference(x, conv.weight.data, bias, stride=unpack(conv.stride), padding=unpack(conv.padding),
                         dilation=unpack(conv.dilation))
    np.testing.assert_allclose(conv(x), expected, rtol=1e-12, atol=1e-12)


def test_backward_adds_into_grad():
    np.random.seed(2)
    conv = Conv2d(2, 3, 2)
    x, upstream = np.random.randn(2, 2, 4, 4), np.random.randn(2, 3, 3, 3)
    conv(x)
    conv.backward(upstream)
    once = conv.weight.grad.copy(), conv.bias.grad.copy()
    assert np.abs(once[0]).sum() > 0
    conv(x)
    conv.backward(upstream)
    np.testing.assert_allclose(conv.weight.grad, 2 * once[0])
    np.testing.assert_allclose(conv.bias.grad, 2 * once[1])


@pytest.mark.parametrize("layer_class", [Conv1d, Conv2d])
def test_float32_in_float32_out(layer_class):
    conv = layer_class(2, 4, 3, padding=1, dtype=np.float32)
    x = np.random.randn(3, 2, *(6,) * conv.spatial_dims).astype(np.float32)
    y = conv(x)
    assert y.dtype == np.float32
    grad_x = conv.backward(np.ones_like(y))
    assert grad_x.dtype == np.float32
    assert conv.weight.grad.dtype == np.float32 and conv.bias.grad.dtype == np.float32
    # a float64 input is cast to the layer's dtype, as Linear does: no silent upcast
    assert conv(x.astype(np.float64)).dtype == np.float32


def test_seed_reproduces_pytorch_style_init():
    np.random.seed(7)
    conv = Conv2d(3, 4, (3, 2))
    np.random.seed(7)
    bound = 1 / math.sqrt(3 * 3 * 2)  # fan_in = C_in * kH * kW
    expected_weight = np.random.uniform(-bound, bound, (4, 3, 3, 2))  # weight first ...
    expected_bias = np.random.uniform(-bound, bound, 4)  # ... then bias
    np.testing.assert_array_equal(conv.weight.data, expected_weight)
    np.testing.assert_array_equal(conv.bias.data, expected_bias)
    np.random.seed(7)
    np.testing.assert_array_equal(Conv2d(3, 4, (3, 2)).weight.data, conv.weight.data)


def test_init_fills_the_pytorch_range():
    np.random.seed(0)
    conv = Conv1d(16, 64, 5)
    bound = 1 / math.sqrt(16 * 5)
    assert np.abs(conv.weight.data).max() <= bound
    assert np.abs(conv.weight.data).max() > 0.95 * bound
    assert conv.weight.data.dtype == np.float64


# --------------------------------------------------------------------------------------------------- PyTorch
TORCH_CASES = [
    # (layer, (in_channels, out_channels, kernel_size), other arguments, input shape)
    (Conv1d, (2, 3, 3), {}, (4, 2, 10)),
    (Conv1d, (1, 4, 5), {"stride": 2, "padding": 2, "dilation": 2}, (3, 1, 17)),
    (Conv1d, (3, 2, 4), {"stride": 3, "bias": False}, (2, 3, 13)),
    (Conv2d, (1, 8, 3), {}, (4, 1, 12, 12)),
    (Conv2d, (3, 4, (3, 2)), {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1)}, (2, 3, 11, 9)),
    (Conv2d, (2, 3, 1), {"stride": 2}, (2, 2, 7, 8)),
    (Conv2d, (2, 2, 4), {"stride": 3, "padding": 1, "bias": False}, (3, 2, 10, 13)),
]


@pytest.mark.parametrize(("layer_class", "args", "options", "input_shape"), TORCH_CASES, ids=case_id)
def test_matches_pytorch(layer_class, args, options, input_shape):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: comparison tests skipped")
    ours = layer_class(*args, **options)
    theirs = getattr(torch.nn, layer_class.__name__)(*args, **options, dtype=torch.float64)
    ours.load_state_dict(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(input_shape)
    x_torch = torch.tensor(x, requires_grad=True)
    y_torch = theirs(x_torch)
    upstream = rng.standard_normal(tuple(y_torch.shape))
    y_torch.backward(torch.from_numpy(upstream))

    np.testing.assert_allclose(ours(x), y_torch.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.backward(upstream), x_torch.grad.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-6, atol=1e-6)
    if ours.bias is not None:
        np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_state_dict_loads_into_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: comparison tests skipped")
    ours = Conv2d(2, 3, (2, 3), padding=1)
    theirs = torch.nn.Conv2d(2, 3, (2, 3), padding=1, dtype=torch.float64)
    theirs.load_state_dict({name: torch.from_numpy(value) for name, value in ours.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((2, 2, 5, 4))
    np.testing.assert_allclose(ours(x), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------------------------------------ bad input
conv2d = Conv2d(1, 8, 3)
conv1d = Conv1d(2, 4, 3, dilation=3)
CONV2D = "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))"
CONV1D = "Conv1d(2, 4, kernel_size=(3,), stride=(1,), dilation=(3,))"
ones = np.ones


def backward_with_wrong_grad():
    conv2d(ones((4, 1, 28, 28)))
    conv2d.backward(ones((4, 8, 28, 28)))


BAD_INPUT_CASES = [
    # (what goes wrong, call, exception, words the message must contain)
    ("unbatched image", lambda: conv2d(ones((1, 28, 28))), ShapeError,
     [CONV2D, "(N, 1, H, W)", "(1, 28, 28)", "batch axis"]),
    ("wrong channel count", lambda: conv2d(ones((4, 3, 28, 28))), ShapeError,
     [CONV2D, "(N, 1, H, W)", "(4, 3, 28, 28)"]),
    ("flat images", lambda: conv2d(ones((4, 784))), ShapeError, [CONV2D, "(N, 1, H, W)", "(4, 784)"]),
    ("image smaller than kernel", lambda: conv2d(ones((2, 1, 2, 5))), ShapeError,
     [CONV2D, "2x5", "3x3", "(2, 1, 2, 5)"]),
    ("signal shorter than dilated kernel", lambda: conv1d(ones((1, 2, 6))), ShapeError,
     [CONV1D, "dilated kernel 7", "(1, 2, 6)"]),
    ("unbatched signal", lambda: conv1d(ones((2, 10))), ShapeError, [CONV1D, "(N, 2, L)", "(2, 10)", "batch axis"]),
    ("grad_output wrong shape", backward_with_wrong_grad, ShapeError,
     [CONV2D, "grad_output", "(4, 8, 26, 26)", "(4, 8, 28, 28)"]),
    ("backward before forward", lambda: Conv1d(1, 1, 2).backward(ones((1, 1, 3))), RuntimeError,
     ["Conv1d(1, 1, kernel_size=(2,), stride=(1,))", "before forward"]),
    ("text instead of numbers", lambda: conv2d([[["a"]]]), TypeError, [CONV2D, "input"]),
    ("zero out_channels", lambda: Conv2d(1, 0, 3), ValueError, ["Conv2d", "out_channels", "positive integer", "0"]),
    ("fractional kernel size", lambda: Conv2d(1, 8, 2.5), ValueError, ["Conv2d", "kernel_size", "2.5"]),
    ("kernel of three sizes for 2-D", lambda: Conv2d(1, 8, (3, 3, 3)), ValueError,
     ["Conv2d", "kernel_size", "tuple of 2", "(3, 3, 3)"]),
    ("zero stride", lambda: Conv2d(1, 8, 3, stride=(1, 0)), ValueError, ["Conv2d", "stride", "(1, 0)"]),
    ("negative padding", lambda: Conv1d(1, 1, 3, padding=-1), ValueError, ["Conv1d", "padding", ">= 0", "-1"]),
    ("zero dilation", lambda: Conv1d(1, 1, 3, dilation=0), ValueError, ["Conv1d", "dilation", "0"]),
]


@pytest.mark.parametrize(("call", "error", "words"), [case[1:] for case in BAD_INPUT_CASES],
                         ids=[case[0] for case in BAD_INPUT_CASES])
def test_clear_error(call, error, words):
    assert_clear_error(call, error, words)


def test_bad_input_table_is_large_enough():
    assert len(BAD_INPUT_CASES) >= 8
