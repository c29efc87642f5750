"""Adam: momentum plus a per-parameter step size."""

import numpy as np

from nnkit.errors import expect_nonnegative_number
from nnkit.optim.optimizer import Optimizer


class Adam(Optimizer):
    r"""Adaptive moment estimation (Kingma & Ba, 2015), the rule of ``torch.optim.Adam``.

    Keeps a running mean of gradients :math:`m` (first moment, like momentum)
    and of squared gradients :math:`v` (second moment). Dividing by
    :math:`\sqrt{v}` gives each parameter its own step size: large where
    gradients are small and steady, small where they are large or noisy.

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \qquad v \leftarrow \beta_2 v + (1-\beta_2) g^2 \\
        \hat m = m / (1-\beta_1^t), \qquad \hat v = v / (1-\beta_2^t), \qquad
        p \leftarrow p - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)

    The hats undo the bias of starting :math:`m, v` at zero; t counts steps from 1.
    ``weight_decay`` adds :math:`\lambda p` to g (L2, as in ``torch.optim.Adam``).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        who = type(self).__name__  # AdamW shares these checks
        beta1, beta2 = betas
        for name, beta in (("betas[0]", beta1), ("betas[1]", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{who}: {name} must be in [0, 1), got {beta!r}")
        self.betas = (float(beta1), float(beta2))
        self.eps = expect_nonnegative_number(who, "eps", eps)
        self.weight_decay = expect_nonnegative_number(who, "weight_decay", weight_decay)
        self.steps = 0
        self.first_moments = [np.zeros_like(p.data) for p in self.params]
        self.second_moments = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        beta1, beta2 = self.betas
        self.steps += 1
        bias_correction1 = 1 - beta1**self.steps
        bias_correction2 = 1 - beta2**self.steps
        for param, m, v in zip(self.params, self.first_moments, self.second_moments):
            grad = param.grad + self.weight_decay * param.data if self.weight_decay else param.grad
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad**2
            m_hat = m / bias_correction1
            v_hat = v / bias_correction2
            param.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
