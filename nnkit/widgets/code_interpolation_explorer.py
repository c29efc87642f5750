"""Choose two digits and slide t: a straight walk through an autoencoder's code space, decoded at every step."""

import ipywidgets as widgets

from nnkit.viz.code_space import draw_code_interpolation, representative_codes
from nnkit.widgets.interactive import interactive_plot


def code_interpolation_explorer(decoder, interpolate, codes, labels, digit_a=0, digit_b=6, t=0.5):
    """Dropdowns for digits a and b (their mean codes are the ends) and a slider for t, over
    :func:`nnkit.viz.code_space.draw_code_interpolation` (``decoder`` and ``interpolate`` as described there)."""
    centres = representative_codes(codes, labels)

    def draw(digit_a, digit_b, t):
        return draw_code_interpolation(decoder, interpolate, codes, labels, centres[digit_a], centres[digit_b], t)

    return interactive_plot(
        draw,
        continuous_update=False,
        digit_a=widgets.Dropdown(options=list(range(10)), value=digit_a, description="digit a"),
        digit_b=widgets.Dropdown(options=list(range(10)), value=digit_b, description="digit b"),
        t=widgets.FloatSlider(value=t, min=0, max=1, step=0.05, description="t (a → b)"),
        website={"digit_a": sorted({0, 1, digit_a}), "digit_b": sorted({6, 8, digit_b}),
                 "t": sorted({0.0, 0.25, 0.5, 0.75, 1.0, t})},
    )
