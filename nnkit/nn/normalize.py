r"""Standardizing over some axes, and its backward pass: what batch norm and layer norm share.

Over the m entries that share one mean (a channel across the batch for batch norm, one sample's features for
layer norm):

.. math::  \mu = \frac1m \sum x, \qquad \sigma^2 = \frac1m \sum (x - \mu)^2, \qquad
           \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}

(the *biased* variance, dividing by m, as PyTorch does for normalizing). Because :math:`\mu` and
:math:`\sigma` depend on every entry, the gradient of :math:`\hat x` is not just :math:`1/\sigma`: with
:math:`\hat G = \partial L/\partial \hat x`,

.. math::  \frac{\partial L}{\partial x} = \frac{1}{m\sqrt{\sigma^2+\epsilon}}
           \Big(m \hat G - \sum \hat G - \hat x \sum \hat G \odot \hat x\Big),

the sums over the same m entries. The two subtracted terms remove the parts of :math:`\hat G` that would
shift the mean or stretch the spread, which normalization undoes anyway.
"""

import numpy as np


def standardize(x, axes, eps):
    """(x_hat, mean, biased variance, 1/sqrt(var + eps)); the statistics keep their axes for broadcasting."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    variance = np.mean(centered * centered, axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(variance + eps)
    return centered * inv_std, mean, variance, inv_std


def standardize_backward(grad_x_hat, x_hat, inv_std, axes):
    r"""dL/dx from dL/dx_hat when mean and variance were computed from x itself (the formula above)."""
    count = x_hat.size // inv_std.size
    sum_grad = grad_x_hat.sum(axis=axes, keepdims=True)
    sum_grad_x_hat = (grad_x_hat * x_hat).sum(axis=axes, keepdims=True)
    return inv_std / count * (count * grad_x_hat - sum_grad - x_hat * sum_grad_x_hat)
