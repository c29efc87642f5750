"""Chapter 3 (multilayer perceptrons): move one hidden neuron of the hand-built XOR network and watch the output."""

import ipywidgets as widgets
import numpy as np

from nnkit.datasets import logic_gate
from nnkit.nn.activation import Step
from nnkit.nn.container import Sequential
from nnkit.nn.linear import Linear
from nnkit.viz.decision_boundary import plot_decision_boundary
from nnkit.viz.style import FONT_SIZE, GREEN, PURPLE, axes_or_new, finish
from nnkit.widgets.interactive import interactive_plot

NAND_NEURON = ([-1.0, -1.0], 1.5)  # hidden neuron h2, fixed
AND_OUTPUT = ([1.0, 1.0], -1.5)  # output = AND(h1, h2), fixed


def xor_step_network(w1, w2, b):
    """The 2-2-1 step network OR/NAND -> AND, with hidden neuron h1's weights (w1, w2) and bias b replaced."""
    network = Sequential(Linear(2, 2), Step(), Linear(2, 1), Step())
    network.load_state_dict({
        "0.weight": [[w1, w2], NAND_NEURON[0]], "0.bias": [b, NAND_NEURON[1]],
        "2.weight": [AND_OUTPUT[0]], "2.bias": [AND_OUTPUT[1]],
    })
    return network


def draw_xor_hidden_neuron(w1, w2, b, ax=None):
    r"""Output regions of :func:`xor_step_network` on the XOR table, with both hidden neurons' lines.

    Hidden neuron :math:`h_1` fires where :math:`w_1 x_1 + w_2 x_2 + b > 0`, :math:`h_2` (NAND) where
    :math:`x_1 + x_2 < 1.5`; the output fires where both do. The title counts the XOR rows the network gets right.
    Returns the Axes.
    """
    X, y = logic_gate("XOR")
    network = xor_step_network(w1, w2, b)
    ax = plot_decision_boundary(network, X, y, ax=axes_or_new(ax, figsize=(8, 4.6)), resolution=150)
    x1 = np.linspace(-0.5, 1.5, 2)
    if abs(w2) > 1e-9:
        ax.plot(x1, -(w1 * x1 + b) / w2, "--", color=GREEN, lw=3, label="$h_1$: $w_1x_1+w_2x_2+b=0$")
    elif abs(w1) > 1e-9:  # a vertical line x1 = -b / w1
        ax.axvline(-b / w1, linestyle="--", color=GREEN, lw=3, label="$h_1$: $w_1x_1+w_2x_2+b=0$")
    ax.plot(x1, 1.5 - x1, ":", color=PURPLE, lw=3.5, label="$h_2$ (NAND): $x_1+x_2=1.5$")
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
    ax.legend(fontsize=FONT_SIZE - 1, loc="upper left", bbox_to_anchor=(1.02, 1))
    correct = int(np.sum(network(X).ravel() == y))
    title = f"$h_1$: w = ({w1:.1f}, {w2:.1f}), b = {b:.1f} → {correct} of 4 XOR rows right"
    return finish(ax, title, "$x_1$", "$x_2$")


def xor_hidden_neuron_explorer(w1=1.0, w2=1.0, b=-0.5):
    """Sliders for hidden neuron h1 over :func:`draw_xor_hidden_neuron`; starts at the OR neuron (4 of 4 right)."""
    def slider(name, value):
        return widgets.FloatSlider(value=value, min=-2, max=2, step=0.1, description=name, readout_format=".1f")

    return interactive_plot(draw_xor_hidden_neuron, w1=slider("w1", w1), w2=slider("w2", w2), b=slider("b", b),
                            website={"w1": sorted({-1.0, 0.0, 1.0, w1}), "w2": sorted({-1.0, 0.0, 1.0, w2}),
                                     "b": sorted({-1.5, -0.5, 0.5, 1.5, b})})
