"""Sliders for w1 and b over the loss curves of one neuron, each with the tangent backward computes."""

import ipywidgets as widgets

from nnkit.viz.gradient_slope import draw_gradient_as_slope
from nnkit.widgets.interactive import interactive_plot


def gradient_slope_explorer(loss, gradients, w1=0.5, b=0.5, span=(-2.0, 3.0)):
    """Sliders for w1 and b (over ``span``) on :func:`nnkit.viz.gradient_slope.draw_gradient_as_slope`.

    ``loss`` and ``gradients`` are the chapter's functions, as described there.
    """
    def slider(name, value):
        return widgets.FloatSlider(value=value, min=span[0], max=span[1], step=0.05, description=name,
                                   readout_format=".2f")

    def draw(w1, b):
        return draw_gradient_as_slope(loss, gradients, w1, b, span)

    return interactive_plot(draw, w1=slider("w1", w1), b=slider("b", b),
                            website={"w1": sorted({-1.0, 0.0, 1.0, w1}), "b": sorted({-1.0, 0.0, 1.0, b})})
