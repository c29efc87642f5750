"""nnkit.widgets: controls reach the plain functions, outputs redraw, and the playground model really trains."""

import matplotlib

matplotlib.use("Agg")

import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnkit import nn
from nnkit.datasets import logic_gate
from nnkit.viz import plot_activation
from nnkit.widgets import (
    Playground,
    PlaygroundModel,
    Progress,
    activation_explorer,
    descent_path,
    interactive_plot,
    learning_rate_explorer,
    neuron_explorer,
    progress,
)
from nnkit.widgets.learning_rate_explorer import SURFACES
from nnkit.widgets.playground import TICK_MS


def title_of(view):
    return view.figure.axes[0].get_title()


# -- interactive_plot -------------------------------------------------------------------------------------------
def test_interactive_plot_draws_once_then_on_every_change():
    calls = []

    def draw(name, derivative):
        calls.append((name, derivative))
        return plot_activation(getattr(nn, name)(), derivative=derivative)

    view = interactive_plot(draw, name=widgets.Dropdown(options=["ReLU", "Tanh"]),
                            derivative=widgets.Checkbox(value=True))
    assert view.draw_count == 1 and title_of(view) == "ReLU()"  # the first state, for pages without a kernel
    view.controls["name"].value = "Tanh"
    assert view.draw_count == 2 and title_of(view) == "Tanh()"
    view.controls["derivative"].value = False
    assert calls == [("ReLU", True), ("Tanh", True), ("Tanh", False)]
    assert len(view.figure.axes[0].get_lines()) < 4  # the derivative curve is gone
    assert isinstance(view.widget, widgets.VBox) and view.output in view.widget.children
    assert "application/vnd.jupyter.widget-view+json" in view._repr_mimebundle_()


def test_interactive_plot_options_and_errors():
    slider = widgets.FloatSlider()
    interactive_plot(lambda x: plt.figure(), continuous_update=False, x=slider)
    assert slider.continuous_update is False
    with pytest.raises(TypeError, match="control 'x'"):
        interactive_plot(lambda x: plt.figure(), x=3)
    with pytest.raises(TypeError, match="draw must be a function"):
        interactive_plot("not a function")


# -- explorers --------------------------------------------------------------------------------------------------
def test_neuron_explorer_sliders_move_the_boundary_and_accuracy():
    view = neuron_explorer()
    assert "AND" in title_of(view) and "accuracy 100%" in title_of(view)  # starts on a working AND neuron
    view.controls["b"].value = -0.5  # now x1 + x2 - 0.5 > 0 is OR, not AND
    assert "accuracy 50%" in title_of(view)  # OR differs from AND on (0, 1) and (1, 0)
    view.controls["gate"].value = "OR"
    assert "accuracy 100%" in title_of(view)
    view.controls["gate"].value = "XOR"
    X, y = logic_gate("XOR")
    for w1, w2, b in [(1, 1, -0.5), (1, -1, 0), (-2, 1, 0.5), (3, 3, -1)]:
        view.controls["w1"].value, view.controls["w2"].value, view.controls["b"].value = w1, w2, b
        predicted = (X @ np.array([w1, w2]) + b > 0).astype(int)
        assert f"accuracy {np.mean(predicted == y):.0%}" in title_of(view)
        assert "accuracy 100%" not in title_of(view)  # no line separates XOR


def test_activation_explorer_offers_every_activation():
    view = activation_explorer()
    options = set(view.controls["name"].options)
    assert {"ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "Softplus", "Softmax", "PReLU", "Step"} <= options
    for name in ("Sigmoid", "Softmax", "PReLU"):
        view.controls["name"].value = name
        assert title_of(view).startswith(name + "(")


def test_descent_path_uses_the_real_update_rules():
    start = np.array(SURFACES["elongated bowl"].start)
    gradient = SURFACES["elongated bowl"].gradient
    sgd = descent_path("elongated bowl", "SGD", lr=0.05, steps=2)
    np.testing.assert_allclose(sgd[0], start)
    np.testing.assert_allclose(sgd[1], start - 0.05 * gradient(*start))
    momentum = descent_path("elongated bowl", "momentum", lr=0.05, steps=2)
    velocity = 0.9 * gradient(*start) + gradient(*momentum[1])
    np.testing.assert_allclose(momentum[2], momentum[1] - 0.05 * velocity)
    adam = descent_path("elongated bowl", "Adam", lr=0.05, steps=1)
    np.testing.assert_allclose(adam[1], start - 0.05 * np.sign(gradient(*start)), atol=1e-6)  # Adam's first step
    assert len(descent_path("elongated bowl", "SGD", lr=0.5, steps=100)) < 101  # diverges, stops early


def test_learning_rate_explorer_redraws_the_path_for_the_chosen_settings():
    view = learning_rate_explorer()
    assert view.controls["lr"].continuous_update is False
    view.controls["optimizer"].value = "momentum"
    view.controls["lr"].value = 0.01
    (path_line,) = [line for line in view.figure.axes[0].get_lines() if line.get_gid() == "path"]
    expected = descent_path("elongated bowl", "momentum", 0.01, view.controls["steps"].value)
    np.testing.assert_allclose(np.column_stack([path_line.get_xdata(), path_line.get_ydata()]), expected)
    assert "momentum" in title_of(view)
    view.controls["optimizer"].value = "SGD"
    view.controls["lr"].value = 0.5
    assert "diverged" in title_of(view)
    view.controls["surface"].value = "saddle"
    assert "saddle" in title_of(view)


# -- progress ---------------------------------------------------------------------------------------------------
def test_progress_text_fallback_prints_one_final_line(capsys):
    bar = progress(range(4), description="fitting")
    assert not bar.use_widget  # plain python: no kernel
    for step in bar:
        bar.set_postfix(loss=1.0 / (step + 1))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("fitting: 4/4") and lines[0].endswith("loss=0.25")


def test_progress_widget_shows_count_and_final_loss():
    bar = Progress(range(3), use_widget=True)
    for step in bar:
        bar.set_postfix(loss=0.5 - step / 10)
    assert bar.bar.value == 3 and bar.bar.max == 3
    assert "loss=0.3" in bar.label.value
    assert bar.bar.bar_style == "success"


# -- playground model -------------------------------------------------------------------------------------------
def test_playground_model_learns_moons():
    model = PlaygroundModel("moons", hidden="8,8", lr=0.3, seed=0)
    initial = model.history["train"][0]
    model.step(300)
    assert model.steps == 300 and len(model.history["train"]) == 301
    assert model.history["train"][-1] < 0.6 * initial
    assert model.accuracy("test") > 0.8


def test_playground_reset_restores_the_initial_loss():
    model = PlaygroundModel("circles", seed=1)
    initial_loss, initial_weights = model.loss(), model.network.state_dict()
    model.step(40)
    assert model.loss() != initial_loss
    model.reset()
    assert model.loss() == initial_loss
    assert model.steps == 0 and model.history == {"train": [initial_loss], "test": [model.loss("test")]}
    for name, value in model.network.state_dict().items():
        np.testing.assert_array_equal(value, initial_weights[name])


def test_playground_step_advances_exactly_one_batch():
    model = PlaygroundModel("moons", batch_size=8, optimizer="SGD", lr=0.1)
    before = model.network.state_dict()
    model.step(1)
    inputs, labels = model.last_batch
    assert len(inputs) == 8 and model.steps == 1 and len(model.history["train"]) == 2
    # redo that one update by hand on a copy of the network: the same batch must give the same weights
    replica = PlaygroundModel("moons", batch_size=8, optimizer="SGD", lr=0.1).network
    replica.load_state_dict(before)
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(replica(inputs), labels)
    replica.backward(loss_fn.backward())
    for (name, parameter), (_, trained) in zip(replica.named_parameters(), model.network.named_parameters()):
        np.testing.assert_allclose(trained.data, parameter.data - 0.1 * parameter.grad, err_msg=name)
    # consecutive steps walk through the epoch's batches without repeating a sample
    seen = [model.last_batch[0]]
    for _ in range(len(model.loader) - 2):
        model.step(1)
        seen.append(model.last_batch[0])
    assert len(np.unique(np.concatenate(seen), axis=0)) == sum(len(batch) for batch in seen)


def test_playground_model_settings():
    model = PlaygroundModel("XOR", hidden="4", seed=0)
    weights = model.network.state_dict()
    model.update(lr=0.01, optimizer="Adam", weight_decay=1e-3)  # training settings keep the weights
    assert model.optimizer.lr == 0.01 and model.optimizer.weight_decay == 1e-3
    assert all(np.array_equal(v, weights[k]) for k, v in model.network.state_dict().items())
    model.update(hidden="3,5")  # architecture settings rebuild
    assert [layer.out_features for layer in model.network if isinstance(layer, nn.Linear)] == [3, 5, 2]
    model.update(hidden="")
    assert len(model.network) == 1  # logistic regression
    with pytest.raises(ValueError, match="positive integers"):
        model.update(hidden="8,x")
    assert model.settings["hidden"] == ""  # a rejected setting leaves the working model alone
    with pytest.raises(ValueError, match="unknown settings"):
        model.update(momentum=0.9)


def test_playground_model_leaves_numpys_global_random_state_alone():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    PlaygroundModel("spirals")
    assert np.random.rand() == expected


# -- playground widget ------------------------------------------------------------------------------------------
def test_playground_buttons_drive_the_model_and_redraw():
    playground = Playground("moons")
    assert playground.draw_count == 1 and "train loss" in playground.status.value
    playground.controls["step"].click()
    assert playground.model.steps == 1 and playground.draw_count == 2
    playground.controls["train"].click()
    assert playground.clock.playing
    playground.clock.value += 1  # a tick from the browser's Play clock
    trained = playground.model.steps
    assert trained > 1
    playground.clock.value += 1  # arrives at once, as if it had queued up while the kernel was busy: skipped
    assert playground.model.steps == trained
    time.sleep(TICK_MS / 1000)
    playground.clock.value += 1
    assert playground.model.steps > trained
    playground.controls["pause"].click()
    assert not playground.clock.playing
    steps = playground.model.steps
    playground.clock.value += 1  # a tick in flight when Pause was pressed does nothing
    assert playground.model.steps == steps
    assert f"step <b>{steps}</b>" in playground.status.value
    playground.controls["reset"].click()
    assert playground.model.steps == 0
    assert playground.model.loss() == playground.model.history["train"][0]


def test_playground_redraws_once_per_tick_and_only_the_moving_parts():
    playground = Playground("moons")
    playground.controls["train"].click()
    draws, full_draws = playground.draw_count, playground.picture.full_draws
    first_picture = bytes(playground.image.value)
    for _ in range(5):
        time.sleep(TICK_MS / 1000)
        playground.clock.value += 1
        playground.clock.value += 1  # queued behind the first: dropped, no second redraw
    assert playground.draw_count - draws == 5 and playground.model.steps > 5
    assert bytes(playground.image.value) != first_picture and bytes(playground.image.value).startswith(b"\x89PNG")
    assert playground.picture.full_draws - full_draws <= 1  # the background is kept between frames
    edges = [c for c in playground.figure.axes[0].collections if c.get_gid() == "edges"]
    first_layer = playground.model.network[0].weight.data  # (8, 2): edge widths grow with |w|
    widths = edges[0].get_linewidths()
    assert np.argmax(widths) == np.argmax(np.abs(first_layer).ravel())
    shown = playground.picture.regions.get_array()
    assert shown.shape == (60, 60, 3) and len(np.unique(shown.reshape(-1, 3), axis=0)) == 2  # two classes shaded


def test_playground_settings_reach_the_model():
    playground = Playground("moons")
    playground.controls["lr"].value = 0.3
    playground.controls["batch_size"].value = 32
    playground.controls["optimizer"].value = "Adam"
    playground.controls["weight_decay"].value = 1e-3
    assert playground.model.settings.items() >= {"lr": 0.3, "batch_size": 32, "optimizer": "Adam",
                                                 "weight_decay": 1e-3}.items()
    assert playground.model.optimizer.lr == 0.3 and playground.model.loader.batch_size == 32
    draws = playground.draw_count
    playground.controls["hidden"].value = "3"
    assert [layer.out_features for layer in playground.model.network if isinstance(layer, nn.Linear)] == [3, 2]
    assert playground.draw_count == draws + 1
    playground.controls["hidden"].value = "3,,-1"
    assert "not applied" in playground.status.value
    playground.controls["dataset"].value = "spirals"
    assert playground.model.settings["dataset"] == "spirals"
    assert playground.figure.axes[0].get_title().startswith("2-3-2 network")


def test_playground_stops_when_training_diverges(monkeypatch):
    playground = Playground("blobs")
    playground.controls["train"].click()

    def overflow(n_steps=1):
        raise ValueError("CrossEntropyLoss(): input (predictions) contains inf at index (0, 1)")

    monkeypatch.setattr(playground.model, "step", overflow)
    playground.clock.value += 1
    assert not playground.clock.playing
    assert "diverged" in playground.status.value and "lower the learning rate" in playground.status.value


# -- redraw speed: one render, the layout kept across slider steps ---------------------------------------------
def two_panel_figure(value):
    fig, axes = plt.subplots(1, 2, figsize=(6, 3), layout="constrained")
    axes[0].plot([0, 1], [0, value])
    axes[1].set_title(f"value {value:.1f}")
    fig.suptitle("two panels")
    return fig


def test_copied_layout_gives_the_same_pixels_as_laying_out_again():
    import io

    from nnkit.viz.render import copy_layout, figure_png

    laid_out = two_panel_figure(1.0)
    full = figure_png(laid_out)
    again = two_panel_figure(1.0)
    assert copy_layout(again, laid_out) and again.get_layout_engine().__class__.__name__ == "PlaceHolderLayoutEngine"
    assert np.array_equal(plt.imread(io.BytesIO(figure_png(again))), plt.imread(io.BytesIO(full)))
    other_size = plt.figure(figsize=(4, 3), layout="constrained")
    other_size.subplots(1, 2)
    assert not copy_layout(other_size, laid_out)  # a different structure is laid out anew
    plt.close("all")


def test_slider_steps_keep_the_layout_and_choices_lay_out_anew():
    view = interactive_plot(lambda value, label: two_panel_figure(value),
                            value=widgets.FloatSlider(value=1.0, min=0, max=2), label=widgets.Dropdown(options="ab"))
    assert view.figure.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    view.controls["value"].value = 1.5
    assert view.figure.get_layout_engine().__class__.__name__ == "PlaceHolderLayoutEngine"
    view.controls["label"].value = "b"
    assert view.figure.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    plt.close("all")
