"""Stochastic gradient descent, with optional momentum and L2 weight decay."""

from nnkit.errors import expect_nonnegative_number
from nnkit.optim.optimizer import Optimizer


class SGD(Optimizer):
    r"""Step against the gradient: :math:`p \leftarrow p - \eta\, g`.

    With ``momentum`` :math:`\mu > 0` the step follows a running sum of past
    gradients (the velocity :math:`v`), which damps zig-zags and speeds up
    steady slopes — exactly ``torch.optim.SGD``'s rule:

    .. math::  v \leftarrow \mu v + g \;(v = g \text{ on the first step}), \qquad p \leftarrow p - \eta\, v

    ``weight_decay`` :math:`\lambda` adds the gradient of the L2 penalty
    :math:`\tfrac{\lambda}{2}\lVert p\rVert^2`: :math:`g \leftarrow g + \lambda p`.
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = expect_nonnegative_number("SGD", "momentum", momentum)
        self.weight_decay = expect_nonnegative_number("SGD", "weight_decay", weight_decay)
        self.velocities = [None] * len(self.params)

    def step(self):
        for index, param in enumerate(self.params):
            grad = param.grad + self.weight_decay * param.data if self.weight_decay else param.grad
            if self.momentum:
                velocity = self.velocities[index]
                velocity = grad.copy() if velocity is None else self.momentum * velocity + grad
                self.velocities[index] = velocity
                grad = velocity
            param.data -= self.lr * grad
