"""Sliders for the first hidden neuron of a small network: move its line and watch the output region change."""

import ipywidgets as widgets

from nnkit.viz.hidden_neurons import draw_hidden_neuron_lines
from nnkit.widgets.interactive import interactive_plot


def hidden_neuron_explorer(make_network, X, y, w1=1.0, w2=1.0, b=-0.5):
    """Sliders for hidden neuron h1's weights and bias over :func:`nnkit.viz.hidden_neurons.draw_hidden_neuron_lines`.

    ``make_network(w1, w2, b)`` returns the network with h1 set to those values (the chapter defines it);
    X (N, 2) and y (N,) are the samples the title counts.
    """
    def slider(name, value):
        return widgets.FloatSlider(value=value, min=-2, max=2, step=0.1, description=name, readout_format=".1f")

    def draw(w1, w2, b):
        return draw_hidden_neuron_lines(make_network(w1, w2, b), X, y)

    return interactive_plot(draw, w1=slider("w1", w1), w2=slider("w2", w2), b=slider("b", b),
                            website={"w1": sorted({-1.0, 0.0, 1.0, w1}), "w2": sorted({-1.0, 0.0, 1.0, w2}),
                                     "b": sorted({-1.5, -0.5, 0.5, 1.5, b})})
