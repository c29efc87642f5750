r"""Chapter 6 (backpropagation): a gradient is the slope of the loss, and a neuron learns by following it.

The chapter's neuron has two inputs, a ReLU and the squared error against one target:

.. math::  z = w_1 x_1 + w_2 x_2 + b, \quad a = \max(0, z), \quad L = (a - y)^2

Backward gives :math:`\partial L/\partial w_1` and :math:`\partial L/\partial b`. Drawn against
:math:`w_1` (or b) with everything else fixed, L is a curve, and the gradient is the slope of
its tangent at the current value. Where :math:`z \le 0` the ReLU is flat, the curve is flat and
every gradient is 0: the neuron is dead and gradient descent cannot revive it.
"""

from contextlib import contextmanager

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from nnkit.viz.animation import animation_html
from nnkit.viz.neuron_graph import draw_neuron_graph, neuron_graph_values
from nnkit.viz.style import BLUE, FONT_SIZE, GREEN, ORANGE, PURPLE, VERMILION, finish
from nnkit.widgets.interactive import interactive_plot

SAMPLE_X = (2.0, 1.0)  # the one sample (x1, x2) ...
SAMPLE_Y = 2.0  # ... and its target
FIXED_W2 = -0.5  # w2 stays put; the sliders move w1 and b
SLIDER_RANGE = (-2.0, 3.0)  # both sliders and both curves span this range
TANGENT_HALF_WIDTH = 0.6  # the tangent is drawn this far either side of the current value


@contextmanager
def global_random_state_kept():
    """Run a block without moving ``np.random``'s global state.

    ``neuron_graph_values`` builds an ``nn.Linear``, which draws random initial weights; a slider
    that moved the global state would change what every later unseeded cell computes.
    """
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


def neuron_loss(w1, b, w2=FIXED_W2, x=SAMPLE_X, y=SAMPLE_Y):
    r"""The loss :math:`(\max(0, w_1 x_1 + w_2 x_2 + b) - y)^2` for arrays of w1 and b (broadcast): the curves."""
    z = np.asarray(w1, dtype=float) * x[0] + w2 * x[1] + np.asarray(b, dtype=float)
    return (np.maximum(z, 0) - y) ** 2


def neuron_gradients(w1, b, w2=FIXED_W2, x=SAMPLE_X, y=SAMPLE_Y):
    """Forward and backward through nnkit's Linear, ReLU and MSELoss at one point.

    Returns a dict with z, a, the loss L and the gradients dL/dw1, dL/dw2, dL/db, dL/dz
    (from :func:`nnkit.viz.neuron_graph_values`, i.e. from the modules' own ``backward``).
    """
    with global_random_state_kept():
        forward, gradient = neuron_graph_values(x, [w1, w2], b, activation="relu", target=y)
    return {"z": forward["z"], "a": forward["a"], "L": forward["L"], "dL/dz": gradient["z"],
            "dL/dw1": gradient["w1"], "dL/dw2": gradient["w2"], "dL/db": gradient["b"]}


def _draw_slice(ax, grid, losses, at, loss, slope, name, other, color):
    """One panel: the loss curve along one parameter, the current point and its tangent of slope ``slope``."""
    ax.plot(grid, losses, color=BLUE, lw=2, label=f"loss L as a function of ${name}$")
    near = np.linspace(at - TANGENT_HALF_WIDTH, at + TANGENT_HALF_WIDTH, 2)
    ax.plot(near, loss + slope * (near - at), "--", color=color, lw=2.5,
            label=f"tangent, slope = backward's $\\partial L/\\partial {name}$")
    ax.plot(at, loss, "o", color=color, markersize=9, markeredgecolor="k", zorder=3)
    if slope != 0:  # gradient descent steps against the slope
        ax.annotate("", xy=(at - 0.5 * np.sign(slope), loss), xytext=(at, loss),
                    arrowprops={"arrowstyle": "-|>", "color": GREEN, "lw": 2.5})
    ax.plot([], [], color=GREEN, lw=2.5, label="direction of a descent step")
    ax.set_xlim(*SLIDER_RANGE)
    ax.set_ylim(-0.4, 12)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT_SIZE - 2, loc="upper center")
    finish(ax, f"along ${name}$ (${other}$ fixed): $\\partial L/\\partial {name}$ = {slope:.2f}", f"${name}$",
           "loss $L = (a - y)^2$")


def draw_gradient_as_slope(w1=0.5, b=0.5):
    r"""Left: L against :math:`w_1` (b fixed); right: L against b (:math:`w_1` fixed). Returns the Figure.

    Each panel marks the current value, the tangent whose slope is the gradient that nnkit's
    backward computes, and (green arrow) the direction a gradient-descent step would take.
    """
    point = neuron_gradients(w1, b)
    grid = np.linspace(*SLIDER_RANGE, 401)
    fig, (ax_w, ax_b) = plt.subplots(1, 2, figsize=(9.8, 4.3), layout="constrained")
    _draw_slice(ax_w, grid, neuron_loss(grid, b), w1, point["L"], point["dL/dw1"], "w_1", "b", VERMILION)
    _draw_slice(ax_b, grid, neuron_loss(w1, grid), b, point["L"], point["dL/db"], "b", "w_1", ORANGE)
    state = ("dead: z ≤ 0, so the ReLU passes no gradient back" if point["z"] <= 0
             else f"alive: a = z = {point['a']:.2f}")
    fig.suptitle(f"x = {SAMPLE_X}, y = {SAMPLE_Y:g}, w = ({w1:.2f}, {FIXED_W2:g}), b = {b:.2f}:  "
                 f"L = {point['L']:.2f}, neuron {state}", fontsize=FONT_SIZE)
    return fig


def gradient_slope_explorer(w1=0.5, b=0.5):
    """Sliders for w1 and b over :func:`draw_gradient_as_slope`."""
    def slider(name, value):
        return widgets.FloatSlider(value=value, min=SLIDER_RANGE[0], max=SLIDER_RANGE[1], step=0.05,
                                   description=name, readout_format=".2f")

    return interactive_plot(draw_gradient_as_slope, w1=slider("w1", w1), b=slider("b", b),
                            website={"w1": sorted({-1.0, 0.0, 1.0, w1}), "b": sorted({-1.0, 0.0, 1.0, b})})


def draw_relu_neuron_graph(w1=0.5, w2=-0.5, b=0.5, y=SAMPLE_Y):
    """:func:`nnkit.viz.draw_neuron_graph` of the chapter's ReLU neuron on ``SAMPLE_X``, keeping the global RNG."""
    with global_random_state_kept():
        fig = draw_neuron_graph(x=list(SAMPLE_X), w=[w1, w2], b=b, activation="relu", target=y)
    fig.set_size_inches(10, 5.6)
    return fig


def neuron_graph_explorer(w1=0.5, w2=-0.5, b=0.5, y=SAMPLE_Y):
    """Sliders for both weights, the bias and the target over :func:`draw_relu_neuron_graph`."""
    def slider(name, value, low=-2.0, high=2.0):
        return widgets.FloatSlider(value=value, min=low, max=high, step=0.1, description=name, readout_format=".1f")

    return interactive_plot(draw_relu_neuron_graph, w1=slider("w1", w1), w2=slider("w2", w2), b=slider("b", b),
                            y=slider("target y", y, 0.0, 4.0),
                            website={"w1": [w1], "w2": [w2], "y": [y],
                                     "b": sorted({-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, b})})


def neuron_training_animation(X, y, snapshots, true_weights, true_bias, frames=None):
    r"""Replay a neuron :math:`\hat y = \max(0, X w + b)` learning, pre-rendered (plays without a kernel).

    ``snapshots`` is a list of ``(epoch, weights (2,), bias, loss)``, one per epoch; ``frames`` are the indices
    of the snapshots to show (default: 30 evenly spaced). Left: prediction against target for every sample
    (on the diagonal = right). Right: the three parameters along all epochs, the values that generated the
    data dashed, and dots at the frame's epoch. Returns the player's HTML.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float).reshape(-1)
    if frames is None:
        frames = np.linspace(0, len(snapshots) - 1, min(30, len(snapshots))).round()
    picks = [int(frame) for frame in np.unique(frames)]
    epochs = np.array([s[0] for s in snapshots])
    params = np.array([[*s[1], s[2]] for s in snapshots])  # (snapshots, 3): w1, w2, b

    fig, (ax_fit, ax_params) = plt.subplots(1, 2, figsize=(9.8, 4.2))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.86, wspace=0.28)  # fixed: no layout per frame
    top = max(float(y.max()), 1.0) * 1.15
    ax_fit.plot([0, top], [0, top], color="0.6", lw=1.5, label="prediction = target")
    dots = ax_fit.scatter(y, np.zeros_like(y), color=BLUE, edgecolors="k", s=45, zorder=3, label="one sample")
    ax_fit.set(xlim=(-0.1 * top, top), ylim=(-0.1 * top, top * 1.3))
    ax_fit.legend(fontsize=FONT_SIZE - 1, loc="upper left")
    ax_fit.grid(alpha=0.3)
    finish(ax_fit, "", "target $y$", r"prediction $\hat y = \mathrm{ReLU}(w \cdot x + b)$")

    markers = []
    for k, (name, color, truth) in enumerate(zip(("$w_1$", "$w_2$", "$b$"), (VERMILION, PURPLE, ORANGE),
                                                 (*true_weights, true_bias))):
        ax_params.plot(epochs, params[:, k], color=color, lw=1.5, alpha=0.35)
        ax_params.axhline(truth, color=color, lw=1.2, ls="--")
        markers += ax_params.plot([], [], "o", color=color, markersize=8, markeredgecolor="k", label=name)
    ax_params.plot([], [], "--", color="0.4", label="values that made the data")
    ax_params.legend(fontsize=FONT_SIZE - 1, loc="center right", ncol=2)
    ax_params.grid(alpha=0.3)
    finish(ax_params, "Parameters during training", "epoch", "value")
    title = fig.suptitle("", fontsize=FONT_SIZE + 1)

    def show(frame):
        epoch, weights, bias, loss = snapshots[frame]
        dots.set_offsets(np.column_stack([y, np.maximum(X @ np.asarray(weights) + bias, 0)]))
        for marker, value in zip(markers, (*weights, bias)):
            marker.set_data([epoch], [value])
        title.set_text(f"One ReLU neuron learning: epoch {epoch}, MSE = {loss:.4f}")

    show(picks[0])
    return animation_html(show, list(picks), fig, interval=350)
