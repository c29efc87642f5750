"""Sliders for the two weights and the bias of one neuron over the input plane it colours (``draw_neuron_plane``)."""

import ipywidgets as widgets

from nnkit.viz.neuron_plane import draw_neuron_plane
from nnkit.widgets.interactive import interactive_plot


def neuron_plane_explorer(neuron_output, w1=1.0, w2=1.0, b=0.0):
    """Sliders for w1, w2 and b over :func:`nnkit.viz.neuron_plane.draw_neuron_plane` of ``neuron_output``.

    ``neuron_output(w1, w2, b, points)`` maps points (N, 2) to the neuron's outputs (N,); the chapter defines it.
    """
    def slider(name, value):
        return widgets.FloatSlider(value=value, min=-4, max=4, step=0.1, description=name, readout_format=".1f")

    def draw(w1, w2, b):
        return draw_neuron_plane(neuron_output, w1, w2, b)

    return interactive_plot(draw, w1=slider("w1", w1), w2=slider("w2", w2), b=slider("b", b),
                            website={"w1": sorted({-1.0, 0.0, 1.0, 2.0, w1}), "w2": sorted({-1.0, 0.0, 1.0, 2.0, w2}),
                                     "b": sorted({-4.0, -2.0, 0.0, 2.0, 4.0, b})})
