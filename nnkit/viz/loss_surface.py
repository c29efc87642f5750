"""Contours of a loss over two parameters, with the paths optimizers took across it."""

import numpy as np

from nnkit.viz.style import BLACK, CLASS_COLORS, FONT_SIZE, axes_or_new, finish


def plot_loss_surface(loss, xlim, ylim, paths=None, ax=None, levels=30):
    """Contour plot of ``loss(w1, w2)`` over ``xlim`` x ``ylim`` with optimizer trajectories; returns the Axes.

    ``loss`` must accept grids (it is called once with two (200, 200) arrays).
    ``paths`` is a dict name -> (T, 2) array of (w1, w2) after each step; each
    is drawn as a line with markers, a circle at its start and a star at its end.
    Contour levels are spaced evenly in the square root of the loss above its minimum,
    so the valley floor (where optimizers end up) gets as many lines as the steep walls.
    """
    ax = axes_or_new(ax, figsize=(6, 4.5))
    w1, w2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    values = np.asarray(loss(w1, w2), dtype=float)
    low, high = values.min(), values.max()
    contour_levels = low + (high - low) * np.linspace(0, 1, levels) ** 2
    filled = ax.contourf(w1, w2, values, levels=contour_levels, cmap="cividis", alpha=0.9)
    ax.contour(w1, w2, values, levels=contour_levels, colors="white", linewidths=0.4, alpha=0.6,
               negative_linestyles="solid")
    ax.figure.colorbar(filled, ax=ax, label="loss", ticks=None).ax.tick_params(labelsize=FONT_SIZE - 2)
    for index, (name, path) in enumerate((paths or {}).items()):
        path = np.asarray(path, dtype=float)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"plot_loss_surface: path {name!r} must have shape (T, 2), got {path.shape}")
        color = CLASS_COLORS[(index + 1) % len(CLASS_COLORS)]  # skip blue: it vanishes on cividis' dark end
        ax.plot(path[:, 0], path[:, 1], color=color, linewidth=2, marker="o", markersize=3.5, label=name, gid="path")
        ax.plot(*path[0], marker="o", markersize=9, color=color, markeredgecolor=BLACK, linestyle="none")
        ax.plot(*path[-1], marker="*", markersize=15, color=color, markeredgecolor=BLACK, linestyle="none")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    if paths:
        ax.legend(fontsize=FONT_SIZE - 1, loc="upper right", title="○ start  ★ end", title_fontsize=FONT_SIZE - 2)
    return finish(ax, "Loss surface and descent paths", "$w_1$", "$w_2$")
