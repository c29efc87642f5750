r"""Learning-rate schedules: change ``optimizer.lr`` as training goes on, as ``torch.optim.lr_scheduler``.

A large step size makes fast progress early; near a minimum the same step makes the loss bounce around it.
A schedule starts large and shrinks. Call ``scheduler.step()`` once per epoch, *after* ``optimizer.step()``:

    for epoch in range(epochs):
        train_one_epoch(model, optimizer)
        scheduler.step()

The scheduler counts epochs in ``last_epoch`` (0 after construction) and sets the learning rate from the
initial one, :math:`\eta_0` (``base_lrs[0]``), with a closed formula in :math:`t` = ``last_epoch``.
"""

import math
import numbers

from nnkit.errors import expect_nonnegative_number, expect_positive_int
from nnkit.optim.optimizer import Optimizer


class LRScheduler:
    """What every schedule shares: the epoch count, ``get_last_lr()``, ``state_dict()``; subclasses give ``lr_at``."""

    def __init__(self, optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an nnkit optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lrs = [optimizer.lr]  # a list, one per parameter group as in PyTorch (nnkit has one group)
        self.last_epoch = -1
        self.step()

    def step(self):
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch, self.base_lrs[0])
        self._last_lr = [self.optimizer.lr]

    def lr_at(self, epoch, base_lr):
        raise NotImplementedError

    def get_last_lr(self):
        """The learning rate set by the last ``step()``, as a one-element list (PyTorch: one per group)."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimizer, as in PyTorch: enough to resume the schedule."""
        return {key: value for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        vars(self).update(state_dict)
        self.optimizer.lr = self._last_lr[0]


class StepLR(LRScheduler):
    r"""Multiply by ``gamma`` every ``step_size`` epochs.

    .. math::  \eta_t = \eta_0 \, \gamma^{\lfloor t / step\_size \rfloor}
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size = expect_positive_int("StepLR", "step_size", step_size)
        self.gamma = expect_nonnegative_number("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, epoch, base_lr):
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    r"""Multiply by ``gamma`` every epoch: :math:`\eta_t = \eta_0 \, \gamma^t`."""

    def __init__(self, optimizer, gamma):
        self.gamma = expect_nonnegative_number("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, epoch, base_lr):
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    r"""Half a cosine from :math:`\eta_0` down to ``eta_min`` over ``T_max`` epochs (SGDR without restarts):

    .. math::  \eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min}) \big(1 + \cos(\pi t / T_{max})\big)

    Slow at first, fastest in the middle, gentle at the end. Past ``T_max`` the cosine climbs again, as in PyTorch.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0):  # noqa: N803 (PyTorch's argument name)
        self.T_max = expect_positive_int("CosineAnnealingLR", "T_max", T_max)
        if isinstance(eta_min, bool) or not isinstance(eta_min, numbers.Real):
            raise ValueError(f"CosineAnnealingLR: eta_min must be a number, got {eta_min!r}")
        self.eta_min = float(eta_min)
        super().__init__(optimizer)

    def lr_at(self, epoch, base_lr):
        return self.eta_min + 0.5 * (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max))
