"""The pre-rendered learning-rate sweep (nnkit.widgets.learning_rate_explorer.learning_rate_sweep)."""

import matplotlib

matplotlib.use("Agg")

import importlib  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnkit.viz.animation import AnimationHTML  # noqa: E402
from nnkit.widgets.learning_rate_explorer import (  # noqa: E402
    SURFACES,
    descent_path,
    learning_rate_sweep,
    sweep_outcome,
)


def test_sweep_outcome_reports_the_final_loss_of_a_converging_path():
    path = descent_path("elongated bowl", "SGD", lr=0.05, steps=40)
    # lr = 0.05: w2 is multiplied by 1 - 20 * 0.05 = 0 (gone after one step), w1 by 0.95 per step
    final_loss = 0.5 * (4.5 * 0.95**40) ** 2
    assert len(path) == 41 and np.allclose(path[-1], [-4.5 * 0.95**40, 0.0])
    assert sweep_outcome("elongated bowl", path, steps=40) == f"loss {final_loss:.2g}"


def test_sweep_outcome_calls_a_path_that_stopped_early_diverged():
    path = descent_path("elongated bowl", "SGD", lr=0.5, steps=40)   # |1 - 20 * 0.5| = 9: blows up, path cut short
    assert len(path) < 41
    assert sweep_outcome("elongated bowl", path, steps=40) == "diverged"


def test_sweep_outcome_calls_a_full_length_path_that_climbed_diverged():
    start = np.array(SURFACES["elongated bowl"].start)
    climbing = np.array([start, 1.1 * start, 1.2 * start])            # every step higher up the bowl
    assert sweep_outcome("elongated bowl", climbing, steps=2) == "diverged"
    descending = np.array([start, 0.5 * start, 0.1 * start])
    final_loss = SURFACES["elongated bowl"].loss(*descending[-1])
    assert sweep_outcome("elongated bowl", descending, steps=2) == f"loss {final_loss:.2g}"


def test_the_sgd_limit_on_the_bowl_shows_in_the_outcome():
    # the bowl's steep direction has curvature 20, so plain SGD converges exactly for lr < 2 / 20 = 0.1
    below = descent_path("elongated bowl", "SGD", lr=0.095, steps=200)
    above = descent_path("elongated bowl", "SGD", lr=0.105, steps=200)
    assert sweep_outcome("elongated bowl", below, steps=200).startswith("loss ")
    assert sweep_outcome("elongated bowl", above, steps=200) == "diverged"


@pytest.fixture
def captured_frames(monkeypatch):
    """Replace animation_html so a test can call the sweep's per-frame function itself and read the figure."""
    captured = {}

    def fake_animation_html(update, frames, fig, interval=200):
        captured.update(update=update, frames=list(frames), fig=fig, interval=interval)
        return "animation"

    # the module, not the function of the same name that nnkit.widgets exports
    module = importlib.import_module("nnkit.widgets.learning_rate_explorer")
    monkeypatch.setattr(module, "animation_html", fake_animation_html)
    yield captured
    plt.close("all")


def test_learning_rate_sweep_defaults_to_16_log_spaced_rates_from_1e_3_to_1(captured_frames):
    assert learning_rate_sweep() == "animation"
    assert np.allclose(captured_frames["frames"], np.geomspace(1e-3, 1.0, 16))


def test_each_frame_draws_every_optimizers_real_path_and_outcome(captured_frames):
    learning_rate_sweep("elongated bowl", learning_rates=[0.01, 0.5], steps=30)
    fig, show = captured_frames["fig"], captured_frames["update"]
    ax = fig.axes[0]
    show(0.5)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[0] == "SGD: diverged" and legend[1] == "momentum: diverged"
    adam_path = descent_path("elongated bowl", "Adam", 0.5, 30)
    assert legend[2] == "Adam: " + sweep_outcome("elongated bowl", adam_path, 30) and legend[2].startswith("Adam: loss")
    adam_line = [line for line in ax.get_lines() if line.get_label() == "Adam"][0]
    assert np.allclose(np.column_stack(adam_line.get_data()), adam_path)
    assert "η = 0.5" in ax.get_title() and "30 steps" in ax.get_title()

    show(0.01)                                                          # the next frame replaces the paths
    sgd_line = [line for line in ax.get_lines() if line.get_label() == "SGD"][0]
    assert np.allclose(np.column_stack(sgd_line.get_data()), descent_path("elongated bowl", "SGD", 0.01, 30))
    assert ax.get_legend().get_texts()[0].get_text().startswith("SGD: loss")


def test_learning_rate_sweep_renders_one_self_contained_frame_per_learning_rate():
    html = learning_rate_sweep("saddle", learning_rates=[0.01, 0.1, 0.3], optimizers=("SGD", "Adam"), steps=10)
    assert isinstance(html, AnimationHTML)
    assert html.count("data:image/png;base64") == 3
    assert "<script src=" not in html and "<link" not in html            # nothing loaded from elsewhere
    assert not plt.get_fignums()                                         # the figure was closed


@pytest.mark.parametrize("arguments, message", [
    ({"surface": "bowl"}, "unknown surface 'bowl'"),
    ({"optimizers": ("SGD", "RMSprop")}, "optimizers must be some of"),
    ({"optimizers": ()}, "optimizers must be some of"),
    ({"learning_rates": [0.1, -0.1]}, "positive numbers"),
    ({"learning_rates": np.geomspace(1e-3, 1, 41)}, "1 to 40"),
])
def test_learning_rate_sweep_rejects_bad_input_before_drawing(arguments, message):
    with pytest.raises(ValueError, match=message):
        learning_rate_sweep(**arguments)
    assert not plt.get_fignums()
