"""The sequence toy sets, and the RNN pictures: the gradient-decay drawing, its explorer and animation, the diagrams."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnkit.datasets.sequences import noisy_sine, remember_first  # noqa: E402
from nnkit.viz.gradient_decay import draw_gradient_decay, gradient_decay_animation  # noqa: E402
from nnkit.viz.rnn import draw_gate_traces, draw_sequence_patterns, draw_unrolled_rnn  # noqa: E402
from nnkit.widgets.gradient_decay_explorer import gradient_decay_explorer  # noqa: E402


def geometric_decay(scale, nonlinearity="tanh", length=40):
    """A stand-in for the chapter's BPTT (notebooks/11_rnn.md): norms s^(L-t) and slopes 1 (a linear RNN)."""
    return float(scale) ** np.arange(length, -1, -1), np.ones(length)


def test_noisy_sine_targets_are_the_next_inputs():
    X, y = noisy_sine(n_sequences=5, length=30, noise=0.1, seed=3)
    assert X.shape == (5, 30, 1) and y.shape == (5, 30)
    assert np.array_equal(y[:, :-1], X[:, 1:, 0])
    again, _ = noisy_sine(n_sequences=5, length=30, noise=0.1, seed=3)
    other, _ = noisy_sine(n_sequences=5, length=30, noise=0.1, seed=4)
    assert np.array_equal(X, again) and not np.array_equal(X, other)


def test_noisy_sine_noise_is_what_remains_after_the_clean_wave():
    X, _ = noisy_sine(n_sequences=1, length=2000, noise=0.0, periods=(20.0, 20.0), seed=0)
    assert np.abs(X).max() <= 1.0 and np.isclose(X[0, :, 0] @ X[0, :, 0] / 2000, 0.5, atol=0.01)
    noisy, _ = noisy_sine(n_sequences=1, length=2000, noise=0.3, periods=(20.0, 20.0), seed=0)
    assert np.isclose(np.std(noisy - X), 0.3, rtol=0.1)


def test_noisy_sine_rejects_bad_periods():
    with pytest.raises(ValueError, match="noisy_sine: periods"):
        noisy_sine(periods=(30.0, 10.0))


def test_remember_first_label_is_the_first_level():
    X, y = remember_first(n_sequences=400, length=12, classes=4, noise=1.0, seed=0)
    assert X.shape == (400, 12, 2) and y.dtype == np.int64 and set(np.unique(y)) == {0, 1, 2, 3}
    levels = np.array([-1, -1 / 3, 1 / 3, 1])
    assert np.allclose(X[:, 0, 0], levels[y])
    assert np.all(X[:, 0, 1] == 1) and np.all(X[:, 1:, 1] == 0)
    # later values carry no information about the label
    means = [X[y == k, 1:, 0].mean() for k in range(4)]
    assert np.ptp(means) < 0.1
    with pytest.raises(ValueError, match="remember_first: classes"):
        remember_first(classes=1)


def test_widget_draws_on_creation_and_redraws_what_it_is_given():
    explorer = gradient_decay_explorer(geometric_decay)
    assert explorer.draw_count == 1
    explorer.controls["scale"].value = 1.5
    explorer.controls["length"].value = 20
    assert explorer.draw_count == 3
    measured = explorer.figure.axes[0].get_lines()[0]
    assert np.allclose(measured.get_ydata(), 1.5 ** np.arange(20, -1, -1))
    assert "L = 20" in explorer.figure.axes[0].get_title() and "s = 1.50" in explorer.figure.axes[0].get_title()
    fig = draw_gradient_decay(*geometric_decay(0.8, length=10), 0.8, "relu")
    assert len(fig.axes) == 2 and "s = 0.80" in fig.axes[0].get_title()
    assert "relu" in fig.axes[0].get_lines()[0].get_label()
    plt.close("all")


def test_pictures_are_titled_and_the_animation_is_offline():
    assert "unrolled" in draw_unrolled_rnn(steps=3).get_title()
    patterns = draw_sequence_patterns()
    assert [ax.get_title().split("\n")[0] for ax in patterns.axes] == [
        "one-to-many", "many-to-one", "many-to-many", "many-to-many"]
    gates = {"forget gate f": np.full((6, 4), 0.9), "input gate i": np.zeros((6, 4))}
    fig = draw_gate_traces(gates, np.arange(6.0), "gates")
    assert len(fig.axes) == 4  # input bars, two heat maps, one colour bar
    html = gradient_decay_animation(geometric_decay, scales=[0.5, 2.0], length=10)
    assert html.count("data:image/png;base64,") == 2 and "cdnjs" not in html and "font-awesome" not in html
    plt.close("all")
