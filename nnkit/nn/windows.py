r"""Sliding windows over the spatial axes: the machinery convolution and pooling share.

A convolution or pooling layer looks at the input through a window of
``kernel_size`` that moves ``stride`` steps at a time, whose taps are
``dilation`` apart, over an input padded by ``padding`` on each side. Along one
spatial axis of size L, with kernel size K, there are

.. math::  L_{out} = \left\lfloor \frac{L + 2\,\text{padding} - \text{dilation}\,(K - 1) - 1}{\text{stride}}
           \right\rfloor + 1

window positions (PyTorch's formula; the floor drops a last window that would stick out of the input).

Window position i starts at ``i * stride``, and its tap k reads input index ``i * stride + k * dilation``.
So for a fixed tap k, the values seen by all windows form one strided slice of the input,

.. math::  x[k\,d \;:\; k\,d + s\,(L_{out} - 1) + 1 \;:\; s],

which is how the layers stay vectorized: they loop over the few kernel taps (K, or kH·kW) and handle every
sample, channel and window position of one tap in a single numpy operation.

Convolution (:func:`unfold`, :func:`fold`) keeps the batch axis last, (C, *spatial, N); see :func:`to_batch_last`.

* :func:`unfold` (also called *im2col*) copies those slices out, tap by tap:
  (C, *spatial, N) -> (C, *kernel, *out, N).
* :func:`fold` is its transpose (the backward pass): it *adds* each tap's values back where they came from,
  so an input entry seen by several windows receives the sum of their gradients.
"""

import numbers

import numpy as np

from nnkit.dtype import resolve_dtype
from nnkit.errors import ShapeError, as_array

SPATIAL_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def as_size_tuple(who, name, value, dims, minimum=1):
    """An int (used for every spatial axis) or a ``dims``-tuple of ints >= ``minimum`` -> a ``dims``-tuple."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    ok = len(values) == dims and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= minimum for v in values
    )
    if not ok:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        what = kind if dims == 1 else f"{kind} or a tuple of {dims} of them"
        raise ValueError(f"{who}: {name} must be {what}, got {value!r}")
    return tuple(int(v) for v in values)


def output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    r"""Number of window positions along one axis: :math:`\lfloor (L + 2p - d(K-1) - 1) / s \rfloor + 1`."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def output_shape(spatial_shape, kernel_size, stride, padding, dilation):
    """:func:`output_size` for every spatial axis."""
    return tuple(output_size(*args) for args in zip(spatial_shape, kernel_size, stride, padding, dilation))


def expect_batched_input(layer, x, channels, kernel_size, stride, padding, dilation, dtype=None):
    """Check a conv/pool input, (N, C, *spatial), and return it as an ndarray with its output spatial shape.

    ``channels`` None accepts any channel count (pooling). ``dtype`` None keeps a float input's dtype (other
    inputs become the default float type). Raises :class:`ShapeError` naming the layer, the expected and the
    actual shape: for a wrong rank (with a hint when the batch axis is missing), a wrong channel count, or an
    input smaller than the dilated kernel (the output would be empty).
    """
    who = repr(layer)
    x = as_array(who, "input", x)
    if dtype is None:
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else resolve_dtype(None)
    x = as_array(who, "input", x, dtype=dtype)
    dims = len(kernel_size)
    expected = ("N", "C" if channels is None else str(channels), *SPATIAL_NAMES[dims])
    expected_text = "(" + ", ".join(expected) + ")"
    if x.ndim != dims + 2 or (channels is not None and x.shape[1] != channels):
        message = f"{who}: input must have shape {expected_text}, got {tuple(x.shape)}"
        if x.ndim == dims + 1:
            message += "; inputs are batched, so add a batch axis, e.g. x[None] for a single sample"
        raise ShapeError(message)
    spatial = x.shape[2:]
    out = output_shape(spatial, kernel_size, stride, padding, dilation)
    if min(out) < 1:
        padded = tuple(size + 2 * p for size, p in zip(spatial, padding))
        dilated = tuple(d * (k - 1) + 1 for k, d in zip(kernel_size, dilation))
        padded_text = f" (padded: {describe_sizes(padded)})" if any(padding) else ""
        raise ShapeError(
            f"{who}: input of spatial size {describe_sizes(spatial)}{padded_text} is smaller "
            f"than the {'dilated ' if max(dilation) > 1 else ''}kernel {describe_sizes(dilated)}, so the output "
            f"would be empty; got input shape {tuple(x.shape)}"
        )
    return x, out


def describe_sizes(sizes):
    """(5,) -> '5', (5, 7) -> '5x7'."""
    return "x".join(str(s) for s in sizes)


def pad(x, padding, value=0.0):
    """Pad the spatial axes (all but the first two) of ``x`` by ``padding[i]`` on both sides with ``value``."""
    if not any(padding):
        return x
    return np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding], constant_values=value)


def unpad(x, padding):
    """Undo :func:`pad`: cut ``padding[i]`` entries off both ends of each spatial axis (a view)."""
    return x[(slice(None), slice(None)) + tuple(slice(p, x.shape[2 + i] - p) for i, p in enumerate(padding))]


def padded_shape(input_shape, padding):
    """(N, C, *spatial) -> (N, C, *(spatial + 2 * padding))."""
    return tuple(input_shape[:2]) + tuple(size + 2 * p for size, p in zip(input_shape[2:], padding))


def tap_slices(tap, stride, dilation, out_shape):
    """Slices of the spatial axes: what kernel tap ``tap`` reads of the (padded) input, for every window at once.

    Along each axis: ``tap * dilation : tap * dilation + stride * (out - 1) + 1 : stride``. Index with
    ``x[(..., *tap_slices(...))]`` when the spatial axes come last.
    """
    return tuple(slice(k * d, k * d + s * (n - 1) + 1, s) for k, s, d, n in zip(tap, stride, dilation, out_shape))


def kernel_taps(kernel_size):
    """Every tap of the kernel, in row-major order: (0, 0), (0, 1), ..., like PyTorch's scan."""
    return list(np.ndindex(*kernel_size))


# Convolution works with the batch axis *last*, (C, *spatial, N): a tap's slice then has rows of W_out·N
# contiguous numbers instead of W_out, so each copy in unfold/fold is a few long runs (fast), and the matrix
# products of a whole batch become one large product.

def to_batch_last(x, padding):
    """(N, C, *spatial) -> (C, *(spatial + 2 * padding), N), zero-padded: one copy does both."""
    if not any(padding):
        return np.ascontiguousarray(np.moveaxis(x, 0, -1))
    padded = np.zeros((x.shape[1], *padded_shape(x.shape, padding)[2:], x.shape[0]), dtype=x.dtype)
    interior = tuple(slice(p, p + size) for p, size in zip(padding, x.shape[2:]))
    padded[(slice(None), *interior)] = np.moveaxis(x, 0, -1)
    return padded


def to_batch_first(x, padding=None):
    """(C, *padded spatial, N) -> (N, C, *spatial), dropping ``padding``; a contiguous copy."""
    padding = padding or (0,) * (x.ndim - 2)
    interior = tuple(slice(p, size - p) for p, size in zip(padding, x.shape[1:-1]))
    return np.ascontiguousarray(np.moveaxis(x[(slice(None), *interior)], -1, 0))


def unfold(x_padded, kernel_size, stride, dilation, out_shape):
    """im2col, batch last: ``windows[c, *k, *i, n] = x_padded[c, *(i * stride + k * dilation), n]``.

    Shapes: (C, *spatial, N) -> (C, *kernel_size, *out_shape, N), a contiguous copy in the input's dtype.
    """
    channels, batch = x_padded.shape[0], x_padded.shape[-1]
    windows = np.empty((channels, *kernel_size, *out_shape, batch), dtype=x_padded.dtype)
    for tap in kernel_taps(kernel_size):
        windows[(slice(None), *tap)] = x_padded[(slice(None), *tap_slices(tap, stride, dilation, out_shape))]
    return windows


def fold(windows, spatial_shape, stride, dilation):
    """col2im, the transpose of :func:`unfold`: sum every window entry back into the input position it came from.

    Shapes: (C, *kernel_size, *out, N) -> (C, *spatial_shape, N), batch last. Overlapping windows accumulate.
    """
    dims = len(spatial_shape)
    kernel_size, out_shape = windows.shape[1:1 + dims], windows.shape[1 + dims:-1]
    total = np.zeros((windows.shape[0], *spatial_shape, windows.shape[-1]), dtype=windows.dtype)
    for tap in kernel_taps(kernel_size):
        total[(slice(None), *tap_slices(tap, stride, dilation, out_shape))] += windows[(slice(None), *tap)]
    return total
