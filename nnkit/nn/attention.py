r"""Attention: every position of a sequence takes a weighted average of the others, with weights it computes itself.

Scaled dot-product attention (Vaswani et al., 2017), the core of a transformer. With queries Q (L, d),
keys K (S, d) and values V (S, d_v):

.. math::  \mathrm{Attention}(Q, K, V) = A V, \qquad
           A = \mathrm{softmax}\Big(\frac{Q K^\top}{\sqrt d}\Big) \quad \text{(row by row)}

Row i of A says how much query i draws on each of the S values; every row is a probability vector (entries in
[0, 1], summing to 1). Dividing by :math:`\sqrt d` keeps the scores' spread near 1 whatever d is: a dot product
of two random d-vectors with unit-variance entries has variance d, and softmax of large scores would be all but
one-hot, with vanishing gradients.

Backward, with :math:`G = \partial L/\partial O` and :math:`S = QK^\top/\sqrt d` (the softmax Jacobian as in
:class:`~nnkit.nn.activation.Softmax`):

.. math::  \partial L/\partial V = A^\top G, \quad \partial L/\partial A = G V^\top, \quad
           \partial L/\partial S = A \odot \big(\partial L/\partial A - \textstyle\sum_j (\partial L/\partial A
           \odot A)_{\cdot j}\big), \\
           \partial L/\partial Q = (\partial L/\partial S)\, K/\sqrt d, \quad
           \partial L/\partial K = (\partial L/\partial S)^\top Q/\sqrt d

Leading axes (batch, heads) broadcast through unchanged, as in ``torch.nn.functional.scaled_dot_product_attention``.
"""

import math

import numpy as np

from nnkit.dtype import resolve_dtype
from nnkit.errors import ShapeError, as_array, expect_input, expect_positive_int, expect_shape
from nnkit.nn.activation import softmax
from nnkit.nn.linear import Linear
from nnkit.nn.module import Module
from nnkit.nn.parameter import Parameter


def causal_mask(length, source_length):
    """The causal mask (L, S): True where query i may look at key j, i.e. j <= i (no peeking at the future)."""
    return np.tril(np.ones((length, source_length), dtype=bool))


def scaled_dot_product_attention(query, key, value, is_causal=False):
    r"""Return ``(output, weights)``: :math:`A V` and :math:`A = \mathrm{softmax}(QK^\top/\sqrt d)`.

    Shapes: query (..., L, d), key (..., S, d), value (..., S, d_v) -> output (..., L, d_v), weights (..., L, S).
    ``is_causal=True`` lets query i attend to keys 0..i only (weights above the diagonal are exactly 0), as
    ``torch.nn.functional.scaled_dot_product_attention(..., is_causal=True)`` does.
    """
    who = "scaled_dot_product_attention"
    query, key, value = (as_array(who, name, array) for name, array in (("query", query), ("key", key),
                                                                         ("value", value)))
    if query.ndim < 2 or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ShapeError(f"{who}: query, key and value must be (..., L, d), (..., S, d), (..., S, d_v) with the "
                         f"same number of axes (at least 2), got {query.shape}, {key.shape}, {value.shape}")
    if key.shape[-1] != query.shape[-1]:
        raise ShapeError(f"{who}: query and key must have the same last size d, got {query.shape} and {key.shape}")
    if value.shape[-2] != key.shape[-2]:
        raise ShapeError(f"{who}: key and value must hold the same number S of positions (axis -2), "
                         f"got {key.shape} and {value.shape}")
    scores = query @ np.swapaxes(key, -1, -2) / math.sqrt(query.shape[-1])  # a Python float keeps float32 float32
    if is_causal:
        scores = np.where(causal_mask(*scores.shape[-2:]), scores, -np.inf)
    weights = softmax(scores, dim=-1)  # subtracts each row's max first: finite for any finite scores
    return weights @ value, weights


def scaled_dot_product_attention_backward(grad_output, query, key, value, weights):
    """dL/dquery, dL/dkey, dL/dvalue from dL/doutput and the forward pass's inputs and ``weights`` (see the module)."""
    scale = 1 / math.sqrt(query.shape[-1])
    grad_value = np.swapaxes(weights, -1, -2) @ grad_output
    grad_weights = grad_output @ np.swapaxes(value, -1, -2)
    grad_scores = weights * (grad_weights - np.sum(grad_weights * weights, axis=-1, keepdims=True))
    grad_query = grad_scores @ key * scale
    grad_key = np.swapaxes(grad_scores, -1, -2) @ query * scale
    return grad_query, grad_key, grad_value


class SelfAttention(Module):
    r"""Multi-head self-attention over a batch of sequences, ``torch.nn.MultiheadAttention``'s parameters.

    .. math::  [Q\,|\,K\,|\,V] = X W_{in}^\top + b_{in}, \qquad
               O_h = \mathrm{softmax}\big(Q_h K_h^\top / \sqrt{d}\big)\, V_h, \qquad
               Y = [O_1 | \dots | O_H]\, W_{out}^\top + b_{out}

    where head h uses the h-th slice of d = embed_dim / num_heads columns of Q, K and V.
    Shapes: x (N, L, embed_dim) -> (N, L, embed_dim); ``in_proj_weight`` (3E, E), ``in_proj_bias`` (3E,) and
    ``out_proj`` a Linear(E, E), named as in PyTorch, so a ``torch.nn.MultiheadAttention(E, H, batch_first=True)``
    state_dict loads directly. After a forward pass ``attention_weights`` holds A, shape (N, H, L, L);
    PyTorch's ``need_weights=True`` returns its mean over the heads.
    ``is_causal=True`` masks the future (position i sees positions 0..i). Initialization: uniform in
    :math:`\pm 1/\sqrt{E}` (PyTorch uses Xavier for the input projection; load its weights to compare).
    """

    def __init__(self, embed_dim, num_heads=1, is_causal=False, dtype=None):
        self.embed_dim = expect_positive_int("SelfAttention", "embed_dim", embed_dim)
        self.num_heads = expect_positive_int("SelfAttention", "num_heads", num_heads)
        if embed_dim % num_heads:
            raise ValueError(f"SelfAttention: embed_dim={embed_dim} must be divisible by num_heads={num_heads}")
        self.is_causal = bool(is_causal)
        dtype = resolve_dtype(dtype)
        bound = 1.0 / np.sqrt(embed_dim)
        self.in_proj_weight = Parameter(np.random.uniform(-bound, bound, (3 * embed_dim, embed_dim)).astype(dtype))
        self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, dtype=dtype))
        self.out_proj = Linear(embed_dim, embed_dim, dtype=dtype)
        self.attention_weights = None

    def _split_heads(self, t):
        """(N, L, E) -> (N, H, L, E/H)."""
        n, length, _ = t.shape
        return t.reshape(n, length, self.num_heads, -1).transpose(0, 2, 1, 3)

    def _merge_heads(self, t):
        """(N, H, L, E/H) -> (N, L, E)."""
        n, _, length, _ = t.shape
        return t.transpose(0, 2, 1, 3).reshape(n, length, self.embed_dim)

    def forward(self, x):
        x = expect_input(self._name(), x, (None, "L", self.embed_dim), self.in_proj_weight.data.dtype)
        n, length, _ = x.shape
        projected = x @ self.in_proj_weight.data.T + self.in_proj_bias.data
        query, key, value = (self._split_heads(part) for part in np.split(projected, 3, axis=-1))
        heads, weights = scaled_dot_product_attention(query, key, value, is_causal=self.is_causal)
        self.attention_weights = weights
        self.save_for_backward(x, query, key, value, weights)
        return self.out_proj(self._merge_heads(heads).reshape(n * length, self.embed_dim)).reshape(x.shape)

    def backward(self, grad_output):
        x, query, key, value, weights = self.saved_values()
        n, length, embed_dim = x.shape
        grad_output = expect_shape(self._name(), "grad_output", np.asarray(grad_output), x.shape)
        grad_heads = self.out_proj.backward(grad_output.reshape(n * length, embed_dim)).reshape(x.shape)
        grads = scaled_dot_product_attention_backward(self._split_heads(grad_heads), query, key, value, weights)
        grad_projected = np.concatenate([self._merge_heads(g) for g in grads], axis=-1)  # (N, L, 3E)
        flat_grad, flat_x = grad_projected.reshape(-1, 3 * embed_dim), x.reshape(-1, embed_dim)
        self.in_proj_weight.accumulate_grad(flat_grad.T @ flat_x)
        self.in_proj_bias.accumulate_grad(flat_grad.sum(axis=0))
        return grad_projected @ self.in_proj_weight.data

    def _name(self):
        """One line for error messages (the repr spans several lines, listing out_proj)."""
        return f"SelfAttention({self.extra_repr()})"

    def extra_repr(self):
        causal = ", is_causal=True" if self.is_causal else ""
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}{causal}"
