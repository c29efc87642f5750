"""A trainable array and the gradient that backward() accumulates for it."""

import numpy as np

from nnkit.autograd import Tensor


class Parameter(Tensor):
    """A trainable array: ``data`` holds the values, ``grad`` holds dL/d(data).

    Both are ndarrays of the same shape. ``backward()`` *adds* into ``grad``
    (so gradients of several losses accumulate, as in PyTorch) and
    ``zero_grad()`` resets it to zeros.

    Layers add through :meth:`accumulate_grad`, which knows one shortcut: right
    after ``zero_grad()`` the sum ``0 + g`` is ``g`` itself, so the first
    gradient is kept as it is instead of being added to a fresh array of zeros.
    For a large weight matrix that saves filling it with zeros and one pass of
    additions over it, every training step. (PyTorch does the same: its
    ``zero_grad()`` sets ``.grad`` to None.) Reading ``grad`` in between still
    gives zeros: they are made when someone looks.

    A Parameter is a :class:`nnkit.autograd.Tensor` with ``requires_grad=True``: arithmetic on it is recorded
    for ``loss.backward()``, and ``with nnkit.no_grad(): p -= lr * p.grad`` updates it in place, as in PyTorch.
    """

    def __init__(self, data, requires_grad=True):
        super().__init__(np.asarray(data), requires_grad=requires_grad)
        self._grad = None  # None: the gradient is zero and no array of zeros has been made yet

    @property
    def grad(self):
        if self._grad is None:
            self._grad = np.zeros(self.data.shape, self.data.dtype)
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value

    def zero_grad(self):
        self._grad = None

    def accumulate_grad(self, gradient):
        r""":math:`\text{grad} \leftarrow \text{grad} + g`, for a gradient ``g`` shaped like ``data``.

        ``g`` must be a new array that nobody else keeps (e.g. the result of a matrix product): after a
        ``zero_grad()`` it becomes ``grad`` itself, and the next accumulation adds into it in place.
        (A view, or another shape or dtype, is added to zeros as usual.)
        """
        if (self._grad is None and gradient.flags.owndata and gradient.dtype == self.data.dtype
                and gradient.shape == self.data.shape):
            self._grad = gradient
        else:
            self.grad += gradient

    def __repr__(self):
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype.name})"
