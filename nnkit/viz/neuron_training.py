"""One neuron learning, replayed: predictions against targets, and its parameters along the epochs."""

import matplotlib.pyplot as plt
import numpy as np

from nnkit.viz.animation import animation_html
from nnkit.viz.style import BLUE, FONT_SIZE, ORANGE, PURPLE, VERMILION, finish


def neuron_training_animation(predict, y, snapshots, true_weights, true_bias, frames=None):
    r"""Replay a neuron with two weights and a bias learning, pre-rendered (plays without a kernel).

    ``predict(weights (2,), bias)`` returns the neuron's predictions (N,) for the samples whose targets are y (N,).
    ``snapshots`` is a list of ``(epoch, weights (2,), bias, loss)``, one per epoch; ``frames`` are the indices
    of the snapshots to show (default: 30 evenly spaced). Left: prediction against target for every sample
    (on the diagonal = right). Right: the three parameters along all epochs, the values that generated the
    data dashed, and dots at the frame's epoch. Returns the player's HTML.
    """
    y = np.asarray(y, dtype=float).reshape(-1)
    if frames is None:
        frames = np.linspace(0, len(snapshots) - 1, min(30, len(snapshots))).round()
    picks = [int(frame) for frame in np.unique(frames)]
    epochs = np.array([s[0] for s in snapshots])
    params = np.array([[*s[1], s[2]] for s in snapshots])  # (snapshots, 3): w1, w2, b

    fig, (ax_fit, ax_params) = plt.subplots(1, 2, figsize=(9.8, 4.2))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.86, wspace=0.28)  # fixed: no layout per frame
    top = max(float(y.max()), 1.0) * 1.15
    ax_fit.plot([0, top], [0, top], color="0.6", lw=1.5, label="prediction = target")
    dots = ax_fit.scatter(y, np.zeros_like(y), color=BLUE, edgecolors="k", s=45, zorder=3, label="one sample")
    ax_fit.set(xlim=(-0.1 * top, top), ylim=(-0.1 * top, top * 1.3))
    ax_fit.legend(fontsize=FONT_SIZE - 1, loc="upper left")
    ax_fit.grid(alpha=0.3)
    finish(ax_fit, "", "target $y$", r"prediction $\hat y$")

    markers = []
    for k, (name, color, truth) in enumerate(zip(("$w_1$", "$w_2$", "$b$"), (VERMILION, PURPLE, ORANGE),
                                                 (*true_weights, true_bias))):
        ax_params.plot(epochs, params[:, k], color=color, lw=1.5, alpha=0.35)
        ax_params.axhline(truth, color=color, lw=1.2, ls="--")
        markers += ax_params.plot([], [], "o", color=color, markersize=8, markeredgecolor="k", label=name)
    ax_params.plot([], [], "--", color="0.4", label="values that made the data")
    ax_params.legend(fontsize=FONT_SIZE - 1, loc="center right", ncol=2)
    ax_params.grid(alpha=0.3)
    finish(ax_params, "Parameters during training", "epoch", "value")
    title = fig.suptitle("", fontsize=FONT_SIZE + 1)

    def show(frame):
        epoch, weights, bias, loss = snapshots[frame]
        dots.set_offsets(np.column_stack([y, np.asarray(predict(np.asarray(weights), bias)).reshape(-1)]))
        for marker, value in zip(markers, (*weights, bias)):
            marker.set_data([epoch], [value])
        title.set_text(f"One neuron learning: epoch {epoch}, MSE = {loss:.4f}")

    show(picks[0])
    return animation_html(show, list(picks), fig, interval=350)
