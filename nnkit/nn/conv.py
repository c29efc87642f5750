r"""Convolution layers: one small set of weights slid over the whole input (weight sharing).

What deep-learning libraries call convolution is, strictly, cross-correlation: the kernel is not flipped.
In 1-D, with stride s, dilation d and the input already zero-padded,

.. math::  y[n, o, i] = b[o] + \sum_{c} \sum_{k} w[o, c, k] \; x[n, c, \, i s + k d]

and in 2-D the same with a second spatial index,
:math:`y[n,o,i,j] = b[o] + \sum_{c,p,q} w[o,c,p,q] \, x[n,c,\, i s_0 + p d_0,\, j s_1 + q d_1]`.
The output length along each axis (see :mod:`nnkit.nn.windows`) is

.. math::  L_{out} = \left\lfloor \frac{L + 2\,\text{padding} - \text{dilation}\,(K - 1) - 1}{\text{stride}}
           \right\rfloor + 1 .

:func:`conv1d_reference` and :func:`conv2d_reference` compute exactly these formulas with plain loops. The
layers compute the same numbers fast: they copy every window into a column (*im2col*, :func:`unfold`), so
the double sum becomes one matrix product per sample, done by BLAS.
"""

import numpy as np

from nnkit.dtype import resolve_dtype
from nnkit.errors import as_array, expect_positive_int, expect_shape
from nnkit.nn.module import Module
from nnkit.nn.parameter import Parameter
from nnkit.nn.windows import (
    as_size_tuple,
    expect_batched_input,
    fold,
    output_shape,
    padded_shape,
    to_batch_first,
    to_batch_last,
    unfold,
)


class _ConvNd(Module):
    r"""Convolution over ``spatial_dims`` axes; :class:`Conv1d`, :class:`Conv2d` and :class:`Conv3d` fix that number.

    Forward: every window of every sample is copied into one column of :math:`X_{col}`
    (C_in·∏K, P·N), P = number of output positions (*im2col*, :func:`unfold`); the weight flattened to
    :math:`W_{mat}` (C_out, C_in·∏K) then gives all outputs of the batch in one matrix product:

    .. math::  Y = W_{mat} X_{col} + b \qquad (C_{out}, P \cdot N)

    Backward, with :math:`G = \partial L / \partial Y` laid out the same way, it is :class:`Linear`'s backward:

    .. math::  \partial L/\partial W_{mat} = G X_{col}^\top, \quad
               \partial L/\partial b = \textstyle\sum_{\text{columns}} G, \quad
               \partial L/\partial X_{col} = W_{mat}^\top G

    and :math:`\partial L/\partial x` is :math:`\partial L/\partial X_{col}` folded back (*col2im*): every input
    entry gets the sum over the windows that saw it.

    Initialization matches PyTorch: weight and bias from :math:`U(-1/\sqrt{fan_{in}}, 1/\sqrt{fan_{in}})`,
    :math:`fan_{in} = C_{in} \prod K`, drawn with ``np.random``, weight first.
    """

    spatial_dims = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, bias=True,
                 dtype=None):
        name, dims = type(self).__name__, self.spatial_dims
        self.in_channels = expect_positive_int(name, "in_channels", in_channels)
        self.out_channels = expect_positive_int(name, "out_channels", out_channels)
        self.kernel_size = as_size_tuple(name, "kernel_size", kernel_size, dims)
        self.stride = as_size_tuple(name, "stride", stride, dims)
        self.padding = as_size_tuple(name, "padding", padding, dims, minimum=0)
        self.dilation = as_size_tuple(name, "dilation", dilation, dims)
        dtype = resolve_dtype(dtype)
        bound = 1.0 / np.sqrt(in_channels * np.prod(self.kernel_size))
        weight_shape = (out_channels, in_channels, *self.kernel_size)
        self.weight = Parameter(np.random.uniform(-bound, bound, weight_shape).astype(dtype))
        self.bias = Parameter(np.random.uniform(-bound, bound, out_channels).astype(dtype)) if bias else None

    def forward(self, x):
        x, out_shape = expect_batched_input(self, x, self.in_channels, self.kernel_size, self.stride, self.padding,
                                            self.dilation, dtype=self.weight.data.dtype)
        # batch axis last, (C, *spatial, N): long contiguous runs for unfold/fold (see nnkit.nn.windows)
        windows = unfold(to_batch_last(x, self.padding), self.kernel_size, self.stride, self.dilation, out_shape)
        columns = windows.reshape(-1, windows.shape[-1] * int(np.prod(out_shape)))  # (C_in·∏K, P·N)
        y = self.weight_matrix() @ columns  # (C_out, P·N): the whole batch in one BLAS product
        if self.bias is not None:
            y += self.bias.data[:, None]
        self.save_for_backward(x.shape, columns)
        return to_batch_first(y.reshape(self.out_channels, *out_shape, x.shape[0]))

    def backward(self, grad_output):
        input_shape, columns = self.saved_values()
        batch, out_shape = input_shape[0], self.output_spatial_shape(input_shape)
        grad_output = as_array(repr(self), "grad_output", grad_output, dtype=self.weight.data.dtype)
        expect_shape(repr(self), "grad_output", grad_output, (batch, self.out_channels, *out_shape))
        grad_y = to_batch_last(grad_output, (0,) * self.spatial_dims).reshape(self.out_channels, -1)  # (C_out, P·N)
        self.weight.accumulate_grad((grad_y @ columns.T).reshape(self.weight.data.shape))
        if self.bias is not None:
            self.bias.accumulate_grad(grad_y.sum(axis=1))
        grad_columns = self.weight_matrix().T @ grad_y  # (C_in·∏K, P·N)
        grad_windows = grad_columns.reshape(self.in_channels, *self.kernel_size, *out_shape, batch)
        grad_padded = fold(grad_windows, padded_shape(input_shape, self.padding)[2:], self.stride, self.dilation)
        return to_batch_first(grad_padded, self.padding)

    def weight_matrix(self):
        """The weight as (C_out, C_in·∏K): row o holds filter o, in the order unfold lays out a window."""
        return self.weight.data.reshape(self.out_channels, -1)

    def output_spatial_shape(self, input_shape):
        return output_shape(input_shape[2:], self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if any(self.padding):
            text += f", padding={self.padding}"
        if any(d != 1 for d in self.dilation):
            text += f", dilation={self.dilation}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv1d(_ConvNd):
    """1-D convolution, as ``torch.nn.Conv1d``: (N, C_in, L) -> (N, C_out, L_out).

    ``weight`` is (C_out, C_in, K), ``bias`` (C_out,); ``kernel_size``, ``stride``, ``padding`` and
    ``dilation`` are ints. The math is in :class:`_ConvNd` and the module docstring.
    """

    spatial_dims = 1


class Conv2d(_ConvNd):
    """2-D convolution, as ``torch.nn.Conv2d``: (N, C_in, H, W) -> (N, C_out, H_out, W_out).

    ``weight`` is (C_out, C_in, kH, kW), ``bias`` (C_out,); ``kernel_size``, ``stride``, ``padding`` and
    ``dilation`` are ints (same for both axes) or (height, width) pairs. The output size formula holds for
    H and W separately. The math is in :class:`_ConvNd` and the module docstring.
    """

    spatial_dims = 2


class Conv3d(_ConvNd):
    r"""3-D convolution, as ``torch.nn.Conv3d``: (N, C_in, D, H, W) -> (N, C_out, D_out, H_out, W_out).

    For volumes (a CT scan: depth slices of an image) or video (D = time, frames of H x W pixels): the kernel
    slides along all three axes, so one filter can respond to a pattern that *moves* across frames.
    ``weight`` is (C_out, C_in, kD, kH, kW), ``bias`` (C_out,); ``kernel_size``, ``stride``, ``padding`` and
    ``dilation`` are ints or (depth, height, width) triples. Same math as :class:`_ConvNd`, one more sum:
    :math:`y[n,o,t,i,j] = b[o] + \sum_{c,r,p,q} w[o,c,r,p,q]\, x[n,c,\, t s_0 + r d_0,\, i s_1 + p d_1,\,
    j s_2 + q d_2]`.
    """

    spatial_dims = 3


def conv1d_reference(x, weight, bias=None, stride=1, padding=0, dilation=1):
    r"""The 1-D convolution formula, written out directly (slow; the twin that tests check :class:`Conv1d` against).

    .. math::  y[n, o, i] = b[o] + \sum_c \sum_k w[o, c, k] \, x[n, c, i \cdot stride + k \cdot dilation]

    with ``x`` zero-padded by ``padding`` on both ends. Shapes: x (N, C_in, L), weight (C_out, C_in, K).
    """
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    out_channels, _, kernel = weight.shape
    length_out = (x.shape[2] - dilation * (kernel - 1) - 1) // stride + 1
    y = np.zeros((x.shape[0], out_channels, length_out), dtype=np.result_type(x, weight))
    for i in range(length_out):
        for k in range(kernel):
            # (N, C_in) @ (C_in, C_out): the sum over input channels c, for every sample and output channel at once
            y[:, :, i] += x[:, :, i * stride + k * dilation] @ weight[:, :, k].T
    if bias is not None:
        y += bias[:, None]
    return y


def conv2d_reference(x, weight, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
    r"""The 2-D convolution formula, written out directly (slow; the twin of :class:`Conv2d`).

    .. math::  y[n, o, i, j] = b[o] + \sum_c \sum_p \sum_q w[o, c, p, q] \,
               x[n, c, \, i \cdot s_0 + p \cdot d_0, \, j \cdot s_1 + q \cdot d_1]

    with ``x`` zero-padded by ``padding`` (a (height, width) pair, like ``stride`` and ``dilation``).
    Shapes: x (N, C_in, H, W), weight (C_out, C_in, kH, kW).
    """
    x = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    out_channels, _, kernel_h, kernel_w = weight.shape
    height_out = (x.shape[2] - dilation[0] * (kernel_h - 1) - 1) // stride[0] + 1
    width_out = (x.shape[3] - dilation[1] * (kernel_w - 1) - 1) // stride[1] + 1
    y = np.zeros((x.shape[0], out_channels, height_out, width_out), dtype=np.result_type(x, weight))
    for i in range(height_out):
        for j in range(width_out):
            for p in range(kernel_h):
                for q in range(kernel_w):
                    pixel = x[:, :, i * stride[0] + p * dilation[0], j * stride[1] + q * dilation[1]]  # (N, C_in)
                    y[:, :, i, j] += pixel @ weight[:, :, p, q].T
    if bias is not None:
        y += bias[:, None, None]
    return y
