"""The gradient-as-slope drawing and explorer, the neuron-graph explorer and the training replay (nnkit.viz,
nnkit.widgets), driven by the chapter's neuron: x = (2, 1), w2 = -0.5, target 2 (notebooks/06_backprop.md)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from nnkit.viz.gradient_slope import draw_gradient_as_slope
from nnkit.viz.neuron_graph import neuron_graph_values
from nnkit.viz.neuron_training import neuron_training_animation
from nnkit.widgets.gradient_slope_explorer import gradient_slope_explorer
from nnkit.widgets.neuron_graph_explorer import neuron_graph_explorer

X_SAMPLE, Y_SAMPLE, W2 = (2.0, 1.0), 2.0, -0.5


def neuron_loss(w1, b):
    z = np.asarray(w1) * X_SAMPLE[0] + W2 * X_SAMPLE[1] + np.asarray(b)
    return (np.maximum(z, 0) - Y_SAMPLE) ** 2


def neuron_gradients(w1, b):
    forward, gradient = neuron_graph_values(X_SAMPLE, [w1, W2], b, activation="relu", target=Y_SAMPLE)
    return {"z": forward["z"], "L": forward["L"], "dL/dw1": gradient["w1"], "dL/db": gradient["b"]}


def test_graph_values_at_the_chapters_numbers_and_a_dead_neuron():
    # x = (2, 1), w = (0.5, -0.5), b = 0.5, y = 2: z = 1, a = 1, L = 1, dL/dz = 2(a - y) = -2
    forward, gradient = neuron_graph_values(X_SAMPLE, [0.5, W2], 0.5, activation="relu", target=Y_SAMPLE)
    assert (forward["z"], forward["a"], forward["L"]) == (1.0, 1.0, 1.0)
    assert (gradient["z"], gradient["w1"], gradient["w2"], gradient["b"]) == (-2.0, -4.0, -2.0, -2.0)
    forward, gradient = neuron_graph_values(X_SAMPLE, [-0.5, W2], 0.5, activation="relu", target=Y_SAMPLE)
    assert forward["z"] < 0 and forward["a"] == 0 and gradient["w1"] == gradient["b"] == gradient["w2"] == 0


def test_graph_values_leave_numpys_global_random_state_alone():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    neuron_graph_values(X_SAMPLE, [1.2, W2], -0.4, activation="relu", target=Y_SAMPLE)
    assert np.random.rand() == expected


def test_drawing_leaves_numpys_global_random_state_alone():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    draw_gradient_as_slope(neuron_loss, neuron_gradients, 1.2, -0.4)
    assert np.random.rand() == expected


def test_figure_shows_the_tangent_with_backwards_slope():
    fig = draw_gradient_as_slope(neuron_loss, neuron_gradients, 0.5, 0.5)
    ax_w, ax_b = fig.axes
    assert ax_w.get_title().endswith("= -4.00") and ax_b.get_title().endswith("= -2.00")
    tangent = ax_w.get_lines()[1]
    (x0, x1), (y0, y1) = tangent.get_xdata(), tangent.get_ydata()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(-4.0)
    assert "alive" in fig._suptitle.get_text()
    assert "dead" in draw_gradient_as_slope(neuron_loss, neuron_gradients, -1.0, 0.0)._suptitle.get_text()


def test_explorer_draws_on_creation_and_on_every_slider_move():
    view = gradient_slope_explorer(neuron_loss, neuron_gradients)
    assert view.draw_count == 1 and view.figure.axes[0].get_title().endswith("-4.00")
    view.controls["w1"].value = 1.0  # the minimum along w1: a = y
    assert view.draw_count == 2 and view.figure.axes[0].get_title().endswith("= 0.00")
    view.controls["b"].value = -2.0  # z = 2 - 0.5 - 2 < 0: dead
    assert view.draw_count == 3 and "dead" in view.figure._suptitle.get_text()


def test_training_animation_renders_one_image_per_chosen_frame():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([[1.0], [0.5], [1.5]])

    def relu_predictions(weights, bias):
        return np.maximum(X @ weights + bias, 0)

    snapshots = [(epoch, np.array([1.0, 0.5]) * epoch / 9, 0.0, 1.0 / (epoch + 1)) for epoch in range(10)]
    html = neuron_training_animation(relu_predictions, y, snapshots, true_weights=(1.0, 0.5), true_bias=0.0,
                                     frames=[0, 3, 3, 9])
    assert html.count("data:image/png;base64") == 3  # frames 0, 3, 9 (duplicates dropped)
    assert "<link" not in html and "font-awesome" not in html  # nothing fetched from the internet
    default = neuron_training_animation(relu_predictions, y, snapshots, true_weights=(1.0, 0.5), true_bias=0.0)
    assert default.count("data:image/png;base64") == 10


def test_neuron_graph_explorer_starts_where_asked_and_follows_the_sliders():
    view = neuron_graph_explorer(x=X_SAMPLE, b=-1.0)
    texts = {text.get_gid(): text.get_text() for text in view.figure.axes[0].texts if text.get_gid()}
    assert texts["value:z"] == "-0.5" and texts["grad:a"].endswith("= -4") and texts["grad:w1"].endswith("= 0")
    view.controls["b"].value = 0.5
    texts = {text.get_gid(): text.get_text() for text in view.figure.axes[0].texts if text.get_gid()}
    assert view.draw_count == 2 and texts["grad:w1"].endswith("= -4") and texts["grad:b"].endswith("= -2")
    view.controls["y"].value = 3.0  # dL/da = 2(1 - 3) = -4: every gradient doubles
    texts = {text.get_gid(): text.get_text() for text in view.figure.axes[0].texts if text.get_gid()}
    assert texts["grad:w1"].endswith("= -8") and texts["grad:b"].endswith("= -4")
