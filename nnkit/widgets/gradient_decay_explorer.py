"""Sliders for the size of an RNN's recurrent weight, its nonlinearity and the sequence length, over the gradient
that reaches every step (``draw_gradient_decay``)."""

import ipywidgets as widgets

from nnkit.viz.gradient_decay import draw_gradient_decay
from nnkit.widgets.interactive import interactive_plot


def gradient_decay_explorer(gradient_decay):
    """Controls over :func:`nnkit.viz.gradient_decay.draw_gradient_decay`.

    ``gradient_decay(scale, nonlinearity, length)`` returns ``(norms (length + 1,), slopes (length,))``: the
    chapter's backpropagation through time.
    """
    def draw(scale, nonlinearity, length):
        return draw_gradient_decay(*gradient_decay(scale, nonlinearity, length), scale, nonlinearity)

    return interactive_plot(
        draw,
        scale=widgets.FloatSlider(value=0.9, min=0.2, max=3.0, step=0.05, description="size s of W_hh",
                                  style={"description_width": "initial"}),
        nonlinearity=widgets.Dropdown(options=["tanh", "relu"], value="tanh", description="f"),
        length=widgets.IntSlider(value=40, min=5, max=60, step=5, description="length L"),
        continuous_update=False,
        website={"scale": [0.5, 0.8, 0.9, 1.0, 1.2, 1.5, 2.0, 2.5], "length": [40]},
    )
