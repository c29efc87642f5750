r"""How a gradient fades (or grows) on its way back through an RNN: its size at every step, and the slopes.

Backpropagation through time sends the gradient of a loss on the last state back one step at a time,

.. math::  \frac{\partial L}{\partial h_{t-1}} = \Big(\frac{\partial L}{\partial h_t} \odot f'(a_t)\Big) W_{hh},

so each step multiplies its size by about s (the size of :math:`W_{hh}`) times the activation slopes
:math:`f'(a_t) \le 1`. The numbers are computed by the caller and drawn here.
"""

import matplotlib.pyplot as plt
import numpy as np

from nnkit.viz.animation import animation_html
from nnkit.viz.style import BLUE, FONT_SIZE, VERMILION, finish


def draw_gradient_decay(norms, slopes, scale, nonlinearity="tanh", axes=None):
    r"""Left: :math:`\lVert\partial L/\partial h_t\rVert` (``norms``, (L + 1,)) against t on a log scale, with
    the pure :math:`s^{L-t}` of a linear RNN for reference. Right: the mean slope :math:`f'(a_t)` (``slopes``, (L,))
    at every step. Returns the Figure."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained", width_ratios=[1.6, 1])
    length = len(slopes)
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


def gradient_decay_animation(gradient_decay, scales=None, nonlinearity="tanh", length=40):
    """Pre-rendered frames of :func:`draw_gradient_decay` as s sweeps from 0.5 to 2.5 (for pages without a kernel).

    ``gradient_decay(scale, nonlinearity, length)`` returns ``(norms, slopes)`` (the chapter computes them).
    """
    scales = np.round(np.linspace(0.5, 2.5, 21), 2) if scales is None else scales
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained", width_ratios=[1.6, 1])

    def update(scale):
        for ax in axes:
            ax.clear()
        draw_gradient_decay(*gradient_decay(float(scale), nonlinearity, length), float(scale), nonlinearity,
                            axes=axes)

    return animation_html(update, scales, fig, interval=400)
