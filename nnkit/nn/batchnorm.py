r"""Batch normalization: standardize every channel over the batch, then let the network rescale it.

In training mode, for each channel c, over the batch (and the spatial positions, for images):

.. math::  \hat x = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad y = \gamma_c \hat x + \beta_c

with the batch mean :math:`\mu_B` and *biased* variance :math:`\sigma_B^2` (see :mod:`nnkit.nn.normalize`).
Each layer's input then keeps mean 0 and spread 1 however the earlier weights move, which lets a deep plain
network train at learning rates that would otherwise blow it up. :math:`\gamma` (``weight``, starts at 1) and
:math:`\beta` (``bias``, starts at 0) are trained, so the layer can undo the normalization if that helps.

A test sample has no batch to average over, so training also keeps running averages (buffers, saved in
``state_dict()``), updated after each batch with ``momentum`` :math:`m = 0.1`, exactly as in PyTorch:

.. math::  \mu_{run} \leftarrow (1-m)\,\mu_{run} + m\,\mu_B, \qquad
           \sigma^2_{run} \leftarrow (1-m)\,\sigma^2_{run} + m\,\tfrac{n}{n-1}\,\sigma_B^2

(the *unbiased* variance here, n values per channel). In evaluation mode (``model.eval()``) the layer uses
:math:`\mu_{run}, \sigma^2_{run}` instead: a fixed affine map, whose backward is just
:math:`\partial L/\partial x = \gamma\, G / \sqrt{\sigma^2_{run} + \epsilon}`.
With ``track_running_stats=False`` there are no running averages and the batch statistics are used in
evaluation too, as in PyTorch.
"""

import numpy as np

from nnkit.dtype import resolve_dtype
from nnkit.errors import ShapeError, as_array, expect_nonnegative_number, expect_positive_int, expect_shape
from nnkit.nn.module import Module
from nnkit.nn.normalize import standardize, standardize_backward
from nnkit.nn.parameter import Parameter


class _BatchNorm(Module):
    """Batch norm over axis 1 (channels) of inputs of the ranks in ``input_ranks``; the subclasses fix them."""

    input_ranks = ()
    shape_names = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, dtype=None):
        name = type(self).__name__
        self.num_features = expect_positive_int(name, "num_features", num_features)
        self.eps = expect_nonnegative_number(name, "eps", eps)
        self.momentum = expect_nonnegative_number(name, "momentum", momentum)
        if self.momentum > 1:
            raise ValueError(f"{name}: momentum must be in [0, 1], got {momentum!r}")
        dtype = resolve_dtype(dtype)
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine else None
        self.dtype = dtype
        self.track_running_stats = bool(track_running_stats)
        if self.track_running_stats:  # without them (PyTorch's option) the batch statistics are used in eval too
            self.register_buffer("running_mean", np.zeros(num_features, dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def forward(self, x):
        x = self.checked_input(x)
        axes = (0, *range(2, x.ndim))  # every axis but the channels
        use_batch_statistics = self.training or not self.track_running_stats
        if use_batch_statistics:
            count = x.size // self.num_features
            if count < 2:
                raise ValueError(f"{self!r}: batch statistics need more than 1 value per channel to compute a "
                                 f"variance, got input shape {x.shape}; use a larger batch or call model.eval()")
            x_hat, mean, variance, inv_std = standardize(x, axes, self.eps)
            if self.training and self.track_running_stats:
                self.running_mean *= 1 - self.momentum
                self.running_mean += self.momentum * mean.reshape(-1)
                self.running_var *= 1 - self.momentum
                self.running_var += self.momentum * variance.reshape(-1) * count / (count - 1)
                self.num_batches_tracked += 1
        else:
            inv_std = 1.0 / np.sqrt(self.per_channel(self.running_var, x.ndim) + self.eps)
            x_hat = (x - self.per_channel(self.running_mean, x.ndim)) * inv_std
        self.save_for_backward(x_hat, inv_std, use_batch_statistics)
        if self.weight is None:
            return x_hat
        return x_hat * self.per_channel(self.weight.data, x.ndim) + self.per_channel(self.bias.data, x.ndim)

    def backward(self, grad_output):
        x_hat, inv_std, used_batch_statistics = self.saved_values()
        grad_output = as_array(self, "grad_output", grad_output, dtype=x_hat.dtype)
        expect_shape(self, "grad_output", grad_output, x_hat.shape)
        axes = (0, *range(2, x_hat.ndim))
        grad_x_hat = grad_output
        if self.weight is not None:
            self.weight.accumulate_grad((grad_output * x_hat).sum(axis=axes))
            self.bias.accumulate_grad(grad_output.sum(axis=axes))
            grad_x_hat = grad_output * self.per_channel(self.weight.data, x_hat.ndim)
        if used_batch_statistics:
            return standardize_backward(grad_x_hat, x_hat, inv_std, axes)
        return grad_x_hat * inv_std

    @staticmethod
    def per_channel(values, ndim):
        """(C,) -> (1, C, 1, ...): one value per channel, broadcast over the batch and spatial axes."""
        return values.reshape((1, -1) + (1,) * (ndim - 2))

    def checked_input(self, x):
        x = as_array(self, "input", x, dtype=self.dtype)
        if x.ndim not in self.input_ranks or x.shape[1] != self.num_features:
            shapes = " or ".join("(" + ", ".join(("N", str(self.num_features), *names)) + ")"
                                 for names in self.shape_names)
            raise ShapeError(f"{self!r}: input must have shape {shapes}, got {tuple(x.shape)}")
        return x

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.weight is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm of features, as ``torch.nn.BatchNorm1d``: (N, C) or (N, C, L); statistics per feature C."""

    input_ranks = (2, 3)
    shape_names = ((), ("L",))


class BatchNorm2d(_BatchNorm):
    """Batch norm of image channels, as ``torch.nn.BatchNorm2d``: (N, C, H, W); statistics over N, H and W."""

    input_ranks = (4,)
    shape_names = (("H", "W"),)
