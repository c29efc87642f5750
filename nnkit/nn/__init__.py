"""Layers, activations and losses, named as in ``torch.nn``."""

from nnkit.nn import functional, init
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
from nnkit.nn.attention import SelfAttention, scaled_dot_product_attention
from nnkit.nn.batchnorm import BatchNorm1d, BatchNorm2d
from nnkit.nn.container import ModuleList, Sequential
from nnkit.nn.conv import Conv1d, Conv2d, Conv3d
from nnkit.nn.dropout import Dropout
from nnkit.nn.flatten import Flatten
from nnkit.nn.gru import GRU
from nnkit.nn.layernorm import LayerNorm
from nnkit.nn.linear import Linear
from nnkit.nn.loss import BCELoss, CrossEntropyLoss, L1Loss, Loss, MSELoss, SmoothL1Loss
from nnkit.nn.lstm import LSTM
from nnkit.nn.module import Module, count_parameters
from nnkit.nn.parameter import Parameter
from nnkit.nn.pooling import AvgPool2d, MaxPool1d, MaxPool2d
from nnkit.nn.rnn import RNN

__all__ = [
    "Activation", "ArcTan", "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "BCELoss", "Conv1d", "Conv2d", "Conv3d",
    "count_parameters", "CrossEntropyLoss", "Dropout", "ELU", "Flatten", "functional", "GRU", "Identity", "init",
    "L1Loss", "LayerNorm", "LeakyReLU", "Linear", "Loss", "LSTM", "MaxPool1d", "MaxPool2d", "Module", "ModuleList",
    "MSELoss", "Parameter", "PReLU", "ReLU", "RNN", "scaled_dot_product_attention", "SelfAttention", "Sequential",
    "Sigmoid", "Sign", "SmoothL1Loss", "Softmax", "Softplus", "Step", "Tanh",
]
