"""The course's one pattern for interactive figures: controls above an Output that is redrawn without flicker.

A plain ``draw(**values)`` function makes a matplotlib figure from the controls'
values; whenever a control changes, the Output is cleared *when the new figure
arrives* (``clear_output(wait=True)``), so the old picture stays until the new
one replaces it instead of blinking away. The figure is rendered once to PNG
(``nnkit.viz.render.figure_png``: less work than displaying the figure itself);
after a slider step it keeps the previous figure's layout (``copy_layout``), which
saves a quarter to a half of a redraw. It is shown with ``display`` and closed,
which works the same under the inline backend, in tests (Agg) and on a static
page, and never leaves a second copy below the widget.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import Image, clear_output, display

from nnkit.viz.render import copy_layout, figure_of, figure_png
from nnkit.widgets.prerendered import prerendered_plot, website_mode


class InteractivePlot:
    """Controls + Output around a ``draw(**values)`` function; see :func:`interactive_plot`.

    Attributes: ``controls`` (dict name -> widget), ``output`` (the ipywidgets Output),
    ``widget`` (the VBox to display), ``figure`` (the last figure drawn) and
    ``draw_count`` (how many times it has drawn; tests watch it).
    """

    def __init__(self, draw, controls, continuous_update=None):
        self.draw = draw
        self.controls = dict(controls)
        self.output = widgets.Output()
        self.figure = None
        self.draw_count = 0
        for control in self.controls.values():
            if continuous_update is not None and hasattr(control, "continuous_update"):
                control.continuous_update = continuous_update
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values()),
                                                 layout=widgets.Layout(flex_flow="row wrap")), self.output])
        self.redraw()  # a static page (no kernel) shows this first state

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self, keep_layout=False):
        """Call ``draw`` with the current values and show its figure in the Output.

        ``keep_layout``: place the new figure's axes as in the last one instead of laying it out again (a slider
        step changes numbers, not the figure's structure; ``nnkit.viz.render.copy_layout`` checks the rest).
        """
        with self.output:
            clear_output(wait=True)
            figure = figure_of(self.draw(**self.values()))
            if keep_layout:
                copy_layout(figure, self.figure)
            display(Image(data=figure_png(figure)))
            plt.close(figure)
        self.figure = figure
        self.draw_count += 1
        return figure

    def _on_change(self, change):
        # a number moved (a slider): same structure, keep the layout; a choice (dropdown, checkbox): lay out anew
        moved_a_number = isinstance(change["new"], int | float) and not isinstance(change["new"], bool)
        self.redraw(keep_layout=moved_a_number)

    def _ipython_display_(self):
        display(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def interactive_plot(draw, *, continuous_update=None, website=None, **controls):
    """Show ``draw(**values)``'s figure under the given ipywidgets controls, redrawn whenever one changes.

    ``draw`` returns a matplotlib Figure or Axes (or draws on the current figure).
    ``controls`` are ipywidgets keyed by ``draw``'s argument names, e.g.
    ``interactive_plot(draw, lr=FloatLogSlider(...), optimizer=Dropdown(...))``.
    ``continuous_update=False`` redraws only when a slider is released (for slow drawings).
    The result displays itself; set ``result.controls["lr"].value`` to drive it from code.

    When the book is built (``NNKIT_WEBSITE=1``) there is no kernel to redraw, so the pictures are drawn in
    advance over a coarse grid of the controls' values and switched in the browser
    (:mod:`nnkit.widgets.prerendered`); ``website={name: [values]}`` chooses a control's grid there
    (one value hides the control).
    """
    if not callable(draw):
        raise TypeError(f"interactive_plot: draw must be a function returning a figure, got {draw!r}")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise TypeError(f"interactive_plot: control {name!r} must be an ipywidget with a value, got {control!r}")
    if website_mode():
        return prerendered_plot(draw, controls, website)
    return InteractivePlot(draw, controls, continuous_update)
