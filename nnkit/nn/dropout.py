r"""Dropout: while training, silence a random fraction of the activations.

Every forward pass in training mode draws a fresh mask :math:`m` with entries 1 (keep, probability
:math:`1-p`) or 0 (drop, probability :math:`p`) and scales the survivors up (*inverted* dropout):

.. math::  y = \frac{m \odot x}{1 - p}, \qquad \mathbb{E}[y] = x .

So each step trains a different thinned sub-network, and at evaluation (``model.eval()``) the layer is the
identity: the full network, whose expected activations already match, stands in for the average of all the
sub-networks. Backward multiplies by the same mask: :math:`\partial L/\partial x = m \odot G / (1-p)`.
"""

import numbers

import numpy as np

from nnkit.errors import as_array, expect_shape
from nnkit.nn.module import Module


class Dropout(Module):
    """Inverted dropout, as ``torch.nn.Dropout(p)``: any input shape; the mask is drawn with ``np.random``."""

    def __init__(self, p=0.5):
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)

    def forward(self, x):
        x = as_array(self, "input", x)
        if not self.training or self.p == 0:
            self.save_for_backward(None)
            return x
        keep = np.random.random_sample(x.shape) >= self.p
        # p = 1 drops everything (PyTorch returns zeros); otherwise survivors are scaled by 1/(1-p)
        scaled_mask = keep * (0.0 if self.p == 1 else 1.0 / (1.0 - self.p))
        scaled_mask = scaled_mask.astype(x.dtype if x.dtype.kind == "f" else np.float64)
        self.save_for_backward(scaled_mask)
        return x * scaled_mask

    def backward(self, grad_output):
        scaled_mask = self.saved_values()
        grad_output = as_array(self, "grad_output", grad_output)
        if scaled_mask is None:
            return grad_output
        expect_shape(self, "grad_output", grad_output, scaled_mask.shape)
        return grad_output * scaled_mask

    def extra_repr(self):
        return f"p={self.p}"
