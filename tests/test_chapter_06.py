"""nnkit.widgets.chapter_06: the slope explorer shows backward's gradient as a tangent, and the replay renders."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from nnkit.widgets.chapter_06 import (
    draw_gradient_as_slope,
    gradient_slope_explorer,
    neuron_gradients,
    neuron_graph_explorer,
    neuron_loss,
    neuron_training_animation,
)


def test_gradients_at_the_chapters_numbers():
    # x = (2, 1), w = (0.5, -0.5), b = 0.5, y = 2: z = 1, a = 1, L = 1, dL/dz = 2(a - y) = -2
    point = neuron_gradients(0.5, 0.5)
    assert (point["z"], point["a"], point["L"]) == (1.0, 1.0, 1.0)
    assert (point["dL/dz"], point["dL/dw1"], point["dL/dw2"], point["dL/db"]) == (-2.0, -4.0, -2.0, -2.0)


@pytest.mark.parametrize(("w1", "b"), [(0.5, 0.5), (1.7, -0.3), (2.5, 1.0), (0.1, 2.0)])
def test_backward_gradient_is_the_slope_of_the_drawn_curve(w1, b):
    h = 1e-6
    point = neuron_gradients(w1, b)
    slope_w1 = (neuron_loss(w1 + h, b) - neuron_loss(w1 - h, b)) / (2 * h)
    slope_b = (neuron_loss(w1, b + h) - neuron_loss(w1, b - h)) / (2 * h)
    assert point["L"] == pytest.approx(float(neuron_loss(w1, b)), abs=1e-12)
    assert point["dL/dw1"] == pytest.approx(slope_w1, abs=1e-6)
    assert point["dL/db"] == pytest.approx(slope_b, abs=1e-6)


def test_a_dead_neuron_has_a_flat_curve_and_zero_gradients():
    point = neuron_gradients(-0.5, 0.5)  # z = -1 - 0.5 + 0.5 = -1
    assert point["z"] < 0 and point["a"] == 0
    assert point["dL/dw1"] == point["dL/db"] == point["dL/dw2"] == 0
    curve = neuron_loss(np.linspace(-2, -0.1, 50), 0.5)
    assert np.all(curve == curve[0]) and curve[0] == 4.0  # (0 - 2)^2 everywhere left of w1 = 0


def test_drawing_leaves_numpys_global_random_state_alone():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    draw_gradient_as_slope(1.2, -0.4)
    assert np.random.rand() == expected


def test_figure_shows_the_tangent_with_backwards_slope():
    fig = draw_gradient_as_slope(0.5, 0.5)
    ax_w, ax_b = fig.axes
    assert ax_w.get_title().endswith("= -4.00") and ax_b.get_title().endswith("= -2.00")
    tangent = ax_w.get_lines()[1]
    (x0, x1), (y0, y1) = tangent.get_xdata(), tangent.get_ydata()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(-4.0)
    assert "alive" in fig._suptitle.get_text()
    assert "dead" in draw_gradient_as_slope(-1.0, 0.0)._suptitle.get_text()


def test_explorer_draws_on_creation_and_on_every_slider_move():
    view = gradient_slope_explorer()
    assert view.draw_count == 1 and view.figure.axes[0].get_title().endswith("-4.00")
    view.controls["w1"].value = 1.0  # the minimum along w1: a = y
    assert view.draw_count == 2 and view.figure.axes[0].get_title().endswith("= 0.00")
    view.controls["b"].value = -2.0  # z = 2 - 0.5 - 2 < 0: dead
    assert view.draw_count == 3 and "dead" in view.figure._suptitle.get_text()


def test_training_animation_renders_one_image_per_chosen_frame():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([[1.0], [0.5], [1.5]])
    snapshots = [(epoch, np.array([1.0, 0.5]) * epoch / 9, 0.0, 1.0 / (epoch + 1)) for epoch in range(10)]
    html = neuron_training_animation(X, y, snapshots, true_weights=(1.0, 0.5), true_bias=0.0, frames=[0, 3, 3, 9])
    assert html.count("data:image/png;base64") == 3  # frames 0, 3, 9 (duplicates dropped)
    assert "<link" not in html and "font-awesome" not in html  # nothing fetched from the internet
    default = neuron_training_animation(X, y, snapshots, true_weights=(1.0, 0.5), true_bias=0.0)
    assert default.count("data:image/png;base64") == 10


def test_neuron_graph_explorer_starts_where_asked_and_follows_the_sliders():
    view = neuron_graph_explorer(b=-1.0)
    texts = {text.get_gid(): text.get_text() for text in view.figure.axes[0].texts if text.get_gid()}
    assert texts["value:z"] == "-0.5" and texts["grad:a"].endswith("= -4") and texts["grad:w1"].endswith("= 0")
    view.controls["b"].value = 0.5
    texts = {text.get_gid(): text.get_text() for text in view.figure.axes[0].texts if text.get_gid()}
    assert view.draw_count == 2 and texts["grad:w1"].endswith("= -4") and texts["grad:b"].endswith("= -2")
    view.controls["y"].value = 3.0  # dL/da = 2(1 - 3) = -4: every gradient doubles
    texts = {text.get_gid(): text.get_text() for text in view.figure.axes[0].texts if text.get_gid()}
    assert texts["grad:w1"].endswith("= -8") and texts["grad:b"].endswith("= -4")
