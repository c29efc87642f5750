"""nnkit.viz: the drawings show what the code computes (edges, signs, gradients, regions), legibly."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from nnkit import nn
from nnkit.perceptron import Perceptron
from nnkit.viz import (
    activation_curves,
    animation_html,
    draw_network,
    draw_neuron_graph,
    network_values,
    neuron_graph_values,
    plot_activation,
    plot_decision_boundary,
    plot_loss_curves,
    plot_loss_surface,
    predict_labels,
)
from nnkit.viz.style import NEGATIVE, POSITIVE


def by_gid(ax, gid, kind="collections"):
    return [artist for artist in getattr(ax, kind) if artist.get_gid() == gid]


def edge_segments(ax):
    return [segment for edges in by_gid(ax, "edges") for segment in edges.get_segments()]


def neuron_count(ax):
    return sum(len(nodes.get_offsets()) for nodes in by_gid(ax, "neurons"))


def small_network():
    np.random.seed(3)
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Sigmoid())


def assert_legible(ax):
    assert ax.get_title()
    assert ax.title.get_fontsize() >= 10
    for text in ax.texts:
        assert text.get_fontsize() >= 10, text.get_text()


# -- draw_network ----------------------------------------------------------------------------------------------
def test_small_network_draws_every_neuron_and_weight():
    model = small_network()
    ax = draw_network(model)
    assert neuron_count(ax) == 2 + 3 + 1
    assert len(edge_segments(ax)) == 2 * 3 + 3 * 1
    # tiny networks label every edge with its weight and every neuron with its bias
    weight_labels = [float(t.get_text()) for t in by_gid(ax, "weight", "texts")]
    expected = np.concatenate([model[0].weight.data.ravel(), model[2].weight.data.ravel()])
    np.testing.assert_allclose(weight_labels, expected, atol=0.005)
    assert len(by_gid(ax, "bias", "texts")) == 3 + 1
    assert "2-3-1" in ax.get_title()
    labels = " ".join(t.get_text() for t in by_gid(ax, "layer_label", "texts"))
    assert "ReLU" in labels and "Sigmoid" in labels and "3 neurons" in labels
    assert_legible(ax)


def test_edge_colour_follows_weight_sign_and_width_follows_magnitude():
    model = small_network()
    model[0].weight.data[:] = [[1.0, -2.0], [-0.5, 0.25], [3.0, -3.0]]
    ax = draw_network(model)
    first_layer = by_gid(ax, "edges")[0]
    weights = model[0].weight.data.ravel()  # (out, in) row-major: the drawing order
    colours = [to_hex(c) for c in first_layer.get_colors()]
    assert colours == [POSITIVE.lower() if w >= 0 else NEGATIVE.lower() for w in weights]
    assert POSITIVE != NEGATIVE
    widths = np.asarray(first_layer.get_linewidths())
    assert np.all(np.diff(widths[np.argsort(np.abs(weights))]) >= 0)  # larger |w|, thicker line
    # each edge starts at its input neuron and ends at its output neuron
    segments = first_layer.get_segments()
    assert all(seg[0][0] == 0 and seg[1][0] == 1 for seg in segments)
    legend_labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend_labels == ["weight > 0", "weight < 0"]


def test_large_network_is_summarized_not_smeared():
    np.random.seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    ax = draw_network(model, max_neurons=12)
    n_edges = len(edge_segments(ax))
    assert n_edges == 10 * 10 + 10 * 10  # only edges among the shown neurons (5 first + 5 last per wide column)
    assert n_edges < 64 * 32 / 10
    assert neuron_count(ax) == 10 + 10 + 10
    assert sorted(t.get_text() for t in by_gid(ax, "ellipsis", "texts")) == ["⋮ 22 more", "⋮ 54 more"]
    assert not by_gid(ax, "weight", "texts")  # no numbers on hundreds of edges
    assert all(edges.get_alpha() < 0.5 for edges in by_gid(ax, "edges"))  # summarized edges are faint


def test_network_values_match_a_forward_and_backward_pass():
    model = small_network()
    x, target = np.array([0.5, -1.0]), np.array([1.0])
    activations, gradients = network_values(model, x, nn.MSELoss(), target)
    hidden = np.maximum(model[0](x[None]), 0)
    np.testing.assert_allclose(activations[1], hidden[0])
    np.testing.assert_allclose(activations[2], model(x[None])[0])
    output = model(x[None])
    loss_fn = nn.MSELoss()
    loss_fn(output, target[None])
    np.testing.assert_allclose(gradients[0], model.backward(loss_fn.backward())[0])
    np.testing.assert_allclose(gradients[2], 2 * (output[0] - target))


def test_neuron_values_are_shown_as_colours_with_a_colorbar():
    model = small_network()
    activations, gradients = network_values(model, [2.0, -1.0], nn.MSELoss(), [0.0])
    ax = draw_network(model, activations=activations)
    hidden_nodes = by_gid(ax, "neurons")[1]
    faces = hidden_nodes.get_facecolors()
    brightness = faces[:, :3].sum(axis=1)  # viridis brightens monotonically with the value
    assert list(np.argsort(brightness)) == list(np.argsort(activations[1]))
    assert len(ax.figure.axes) == 2  # the colorbar
    ax = draw_network(model, activations=activations, gradients=gradients)
    assert len(ax.figure.axes) == 3  # one colorbar for the fill, one for the ring
    with pytest.raises(ValueError, match="one sample"):
        draw_network(model, activations=[np.zeros((5, 2)), np.zeros((5, 3)), np.zeros((5, 1))])


def test_draw_network_rejects_what_it_cannot_draw():
    with pytest.raises(TypeError, match="Sequential starting with Linear"):
        draw_network(nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))


# -- activations ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", [nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.LeakyReLU(0.2), nn.ELU(), nn.Softplus()])
def test_activation_derivative_curve_is_the_modules_backward(activation):
    x = np.linspace(-3, 3, 61)
    ax = plot_activation(activation, x=x)
    (function,) = by_gid(ax, "function", "lines")
    (derivative,) = by_gid(ax, "derivative", "lines")
    np.testing.assert_allclose(function.get_ydata(), activation(x.reshape(-1, 1)).ravel())
    np.testing.assert_allclose(derivative.get_ydata(), activation.backward(np.ones((61, 1))).ravel())
    # and that is the true derivative: compare with central differences away from kinks
    h = 1e-6
    numeric = (activation(x.reshape(-1, 1) + h) - activation(x.reshape(-1, 1) - h)).ravel() / (2 * h)
    smooth = np.abs(x) > 0.05
    np.testing.assert_allclose(derivative.get_ydata()[smooth], numeric[smooth], atol=1e-5)
    assert ax.get_xlabel() and ax.get_ylabel() and repr(activation) == ax.get_title()
    assert len(ax.get_legend().get_texts()) == 2
    assert_legible(ax)


def test_softmax_plots_the_first_component_of_x_and_zero():
    x, y, slope = activation_curves(nn.Softmax())
    sigmoid = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(y, sigmoid)
    np.testing.assert_allclose(slope, sigmoid * (1 - sigmoid), atol=1e-12)
    ax = plot_activation(nn.Softmax(), derivative=False)
    assert not by_gid(ax, "derivative", "lines")


# -- decision boundary ------------------------------------------------------------------------------------------
def region_label_at(ax, points):
    (regions,) = by_gid(ax, "regions")
    inside = np.array([path.contains_points(points) for path in regions.get_paths()])
    assert np.all(inside.sum(axis=0) == 1), "every point lies in exactly one shaded region"
    return inside.argmax(axis=0)


def line_model():
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    model[0].weight.data[:] = [[2.0, -1.0]]
    model[0].bias.data[:] = [0.3]
    return model


@pytest.mark.parametrize("kind", ["sigmoid module", "score module", "argmax module", "perceptron", "callable"])
def test_decision_regions_agree_with_the_model(kind):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (2 * X[:, 0] - X[:, 1] + 0.3 > 0).astype(int)
    if kind == "sigmoid module":
        model = line_model()
    elif kind == "score module":
        model = line_model()[0]  # raw score: boundary at 0
    elif kind == "argmax module":
        model = nn.Linear(2, 3)
        model.weight.data[:] = [[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0]]
        model.bias.data[:] = 0.0
    elif kind == "perceptron":
        model = Perceptron(2)
        model.weights, model.bias = np.array([2.0, -1.0]), 0.3
    else:
        def model(points):
            return (2 * points[:, 0] - points[:, 1] + 0.3 > 0).astype(int)
    ax = plot_decision_boundary(model, X, y, resolution=150)
    probes = rng.uniform(-1.5, 1.5, size=(400, 2))
    expected = predict_labels(model, probes)
    assert len(set(expected)) >= 2
    agreement = np.mean(region_label_at(ax, probes) == expected)
    assert agreement > 0.98  # only points within a grid cell of the boundary may differ
    assert by_gid(ax, "boundary")
    assert ax.get_xlabel() and ax.get_ylabel()
    if kind != "argmax module":
        assert "accuracy 100%" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_predict_labels_reads_one_output_as_probability_or_score():
    points = np.array([[1.0, 0.0], [-1.0, 0.0]])
    assert list(predict_labels(line_model(), points)) == [1, 0]
    score = nn.Linear(2, 1)
    score.weight.data[:] = [[0.2, 0.0]]
    score.bias.data[:] = [0.5]  # outputs 0.7 and 0.3: inside [0, 1], so read as probabilities (threshold 0.5)
    assert list(predict_labels(score, points)) == [1, 0]
    score.bias.data[:] = [-0.1]  # outputs 0.1 and -0.3: a score, threshold 0
    assert list(predict_labels(score, points)) == [1, 0]


# -- curves and surfaces ----------------------------------------------------------------------------------------
def test_loss_curves_plot_each_series_against_epoch():
    history = {"train": [1.0, 0.5, 0.25], "validation": [1.1, 0.7, 0.6]}
    ax = plot_loss_curves(history, log_scale=True)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["train", "validation"]
    for line, values in zip(lines, history.values()):
        np.testing.assert_allclose(line.get_ydata(), values)
        np.testing.assert_allclose(line.get_xdata(), [1, 2, 3])
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() and ax.get_title()
    assert to_hex(lines[0].get_color()) != to_hex(lines[1].get_color())
    ax = plot_loss_curves({"train": [0.7, 0.5]}, first_epoch=0)  # entry 0 = before training
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [0, 1])
    with pytest.raises(TypeError, match="dict"):
        plot_loss_curves([1.0, 0.5])


def test_loss_surface_draws_contours_and_paths_with_start_and_end():
    def loss(w1, w2):
        return w1**2 + 4 * w2**2

    path = np.array([[2.0, 1.0], [1.0, 0.5], [0.2, 0.1]])
    ax = plot_loss_surface(loss, (-3, 3), (-2, 2), paths={"SGD": path})
    (line,) = by_gid(ax, "path", "lines")
    np.testing.assert_allclose(np.column_stack([line.get_xdata(), line.get_ydata()]), path)
    markers = [line for line in ax.get_lines() if line.get_marker() in ("o", "*") and len(line.get_xdata()) == 1]
    assert {m.get_marker() for m in markers} == {"o", "*"}
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert len(ax.figure.axes) == 2  # colorbar
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        plot_loss_surface(loss, (-3, 3), (-2, 2), paths={"bad": np.zeros((3, 3))})


# -- neuron graph -----------------------------------------------------------------------------------------------
def printed(fig, prefix):
    ax = fig.axes[0]
    values = {}
    for text in ax.texts:
        gid = text.get_gid() or ""
        if gid.startswith(prefix):
            values[gid[len(prefix):]] = float(text.get_text().split("=")[-1])
    return values


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_neuron_graph_prints_nnkits_gradients(activation):
    x, w, b, target = np.array([0.8, -1.5]), np.array([0.6, -0.4]), 0.2, 1.0
    fig = draw_neuron_graph(x, w, b, activation, target=target)
    gradients = printed(fig, "grad:")

    # the same neuron, computed independently with nnkit's modules
    neuron = nn.Linear(2, 1)
    neuron.weight.data[:] = w
    neuron.bias.data[:] = b
    act = {"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh()}[activation]
    loss_fn = nn.MSELoss()
    a = act(neuron(x[None]))
    loss_fn(a, np.array([[target]]))
    grad_x = neuron.backward(act.backward(loss_fn.backward()))

    def close(name, value):
        assert gradients[name] == pytest.approx(value, rel=1e-3, abs=1e-4), name

    close("w1", neuron.weight.grad[0, 0])
    close("w2", neuron.weight.grad[0, 1])
    close("b", neuron.bias.grad[0])
    close("x1", grad_x[0, 0])
    close("x2", grad_x[0, 1])
    close("x1*w1", neuron.bias.grad[0])  # a sum hands its gradient to every term
    close("L", 1.0)
    # chain rule by hand: dL/dw1 = 2(a - y) f'(z) x1
    z = x @ w + b
    slope = {"relu": float(z > 0), "sigmoid": float(a[0, 0] * (1 - a[0, 0])), "tanh": 1 - np.tanh(z) ** 2}[activation]
    close("w1", 2 * (a[0, 0] - target) * slope * x[0])
    forward = printed(fig, "value:")
    assert forward["z"] == pytest.approx(z, rel=1e-3)
    assert forward["L"] == pytest.approx((a[0, 0] - target) ** 2, rel=1e-3)
    assert "gradients" in fig.axes[0].get_title()


def test_neuron_graph_without_target_shows_gradients_of_the_activation():
    forward, gradient = neuron_graph_values([1.0, 2.0], [0.5, 0.25], -0.5, "relu")
    assert "L" not in forward
    assert gradient["a"] == 1.0
    assert gradient["w2"] == pytest.approx(2.0)  # da/dw2 = relu'(z) x2 with z = 0.5 > 0
    with pytest.raises(ValueError, match="unknown activation"):
        neuron_graph_values([1.0], [1.0], 0.0, "swishy")


# -- animation --------------------------------------------------------------------------------------------------
def test_animation_html_is_self_contained_and_light():
    fig, ax = plt.subplots(figsize=(3, 2))
    (line,) = ax.plot([0, 1], [0, 0])
    html = animation_html(lambda frame: line.set_ydata([0, frame]), 5, fig)
    assert "<script" in html
    for attribute in ("src=", "href="):
        start = 0
        while (start := html.find(attribute, start) + 1) > 0:
            assert not html[start + len(attribute):].lstrip("\"' ").startswith(("http", "//")), html[start:start + 80]
    assert "http://" not in html and "https://" not in html
    assert html.count("frames[") >= 5  # one embedded image per frame
    assert html._repr_html_() == str(html)
    assert not plt.fignum_exists(fig.number)
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="40"):
        animation_html(lambda frame: None, 41, fig)
