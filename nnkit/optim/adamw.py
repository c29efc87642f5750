"""AdamW: Adam with weight decay taken out of the gradient (decoupled)."""

from nnkit.errors import expect_nonnegative_number
from nnkit.optim.adam import Adam


class AdamW(Adam):
    r"""Loshchilov & Hutter's AdamW, the rule of ``torch.optim.AdamW`` (defaults lr=1e-3, weight_decay=0.01).

    Adam's ``weight_decay`` adds :math:`\lambda p` to the gradient, and then Adam divides it by
    :math:`\sqrt{\hat v}`: parameters with large gradients are barely decayed. AdamW shrinks the weights
    directly, by the same fraction for every parameter, and then takes a plain Adam step:

    .. math::  p \leftarrow p\,(1 - \eta\lambda), \qquad
               p \leftarrow p - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)

    (:math:`\hat m, \hat v` as in :class:`Adam`, computed from the gradient without any decay term).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay=0.0)
        self.decoupled_weight_decay = expect_nonnegative_number("AdamW", "weight_decay", weight_decay)

    def step(self):
        for param in self.params:
            param.data *= 1 - self.lr * self.decoupled_weight_decay
        super().step()
