r"""Chapter 11 (recurrent networks): the unrolled RNN, sequence patterns, and how gradients fade over time.

The gradient pictures come from a real :class:`~nnkit.nn.rnn.RNN` whose recurrent weight is
:math:`W_{hh} = s\,Q` (Q a random orthogonal matrix, so every singular value of :math:`W_{hh}` is s).
Backpropagation through time sends the gradient of a loss on the last state back one step at a time,

.. math::  \frac{\partial L}{\partial h_{t-1}} = \Big(\frac{\partial L}{\partial h_t} \odot f'(a_t)\Big) W_{hh},

so each step multiplies its size by s times the activation slopes :math:`f'(a_t) \le 1`.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from nnkit.nn.rnn import RNN
from nnkit.viz.animation import animation_html
from nnkit.viz.style import BLUE, FONT_SIZE, GREEN, TITLE_SIZE, VERMILION, finish
from nnkit.widgets.interactive import interactive_plot

INPUT_COLOR, HIDDEN_COLOR, OUTPUT_COLOR = "#cfe3f3", "#e6e6e6", "#fbe3b8"


# -- pictures of the architecture ------------------------------------------------

def _box(ax, x, y, text, color, width=0.8, height=0.55):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.03",
                                facecolor=color, edgecolor="0.3", linewidth=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=FONT_SIZE)


def _arrow(ax, start, end, label=None, color="0.25", label_offset=(0, 0.12), **kwargs):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color, linewidth=1.3,
                                 shrinkA=0, shrinkB=0, **kwargs))
    if label:
        ax.text((start[0] + end[0]) / 2 + label_offset[0], (start[1] + end[1]) / 2 + label_offset[1], label,
                ha="center", va="center", fontsize=FONT_SIZE - 1, color=color)


def draw_unrolled_rnn(steps=4, ax=None):
    """The RNN as one looped cell (left) and unrolled over ``steps`` time steps (right), the same weights in each."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 3.4), layout="constrained")
    # folded: one cell feeding itself
    _box(ax, 0, 0, "$x_t$", INPUT_COLOR)
    _box(ax, 0, 1.2, "$h_t$", HIDDEN_COLOR)
    _box(ax, 0, 2.4, "$\\hat y_t$", OUTPUT_COLOR)
    _arrow(ax, (0, 0.28), (0, 0.92), "$W_{ih}$", label_offset=(-0.32, 0))
    _arrow(ax, (0, 1.48), (0, 2.12), "$W_{hy}$", label_offset=(-0.32, 0))
    ax.add_patch(FancyArrowPatch((0.4, 1.35), (0.4, 1.05), connectionstyle="arc3,rad=-1.6", arrowstyle="-|>",
                                 mutation_scale=12, color=VERMILION, linewidth=1.3))
    ax.text(0.62, 1.55, "$W_{hh}$", color=VERMILION, fontsize=FONT_SIZE - 1, va="center")
    ax.text(1.35, 1.2, "=", fontsize=20, ha="center", va="center")
    # unrolled: one copy of the cell per step, all with the same three weight matrices
    left = 3.2
    for step in range(steps):
        x = left + 1.6 * step
        t = f"{step + 1}"
        _box(ax, x, 0, f"$x_{t}$", INPUT_COLOR)
        _box(ax, x, 1.2, f"$h_{t}$", HIDDEN_COLOR)
        _box(ax, x, 2.4, f"$\\hat y_{t}$", OUTPUT_COLOR)
        _arrow(ax, (x, 0.28), (x, 0.92), "$W_{ih}$", label_offset=(-0.32, 0))
        _arrow(ax, (x, 1.48), (x, 2.12), "$W_{hy}$", label_offset=(-0.32, 0))
        _arrow(ax, (x - 1.2, 1.2), (x - 0.4, 1.2), "$W_{hh}$", color=VERMILION)
    ax.text(left - 1.2 - 0.05, 1.2, "$h_0$", ha="right", va="center", fontsize=FONT_SIZE)
    _arrow(ax, (left + 1.6 * (steps - 1) + 0.4, 1.2), (left + 1.6 * (steps - 1) + 1.1, 1.2), "$W_{hh}$",
           color=VERMILION)
    ax.text(left + 1.6 * (steps - 1) + 1.2, 1.2, "…", va="center", fontsize=FONT_SIZE + 2)
    ax.set_xlim(-0.7, left + 1.6 * steps)
    ax.set_ylim(-0.5, 2.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("An RNN folded (left) and unrolled over time (right): the same $W_{ih}$, $W_{hh}$, $W_{hy}$ "
                 "at every step", fontsize=TITLE_SIZE)
    return ax


SEQUENCE_PATTERNS = {
    # name -> (which steps get an input, which steps produce an output, where the encoder ends (or None))
    "one-to-many\n$T_x = 1,\\ T_y > 1$\nimage captioning,\nmusic generation": ([0], [0, 1, 2, 3], None),
    "many-to-one\n$T_x > 1,\\ T_y = 1$\nsentiment of a text,\nclassify a sequence": ([0, 1, 2, 3], [3], None),
    "many-to-many\n$T_x = T_y$\na label per word,\nnext-value forecast": ([0, 1, 2, 3], [0, 1, 2, 3], None),
    "many-to-many\n$T_x \\neq T_y$\ntranslation: encoder,\nthen decoder": ([0, 1, 2], [3, 4], 2),
}


def draw_sequence_patterns():
    """The four input/output patterns of the lecture, each as a small unrolled chain (inputs blue, outputs orange)."""
    fig, axes = plt.subplots(1, 4, figsize=(10, 3.6), layout="constrained")
    for ax, (name, (inputs, outputs, encoder_end)) in zip(axes, SEQUENCE_PATTERNS.items()):
        steps = max(inputs + outputs) + 1
        for step in range(steps):
            x = step * 1.0
            _box(ax, x, 1, "", HIDDEN_COLOR, width=0.6, height=0.45)
            if step in inputs:
                _box(ax, x, 0, "", INPUT_COLOR, width=0.6, height=0.45)
                _arrow(ax, (x, 0.23), (x, 0.77))
            if step in outputs:
                _box(ax, x, 2, "", OUTPUT_COLOR, width=0.6, height=0.45)
                _arrow(ax, (x, 1.23), (x, 1.77))
            if step:
                _arrow(ax, (x - 0.7, 1), (x - 0.3, 1), color=VERMILION)
        if encoder_end is not None:
            ax.axvline(encoder_end + 0.5, color="0.5", linestyle=":", linewidth=1)
        ax.set_xlim(-0.5, 4.5)
        ax.set_ylim(-0.4, 2.4)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(name, fontsize=FONT_SIZE - 1)
    fig.suptitle("Sequence patterns: inputs (blue), hidden states (grey), outputs (orange), time →",
                 fontsize=TITLE_SIZE)
    return fig


# -- vanishing and exploding gradients ---------------------------------------------

def rnn_with_recurrent_scale(scale, hidden_size=16, nonlinearity="tanh", seed=0):
    """An ``RNN(1, hidden_size)`` with :math:`W_{hh} = s\\,Q`, Q orthogonal, and zero biases (seeded)."""
    rng = np.random.default_rng(seed)
    orthogonal, _ = np.linalg.qr(rng.standard_normal((hidden_size, hidden_size)))
    np.random.seed(seed)
    rnn = RNN(1, hidden_size, nonlinearity=nonlinearity)
    rnn.weight_hh_l0.data = scale * orthogonal
    rnn.bias_ih_l0.data[:] = 0
    rnn.bias_hh_l0.data[:] = 0
    return rnn


def hidden_gradient_norms(rnn, x, grad_last):
    r"""BPTT by hand for a loss on the last state only: the mean :math:`\lVert\partial L/\partial h_t\rVert`, t = 0..L.

    ``x`` (N, L, input_size); ``grad_last`` (N, H) is :math:`\partial L/\partial h_L`. Also returns the
    mean activation slope :math:`f'(a_t)` of every step, (L,), and keeps the states as ``rnn`` does.
    """
    states = rnn(x)
    grad_h = np.asarray(grad_last, dtype=float)
    norms = [np.linalg.norm(grad_h, axis=1).mean()]
    slopes = 1 - states ** 2 if rnn.nonlinearity == "tanh" else (states > 0).astype(float)
    for t in reversed(range(x.shape[1])):
        grad_h = (grad_h * slopes[:, t]) @ rnn.weight_hh_l0.data   # dL/dh_{t-1}
        norms.append(np.linalg.norm(grad_h, axis=1).mean())
    return np.array(norms[::-1]), slopes.mean(axis=(0, 2))


def gradient_decay(scale, nonlinearity="tanh", length=40, hidden_size=16, batch_size=8, seed=0):
    """:func:`hidden_gradient_norms` for an RNN with recurrent scale ``scale`` on seeded N(0, 1) input sequences."""
    rnn = rnn_with_recurrent_scale(scale, hidden_size, nonlinearity, seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.standard_normal((batch_size, length, 1))
    direction = rng.standard_normal((batch_size, hidden_size))
    return hidden_gradient_norms(rnn, x, direction / np.linalg.norm(direction, axis=1, keepdims=True))


def draw_gradient_decay(scale=0.9, nonlinearity="tanh", length=40, axes=None):
    """Left: :math:`\\lVert\\partial L/\\partial h_t\\rVert` against t (log scale), with the pure :math:`s^{L-t}`
    of a linear RNN for reference. Right: the mean slope :math:`f'(a_t)` at every step."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained", width_ratios=[1.6, 1])
    norms, slopes = gradient_decay(scale, nonlinearity, length)
    t = np.arange(length + 1)
    left, right = axes
    left.semilogy(t, norms, "o-", color=VERMILION, markersize=3, label=f"{nonlinearity} RNN (measured)")
    left.semilogy(t, float(scale) ** (length - t), "--", color="0.4", label=f"$s^{{L-t}}$ = {scale:.2f}$^{{L-t}}$")
    left.set_ylim(1e-12, 1e6)
    left.axhline(1, color="0.8", linewidth=0.8)
    left.legend(fontsize=FONT_SIZE - 1, loc="lower right")
    left.grid(alpha=0.3)
    finish(left, f"Gradient reaching step t, loss at step L = {length} (s = {scale:.2f})", "time step t",
           "$\\|\\partial L / \\partial h_t\\|$ (log scale)")
    right.plot(np.arange(1, length + 1), slopes, color=BLUE, linewidth=2)
    right.set_ylim(0, 1.05)
    right.grid(alpha=0.3)
    finish(right, "Mean activation slope per step", "time step t", "mean $f'(a_t)$")
    return left.figure


def gradient_decay_explorer():
    """Sliders for the size s of W_hh, the nonlinearity and the length, redrawing :func:`draw_gradient_decay`."""
    return interactive_plot(
        draw_gradient_decay,
        scale=widgets.FloatSlider(value=0.9, min=0.2, max=3.0, step=0.05, description="size s of W_hh",
                                  style={"description_width": "initial"}),
        nonlinearity=widgets.Dropdown(options=["tanh", "relu"], value="tanh", description="f"),
        length=widgets.IntSlider(value=40, min=5, max=60, step=5, description="length L"),
        continuous_update=False,
        website={"scale": [0.5, 0.8, 0.9, 1.0, 1.2, 1.5, 2.0, 2.5], "length": [40]},
    )


def gradient_decay_animation(scales=None, nonlinearity="tanh", length=40):
    """Pre-rendered frames of :func:`draw_gradient_decay` as s sweeps from 0.5 to 2.5 (for pages without a kernel)."""
    scales = np.round(np.linspace(0.5, 2.5, 21), 2) if scales is None else scales
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained", width_ratios=[1.6, 1])

    def update(scale):
        for ax in axes:
            ax.clear()
        draw_gradient_decay(float(scale), nonlinearity, length, axes=axes)

    return animation_html(update, scales, fig, interval=400)


# -- gates -----------------------------------------------------------------------

def draw_gate_traces(gates, x, title, units=None):
    """Heat maps of gate values (each (L, H) in [0, 1]) over time for one sequence, above its input ``x`` (L,)."""
    names = list(gates)
    fig, axes = plt.subplots(len(names) + 1, 1, figsize=(9, 1.3 + 1.25 * len(names)), sharex=True,
                             layout="constrained", height_ratios=[1.2] + [1] * len(names))
    steps = np.arange(1, len(x) + 1)
    axes[0].bar(steps, x, color=[GREEN if t == 1 else "0.6" for t in steps])
    axes[0].set_ylabel("input", fontsize=FONT_SIZE - 1)
    axes[0].set_title(title, fontsize=TITLE_SIZE)
    for ax, name in zip(axes[1:], names):
        values = gates[name] if units is None else gates[name][:, units]
        image = ax.imshow(values.T, aspect="auto", cmap="viridis", vmin=0, vmax=1,
                          extent=(0.5, len(x) + 0.5, values.shape[1] - 0.5, -0.5))
        ax.set_ylabel(f"{name}\nunit", fontsize=FONT_SIZE - 1)
    axes[-1].set_xlabel("time step t", fontsize=FONT_SIZE)
    axes[-1].set_xticks(steps if len(steps) <= 20 else [1, *range(5, len(steps) + 1, 5)])
    fig.colorbar(image, ax=axes[1:], label="gate value (0 = closed, 1 = open)", shrink=0.9)
    return fig


__all__ = [
    "draw_gate_traces", "draw_gradient_decay", "draw_sequence_patterns", "draw_unrolled_rnn", "gradient_decay",
    "gradient_decay_animation", "gradient_decay_explorer", "hidden_gradient_norms", "rnn_with_recurrent_scale",
]
