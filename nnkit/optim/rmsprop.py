"""RMSprop: divide each step by a running root-mean-square of that parameter's gradients."""

import numpy as np

from nnkit.errors import expect_nonnegative_number
from nnkit.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    r"""Hinton's RMSprop, the rule of ``torch.optim.RMSprop`` (defaults lr=0.01, alpha=0.99, eps=1e-8).

    .. math::  v \leftarrow \alpha v + (1-\alpha) g^2, \qquad
               p \leftarrow p - \eta\, \frac{g}{\sqrt{v} + \epsilon}

    A parameter whose gradients are large takes small steps and vice versa: the step is about :math:`\eta`
    in size whatever the gradient's scale. ``centered=True`` also keeps the mean gradient :math:`\bar g`
    and divides by the standard deviation, :math:`\sqrt{v - \bar g^2} + \epsilon`. ``momentum`` :math:`\mu`
    accumulates the scaled steps, :math:`b \leftarrow \mu b + g/(\sqrt v + \epsilon)`,
    :math:`p \leftarrow p - \eta b`. ``weight_decay`` adds :math:`\lambda p` to g first (L2).
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        super().__init__(params, lr)
        self.alpha = expect_nonnegative_number("RMSprop", "alpha", alpha)
        if self.alpha > 1:
            raise ValueError(f"RMSprop: alpha must be in [0, 1], got {alpha!r}")
        self.eps = expect_nonnegative_number("RMSprop", "eps", eps)
        self.weight_decay = expect_nonnegative_number("RMSprop", "weight_decay", weight_decay)
        self.momentum = expect_nonnegative_number("RMSprop", "momentum", momentum)
        self.centered = bool(centered)
        self.square_averages = [np.zeros_like(p.data) for p in self.params]
        self.grad_averages = [np.zeros_like(p.data) for p in self.params] if centered else None
        self.momentum_buffers = [np.zeros_like(p.data) for p in self.params] if momentum else None

    def step(self):
        for index, param in enumerate(self.params):
            grad = param.grad + self.weight_decay * param.data if self.weight_decay else param.grad
            square_average = self.square_averages[index]
            square_average *= self.alpha
            square_average += (1 - self.alpha) * grad**2
            if self.centered:
                grad_average = self.grad_averages[index]
                grad_average *= self.alpha
                grad_average += (1 - self.alpha) * grad
                denominator = np.sqrt(square_average - grad_average**2) + self.eps
            else:
                denominator = np.sqrt(square_average) + self.eps
            if self.momentum:
                buffer = self.momentum_buffers[index]
                buffer *= self.momentum
                buffer += grad / denominator
                param.data -= self.lr * buffer
            else:
                param.data -= self.lr * grad / denominator
