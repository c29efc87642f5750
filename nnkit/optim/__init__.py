"""Optimizers: they turn the gradients in ``Parameter.grad`` into parameter updates."""

from nnkit.optim import lr_scheduler
from nnkit.optim.adam import Adam
from nnkit.optim.adamw import AdamW
from nnkit.optim.optimizer import Optimizer
from nnkit.optim.rmsprop import RMSprop
from nnkit.optim.sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
