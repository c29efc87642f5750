r"""Initial weights of the right scale, as ``torch.nn.init``.

A layer with :math:`fan_{in}` inputs sums that many products :math:`w x`. With independent zero-mean
weights of variance :math:`\sigma_w^2`, the output's variance is

.. math::  \operatorname{Var}(z) = fan_{in}\, \sigma_w^2 \operatorname{Var}(x),

so unless :math:`\sigma_w^2 \approx 1/fan_{in}` the signal grows or shrinks by the same factor at every
layer, exponentially with depth. The schemes below pick :math:`\sigma_w` to keep it steady:

* **Xavier/Glorot** (tanh, sigmoid, linear): average the forward and backward conditions,
  :math:`\sigma_w^2 = \text{gain}^2 \cdot 2/(fan_{in} + fan_{out})`.
* **Kaiming/He** (ReLU): ReLU zeroes half of its inputs, halving the variance, so
  :math:`\sigma_w^2 = \text{gain}^2/fan`, with ``gain`` :math:`= \sqrt 2` for ReLU.

A uniform distribution :math:`U(-a, a)` has variance :math:`a^2/3`, so the ``_uniform_`` versions use
:math:`a = \sqrt 3\, \sigma_w`. Fans follow PyTorch: a weight (out, in, *kernel) has
:math:`fan_{in} = in \cdot \prod kernel` and :math:`fan_{out} = out \cdot \prod kernel`.

Every function fills a Parameter (or ndarray) *in place* and returns it. Random ones draw from ``generator``
(a ``numpy.random.Generator``) if given, otherwise from ``np.random``, so ``np.random.seed(s)`` makes them
reproducible, like the layers' own initialization.
"""

import math
import numbers

import numpy as np

from nnkit.nn.parameter import Parameter

GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3,
         "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity, param=None):
    r"""The factor by which ``nonlinearity`` scales the standard deviation back up, as in PyTorch.

    tanh: 5/3, ReLU: :math:`\sqrt 2`, leaky ReLU with slope a (default 0.01): :math:`\sqrt{2/(1+a^2)}`.
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, numbers.Real):
            raise ValueError(f"calculate_gain: the negative slope must be a number, got {param!r}")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in GAINS:
        raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; "
                         f"choose one of {sorted(GAINS) + ['leaky_relu']}")
    return GAINS[nonlinearity]


def calculate_fans(array):
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel), as PyTorch's ``_calculate_fan_in_and_fan_out``."""
    shape = _values(array, "calculate_fans").shape
    if len(shape) < 2:
        raise ValueError(f"init: fan in and fan out need a weight with at least 2 dimensions, got shape {shape}")
    receptive_field = int(np.prod(shape[2:]))
    return shape[1] * receptive_field, shape[0] * receptive_field


def xavier_uniform_(tensor, gain=1.0, generator=None):
    r""":math:`U(-a, a)`, :math:`a = \text{gain}\sqrt{6/(fan_{in} + fan_{out})}`."""
    fan_in, fan_out = calculate_fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    r""":math:`N(0, \sigma^2)`, :math:`\sigma = \text{gain}\sqrt{2/(fan_{in} + fan_{out})}`."""
    fan_in, fan_out = calculate_fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r""":math:`U(-b, b)`, :math:`b = \text{gain}\sqrt{3/fan}`; ``a`` is the leaky ReLU slope (0: plain ReLU)."""
    return uniform_(tensor, *_kaiming_bound(tensor, a, mode, nonlinearity, math.sqrt(3.0)), generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r""":math:`N(0, \sigma^2)`, :math:`\sigma = \text{gain}/\sqrt{fan}`; ``mode`` picks fan_in (forward) or fan_out."""
    _, std = _kaiming_bound(tensor, a, mode, nonlinearity, 1.0)
    return normal_(tensor, 0.0, std, generator)


def _kaiming_bound(tensor, a, mode, nonlinearity, factor):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fans(tensor)
    spread = factor * calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    return -spread, spread


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with draws from U(a, b)."""
    values = _values(tensor, "uniform_")
    random = np.random if generator is None else generator
    values[...] = random.uniform(a, b, values.shape)
    return tensor


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with draws from N(mean, std²)."""
    values = _values(tensor, "normal_")
    random = np.random if generator is None else generator
    values[...] = random.normal(mean, std, values.shape)
    return tensor


def constant_(tensor, val):
    values = _values(tensor, "constant_")
    values[...] = val
    return tensor


def zeros_(tensor):
    return constant_(tensor, 0.0)


def ones_(tensor):
    return constant_(tensor, 1.0)


def _values(tensor, who):
    """The array to fill: a Parameter's ``data`` or the ndarray itself."""
    values = tensor.data if isinstance(tensor, Parameter) else tensor
    if not isinstance(values, np.ndarray):
        raise TypeError(f"init.{who}: expected a Parameter or an ndarray, got {type(tensor).__name__}")
    return values
