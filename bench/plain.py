"""The plain numpy reference: the same networks as straight-line numpy, with no modules, checks or options.

This is the "clean vectorized numpy" a reader would write from the lecture formulas in one sitting (the issue's
targets were set against such code on another machine). It runs beside nnkit in the same process, so the
tables show what nnkit's structure (modules, input checks, accumulation into ``.grad``) costs on *this*
machine. The MLP starts from the same weights as PyTorch and sees the same batches, so its accuracy is
comparable too; the recurrent passes compute what the nnkit layers compute (tests/test_bench.py checks both).
"""

import numpy as np


class PlainMLP:
    """ReLU MLP, softmax cross-entropy, plain SGD: one training step is the lecture's equations, row layout."""

    def __init__(self, sizes, dtype, X, y, like=None, lr=0.05, seed=0):
        self.X, self.y, self.lr = X.astype(dtype, copy=False), y, lr
        if like is not None:  # a torch or nnkit model: its Linear layers' weights and biases, in order
            state = [np.asarray(value.detach() if hasattr(value, "detach") else value)
                     for value in like.state_dict().values()]
            self.weights = [w.astype(dtype) for w in state[0::2]]
            self.biases = [b.astype(dtype) for b in state[1::2]]
        else:
            rng = np.random.default_rng(seed)
            bounds = [1 / np.sqrt(fan_in) for fan_in in sizes[:-1]]
            self.weights = [rng.uniform(-r, r, (fan_out, fan_in)).astype(dtype)
                            for r, fan_in, fan_out in zip(bounds, sizes[:-1], sizes[1:])]
            self.biases = [rng.uniform(-r, r, fan_out).astype(dtype) for r, fan_out in zip(bounds, sizes[1:])]

    def batches(self, order):
        return [(self.X[batch], self.y[batch]) for batch in order]

    def scores(self, x):
        """Forward pass: the list of every layer's input, and the final scores."""
        inputs = []
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            inputs.append(x)
            x = x @ weight.T + bias
            if index < len(self.weights) - 1:
                x = np.maximum(x, 0)
        return inputs, x

    def step(self, x, targets):
        inputs, scores = self.scores(x)
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        rows = np.arange(len(targets))
        loss = -np.log(probs[rows, targets]).mean()
        probs[rows, targets] -= 1
        grad = probs / len(targets)  # dL/d(scores)
        for index in reversed(range(len(self.weights))):
            grad_weight, grad_bias = grad.T @ inputs[index], grad.sum(axis=0)
            if index:
                grad = (grad @ self.weights[index]) * (inputs[index] > 0)
            self.weights[index] -= self.lr * grad_weight
            self.biases[index] -= self.lr * grad_bias
        return loss

    def epoch(self, batches):
        for x, targets in batches:
            self.step(x, targets)

    def accuracy(self, X, y):
        return float((self.scores(X.astype(self.X.dtype))[1].argmax(axis=1) == y).mean())


def rnn_pass(x, grad_output, w_ih, w_hh, b_ih, b_hh):
    """Elman RNN (tanh), forward and backward through time on x (N, L, I) from h0 = 0.

    Returns (outputs (N, L, H), dL/dx, dL/dW_ih, dL/dW_hh, dL/db) for dL/d(outputs) = ``grad_output``.
    """
    batch, length, _ = x.shape
    projected = x @ w_ih.T + (b_ih + b_hh)  # (N, L, H): the input part of every step at once
    states = [np.zeros((batch, w_hh.shape[0]), dtype=x.dtype)]
    for t in range(length):
        states.append(np.tanh(projected[:, t] + states[-1] @ w_hh.T))
    outputs = np.stack(states[1:], axis=1)
    delta = np.empty_like(outputs)  # dL/d(pre-activation) of every step
    grad_h = np.zeros_like(states[0])
    for t in reversed(range(length)):
        delta[:, t] = (grad_output[:, t] + grad_h) * (1 - outputs[:, t] ** 2)
        grad_h = delta[:, t] @ w_hh
    previous = np.stack(states[:-1], axis=1)
    flat_delta = delta.reshape(-1, delta.shape[-1])
    return (outputs, delta @ w_ih, flat_delta.T @ x.reshape(-1, x.shape[-1]),
            flat_delta.T @ previous.reshape(-1, previous.shape[-1]), flat_delta.sum(axis=0))


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def lstm_pass(x, grad_output, w_ih, w_hh, b_ih, b_hh):
    """LSTM (PyTorch's gate order i, f, g, o), forward and backward through time on x (N, L, I) from zero states.

    Returns (outputs (N, L, H), dL/dx, dL/dW_ih, dL/dW_hh, dL/db) for dL/d(outputs) = ``grad_output``.
    """
    batch, length, _ = x.shape
    hidden = w_hh.shape[1]
    projected = x @ w_ih.T + (b_ih + b_hh)  # (N, L, 4H)
    h, c = np.zeros((batch, hidden), dtype=x.dtype), np.zeros((batch, hidden), dtype=x.dtype)
    saved = []  # per step: h_{t-1}, c_{t-1}, i, f, g, o, tanh(c_t)
    outputs = np.empty((batch, length, hidden), dtype=x.dtype)
    for t in range(length):
        a = projected[:, t] + h @ w_hh.T
        i, f, o = sigmoid(a[:, :hidden]), sigmoid(a[:, hidden:2 * hidden]), sigmoid(a[:, 3 * hidden:])
        g = np.tanh(a[:, 2 * hidden:3 * hidden])
        c_previous, h_previous = c, h
        c = f * c + i * g
        tanh_c = np.tanh(c)
        h = o * tanh_c
        outputs[:, t] = h
        saved.append((h_previous, c_previous, i, f, g, o, tanh_c))
    delta = np.empty((batch, length, 4 * hidden), dtype=x.dtype)
    grad_h, grad_c = np.zeros_like(h), np.zeros_like(c)
    for t in reversed(range(length)):
        h_previous, c_previous, i, f, g, o, tanh_c = saved[t]
        grad_h = grad_h + grad_output[:, t]
        grad_c = grad_c + grad_h * o * (1 - tanh_c**2)
        delta[:, t] = np.concatenate([grad_c * g * i * (1 - i), grad_c * c_previous * f * (1 - f),
                                      grad_c * i * (1 - g**2), grad_h * tanh_c * o * (1 - o)], axis=1)
        grad_h = delta[:, t] @ w_hh
        grad_c = grad_c * f
    previous = np.stack([step[0] for step in saved], axis=1)
    flat_delta = delta.reshape(-1, delta.shape[-1])
    return (outputs, delta @ w_ih, flat_delta.T @ x.reshape(-1, x.shape[-1]),
            flat_delta.T @ previous.reshape(-1, hidden), flat_delta.sum(axis=0))
