"""Turning feature maps into feature vectors."""

import numpy as np

from nnkit.errors import ShapeError
from nnkit.nn.module import Module


class Flatten(Module):
    """Keep the batch axis, merge all others: (N, d1, d2, ...) -> (N, d1*d2*...).

    Backward reshapes the gradient back to the input's shape.
    """

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ShapeError(f"Flatten(): input must have a batch axis and at least one more, got shape {x.shape}")
        self.save_for_backward(x.shape)
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_output):
        input_shape = self.saved_values()
        return np.asarray(grad_output).reshape(input_shape)
