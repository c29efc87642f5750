"""Website mode (NNKIT_WEBSITE=1): interactive_plot pre-renders a grid of pictures and links controls to Stacks."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnkit.widgets import interactive_plot
from nnkit.widgets.prerendered import PrerenderedPlot, choose_grid


def draw_line(slope, colour="C0"):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, slope], color=colour)
    np.random.rand()  # a draw that uses the global random state
    return fig


def controls():
    return {"slope": widgets.FloatSlider(value=1.0, min=-2, max=2, step=0.5),
            "colour": widgets.Dropdown(options=["C0", "C3"], value="C0")}


def test_website_mode_prerenders_every_grid_point_and_links_the_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WEBSITE", "1")
    np.random.seed(0)
    plot = interactive_plot(draw_line, website={"slope": [-2.0, 0.0, 1.0, 2.0]}, **controls())
    after_website = np.random.rand()
    assert isinstance(plot, PrerenderedPlot)
    assert len(plot.pictures) == 8 and len(set(plot.pictures.values())) == 8  # every picture differs
    assert isinstance(plot.controls["slope"], widgets.SelectionSlider) and plot.controls["slope"].value == 1.0
    assert isinstance(plot.view, widgets.Stack) and plot.view.selected_index == 2
    assert len(plot.links) == 1 + 4  # the outer Stack (slope) and one inner Stack (colour) per slope value
    monkeypatch.delenv("NNKIT_WEBSITE")
    np.random.seed(0)
    interactive_plot(draw_line, **controls())
    assert np.random.rand() == after_website, "later cells must see the same random state as in JupyterLab"


def test_a_grid_too_large_or_without_the_start_value_is_refused():
    with pytest.raises(ValueError, match="more than 4"):
        choose_grid(controls(), {"slope": [-2.0, 0.0, 1.0]}, max_pictures=4)
    with pytest.raises(ValueError, match="start value 1.0"):
        choose_grid(controls(), {"slope": [0.0, 2.0]})
    with pytest.raises(ValueError, match="'speed'"):
        choose_grid(controls(), {"speed": [1]})


def test_one_value_hides_the_control():
    plot = PrerenderedPlot(draw_line, controls(), {"slope": [1.0]})
    assert list(plot.controls) == ["colour"] and len(plot.pictures) == 2
