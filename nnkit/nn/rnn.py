r"""Recurrent layers: what RNN, LSTM and GRU share, and the plain (Elman) RNN.

A recurrent layer reads a sequence :math:`x_1, \dots, x_L` one step at a time
and carries a hidden state :math:`h_t` from step to step, with the *same*
weights at every step. Training it is ordinary backpropagation on the network
unrolled over time ("backpropagation through time", BPTT): the gradient
reaching :math:`h_{t-1}` is the gradient from its own output plus the gradient
flowing back from step t. Because that backward path multiplies by
:math:`W_{hh}` and an activation slope once per step, it can shrink (vanishing
gradients) or grow (exploding gradients) exponentially with the distance;
``layer.grad_h0`` after ``backward`` shows how much reaches the start.

Shapes are batch-first, as PyTorch's ``batch_first=True``: the input is
(N, L, input_size), the output holds every hidden state, (N, L, hidden_size).
nnkit has one layer and one direction, so a state is (N, hidden_size);
PyTorch's ``h0``, ``h_n`` (and ``c0``, ``c_n``) carry a leading
``num_layers * num_directions`` axis, (1, N, hidden_size): use ``h0[0]`` /
``h_n[None]`` to convert.
"""

import numpy as np

from nnkit.dtype import resolve_dtype
from nnkit.errors import ShapeError, as_array, expect_positive_int, expect_shape
from nnkit.nn.module import Module
from nnkit.nn.parameter import Parameter


def tanh(x, out=None):
    r"""Hyperbolic tangent, :math:`\tanh x = (e^x - e^{-x})/(e^x + e^{-x})`: ``np.tanh``, in every recurrent layer.

    ``out``: an array to write the result into.

    (numpy 2 computes it with vector instructions in float64 too; an earlier exp-based formula here, written
    when numpy's float64 tanh was a scalar loop, is now four times slower than ``np.tanh`` itself.)
    """
    return np.tanh(x, out=out)


def time_major(a):
    """(N, L, ...) -> (L, N, ...) and back, as a contiguous copy.

    The layers keep their per-step arrays time-major inside: step t is then one contiguous block
    ``a[t]``, which the time loop reads and writes fastest.
    """
    return np.ascontiguousarray(a.swapaxes(0, 1))


def split_gates(a, count):
    """The ``count`` gate blocks of pre-activations (N, count·H) as views (N, H): what ``np.split`` does, cheaper."""
    return a.reshape(a.shape[0], count, -1).swapaxes(0, 1)


def sum_rows(a):
    r"""The column sums :math:`\sum_n a_n` of a 2-D array, as the product :math:`\mathbf{1}^\top a`.

    The same numbers as ``a.sum(axis=0)`` (up to rounding), but for the recurrent layers' tall arrays of
    gate gradients (N·L rows) BLAS computes the product three times faster: how the bias gradients are summed.
    """
    return np.ones(a.shape[0], dtype=a.dtype) @ a


class RecurrentLayer(Module):
    r"""The parts RNN, LSTM and GRU share: parameters, input checks and the weight gradients.

    Each layer computes G blocks of H pre-activations per step ("gates"), from
    the input and from the previous hidden state:

    .. math::  x_t W_{ih}^\top + b_{ih} \quad\text{and}\quad h_{t-1} W_{hh}^\top + b_{hh}

    ``weight_ih_l0`` (G·H, input_size), ``weight_hh_l0`` (G·H, H), ``bias_ih_l0``
    and ``bias_hh_l0`` (G·H,) are named, shaped, ordered and initialized as in
    PyTorch (all :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`, drawn from ``np.random`` in
    that order), so ``load_state_dict(torch_model.state_dict())`` just works.

    The input part does not depend on the recurrence, so ``forward`` computes it
    for all N·L steps in one matrix product before the time loop. (Inside, per-step
    arrays are time-major, (L, N, ...): see :func:`time_major`.) Likewise
    ``backward`` first runs the loop over time, collecting the gradients
    :math:`\delta_t` of the two pre-activations, and afterwards sums the weight
    gradients over all steps in one product each:

    .. math::  \frac{\partial L}{\partial W_{ih}} = \sum_t \delta^{ih\top}_t x_t, \quad
               \frac{\partial L}{\partial W_{hh}} = \sum_t \delta^{hh\top}_t h_{t-1}, \quad
               \frac{\partial L}{\partial x_t} = \delta^{ih}_t W_{ih}
    """

    gate_count = 1  # G: 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n)

    def __init__(self, input_size, hidden_size, bias=True, dtype=None):
        name = type(self).__name__
        self.input_size = expect_positive_int(name, "input_size", input_size)
        self.hidden_size = expect_positive_int(name, "hidden_size", hidden_size)
        dtype = resolve_dtype(dtype)
        bound = 1.0 / np.sqrt(self.hidden_size)
        rows = self.gate_count * self.hidden_size

        def uniform(*shape):
            return Parameter(np.random.uniform(-bound, bound, shape).astype(dtype))

        self.weight_ih_l0 = uniform(rows, self.input_size)
        self.weight_hh_l0 = uniform(rows, self.hidden_size)
        self.bias_ih_l0 = uniform(rows) if bias else None
        self.bias_hh_l0 = uniform(rows) if bias else None
        self.h_n = None  # the last hidden state (N, H), set by forward
        self.grad_h0 = None  # dL/dh0 (N, H), set by backward

    @property
    def dtype(self):
        return self.weight_ih_l0.data.dtype

    # -- forward helpers -----------------------------------------------------
    def _check_input(self, x):
        x = as_array(self, "input", x, dtype=self.dtype)
        if x.ndim == 2:
            raise ShapeError(
                f"{self!r}: input must have shape (N, L, {self.input_size}), got {x.shape}; "
                "for one unbatched sequence (L, input_size) add a batch axis with x[None]"
            )
        hint = "N sequences of L steps with input_size features each (batch-first, like PyTorch's batch_first=True)"
        if x.ndim == 3 and x.shape[1] == self.input_size:
            hint = "is it (N, input_size, L), as Conv1d takes it? use x.transpose(0, 2, 1)"
        x = expect_shape(self, "input", x, (None, "L", self.input_size), hint)
        if x.shape[1] == 0:
            raise ShapeError(f"{self!r}: input has shape {x.shape}: a sequence needs at least one step (L >= 1)")
        return x

    def _check_state(self, what, state, x):
        """h0 or c0: (N, H), zeros when None."""
        batch_size = x.shape[0]
        if state is None:
            return np.zeros((batch_size, self.hidden_size), dtype=self.dtype)
        state = as_array(self, what, state, dtype=self.dtype)
        hint = "one state per sequence in the batch"
        if state.ndim == 3 and state.shape[0] == 1:
            hint = f"PyTorch's {what} has a leading num_layers axis (1, N, H); nnkit's has not: pass {what}[0]"
        elif state.ndim == 2 and state.shape[0] == x.shape[1] != batch_size:
            hint = "is the input sequence-first (L, N, input_size)? nnkit is batch-first: use x.transpose(1, 0, 2)"
        return expect_shape(self, what, state, (batch_size, self.hidden_size), hint)

    def _project_inputs(self, x_steps, bias):
        """:math:`x_t W_{ih}^\\top` + bias for all N·L steps in one product: (L, N, input_size) -> (L, N, G·H)."""
        length, batch_size, _ = x_steps.shape
        projected = x_steps.reshape(length * batch_size, self.input_size) @ self.weight_ih_l0.data.T
        if bias is not None:
            projected += bias
        return projected.reshape(length, batch_size, -1)

    def _empty_states(self, h0, length):
        """A time-major buffer (L + 1, N, H) for :math:`h_0 \\dots h_L`, h0 filled in: ``states[1:]`` are the outputs.

        Keeping :math:`h_0` in front makes ``states[:-1]``, every :math:`h_{t-1}`, a plain view for backward.
        """
        states = np.empty((length + 1, *h0.shape), dtype=self.dtype)
        states[0] = h0
        return states

    def _both_biases(self):
        """:math:`b_{ih} + b_{hh}`: where the two biases are simply added (RNN, LSTM), they act as one."""
        return None if self.bias_ih_l0 is None else self.bias_ih_l0.data + self.bias_hh_l0.data

    # -- backward helpers ----------------------------------------------------
    def _check_grad_output(self, grad_output, x_steps):
        """grad_output checked against the output's shape (N, L, H); the loops read step t as ``grad_output[:, t]``."""
        grad_output = as_array(self, "grad_output", grad_output, dtype=self.dtype)
        length, batch_size, hidden_size = *x_steps.shape[:2], self.hidden_size
        hint = "dL/d(output) has the shape of the output, every hidden state (N, L, H)"
        if grad_output.shape == (batch_size, hidden_size):
            hint = "for a loss on the last step only, pass zeros with its gradient in grad_output[:, -1]"
        return expect_shape(self, "grad_output", grad_output, (batch_size, length, hidden_size), hint)

    def _accumulate_weight_grads(self, x_steps, states, delta_ih, delta_hh):
        """Add the weight and bias gradients summed over all steps; return dL/dx (N, L, input_size).

        ``x_steps`` (L, N, input_size) is the input, ``states`` (L + 1, N, H) are :math:`h_0 \\dots h_L`;
        ``delta_ih``, ``delta_hh`` (L, N, G·H) are dL/d(input part) and dL/d(hidden part) of the gates,
        all time-major.
        """
        length, batch_size, _ = x_steps.shape
        steps = length * batch_size
        h_previous = states[:-1]  # h_{t-1} for t = 1..L
        shared = delta_hh is delta_ih  # RNN, LSTM: both parts of a gate get the same gradient
        delta_ih = delta_ih.reshape(steps, -1)
        delta_hh = delta_ih if shared else delta_hh.reshape(steps, -1)
        self.weight_ih_l0.accumulate_grad(delta_ih.T @ x_steps.reshape(steps, self.input_size))
        self.weight_hh_l0.accumulate_grad(delta_hh.T @ h_previous.reshape(steps, self.hidden_size))
        if self.bias_ih_l0 is not None:
            grad_bias_ih = sum_rows(delta_ih)
            self.bias_ih_l0.accumulate_grad(grad_bias_ih)
            self.bias_hh_l0.accumulate_grad(grad_bias_ih.copy() if shared else sum_rows(delta_hh))
        return time_major((delta_ih @ self.weight_ih_l0.data).reshape(length, batch_size, self.input_size))

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias_ih_l0 is not None else ", bias=False")


class RNN(RecurrentLayer):
    r"""Elman recurrent layer: one tanh (or ReLU) layer applied at every step to the input and the last state.

    .. math::  a_t = x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}, \qquad h_t = \tanh(a_t)

    (or :math:`h_t = \max(a_t, 0)` with ``nonlinearity="relu"``), with :math:`h_0` = ``h0`` or zeros.
    ``forward(x, h0=None)`` takes x (N, L, input_size) and h0 (N, H) and returns
    all states :math:`h_1 \dots h_L` (N, L, H); ``layer.h_n`` is :math:`h_L`.

    Backward through time, with :math:`G_t = \partial L/\partial h_t` from the output
    and :math:`\delta_t = \partial L/\partial a_t`:

    .. math::  \delta_t = \big(G_t + \delta_{t+1} W_{hh}\big) \odot f'(a_t), \qquad
               \frac{\partial L}{\partial h_0} = \delta_1 W_{hh}

    where :math:`f'(a_t) = 1 - h_t^2` for tanh and :math:`[h_t > 0]` for ReLU, and
    :math:`\delta_{L+1} = 0`. ``backward`` returns dL/dx and keeps dL/dh0 as ``layer.grad_h0``.
    """

    def __init__(self, input_size, hidden_size, nonlinearity="tanh", bias=True, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias=bias, dtype=dtype)

    def forward(self, x, h0=None):
        x = self._check_input(x)
        h0 = self._check_state("h0", h0, x)
        x_steps = time_major(x)
        inputs = self._project_inputs(x_steps, self._both_biases())  # x_t W_ih^T + b_ih + b_hh, every t
        w_hh_t = np.ascontiguousarray(self.weight_hh_l0.data.T)  # BLAS multiplies it faster than a transposed view
        states = self._empty_states(h0, x.shape[1])  # h_0 ... h_L
        for t in range(x.shape[1]):
            a = np.matmul(states[t], w_hh_t, out=states[t + 1])  # a_t, computed in the place where h_t will be
            a += inputs[t]
            if self.nonlinearity == "tanh":
                tanh(a, out=a)
            else:
                np.maximum(a, 0, out=a)
        self.h_n = states[-1].copy()
        self.save_for_backward(x_steps, states)
        return time_major(states[1:])

    def backward(self, grad_output):
        x_steps, states = self.saved_values()
        grad_output = self._check_grad_output(grad_output, x_steps)
        w_hh = self.weight_hh_l0.data
        outputs = states[1:]
        # delta starts as f'(a_t) of every step at once (it needs only the forward pass's h_t, not the
        # recursion); the loop then multiplies each step by its dL/dh_t, in place
        if self.nonlinearity == "tanh":
            delta = np.multiply(outputs, outputs)
            np.subtract(1, delta, out=delta)
        else:
            delta = (outputs > 0).astype(self.dtype)
        grad_h = np.zeros_like(states[0])  # dL/dh_t: first delta_{t+1} W_hh, then plus G_t
        for t in reversed(range(len(outputs))):
            grad_h += grad_output[:, t]
            delta[t] *= grad_h
            np.matmul(delta[t], w_hh, out=grad_h)
        self.grad_h0 = grad_h
        return self._accumulate_weight_grads(x_steps, states, delta, delta)

    def extra_repr(self):
        relu = "" if self.nonlinearity == "tanh" else f", nonlinearity={self.nonlinearity!r}"
        return super().extra_repr() + relu
