"""Loss (or any metric) against the epoch, one line per series."""

import numpy as np

from nnkit.viz.style import CLASS_COLORS, FONT_SIZE, axes_or_new, finish


def plot_loss_curves(history, ax=None, log_scale=False, first_epoch=1):
    """Plot ``history``, a dict name -> list of floats (e.g. {"train": [...], "validation": [...]}), per epoch.

    Epochs are counted from ``first_epoch`` (1; use 0 when entry 0 is the loss before training).
    ``log_scale`` puts the loss on a log axis, which shows progress that a linear
    axis flattens once the loss is small. Returns the Axes.
    """
    if not isinstance(history, dict) or not history:
        raise TypeError(f"plot_loss_curves: history must be a non-empty dict name -> list of losses, got {history!r}")
    ax = axes_or_new(ax)
    for index, (name, values) in enumerate(history.items()):
        values = np.asarray(values, dtype=float).reshape(-1)
        epochs = np.arange(first_epoch, first_epoch + len(values))
        ax.plot(epochs, values, color=CLASS_COLORS[index % len(CLASS_COLORS)], linewidth=2,
                marker="o" if len(values) <= 30 else None, markersize=4, label=name)
    if log_scale:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT_SIZE - 1)
    return finish(ax, "Loss during training", "epoch", "loss (log scale)" if log_scale else "loss")
