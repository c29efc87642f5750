"""Drawings for the course: activations, decision boundaries, loss curves and surfaces, networks, animations.

Every function draws with matplotlib and returns the Axes (or Figure) it drew on,
so a notebook can add to it and a test can inspect it. nnkit's core never imports this package.
"""

from nnkit.viz.activation import activation_curves, plot_activation
from nnkit.viz.animation import animation_html
from nnkit.viz.autograd_graph import draw_autograd_graph
from nnkit.viz.curves import plot_loss_curves
from nnkit.viz.decision_boundary import plot_decision_boundary, predict_labels
from nnkit.viz.loss_surface import plot_loss_surface
from nnkit.viz.network import draw_network, network_values
from nnkit.viz.neuron_graph import draw_neuron_graph, neuron_graph_values

__all__ = [
    "activation_curves", "animation_html", "draw_autograd_graph", "draw_network", "draw_neuron_graph", "network_values",
    "neuron_graph_values", "plot_activation", "plot_decision_boundary", "plot_loss_curves", "plot_loss_surface",
    "predict_labels",
]
