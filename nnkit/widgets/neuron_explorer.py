"""One neuron, three sliders: find weights that compute a logic gate (and see why XOR has none)."""

import ipywidgets as widgets
import numpy as np

from nnkit.datasets import logic_gate
from nnkit.perceptron import Perceptron
from nnkit.viz.decision_boundary import plot_decision_boundary
from nnkit.viz.style import axes_or_new, finish
from nnkit.widgets.interactive import interactive_plot

GATES = ("AND", "OR", "NAND", "XOR")


def draw_neuron(w1, w2, b, gate="AND", ax=None):
    r"""Decision regions of the step neuron :math:`\hat y = [w_1 x_1 + w_2 x_2 + b > 0]` on a gate's truth table.

    The boundary is the line :math:`w_1 x_1 + w_2 x_2 + b = 0`; the title gives the accuracy. Returns the Axes.
    """
    X, y = logic_gate(gate)
    neuron = Perceptron(2)
    neuron.weights = np.array([w1, w2], dtype=float)
    neuron.bias = float(b)
    ax = plot_decision_boundary(neuron, X, y, ax=axes_or_new(ax, figsize=(5, 4.2)), resolution=150)
    accuracy = float(np.mean(neuron.predict(X) == y))
    return finish(ax, f"{gate}: w = ({w1:.2g}, {w2:.2g}), b = {b:.2g} → accuracy {accuracy:.0%}", "$x_1$", "$x_2$")


def neuron_explorer(w1=1.0, w2=1.0, b=-1.5, gate="AND"):
    """Sliders for w1, w2, b and a gate dropdown over :func:`draw_neuron`; starts on a neuron that computes AND."""
    def slider(name, value):
        return widgets.FloatSlider(value=value, min=-3, max=3, step=0.1, description=name, readout_format=".1f")

    return interactive_plot(draw_neuron, w1=slider("w1", w1), w2=slider("w2", w2), b=slider("b", b),
                            gate=widgets.Dropdown(options=GATES, value=gate, description="gate"),
                            website={"w1": sorted({-0.5, 0.0, 0.5, w1}), "w2": sorted({-0.5, 0.0, 0.5, w2}),
                                     "b": sorted({-0.8, -0.3, 0.8, b})})
