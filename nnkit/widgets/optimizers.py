"""The optimizers the widgets offer by name, built from nnkit.optim (the real update rules, not copies)."""

from nnkit.optim.adam import Adam
from nnkit.optim.sgd import SGD

OPTIMIZERS = {
    "SGD": lambda params, lr, weight_decay=0.0: SGD(params, lr=lr, weight_decay=weight_decay),
    "momentum": lambda params, lr, weight_decay=0.0: SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay),
    "Adam": lambda params, lr, weight_decay=0.0: Adam(params, lr=lr, weight_decay=weight_decay),
}


def make_optimizer(name, params, lr, weight_decay=0.0):
    """``OPTIMIZERS[name](params, lr, weight_decay)``, with a clear error for an unknown name."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {list(OPTIMIZERS)}")
    return OPTIMIZERS[name](params, lr, weight_decay)
