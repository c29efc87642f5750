r"""Long short-term memory: a recurrent layer whose cell state is updated by addition, so gradients survive."""

import numpy as np

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
        length = x.shape[1]
        # sigma(a) = (1 + tanh(a/2)) / 2, so one tanh computes all four gates if the i, f, o parts of a_t are
        # halved first: halving the weights and biases does it exactly (a power of two only moves the exponent)
        scale, offset = self._gate_scale_and_offset(x.shape[0])
        x_steps = time_major(x)
        inputs = self._project_inputs(x_steps, self._both_biases(), scale[0])  # (x_t W_ih^T + b_ih + b_hh) * scale
        w_hh_t = np.ascontiguousarray(self.weight_hh_l0.data.T) * scale[0]  # contiguous, as BLAS prefers
        # what backward needs, time-major: h_0..h_L and c_0..c_L (L + 1, N, H), tanh(c_t) (L, N, H), and the
        # gates [i_t, f_t, g_t, o_t] (L, 4, N, H): each gate of each step one contiguous block, which numpy's
        # elementwise operations below run through faster than the same numbers as column slices of a_t
        states, cells = self._empty_states(h0, length), self._empty_states(c0, length)
        tanh_cells = np.empty_like(states[1:])
        gates = np.empty((length, 4, *h0.shape), dtype=self.dtype)
        for t in range(length):  # every result is written straight into its place in gates, cells, states
            a = states[t] @ w_hh_t  # a_t (its i, f, o parts halved), (N, 4H)
            a += inputs[t]
            tanh(a, out=a)
            a *= scale  # i, f, o: (1 + tanh(a/2)) / 2; g: tanh(a)
            a += offset
            gates[t] = split_gates(a, 4)
            i, f, g, o = gates[t]
            c = np.multiply(f, cells[t], out=cells[t + 1])
            c += i * g
            np.multiply(o, tanh(c, out=tanh_cells[t]), out=states[t + 1])
        self.h_n, self.c_n = states[-1].copy(), cells[-1].copy()
        self.save_for_backward(x_steps, states, cells, tanh_cells, gates)
        return time_major(states[1:])

    def _gate_scale_and_offset(self, batch_size):
        """(N, 4H) arrays: 1/2 and 1/2 on the i, f, o blocks, 1 and 0 on the g block.

        Full arrays rather than (4H,) rows, because numpy multiplies arrays of the same shape about four times
        faster than it broadcasts a row.
        """
        hidden = self.hidden_size
        scale = np.full((batch_size, 4 * hidden), 0.5, dtype=self.dtype)
        scale[:, 2 * hidden:3 * hidden] = 1
        return scale, 1 - scale

    def backward(self, grad_output):
        x_steps, states, cells, tanh_cells, gates = self.saved_values()
        grad_output = self._check_grad_output(grad_output, x_steps)
        w_hh = self.weight_hh_l0.data
        length, _, batch_size, hidden = gates.shape
        delta = np.empty((length, batch_size, 4 * hidden), dtype=self.dtype)  # dL/da_t
        grad_h = np.zeros_like(states[0])  # dL/dh_t: first delta_{t+1} W_hh, then plus G_t
        grad_c = np.zeros_like(cells[0])  # dL/dc_t: first C_{t+1} f_{t+1}, then plus the path through h_t
        # step by step, the formulas as written: each step's arrays are small enough to stay in the CPU's cache,
        # which makes this faster than computing the forward-only factors for all steps at once
        for t in reversed(range(length)):
            i, f, g, o = gates[t]
            delta_i, delta_f, delta_g, delta_o = split_gates(delta[t], 4)
            tanh_c = tanh_cells[t]
            grad_h += grad_output[:, t]  # G_t
            grad_c += grad_h * o * (1 - tanh_c * tanh_c)  # C_t
            np.multiply(grad_c, g * i * (1 - i), out=delta_i)
            np.multiply(grad_c, cells[t] * f * (1 - f), out=delta_f)  # cells[t] is c_{t-1}
            np.multiply(grad_c, i * (1 - g * g), out=delta_g)
            np.multiply(grad_h, tanh_c * o * (1 - o), out=delta_o)
            np.matmul(delta[t], w_hh, out=grad_h)
            grad_c *= f
        self.grad_h0, self.grad_c0 = grad_h, grad_c
        return self._accumulate_weight_grads(x_steps, states, delta, delta)
