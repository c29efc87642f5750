"""Move one prediction away from its target and watch how hard each loss pulls on it (``draw_loss_response``)."""

import ipywidgets as widgets

from nnkit.viz.outlier_pull import draw_loss_response
from nnkit.widgets.interactive import interactive_plot


def outlier_explorer(response, curves, outlier_error=4.0, beta=1.0):
    """A slider for the outlier's error and one for Smooth L1's beta over
    :func:`nnkit.viz.outlier_pull.draw_loss_response` (``response`` and ``curves`` as described there)."""
    def draw(outlier_error, beta):
        return draw_loss_response(response, curves, outlier_error, beta)

    return interactive_plot(
        draw,
        outlier_error=widgets.FloatSlider(value=outlier_error, min=-6, max=6, step=0.25, description="outlier d"),
        beta=widgets.FloatSlider(value=beta, min=0.25, max=3, step=0.25, description="β (Smooth L1)"),
        website={"outlier_error": sorted({-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0, outlier_error}),
                 "beta": sorted({0.25, 1.0, 3.0, beta})},
    )
