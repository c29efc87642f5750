"""Sliders for the weights, the bias and the target of one ReLU neuron over its computation graph."""

import ipywidgets as widgets

from nnkit.viz.neuron_graph import draw_neuron_graph
from nnkit.widgets.interactive import interactive_plot


def neuron_graph_explorer(x=(2.0, 1.0), w1=0.5, w2=-0.5, b=0.5, y=2.0):
    """Sliders for both weights, the bias and the target over :func:`nnkit.viz.draw_neuron_graph` on input ``x``."""
    def slider(name, value, low=-2.0, high=2.0):
        return widgets.FloatSlider(value=value, min=low, max=high, step=0.1, description=name, readout_format=".1f")

    def draw(w1, w2, b, y):
        fig = draw_neuron_graph(x=list(x), w=[w1, w2], b=b, activation="relu", target=y)
        fig.set_size_inches(10, 5.6)
        return fig

    return interactive_plot(draw, w1=slider("w1", w1), w2=slider("w2", w2), b=slider("b", b),
                            y=slider("target y", y, 0.0, 4.0),
                            website={"w1": [w1], "w2": [w2], "y": [y],
                                     "b": sorted({-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, b})})
