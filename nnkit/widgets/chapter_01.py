r"""Chapter 1 (the neuron): what the weights and the bias of one sigmoid neuron do to the plane.

A neuron with two inputs computes :math:`a = \sigma(w_1 x_1 + w_2 x_2 + b)` at every point
:math:`(x_1, x_2)`. Its decision boundary :math:`a = 0.5` is the line :math:`w_1 x_1 + w_2 x_2 + b = 0`:
the weight vector :math:`\mathbf w` is perpendicular to it and points to the side where the neuron fires,
and the bias moves it along :math:`\mathbf w`, to signed distance :math:`-b / \lVert \mathbf w \rVert`
from the origin.
"""

import ipywidgets as widgets
import numpy as np

from nnkit.nn.activation import Sigmoid
from nnkit.viz.style import BLACK, FONT_SIZE, SEQUENTIAL_CMAP, VERMILION, axes_or_new, finish
from nnkit.widgets.interactive import interactive_plot

PLANE = 4.0  # the picture shows -PLANE <= x1, x2 <= PLANE


def sigmoid_neuron_output(w1, w2, b, points):
    r""":math:`\sigma(X \mathbf w + b)` for points X (N, 2) -> (N,), with nnkit's ``Sigmoid``.

    (No ``Linear`` layer here: creating one draws random initial weights and would
    move ``np.random``'s state every time a slider moves.)
    """
    return Sigmoid()(points @ np.array([w1, w2], dtype=np.float64) + b)


def boundary_offset(w1, w2, b):
    r"""Signed distance of the line :math:`w_1 x_1 + w_2 x_2 + b = 0` from the origin, along :math:`\mathbf w`.

    The point of the line closest to the origin is :math:`-b\,\mathbf w / \lVert \mathbf w \rVert^2`,
    so the distance is :math:`-b / \lVert \mathbf w \rVert`. None if :math:`\mathbf w = 0` (no line).
    """
    norm = float(np.hypot(w1, w2))
    return None if norm == 0 else -b / norm + 0.0  # + 0.0 turns -0.0 into 0.0


def draw_sigmoid_neuron(w1, w2, b, ax=None, colorbar=True, resolution=161):
    r"""Colour the plane by the neuron's output :math:`\sigma(w_1 x_1 + w_2 x_2 + b)`; draw its boundary and w.

    The dashed line is where the output is exactly 0.5 (:math:`z = 0`); the arrow is
    :math:`\mathbf w`, drawn from the line's point closest to the origin. Returns the Axes.
    """
    ax = axes_or_new(ax, figsize=(6.2, 4.8))
    ticks = np.linspace(-PLANE, PLANE, resolution)
    grid_x1, grid_x2 = np.meshgrid(ticks, ticks)
    points = np.column_stack([grid_x1.ravel(), grid_x2.ravel()])  # (resolution², 2): one row per grid point
    output = sigmoid_neuron_output(w1, w2, b, points).reshape(grid_x1.shape)
    image = ax.imshow(output, extent=(-PLANE, PLANE, -PLANE, PLANE), origin="lower", cmap=SEQUENTIAL_CMAP,
                      vmin=0, vmax=1, aspect="equal", interpolation="bilinear")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=r"neuron output $a = \sigma(z)$")
    offset = boundary_offset(w1, w2, b)
    if offset is not None and 0 < output.max() and output.min() < 1:
        ax.contour(grid_x1, grid_x2, output, levels=[0.5], colors="white", linewidths=2.5, linestyles="--")
        unit = np.array([w1, w2]) / np.hypot(w1, w2)
        foot = offset * unit  # closest point of the line to the origin
        if np.all(np.abs(foot) < PLANE):
            ax.annotate("", xy=foot + unit * 1.5, xytext=foot,
                        arrowprops={"arrowstyle": "-|>", "color": VERMILION, "lw": 2.5, "mutation_scale": 18})
            ax.text(*(foot + unit * 1.8), r"$\mathbf{w}$", color=VERMILION, fontsize=FONT_SIZE + 3,
                    ha="center", va="center", fontweight="bold")
    ax.set_xticks(np.arange(-PLANE, PLANE + 1, 2))
    ax.set_yticks(np.arange(-PLANE, PLANE + 1, 2))
    ax.plot(0, 0, "+", color=BLACK, markersize=12, markeredgewidth=2, label="origin (0, 0)")
    ax.plot([], [], "--", color="white", lw=2.5, label="boundary: a = 0.5 (z = 0)")
    ax.legend(loc="lower left", fontsize=FONT_SIZE - 1, facecolor="0.85", framealpha=0.9)
    distance = "no boundary: w = 0" if offset is None else f"boundary at distance −b/‖w‖ = {offset:.2f} along w"
    formula = f"{w1:.1f}·x₁ {'−' if w2 < 0 else '+'} {abs(w2):.1f}·x₂ {'−' if b < 0 else '+'} {abs(b):.1f}"
    return finish(ax, f"a = σ({formula})\n{distance}", "input $x_1$", "input $x_2$")


def sigmoid_neuron_explorer(w1=1.0, w2=1.0, b=0.0):
    """Sliders for the weights and the bias over :func:`draw_sigmoid_neuron`."""
    def slider(name, value):
        return widgets.FloatSlider(value=value, min=-4, max=4, step=0.1, description=name, readout_format=".1f")

    return interactive_plot(draw_sigmoid_neuron, w1=slider("w1", w1), w2=slider("w2", w2), b=slider("b", b),
                            website={"w1": sorted({-1.0, 0.0, 1.0, 2.0, w1}), "w2": sorted({-1.0, 0.0, 1.0, 2.0, w2}),
                                     "b": sorted({-4.0, -2.0, 0.0, 2.0, 4.0, b})})
