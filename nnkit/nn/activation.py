r"""Activation functions as modules, each with its derivative next to it.

An elementwise activation :math:`y = f(x)` has the backward pass

.. math::  \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} \odot f'(x)

so each class below states only ``function`` (f) and ``derivative`` (f'); the
shared forward/backward lives in :class:`Activation`. Any input shape works;
the output has the same shape.
"""

import numpy as np

from nnkit.dtype import resolve_dtype
from nnkit.errors import as_array, expect_nonnegative_number, expect_shape
from nnkit.nn.module import Module
from nnkit.nn.parameter import Parameter


class Activation(Module):
    """An elementwise function f with derivative f'; backward multiplies by f'(x)."""

    def function(self, x):
        raise NotImplementedError

    def derivative(self, x, y):
        """f'(x); ``y = f(x)`` is passed too because some derivatives are cheapest in terms of y."""
        raise NotImplementedError

    def forward(self, x):
        if not (type(x) is np.ndarray and x.dtype.kind == "f"):  # convert only what is not a float array yet
            x = as_array(self, "input", x)
            if not np.issubdtype(x.dtype, np.floating):
                x = x.astype(np.float64)
        y = self.function(x)
        self.save_for_backward(x, y)
        return y

    def backward(self, grad_output):
        x, y = self.saved_values()
        grad_output = np.asarray(grad_output)
        if grad_output.shape != x.shape:
            expect_shape(self, "grad_output", grad_output, x.shape)
        return grad_output * self.derivative(x, y)


class Identity(Activation):
    r""":math:`f(x) = x`, :math:`f'(x) = 1`. A linear neuron."""

    def function(self, x):
        return x.copy()

    def derivative(self, x, y):
        return np.ones_like(x)


class Step(Activation):
    r"""Heaviside step: :math:`f(x) = 1` if :math:`x > 0` else 0; :math:`f'(x) = 0` (undefined at 0).

    The perceptron's activation. Its derivative is zero everywhere it exists,
    which is exactly why gradient descent cannot train step networks.
    """

    def function(self, x):
        return (x > 0).astype(x.dtype)

    def derivative(self, x, y):
        return np.zeros_like(x)


class Sign(Activation):
    r"""Sign: :math:`f(x) = +1` if :math:`x \ge 0` else :math:`-1`; :math:`f'(x) = 0` (undefined at 0)."""

    def function(self, x):
        return np.where(x >= 0, 1.0, -1.0).astype(x.dtype)

    def derivative(self, x, y):
        return np.zeros_like(x)


class Sigmoid(Activation):
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, :math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`.

    Computed as written. For very negative x (below -709 in float64) :math:`e^{-x}`
    overflows to infinity and the quotient is exactly 0, the true value rounded
    (it is below :math:`10^{-307}`): finite for any input.
    """

    def function(self, x):
        return sigmoid(x)

    def derivative(self, x, y):
        return y * (1 - y)


def sigmoid(x, out=None):
    r""":math:`1/(1 + e^{-x})` for any x (shared by Sigmoid, Softplus' derivative and the recurrent layers).

    ``out``: an array to write the result into (the recurrent layers fill their per-step buffers).
    """
    with np.errstate(over="ignore"):  # e^{-x} = inf for very negative x: 1 / (1 + inf) = 0, the right answer
        return np.divide(1, 1 + np.exp(-x), out=out)


class Tanh(Activation):
    r""":math:`\tanh(x) = (e^x - e^{-x})/(e^x + e^{-x})`, :math:`\tanh'(x) = 1 - \tanh^2(x)`.

    (One lecture deck prints :math:`(1-\tanh x)^2`. That is a slip: the two
    agree only where tanh x = 0; at x = 1 the true slope is 0.42, the slip gives 0.057.)
    """

    def function(self, x):
        return np.tanh(x)

    def derivative(self, x, y):
        return 1 - y**2


class ArcTan(Activation):
    r""":math:`f(x) = \arctan(x)`, :math:`f'(x) = 1/(1 + x^2)`. Not in PyTorch; here because the lectures plot it."""

    def function(self, x):
        return np.arctan(x)

    def derivative(self, x, y):
        return 1 / (1 + x**2)


class ReLU(Activation):
    r""":math:`f(x) = \max(0, x)`, :math:`f'(x) = 1` if :math:`x > 0` else 0.

    At exactly 0 the derivative is taken as 0, as PyTorch does.
    """

    def function(self, x):
        return np.maximum(x, 0)

    def derivative(self, x, y):
        return (x > 0).astype(x.dtype)


class LeakyReLU(Activation):
    r""":math:`f(x) = x` if :math:`x > 0` else :math:`\alpha x`; :math:`f'(x) = 1` or :math:`\alpha`.

    :math:`\alpha` is ``negative_slope``: a small slope keeps gradients flowing for negative inputs.
    """

    def __init__(self, negative_slope=0.01):
        self.negative_slope = expect_nonnegative_number("LeakyReLU", "negative_slope", negative_slope)

    def function(self, x):
        return np.where(x > 0, x, self.negative_slope * x)

    def derivative(self, x, y):
        return np.where(x > 0, 1.0, self.negative_slope).astype(x.dtype)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Activation):
    r""":math:`f(x) = x` if :math:`x > 0` else :math:`\alpha(e^x - 1)`; :math:`f'(x) = 1` or :math:`f(x) + \alpha`."""

    def __init__(self, alpha=1.0):
        self.alpha = expect_nonnegative_number("ELU", "alpha", alpha)

    def function(self, x):
        # expm1 of min(x, 0): exact near 0 and never overflows for large positive x
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0)))

    def derivative(self, x, y):
        return np.where(x > 0, 1.0, y + self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Softplus(Activation):
    r""":math:`f(x) = \ln(1 + e^x)`, :math:`f'(x) = \sigma(x)`. A smooth ReLU.

    ``np.logaddexp(0, x)`` computes :math:`\ln(e^0 + e^x)` without overflow.
    """

    def function(self, x):
        return np.logaddexp(0, x)

    def derivative(self, x, y):
        return sigmoid(x)


class PReLU(Module):
    r"""Parametric ReLU: :math:`f(x) = x` if :math:`x > 0` else :math:`a x`, with the slope a *learned*.

    ``weight`` holds a (shape (1,), initialized to ``init`` = 0.25 as in PyTorch).
    Backward: :math:`\partial L/\partial x = G \odot f'(x)` and
    :math:`\partial L/\partial a = \sum G \odot \min(x, 0)`.
    """

    def __init__(self, init=0.25, dtype=None):
        self.weight = Parameter(np.full(1, init, dtype=resolve_dtype(dtype)))

    def forward(self, x):
        x = as_array(self, "input", x, dtype=self.weight.data.dtype)
        self.save_for_backward(x)
        return np.where(x > 0, x, self.weight.data[0] * x)

    def backward(self, grad_output):
        x = self.saved_values()
        grad_output = expect_shape(self, "grad_output", np.asarray(grad_output), x.shape)
        self.weight.grad += np.sum(grad_output * np.minimum(x, 0))
        return grad_output * np.where(x > 0, 1.0, self.weight.data[0])


class Softmax(Module):
    r"""Turn scores into probabilities along ``dim``: :math:`y_i = e^{x_i} / \sum_j e^{x_j}`.

    Subtracting :math:`\max_j x_j` first changes nothing mathematically and
    keeps every exponent :math:`\le 0`, so nothing overflows.
    Backward (the Jacobian is :math:`\mathrm{diag}(y) - y y^\top`):

    .. math::  \frac{\partial L}{\partial x_i} = y_i \Big(G_i - \sum_j G_j y_j\Big)
    """

    def __init__(self, dim=-1):
        self.dim = dim

    def forward(self, x):
        x = as_array(self, "input", x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float64)
        y = softmax(x, self.dim)
        self.save_for_backward(y)
        return y

    def backward(self, grad_output):
        y = self.saved_values()
        grad_output = expect_shape(self, "grad_output", np.asarray(grad_output), y.shape)
        return y * (grad_output - np.sum(grad_output * y, axis=self.dim, keepdims=True))

    def extra_repr(self):
        return f"dim={self.dim}"


def softmax(x, dim=-1):
    """Numerically stable softmax along ``dim`` (shared by Softmax and CrossEntropyLoss)."""
    shifted = np.exp(x - x.max(axis=dim, keepdims=True))
    return shifted / shifted.sum(axis=dim, keepdims=True)


def log_softmax(x, dim=-1):
    r""":math:`\log \mathrm{softmax}(x) = x - \max x - \log \sum_j e^{x_j - \max x}`: finite for any finite x."""
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
