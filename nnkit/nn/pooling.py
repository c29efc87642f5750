r"""Pooling layers: summarize each window of every channel by one number (no weights).

With windows laid out as in :mod:`nnkit.nn.windows` (stride defaults to the kernel size, so windows tile
the input without overlap), in 1-D:

.. math::  \text{max pooling:}\; y[n, c, i] = \max_k x[n, c, \, i s + k], \qquad
           \text{average pooling:}\; y[n, c, i] = \frac{1}{K} \sum_k x[n, c, \, i s + k]

and the same over (p, q) in 2-D. Padding adds −∞ for max pooling (a pad is never the maximum) and zeros for
average pooling, which still divides by the full window size K (PyTorch's ``count_include_pad=True``).

Backward:

* max pooling routes each output's gradient to the input entry that was the maximum of its window
  (on ties, the first in row-major order, as PyTorch's CPU kernel does); where windows overlap, an entry
  that is the maximum of several windows receives the sum of their gradients;
* average pooling gives each entry of a window :math:`1/K` of the window's gradient.

:func:`pool_reference` computes the formulas with a plain loop over windows; the layers instead loop over
the few kernel taps and handle all windows of a tap at once.
"""

import numpy as np

from nnkit.errors import as_array, expect_shape
from nnkit.nn.module import Module
from nnkit.nn.windows import (
    as_size_tuple,
    expect_batched_input,
    kernel_taps,
    output_shape,
    pad,
    padded_shape,
    tap_slices,
    unpad,
)


class _PoolNd(Module):
    """What every pooling layer shares: argument checks, input checks, the repr.

    Arguments are kept as given, like PyTorch (``MaxPool2d(2).kernel_size == 2``); the per-axis tuples the
    computation uses are in ``window``. PyTorch's rule: padding is at most half the kernel size, so that
    every window holds at least one real input entry.
    """

    spatial_dims = None

    def __init__(self, kernel_size, stride=None, padding=0):
        name, dims = type(self).__name__, self.spatial_dims
        stride = kernel_size if stride is None else stride
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        kernel = as_size_tuple(name, "kernel_size", kernel_size, dims)
        padding_tuple = as_size_tuple(name, "padding", padding, dims, minimum=0)
        if any(p > k // 2 for p, k in zip(padding_tuple, kernel)):
            raise ValueError(
                f"{self!r}: padding must be at most half the kernel size (kernel_size // 2 = "
                f"{tuple(k // 2 for k in kernel) if dims > 1 else kernel[0] // 2}), got padding={padding!r}"
            )
        self.window = {"kernel_size": kernel, "stride": as_size_tuple(name, "stride", stride, dims),
                       "padding": padding_tuple, "dilation": (1,) * dims}

    def check_input(self, x):
        """The input as an ndarray (float dtype kept) and the output's spatial shape."""
        w = self.window
        return expect_batched_input(self, x, None, w["kernel_size"], w["stride"], w["padding"], w["dilation"])

    def check_grad_output(self, grad_output, output_shape, dtype):
        """grad_output as an ndarray of the input's dtype, with the output's shape (else ShapeError)."""
        grad_output = as_array(repr(self), "grad_output", grad_output, dtype=dtype)
        return expect_shape(repr(self), "grad_output", grad_output, output_shape)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _MaxPoolNd(_PoolNd):
    r"""Max pooling over ``spatial_dims`` axes: :math:`y = \max_k x[\text{window}_k]`, padding with −∞.

    Forward keeps a running maximum over the kernel taps and remembers which tap won (``argmax``);
    backward sends each output's gradient to that tap's input entry and nowhere else.
    """

    def forward(self, x):
        x, out_shape = self.check_input(x)
        stride, dilation = self.window["stride"], self.window["dilation"]
        padded = pad(x, self.window["padding"], value=-np.inf)
        taps = kernel_taps(self.window["kernel_size"])
        maximum = padded[(..., *tap_slices(taps[0], stride, dilation, out_shape))].copy()
        # which tap held the maximum; a small integer type keeps the memory traffic low
        argmax = np.zeros(maximum.shape, dtype=np.min_scalar_type(len(taps) - 1))
        for index, tap in enumerate(taps[1:], start=1):
            candidate = padded[(..., *tap_slices(tap, stride, dilation, out_shape))]
            np.putmask(argmax, candidate > maximum, index)  # strictly greater: on ties the first tap keeps it
            np.maximum(maximum, candidate, out=maximum)
        self.save_for_backward(x.shape, x.dtype, argmax)
        return maximum

    def backward(self, grad_output):
        input_shape, dtype, argmax = self.saved_values()
        grad_output = self.check_grad_output(grad_output, argmax.shape, dtype)
        stride, dilation = self.window["stride"], self.window["dilation"]
        grad_padded = np.zeros(padded_shape(input_shape, self.window["padding"]), dtype=dtype)
        kernel = self.window["kernel_size"]
        overlapping = any(s < k for s, k in zip(stride, kernel))
        for index, tap in enumerate(kernel_taps(kernel)):
            seen_by_tap = grad_padded[(..., *tap_slices(tap, stride, dilation, argmax.shape[2:]))]  # a view
            won = argmax == index  # the windows whose maximum this tap held
            if overlapping:  # an entry can be the maximum of several windows: it gets the sum of their gradients
                seen_by_tap += grad_output * won
            else:  # every entry is in one window at most: write its gradient (or 0) straight in
                np.multiply(grad_output, won, out=seen_by_tap)
        return unpad(grad_padded, self.window["padding"])


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling, as ``torch.nn.MaxPool1d``: (N, C, L) -> (N, C, L_out); ints for every argument."""

    spatial_dims = 1


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling, as ``torch.nn.MaxPool2d``: (N, C, H, W) -> (N, C, H_out, W_out); ints or pairs."""

    spatial_dims = 2


class AvgPool2d(_PoolNd):
    """2-D average pooling, as ``torch.nn.AvgPool2d`` (count_include_pad=True): (N, C, H, W) -> (N, C, H_out, W_out).

    Every window is divided by kH·kW, padded zeros included.
    """

    spatial_dims = 2

    def forward(self, x):
        x, out_shape = self.check_input(x)
        kernel, stride, dilation = self.window["kernel_size"], self.window["stride"], self.window["dilation"]
        padded = pad(x, self.window["padding"])
        total = np.zeros(x.shape[:2] + out_shape, dtype=x.dtype)
        for tap in kernel_taps(kernel):
            total += padded[(..., *tap_slices(tap, stride, dilation, out_shape))]
        self.save_for_backward(x.shape, x.dtype, out_shape)
        return total / x.dtype.type(np.prod(kernel))

    def backward(self, grad_output):
        input_shape, dtype, out_shape = self.saved_values()
        grad_output = self.check_grad_output(grad_output, input_shape[:2] + out_shape, dtype)
        kernel, stride, dilation = self.window["kernel_size"], self.window["stride"], self.window["dilation"]
        share = grad_output / dtype.type(np.prod(kernel))  # every entry of a window gets 1/K of its gradient
        grad_padded = np.zeros(padded_shape(input_shape, self.window["padding"]), dtype=dtype)
        for tap in kernel_taps(kernel):
            grad_padded[(..., *tap_slices(tap, stride, dilation, out_shape))] += share
        return unpad(grad_padded, self.window["padding"])


def pool_reference(x, reduce, kernel_size, stride, padding=None, pad_value=0.0):
    r"""Pooling written out directly (slow; the twin tests check the layers against), in 1-D or 2-D.

    ``y[n, c, *i] = reduce(x_padded[n, c, window i])`` with window i covering ``i * stride`` to
    ``i * stride + kernel_size`` on each axis; ``reduce`` is ``np.max`` (max pooling, ``pad_value=-np.inf``)
    or ``np.mean`` (average pooling counting padded zeros). Sizes are tuples, one entry per spatial axis.
    """
    padding = padding or (0,) * len(kernel_size)
    x = pad(np.asarray(x), padding, value=pad_value)
    out_shape = output_shape(x.shape[2:], kernel_size, stride, (0,) * len(padding), (1,) * len(padding))
    y = np.empty(x.shape[:2] + out_shape, dtype=x.dtype)
    for position in np.ndindex(*out_shape):
        window = x[(slice(None), slice(None)) + tuple(slice(i * s, i * s + k)
                                                     for i, s, k in zip(position, stride, kernel_size))]
        y[(slice(None), slice(None)) + position] = reduce(window.reshape(*x.shape[:2], -1), axis=-1)
    return y
