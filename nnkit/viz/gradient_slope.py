r"""A gradient is a slope: the loss of one neuron along one parameter, with the tangent backward computes.

Drawn against :math:`w_1` (or b) with everything else fixed, the loss L is a curve, and the gradient
:math:`\partial L/\partial w_1` is the slope of its tangent at the current value. Where a ReLU neuron's
:math:`z \le 0` the curve is flat and every gradient is 0: the neuron is dead.
"""

import matplotlib.pyplot as plt
import numpy as np

from nnkit.viz.style import BLUE, FONT_SIZE, GREEN, ORANGE, VERMILION, finish

TANGENT_HALF_WIDTH = 0.6  # the tangent is drawn this far either side of the current value


def _draw_slice(ax, grid, losses, at, loss, slope, name, other, color, xlim):
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
    ax.set_xlim(*xlim)
    ax.set_ylim(-0.4, 12)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT_SIZE - 2, loc="upper center")
    finish(ax, f"along ${name}$ (${other}$ fixed): $\\partial L/\\partial {name}$ = {slope:.2f}", f"${name}$",
           "loss $L = (a - y)^2$")


def draw_gradient_as_slope(loss, gradients, w1=0.5, b=0.5, span=(-2.0, 3.0)):
    r"""Left: L against :math:`w_1` (b fixed); right: L against b (:math:`w_1` fixed), both over ``span``.

    ``loss(w1, b)`` is the loss for arrays of w1 or b (broadcast); ``gradients(w1, b)`` is backward's result at
    one point, a dict with "z", "L", "dL/dw1" and "dL/db". Each panel marks the current value, the tangent whose
    slope is that gradient and (green arrow) the direction a gradient-descent step would take. Returns the Figure.
    """
    point = gradients(w1, b)
    grid = np.linspace(*span, 401)
    fig, (ax_w, ax_b) = plt.subplots(1, 2, figsize=(9.8, 4.3), layout="constrained")
    _draw_slice(ax_w, grid, loss(grid, b), w1, point["L"], point["dL/dw1"], "w_1", "b", VERMILION, span)
    _draw_slice(ax_b, grid, loss(w1, grid), b, point["L"], point["dL/db"], "b", "w_1", ORANGE, span)
    state = ("dead: z ≤ 0, so the ReLU passes no gradient back" if point["z"] <= 0
             else f"alive: z = {point['z']:.2f}")
    fig.suptitle(f"$w_1$ = {w1:.2f}, b = {b:.2f}:  L = {point['L']:.2f}, neuron {state}", fontsize=FONT_SIZE)
    return fig
