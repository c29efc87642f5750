r"""Gated recurrent unit: an LSTM-like layer with no separate cell, the new state a blend of old and candidate."""

import numpy as np

from nnkit.nn.activation import sigmoid
from nnkit.nn.rnn import RecurrentLayer, split_gates, tanh, time_major


class GRU(RecurrentLayer):
    r"""GRU layer (Cho et al. 2014), with PyTorch's equations and gate order r, z, n.

    The weights hold three slices each, :math:`W_{ih} = [W_{ir}; W_{iz}; W_{in}]` and
    :math:`W_{hh} = [W_{hr}; W_{hz}; W_{hn}]`; with :math:`h = h_{t-1}`:

    .. math::  r_t = \sigma(x_t W_{ir}^\top + b_{ir} + h W_{hr}^\top + b_{hr}), \quad
               z_t = \sigma(x_t W_{iz}^\top + b_{iz} + h W_{hz}^\top + b_{hz})

    .. math::  n_t = \tanh\big(x_t W_{in}^\top + b_{in} + r_t \odot (h W_{hn}^\top + b_{hn})\big), \qquad
               h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    The reset gate r decides how much of the old state feeds the candidate n;
    the update gate z how much of the old state is kept as it is. Note that
    :math:`b_{hn}` sits *inside* :math:`r_t \odot (\dots)`: PyTorch's form, which is
    why the two biases cannot be merged here as they are in RNN and LSTM.

    ``forward(x, h0=None)``: x (N, L, input_size), h0 (N, H) (zeros when None)
    -> all :math:`h_t` (N, L, H); ``layer.h_n`` is the last.

    Backward through time, with :math:`G_t = \partial L/\partial h_t` (from the output plus
    what flows back from step t+1; the code calls :math:`h_{t-1} W_{hn}^\top + b_{hn}` ``hh_n``):

    .. math::  \delta^n_t = G_t \odot (1 - z_t) \odot (1 - n_t^2), \quad
               \delta^r_t = \delta^n_t \odot (h_{t-1} W_{hn}^\top + b_{hn}) \odot r_t(1 - r_t), \quad
               \delta^z_t = G_t \odot (h_{t-1} - n_t) \odot z_t(1 - z_t)

    The input part of the gates gets :math:`[\delta^r, \delta^z, \delta^n]`, the hidden part
    :math:`[\delta^r, \delta^z, r \odot \delta^n]`, and
    :math:`\partial L/\partial h_{t-1} = G_t \odot z_t + [\delta^r, \delta^z, r \odot \delta^n] W_{hh}`
    (the first term is the direct path through :math:`z_t \odot h_{t-1}`); ``layer.grad_h0`` keeps it for t = 1.
    """

    gate_count = 3

    def forward(self, x, h0=None):
        x = self._check_input(x)
        h0 = self._check_state("h0", h0, x)
        b_ih = None if self.bias_ih_l0 is None else self.bias_ih_l0.data
        b_hh = 0 if self.bias_hh_l0 is None else self.bias_hh_l0.data
        x_steps = time_major(x)
        inputs = self._project_inputs(x_steps, b_ih)  # x_t W_ih^T + b_ih, every t
        w_hh_t = self.weight_hh_l0.data.T
        states = self._empty_states(h0, x.shape[1])  # h_0 ... h_L, time-major (L + 1, N, H)
        steps = []  # what backward needs from each step
        h = h0
        for t in range(x.shape[1]):
            ih_r, ih_z, ih_n = split_gates(inputs[t], 3)
            hh_r, hh_z, hh_n = split_gates(h @ w_hh_t + b_hh, 3)
            r = sigmoid(ih_r + hh_r)
            z = sigmoid(ih_z + hh_z)
            n = tanh(ih_n + r * hh_n)
            steps.append((h, r, z, n, hh_n))
            h = (1 - z) * n + z * h
            states[t + 1] = h
        self.h_n = h
        self.save_for_backward(x_steps, states, steps)
        return time_major(states[1:])

    def backward(self, grad_output):
        x_steps, states, steps = self.saved_values()
        grad_output = self._check_grad_output(grad_output, x_steps)
        w_hh = self.weight_hh_l0.data
        gates_shape = (*x_steps.shape[:2], 3 * self.hidden_size)  # time-major
        delta_ih = np.empty(gates_shape, dtype=self.dtype)  # dL/d(x_t W_ih^T + b_ih)
        delta_hh = np.empty(gates_shape, dtype=self.dtype)  # dL/d(h_{t-1} W_hh^T + b_hh)
        grad_h_from_later = np.zeros_like(states[0])  # dL/dh_t through step t+1
        for t in reversed(range(len(steps))):
            h_previous, r, z, n, hh_n = steps[t]
            grad_h = grad_output[:, t] + grad_h_from_later
            delta_n = grad_h * (1 - z) * (1 - n * n)
            delta_r = delta_n * hh_n * r * (1 - r)
            delta_z = grad_h * (h_previous - n) * z * (1 - z)
            np.concatenate([delta_r, delta_z, delta_n], axis=1, out=delta_ih[t])
            np.concatenate([delta_r, delta_z, r * delta_n], axis=1, out=delta_hh[t])
            grad_h_from_later = grad_h * z + delta_hh[t] @ w_hh
        self.grad_h0 = grad_h_from_later
        return self._accumulate_weight_grads(x_steps, states, delta_ih, delta_hh)
