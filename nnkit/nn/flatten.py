"""Turning feature maps into feature vectors."""

import numpy as np

from nnkit.errors import ShapeError
from nnkit.nn.module import Module


class Flatten(Module):
    """Merge the axes ``start_dim`` ... ``end_dim`` into one, as ``torch.nn.Flatten``.

    With the defaults (1, -1) the batch axis stays and all others merge: (N, d1, d2, ...) -> (N, d1*d2*...).
    Backward reshapes the gradient back to the input's shape.
    """

    def __init__(self, start_dim=1, end_dim=-1):
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ShapeError(f"{self!r}: input must have a batch axis and at least one more, got shape {x.shape}")
        start, end = (self.start_dim % x.ndim, self.end_dim % x.ndim) if -x.ndim <= min(
            self.start_dim, self.end_dim) and max(self.start_dim, self.end_dim) < x.ndim else (None, None)
        if start is None or start > end:
            raise ShapeError(f"{self!r}: start_dim {self.start_dim} and end_dim {self.end_dim} do not name an axis "
                             f"range of the input's {x.ndim} axes (shape {x.shape})")
        self.save_for_backward(x.shape)
        return x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1:])

    def backward(self, grad_output):
        input_shape = self.saved_values()
        return np.asarray(grad_output).reshape(input_shape)

    def extra_repr(self):
        if (self.start_dim, self.end_dim) == (1, -1):
            return ""
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
