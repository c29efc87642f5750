"""The fully connected layer."""

import numpy as np

from nnkit.dtype import resolve_dtype
from nnkit.errors import expect_input, expect_positive_int, expect_shape
from nnkit.nn.module import Module
from nnkit.nn.parameter import Parameter


class Linear(Module):
    r"""Fully connected layer: every output is a weighted sum of all inputs plus a bias.

    .. math::  Y = X W^\top + b

    Shapes: ``X`` (N, in_features) -> ``Y`` (N, out_features); ``weight`` W is
    (out_features, in_features) and ``bias`` b is (out_features,), as in PyTorch.
    Row n of X is one sample, so this is the lectures' :math:`z = W a + b`
    applied to every sample at once (the lectures stack samples as columns;
    nnkit, like PyTorch, stacks them as rows, hence the transpose).

    Backward, with :math:`G = \partial L / \partial Y`:

    .. math::  \partial L/\partial W = G^\top X, \quad
               \partial L/\partial b = \textstyle\sum_n G_n, \quad
               \partial L/\partial X = G W

    ``backward(grad_output, input_grad=False)`` skips :math:`G W` and returns None: a network's first layer
    needs no gradient for the data (PyTorch skips it too, for inputs without ``requires_grad``), and for
    wide inputs it is a third of the training step's arithmetic.

    Initialization matches PyTorch: W and b are drawn from
    :math:`U(-1/\sqrt{in}, 1/\sqrt{in})` with ``np.random``, weight first, so
    ``np.random.seed(s)`` makes a model reproducible.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        self.in_features = expect_positive_int("Linear", "in_features", in_features)
        self.out_features = expect_positive_int("Linear", "out_features", out_features)
        dtype = resolve_dtype(dtype)
        bound = 1.0 / np.sqrt(in_features)
        self.weight = Parameter(np.random.uniform(-bound, bound, (out_features, in_features)).astype(dtype))
        self.bias = Parameter(np.random.uniform(-bound, bound, out_features).astype(dtype)) if bias else None

    def forward(self, x):
        if not self.is_valid_input(x):  # the full conversion and check only when the quick test fails
            x = expect_input(self, x, (None, self.in_features), self.weight.data.dtype)
        self.save_for_backward(x)
        y = x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, grad_output, input_grad=True):
        x = self.saved_values()
        grad_output = np.asarray(grad_output)
        if grad_output.shape != (x.shape[0], self.out_features):
            expect_shape(self, "grad_output", grad_output, (x.shape[0], self.out_features))
        self.weight.accumulate_grad(grad_output.T @ x)
        if self.bias is not None:
            self.bias.accumulate_grad(grad_output.sum(axis=0))
        return grad_output @ self.weight.data if input_grad else None

    def is_valid_input(self, x):
        """True for an ndarray of the weight's dtype with shape (N, in_features): nothing to convert or check."""
        return (type(x) is np.ndarray and x.dtype == self.weight.data.dtype and x.ndim == 2
                and x.shape[1] == self.in_features)

    def extra_repr(self):
        return f"{self.in_features}, {self.out_features}" + ("" if self.bias is not None else ", bias=False")
