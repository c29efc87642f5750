"""The neuron plane, the hidden-neuron lines and the outlier pull: each draws what the function passed in computes,
and its explorer redraws when a control moves."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nnkit import nn  # noqa: E402
from nnkit.datasets import logic_gate  # noqa: E402
from nnkit.viz.hidden_neurons import draw_hidden_neuron_lines  # noqa: E402
from nnkit.viz.neuron_plane import draw_neuron_plane  # noqa: E402
from nnkit.viz.outlier_pull import draw_loss_response, outlier_animation  # noqa: E402
from nnkit.widgets.hidden_neuron_explorer import hidden_neuron_explorer  # noqa: E402
from nnkit.widgets.neuron_plane_explorer import neuron_plane_explorer  # noqa: E402
from nnkit.widgets.outlier_explorer import outlier_explorer  # noqa: E402


def sigmoid_output(w1, w2, b, points):
    return 1 / (1 + np.exp(-(points @ np.array([w1, w2]) + b)))


def test_neuron_plane_colours_the_plane_by_the_output_it_is_given():
    ax = draw_neuron_plane(sigmoid_output, 1.0, 1.0, -2.0, resolution=5)
    image = ax.images[0].get_array()
    ticks = np.linspace(-4, 4, 5)
    assert np.allclose(image, sigmoid_output(1, 1, -2, np.column_stack([a.ravel() for a in np.meshgrid(ticks, ticks)]))
                       .reshape(5, 5))
    assert "distance −b/‖w‖ = 1.41" in ax.get_title()  # -(-2) / sqrt(2)
    assert "no boundary" in draw_neuron_plane(sigmoid_output, 0.0, 0.0, 1.0).get_title()
    plt.close("all")


def test_neuron_plane_explorer_redraws_with_the_sliders():
    view = neuron_plane_explorer(sigmoid_output, w1=1.0, w2=1.0, b=-2.0)
    assert view.draw_count == 1
    view.controls["b"].value = 2.0
    assert view.draw_count == 2 and "= -1.41" in view.figure.axes[0].get_title()
    plt.close("all")


def xor_network(w1, w2, b):
    network = nn.Sequential(nn.Linear(2, 2), nn.Step(), nn.Linear(2, 1), nn.Step())
    network.load_state_dict({"0.weight": [[w1, w2], [-1.0, -1.0]], "0.bias": [b, 1.5],
                             "2.weight": [[1.0, 1.0]], "2.bias": [-1.5]})
    return network


def test_hidden_neuron_lines_are_the_first_layers_rows_and_the_title_counts_right_rows():
    X, y = logic_gate("XOR")
    ax = draw_hidden_neuron_lines(xor_network(1.0, 1.0, -0.5), X, y)
    h1, h2 = [line for line in ax.get_lines() if line.get_label().startswith("$h_")]
    x1 = h1.get_xdata()
    assert np.allclose(h1.get_ydata(), 0.5 - x1) and np.allclose(h2.get_ydata(), 1.5 - h2.get_xdata())
    assert "4 of 4 rows right" in ax.get_title()
    view = hidden_neuron_explorer(xor_network, X, y)
    view.controls["b"].value = 0.6  # h1 fires everywhere: the output is NAND, wrong on (0, 0)
    assert "3 of 4 rows right" in view.figure.axes[0].get_title()
    plt.close("all")


def response(outlier_error, beta):
    """Stand-in losses: MSE-like and L1-like gradients on errors (0.1, 0.1, 0.1, 0.1, d)."""
    errors = np.array([0.1, 0.1, 0.1, 0.1, outlier_error])
    return errors, {"A": (float(np.mean(errors**2)), 2 * errors / 5), "B": (float(np.mean(np.abs(errors))),
                                                                         np.sign(errors) / 5)}


def curves(d, beta):
    return {"A": d**2, "B": np.abs(d)}


def test_loss_response_bars_are_the_gradients_passed_in_and_follow_the_slider():
    fig = draw_loss_response(response, curves, 3.0)
    ax_curve, ax_grad = fig.axes
    outlier_bars = [container[-1].get_height() for container in ax_grad.containers]
    assert np.allclose(outlier_bars, [2 * 3.0 / 5, 1 / 5])
    assert [text.get_text() for text in ax_curve.get_legend().get_texts()] == ["A: L = 1.81", "B: L = 0.68"]
    view = outlier_explorer(response, curves, outlier_error=1.0)
    view.controls["outlier_error"].value = -2.0
    assert view.draw_count == 2 and "d = -2.0" in view.figure._suptitle.get_text()
    html = outlier_animation(response, curves, [0.0, 1.0, 2.0])
    assert html.count("data:image/png;base64") == 3 and "https://" not in html
    plt.close("all")
