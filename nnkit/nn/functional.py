"""``nnkit.nn.functional`` (``import nnkit.nn.functional as F``): the activations and losses as functions.

Each function runs the module of the same name once, so arrays in give arrays out (and a float for a loss), and
Tensors in are recorded for ``loss.backward()`` with that module's own backward. Names and arguments follow
``torch.nn.functional``.
"""

from nnkit.nn import activation, loss


def relu(x):
    return activation.ReLU()(x)


def leaky_relu(x, negative_slope=0.01):
    return activation.LeakyReLU(negative_slope)(x)


def elu(x, alpha=1.0):
    return activation.ELU(alpha)(x)


def softplus(x):
    return activation.Softplus()(x)


def sigmoid(x):
    return activation.Sigmoid()(x)


def tanh(x):
    return activation.Tanh()(x)


def softmax(x, dim):
    return activation.Softmax(dim=dim)(x)


def log_softmax(x, dim):
    r""":math:`\log \mathrm{softmax}(x)` along ``dim``, computed stably (on arrays only: for a loss on Tensors use
    ``cross_entropy``, which fuses it with the loss)."""
    if hasattr(x, "requires_grad"):
        raise TypeError("F.log_softmax: nnkit differentiates log_softmax only fused into the loss; use "
                        "F.cross_entropy(scores, target) on the raw scores (as nn.CrossEntropyLoss does)")
    return activation.log_softmax(x, dim)


def mse_loss(input, target, reduction="mean"):
    return loss.MSELoss(reduction=reduction)(input, target)


def l1_loss(input, target, reduction="mean"):
    return loss.L1Loss(reduction=reduction)(input, target)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    return loss.SmoothL1Loss(beta=beta, reduction=reduction)(input, target)


def binary_cross_entropy(input, target, reduction="mean"):
    return loss.BCELoss(reduction=reduction)(input, target)


def cross_entropy(input, target, reduction="mean"):
    return loss.CrossEntropyLoss(reduction=reduction)(input, target)
