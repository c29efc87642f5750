"""Sliders for kernel size, stride, padding, dilation and the highlighted output of a 1-D convolution."""

import ipywidgets as widgets

from nnkit.viz.conv1d import draw_conv1d
from nnkit.widgets.interactive import interactive_plot


def conv1d_explorer(make_layer, kernel_size=4, stride=1, padding=0, dilation=1, position=0):
    """Sliders over :func:`nnkit.viz.conv1d.draw_conv1d`; ``make_layer(kernel, stride, padding, dilation)`` is the
    chapter's function that builds the ``Conv1d``."""
    def slider(description, value, low, high):
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 style={"description_width": "initial"})

    def draw(kernel_size, stride, padding, dilation, position):
        return draw_conv1d(make_layer, kernel_size, stride, padding, dilation, position)

    return interactive_plot(
        draw, kernel_size=slider("kernel size K", kernel_size, 1, 6), stride=slider("stride s", stride, 1, 4),
        padding=slider("padding p", padding, 0, 3), dilation=slider("dilation d", dilation, 1, 3),
        position=slider("output i", position, 0, 11),
        website={"kernel_size": sorted({2, 3, 4, kernel_size}), "stride": sorted({1, 2, stride}),
                 "padding": sorted({0, 1, padding}), "dilation": sorted({1, 2, dilation}),
                 "position": sorted({0, 2, 4, position})},
    )
