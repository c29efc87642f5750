"""Controls that work on the website, where no kernel runs: every picture drawn in advance, switched in the browser.

On the built book (``NNKIT_WEBSITE=1``, set by ``make book``) a widget cannot call
Python when a slider moves: the page only holds the widget state saved when the
chapter ran. So :func:`prerendered_plot` draws ``draw(**values)`` once for every
point of a coarse grid over the controls (a few values per slider, every option
of a dropdown) and puts the pictures in nested ipywidgets ``Stack`` s, one level
per control. Each level's ``selected_index`` is tied to its control's ``index``
by ``jslink``, a link that runs in the browser's widget manager, so moving a
control switches pictures with no kernel and no network:

    control 1 (index i) ──jslink──> outer Stack: child i
    control 2 (index j) ──jslink──> every inner Stack: child j  ->  picture (i, j)

A grid of n₁ × n₂ × … pictures costs that many PNGs in the page, so the grid is
capped (:data:`MAX_PICTURES`) and the pictures are stored with a small palette.
In JupyterLab (no ``NNKIT_WEBSITE``) the widgets stay live and redraw on demand.
"""

import base64
import io
import itertools
import math
import os

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display
from PIL import Image

from nnkit.viz import render
from nnkit.viz.render import figure_of

WEBSITE_VARIABLE = "NNKIT_WEBSITE"
MAX_PICTURES = 150  # per widget, hard cap (a widget that needs more must choose its grid)
AUTOMATIC_PICTURES = 40  # what an unchosen grid aims at: 10-40 KB a picture, pages stay under 3 MB
MAX_SLIDER_VALUES = 9
MIN_SLIDER_VALUES = 3
PALETTE_COLOURS = 32  # plots use few colours; 32 makes PNGs 3-6x smaller (measured: 64 or 128 are larger)
RUN_TO_INTERACT = "Run this notebook in JupyterLab to {what} interactively; the website shows a still picture."


def website_mode():
    """True when the book is being built (``NNKIT_WEBSITE`` set and not ``0``): pages will have no kernel."""
    return os.environ.get(WEBSITE_VARIABLE, "") not in ("", "0")


def figure_png(figure, colours=PALETTE_COLOURS):
    """The figure's PNG as the notebook shows it (``nnkit.viz.render.figure_png``), reduced to ``colours`` colours."""
    picture = Image.open(io.BytesIO(render.figure_png(figure))).convert("RGB")
    small = io.BytesIO()
    picture.quantize(colors=colours, dither=Image.Dither.NONE).save(small, format="png", optimize=True)
    return small.getvalue()


def slider_values(control, count):
    """``count`` values spread over a numeric slider's range, on its step, always including its current value."""
    if isinstance(control, widgets.FloatLogSlider):
        exponents = np.linspace(control.min, control.max, count)
        values = [float(control.base ** e) for e in exponents]
    else:
        values = np.linspace(control.min, control.max, count)
        step = control.step or 1
        values = [control.min + round((v - control.min) / step) * step for v in values]
        values = [int(v) if isinstance(control, widgets.IntSlider) else float(round(v, 10)) for v in values]
    values = sorted(set(values))
    if not any(math.isclose(v, control.value, rel_tol=1e-9, abs_tol=1e-12) for v in values):
        nearest = min(range(len(values)), key=lambda k: abs(values[k] - control.value))
        values[nearest] = control.value
        values = sorted(set(values))
    return values


def _is_numeric_slider(control):
    return isinstance(control, (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider))


def _all_values(control):
    """Every value a non-numeric control can take, or None for a numeric slider (its grid is chosen)."""
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [False, True]
    if isinstance(control, widgets.widget_selection._Selection):
        return list(control._options_values)
    if _is_numeric_slider(control):
        return None
    raise TypeError(f"prerendered_plot: cannot pre-render a {type(control).__name__} control "
                    f"({control.description!r}); use a slider, a dropdown or a checkbox")


def choose_grid(controls, chosen=None, max_pictures=MAX_PICTURES):
    """The values each control takes on the website: ``{name: [values]}``.

    ``chosen`` fixes some controls' values (a one-value list hides the control). Other sliders get
    between MIN_SLIDER_VALUES and MAX_SLIDER_VALUES values, as many as ``max_pictures`` allows for all
    of them together; other dropdowns and checkboxes keep every option.
    """
    chosen = dict(chosen or {})
    unknown = set(chosen) - set(controls)
    if unknown:
        raise ValueError(f"prerendered_plot: website values given for {sorted(unknown)}, "
                         f"but the controls are {sorted(controls)}")
    grid = {}
    for name, control in controls.items():
        if name in chosen:
            grid[name] = list(chosen[name])
            if not grid[name]:
                raise ValueError(f"prerendered_plot: website values for {name!r} are empty")
        else:
            grid[name] = _all_values(control)
    free = [name for name, values in grid.items() if values is None]
    fixed_count = math.prod(len(values) for values in grid.values() if values is not None)
    per_slider = MAX_SLIDER_VALUES
    if free:
        per_slider = int((min(max_pictures, AUTOMATIC_PICTURES) / fixed_count) ** (1 / len(free)) + 1e-9)
        per_slider = min(MAX_SLIDER_VALUES, per_slider)
    for name in free:
        control = controls[name]
        steps = int(round((control.max - control.min) / (control.step or 1))) + 1
        grid[name] = slider_values(control, max(1, min(steps, max(MIN_SLIDER_VALUES, per_slider))))
    count = math.prod(len(values) for values in grid.values())
    if count > max_pictures:
        sizes = " × ".join(f"{name} {len(values)}" for name, values in grid.items())
        raise ValueError(f"prerendered_plot: the website grid has {count} pictures ({sizes}), more than "
                         f"{max_pictures}; pass website={{name: [values]}} with fewer values")
    for name, values in grid.items():
        if controls[name].value not in values:
            raise ValueError(f"prerendered_plot: the website values for {name!r} must include its start value "
                             f"{controls[name].value!r}, got {values!r}")
    return grid


def _label(control, value):
    if isinstance(control, widgets.widget_selection._Selection):
        return control._options_labels[list(control._options_values).index(value)]
    if isinstance(value, bool):
        return "yes" if value else "no"
    readout = getattr(control, "readout_format", "")
    if isinstance(control, widgets.FloatLogSlider) or not readout or readout == "d" and isinstance(value, float):
        return f"{value:.3g}"
    return format(value, readout)


def website_control(control, values):
    """A control whose ``index`` picks one of ``values`` (jslink-able): a SelectionSlider for a slider,
    a Dropdown for a dropdown or a checkbox; same description and style as ``control``."""
    options = [(_label(control, value), value) for value in values]
    style = {"description_width": control.style.description_width} if control.style.description_width else {}
    kind = widgets.SelectionSlider if _is_numeric_slider(control) or isinstance(control, widgets.SelectionSlider) \
        else widgets.Dropdown
    extra = {"continuous_update": True} if kind is widgets.SelectionSlider else {}
    return kind(options=options, value=control.value, description=control.description, style=style, **extra)


class PrerenderedPlot:
    """Pictures of ``draw`` over a grid of control values, switched in the browser; see :func:`prerendered_plot`.

    Attributes: ``controls`` (name -> the website control, only those with two or more values),
    ``grid`` (name -> values), ``pictures`` (tuple of indices into ``grid``, in its order -> PNG bytes),
    ``widget`` (the VBox to display) and ``links`` (the jslinks).
    """

    def __init__(self, draw, controls, chosen=None, max_pictures=MAX_PICTURES):
        self.grid = choose_grid(controls, chosen, max_pictures)
        names = list(self.grid)
        state = np.random.get_state()
        self.pictures = {}
        for indices in itertools.product(*(range(len(self.grid[name])) for name in names)):
            # every picture starts from the same random state, and the page's later cells see the state a
            # single live draw at the start values leaves behind (as in JupyterLab)
            np.random.set_state(state)
            values = {name: self.grid[name][k] for name, k in zip(names, indices)}
            figure = figure_of(draw(**values))
            self.pictures[indices] = figure_png(figure)
            plt.close(figure)
            if all(value == controls[name].value for name, value in values.items()):
                state_after_start = np.random.get_state()
        np.random.set_state(state_after_start)
        self.varying = [name for name in names if len(self.grid[name]) > 1]
        self.controls = {name: website_control(controls[name], self.grid[name]) for name in self.varying}
        self.links = []
        start = tuple(self.grid[name].index(controls[name].value) for name in names)
        self.view = self._stack(names, start, ())
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values()),
                                                 layout=widgets.Layout(flex_flow="row wrap")), self.view])

    def _stack(self, names, start, prefix):
        """The picture (or nested Stack) for the grid indices ``prefix`` of the first len(prefix) controls."""
        level = len(prefix)
        if level == len(names):
            return widgets.Image(value=self.pictures[prefix], format="png", layout=widgets.Layout(max_width="100%"))
        name = names[level]
        if name not in self.controls:  # one value: no control, no Stack level
            return self._stack(names, start, prefix + (0,))
        stack = widgets.Stack([self._stack(names, start, prefix + (k,)) for k in range(len(self.grid[name]))],
                              selected_index=start[level])
        self.links.append(widgets.jslink((self.controls[name], "index"), (stack, "selected_index")))
        return stack

    def _ipython_display_(self):
        display(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def prerendered_plot(draw, controls, chosen=None, max_pictures=MAX_PICTURES):
    """``draw(**values)``'s pictures over a grid of ``controls``' values, switched by website controls in the browser.

    ``controls`` are the live widget's ipywidgets keyed by ``draw``'s argument names (their current
    values are the start); ``chosen`` (``{name: [values]}``) sets a control's grid, a single value
    hiding it. At most ``max_pictures`` pictures.
    """
    return PrerenderedPlot(draw, controls, chosen, max_pictures)


def still_with_note(figure, what):
    """For a control that needs a kernel (training, stepping): the figure as a still picture and a note saying
    the notebook makes it interactive. Returns displayable HTML (no widget, so no dead control on the page)."""
    png = base64.b64encode(figure_png(figure)).decode("ascii")
    return HTML(f'<p><em>{RUN_TO_INTERACT.format(what=what)}</em></p>'
                f'<img src="data:image/png;base64,{png}" alt="{what}" style="max-width: 100%">')
