r"""The input plane of one neuron with two inputs, coloured by its output, with its boundary and its weights.

A neuron computes an output :math:`a = f(w_1 x_1 + w_2 x_2 + b)` at every point :math:`(x_1, x_2)`. For a
sigmoid its decision boundary :math:`a = 0.5` is the line :math:`w_1 x_1 + w_2 x_2 + b = 0`: the weight vector
:math:`\mathbf w` is perpendicular to it, and the line's point closest to the origin is
:math:`-b\,\mathbf w / \lVert \mathbf w \rVert^2`.
"""

import numpy as np

from nnkit.viz.style import BLACK, FONT_SIZE, SEQUENTIAL_CMAP, VERMILION, axes_or_new, finish

PLANE = 4.0  # the picture shows -PLANE <= x1, x2 <= PLANE


def draw_neuron_plane(neuron_output, w1, w2, b, ax=None, colorbar=True, resolution=161):
    r"""Colour the plane by ``neuron_output(w1, w2, b, points)`` (points (N, 2) -> outputs (N,) in [0, 1]).

    The dashed line is where the output is exactly 0.5 (:math:`z = 0`); the arrow is
    :math:`\mathbf w`, drawn from the line's point closest to the origin. Returns the Axes.
    """
    ax = axes_or_new(ax, figsize=(6.2, 4.8))
    ticks = np.linspace(-PLANE, PLANE, resolution)
    grid_x1, grid_x2 = np.meshgrid(ticks, ticks)
    points = np.column_stack([grid_x1.ravel(), grid_x2.ravel()])  # (resolution², 2): one row per grid point
    output = neuron_output(w1, w2, b, points).reshape(grid_x1.shape)
    image = ax.imshow(output, extent=(-PLANE, PLANE, -PLANE, PLANE), origin="lower", cmap=SEQUENTIAL_CMAP,
                      vmin=0, vmax=1, aspect="equal", interpolation="bilinear")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=r"neuron output $a = \sigma(z)$")
    norm = float(np.hypot(w1, w2))
    offset = None if norm == 0 else -b / norm + 0.0  # signed distance of the line along w
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
