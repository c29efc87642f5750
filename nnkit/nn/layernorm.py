r"""Layer normalization: standardize each sample over its own features.

For every sample (every position of a sequence, too), over the last ``len(normalized_shape)`` axes:

.. math::  \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \odot \hat x + \beta

with the sample's own mean and biased variance (see :mod:`nnkit.nn.normalize`); :math:`\gamma` (``weight``)
and :math:`\beta` (``bias``) have ``normalized_shape`` and are trained. Unlike batch norm nothing depends on
the other samples, so training and evaluation compute the same thing and a batch of one is fine: the reason
transformers and recurrent networks use it. Backward: :math:`\hat G = \gamma \odot G`, then the
standardization's backward; :math:`\partial L/\partial\gamma = \sum_{\text{samples}} G \odot \hat x`,
:math:`\partial L/\partial\beta = \sum_{\text{samples}} G`.
"""

import numbers

import numpy as np

from nnkit.dtype import resolve_dtype
from nnkit.errors import ShapeError, as_array, expect_nonnegative_number, expect_positive_int, expect_shape
from nnkit.nn.module import Module
from nnkit.nn.normalize import standardize, standardize_backward
from nnkit.nn.parameter import Parameter


class LayerNorm(Module):
    """As ``torch.nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True)``: input (*, *normalized_shape)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, dtype=None):
        shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
        self.normalized_shape = tuple(expect_positive_int("LayerNorm", "normalized_shape", n) for n in shape)
        if not self.normalized_shape:
            raise ValueError("LayerNorm: normalized_shape must name at least one axis, got ()")
        self.eps = expect_nonnegative_number("LayerNorm", "eps", eps)
        dtype = resolve_dtype(dtype)
        self.weight = Parameter(np.ones(self.normalized_shape, dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape, dtype)) if elementwise_affine else None
        self.dtype = dtype

    def forward(self, x):
        x = as_array(self, "input", x, dtype=self.dtype)
        dims = len(self.normalized_shape)
        if x.ndim < dims or x.shape[x.ndim - dims:] != self.normalized_shape:
            expected = "(*, " + ", ".join(str(n) for n in self.normalized_shape) + ")"
            raise ShapeError(f"{self!r}: input must have shape {expected} (the last axes normalized), "
                             f"got {tuple(x.shape)}")
        x_hat, _, _, inv_std = standardize(x, self.normalized_axes(x.ndim), self.eps)
        self.save_for_backward(x_hat, inv_std)
        return x_hat if self.weight is None else x_hat * self.weight.data + self.bias.data

    def backward(self, grad_output):
        x_hat, inv_std = self.saved_values()
        grad_output = as_array(self, "grad_output", grad_output, dtype=x_hat.dtype)
        expect_shape(self, "grad_output", grad_output, x_hat.shape)
        grad_x_hat = grad_output
        if self.weight is not None:
            sample_axes = tuple(range(x_hat.ndim - len(self.normalized_shape)))
            self.weight.accumulate_grad((grad_output * x_hat).sum(axis=sample_axes))
            self.bias.accumulate_grad(grad_output.sum(axis=sample_axes))
            grad_x_hat = grad_output * self.weight.data
        return standardize_backward(grad_x_hat, x_hat, inv_std, self.normalized_axes(x_hat.ndim))

    def normalized_axes(self, ndim):
        return tuple(range(ndim - len(self.normalized_shape), ndim))

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.weight is not None}"
