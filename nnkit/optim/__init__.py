"""Optimizers: they turn the gradients in ``Parameter.grad`` into parameter updates."""

from nnkit.optim.adam import Adam
from nnkit.optim.optimizer import Optimizer
from nnkit.optim.sgd import SGD

__all__ = ["Adam", "Optimizer", "SGD"]
