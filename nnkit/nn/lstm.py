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
        inputs = self._project_inputs(x, self._both_biases())  # x_t W_ih^T + b_ih + b_hh, every t
        w_hh_t = self.weight_hh_l0.data.T
        hidden = self.hidden_size
        # what backward needs, time-major: [i_t, f_t, g_t, o_t] (L, N, 4H), c_t and h_t (L, N, H)
        gates = np.empty_like(inputs)
        cells = np.empty((x.shape[1], x.shape[0], hidden), dtype=self.dtype)
        outputs = np.empty_like(cells)
        h, c = h0, c0
        g_block = slice(2 * hidden, 3 * hidden)
        for t in range(x.shape[1]):  # every result is written straight into its place in gates, cells, outputs
            a = h @ w_hh_t
            a += inputs[t]
            sigmoid(a, out=gates[t])  # i, f and o; the g block is overwritten on the next line
            tanh(a[:, g_block], out=gates[t, :, g_block])
            i, f, g, o = split_gates(gates[t], 4)
            c = np.multiply(f, c, out=cells[t])
            c += i * g
            h = np.multiply(o, tanh(c), out=outputs[t])
        self.h_n, self.c_n = h.copy(), c.copy()
        self.save_for_backward(x, h0, c0, outputs, gates, cells)
        return time_major(outputs)

    def backward(self, grad_output):
        x, h0, c0, outputs, gates, cells = self.saved_values()
        grad_output = self._check_grad_output(grad_output, x)
        w_hh = self.weight_hh_l0.data
        length, batch_size, hidden = outputs.shape
        # Every factor of the formulas that comes from the forward pass alone, for all steps at once;
        # only the sums over later steps (grad_h, grad_c) are left for the loop over time.
        i, f, g, o = (gates[..., k * hidden:(k + 1) * hidden] for k in range(4))
        tanh_c = tanh(cells)
        c_previous = np.concatenate([c0[None], cells[:-1]])
        from_h_to_c = o * (1 - tanh_c * tanh_c)  # dc contribution per unit dL/dh_t
        cell_factors = np.stack([g * i * (1 - i), c_previous * f * (1 - f), i * (1 - g * g)], axis=2)  # (L, N, 3, H)
        output_factor = tanh_c * o * (1 - o)
        delta = np.empty_like(gates)  # dL/da_t, (L, N, 4H)
        delta_cell_gates = delta[..., :3 * hidden].reshape(length, batch_size, 3, hidden)  # the i, f, g blocks
        grad_h_from_later = np.zeros_like(h0)  # delta_{t+1} W_hh
        grad_c_from_later = np.zeros_like(h0)  # C_{t+1} * f_{t+1}
        for t in reversed(range(length)):
            grad_h = grad_output[t] + grad_h_from_later
            grad_c = grad_c_from_later + grad_h * from_h_to_c[t]
            np.multiply(grad_c[:, None], cell_factors[t], out=delta_cell_gates[t])
            np.multiply(grad_h, output_factor[t], out=delta[t, :, 3 * hidden:])
            grad_h_from_later = delta[t] @ w_hh
            grad_c_from_later = grad_c * f[t]
        self.grad_h0, self.grad_c0 = grad_h_from_later, grad_c_from_later
        return self._accumulate_weight_grads(x, h0, outputs, delta, delta)
