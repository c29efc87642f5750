r"""The decision regions of a network with one hidden layer of two inputs, with each hidden neuron's line.

Hidden neuron j of the first ``Linear`` layer fires on one side of its line
:math:`w_{j1} x_1 + w_{j2} x_2 + b_j = 0`; the output layer combines those half-planes into the shaded region.
"""

import numpy as np

from nnkit.viz.decision_boundary import plot_decision_boundary
from nnkit.viz.style import FONT_SIZE, GREEN, PURPLE, axes_or_new, finish

LINE_STYLES = ((GREEN, "--", 3), (PURPLE, ":", 3.5))  # hidden neuron 1, 2, ...: colour, dash, width


def _signed(value):
    return f"{'−' if value < 0 else '+'} {abs(value):.1f}"


def draw_hidden_neuron_lines(network, X, y, ax=None, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5)):
    r"""Output regions of ``network`` (first layer a ``Linear(2, H)``) on samples X (N, 2), labels y (N,).

    Every hidden neuron's line :math:`w_{j1} x_1 + w_{j2} x_2 + b_j = 0` is drawn from the layer's own weights;
    the title counts the samples the network gets right. Returns the Axes.
    """
    ax = plot_decision_boundary(network, X, y, ax=axes_or_new(ax, figsize=(8, 4.6)), resolution=150)
    weight, bias = network[0].weight.data, network[0].bias.data
    x1 = np.linspace(*xlim, 2)
    for j, ((w1, w2), b) in enumerate(zip(weight, bias)):
        color, dash, width = LINE_STYLES[j % len(LINE_STYLES)]
        label = f"$h_{j + 1}$: {w1:.1f}·$x_1$ {_signed(w2)}·$x_2$ {_signed(b)} = 0"
        if abs(w2) > 1e-9:
            ax.plot(x1, -(w1 * x1 + b) / w2, dash, color=color, lw=width, label=label)
        elif abs(w1) > 1e-9:  # a vertical line x1 = -b / w1
            ax.axvline(-b / w1, linestyle=dash, color=color, lw=width, label=label)
    ax.set(xlim=xlim, ylim=ylim)
    ax.legend(fontsize=FONT_SIZE - 1, loc="upper left", bbox_to_anchor=(1.02, 1))
    correct = int(np.sum(network(X).ravel() == y))
    (w1, w2), b = weight[0], bias[0]
    title = f"$h_1$: w = ({w1:.1f}, {w2:.1f}), b = {b:.1f} → {correct} of {len(y)} rows right"
    return finish(ax, title, "$x_1$", "$x_2$")
