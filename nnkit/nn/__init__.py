"""Layers, activations and losses, named as in ``torch.nn``."""

from nnkit.nn.activation import (
    ELU,
    Activation,
    ArcTan,
    Identity,
    LeakyReLU,
    PReLU,
    ReLU,
    Sigmoid,
    Sign,
    Softmax,
    Softplus,
    Step,
    Tanh,
)
from nnkit.nn.container import Sequential
from nnkit.nn.flatten import Flatten
from nnkit.nn.linear import Linear
from nnkit.nn.loss import BCELoss, CrossEntropyLoss, L1Loss, Loss, MSELoss, SmoothL1Loss
from nnkit.nn.module import Module, count_parameters
from nnkit.nn.parameter import Parameter

__all__ = [
    "ELU", "Activation", "ArcTan", "BCELoss", "CrossEntropyLoss", "Flatten", "Identity", "L1Loss", "LeakyReLU",
    "Linear", "Loss", "MSELoss", "Module", "PReLU", "Parameter", "ReLU", "Sequential", "Sigmoid", "Sign",
    "SmoothL1Loss", "Softmax", "Softplus", "Step", "Tanh", "count_parameters",
]
