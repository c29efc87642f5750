r"""Long short-term memory: a recurrent layer whose cell state is updated by addition, so gradients survive."""

import numpy as np

from nnkit.nn.activation import sigmoid
from nnkit.nn.rnn import RecurrentLayer, split_gates, tanh, time_major


class LSTM(RecurrentLayer):
    r"""LSTM layer (Hochreiter & Schmidhuber 1997), with PyTorch's equations and gate order i, f, g, o.

    The four gates are four slices of one pre-activation :math:`a_t` (N, 4H):

    .. math::  a_t = x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}
               = [a^i_t, a^f_t, a^g_t, a^o_t]

    .. math::  i_t = \sigma(a^i_t), \quad f_t = \sigma(a^f_t), \quad g_t = \tanh(a^g_t), \quad o_t = \sigma(a^o_t)

    .. math::  c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t)

    The input gate i decides what to write, the forget gate f what to keep,
    the output gate o what to show. Because :math:`c_t` is updated by *adding*,
    :math:`\partial c_t / \partial c_{t-1} = f_t`: with f near 1 the gradient
    passes many steps almost unchanged (no repeated multiplication by W_hh).

    ``forward(x, h0=None, c0=None)``: x (N, L, input_size), h0 and c0 (N, H)
    (zeros when None) -> all :math:`h_t` (N, L, H); ``layer.h_n``, ``layer.c_n`` are the last states.

    Backward through time, with :math:`G_t = \partial L/\partial h_t` (from the output plus
    :math:`\delta_{t+1} W_{hh}`) and :math:`C_t = \partial L/\partial c_t`:

    .. math::  C_t = C_{t+1} \odot f_{t+1} + G_t \odot o_t \odot (1 - \tanh^2 c_t)

    .. math::  \delta_t = \big[C_t \odot g_t \odot i_t(1-i_t),\;
                              C_t \odot c_{t-1} \odot f_t(1-f_t),\;
                              C_t \odot i_t \odot (1-g_t^2),\;
                              G_t \odot \tanh(c_t) \odot o_t(1-o_t)\big]

    and :math:`\partial L/\partial h_0 = \delta_1 W_{hh}`, :math:`\partial L/\partial c_0 = C_1 \odot f_1`,
    kept as ``layer.grad_h0`` and ``layer.grad_c0``.
    """

    gate_count = 4

    def __init__(self, input_size, hidden_size, bias=True, dtype=None):
        super().__init__(input_size, hidden_size, bias=bias, dtype=dtype)
        self.c_n = None
        self.grad_c0 = None

    def forward(self, x, h0=None, c0=None):
        x = self._check_input(x)
        h0, c0 = self._check_state("h0", h0, x), self._check_state("c0", c0, x)
        x_steps = time_major(x)
        inputs = self._project_inputs(x_steps, self._both_biases())  # x_t W_ih^T + b_ih + b_hh, every t
        w_hh_t = self.weight_hh_l0.data.T
        states = self._empty_states(h0, x.shape[1])  # h_0 ... h_L, time-major (L + 1, N, H)
        cells = self._empty_states(c0, x.shape[1])  # c_0 ... c_L
        steps = []  # what backward needs from each step
        for t in range(x.shape[1]):
            a_i, a_f, a_g, a_o = split_gates(inputs[t] + states[t] @ w_hh_t, 4)
            i, f, g, o = sigmoid(a_i), sigmoid(a_f), tanh(a_g), sigmoid(a_o)
            cells[t + 1] = f * cells[t] + i * g
            tanh_c = tanh(cells[t + 1])
            states[t + 1] = o * tanh_c
            steps.append((i, f, g, o, tanh_c))
        self.h_n, self.c_n = states[-1].copy(), cells[-1].copy()
        self.save_for_backward(x_steps, states, cells, steps)
        return time_major(states[1:])

    def backward(self, grad_output):
        x_steps, states, cells, steps = self.saved_values()
        grad_output = self._check_grad_output(grad_output, x_steps)
        w_hh = self.weight_hh_l0.data
        delta = np.empty((*x_steps.shape[:2], 4 * self.hidden_size), dtype=self.dtype)  # dL/da_t, time-major
        grad_h_from_later = np.zeros_like(states[0])  # delta_{t+1} W_hh
        grad_c_from_later = np.zeros_like(cells[0])  # C_{t+1} f_{t+1}
        for t in reversed(range(len(steps))):
            i, f, g, o, tanh_c = steps[t]
            grad_h = grad_output[:, t] + grad_h_from_later  # G_t
            grad_c = grad_c_from_later + grad_h * o * (1 - tanh_c**2)  # C_t
            delta_i = grad_c * g * i * (1 - i)
            delta_f = grad_c * cells[t] * f * (1 - f)  # cells[t] is c_{t-1}
            delta_g = grad_c * i * (1 - g**2)
            delta_o = grad_h * tanh_c * o * (1 - o)
            np.concatenate([delta_i, delta_f, delta_g, delta_o], axis=1, out=delta[t])
            grad_h_from_later = delta[t] @ w_hh
            grad_c_from_later = grad_c * f
        self.grad_h0, self.grad_c0 = grad_h_from_later, grad_c_from_later
        return self._accumulate_weight_grads(x_steps, states, delta, delta)
