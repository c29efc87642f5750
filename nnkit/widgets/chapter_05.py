r"""Chapter 5 (gradient descent): the learning-rate slider of ``learning_rate_explorer``, pre-rendered.

A page without a kernel cannot move a slider, so :func:`learning_rate_sweep` renders
what moving it shows: every frame is one learning rate :math:`\eta` (log-spaced), with
the paths that SGD, SGD with momentum and Adam take from the same start on the same
surface, :math:`T` steps each. All paths come from ``descent_path``, i.e. from
``nnkit.optim``'s own update rules.
"""

import matplotlib.pyplot as plt
import numpy as np

from nnkit.viz.animation import MAX_FRAMES, animation_html
from nnkit.viz.loss_surface import plot_loss_surface
from nnkit.viz.style import BLACK, CLASS_COLORS, FONT_SIZE
from nnkit.widgets.learning_rate_explorer import SURFACES, descent_path
from nnkit.widgets.optimizers import OPTIMIZERS


def sweep_outcome(surface, path, steps):
    """'diverged' if the path stopped early or climbed, else the loss at its last point (as text)."""
    final_loss = float(SURFACES[surface].loss(*path[-1]))
    if len(path) < steps + 1 or final_loss > float(SURFACES[surface].loss(*path[0])):
        return "diverged"
    return f"loss {final_loss:.2g}"


def learning_rate_sweep(surface="elongated bowl", learning_rates=None, optimizers=tuple(OPTIMIZERS), steps=40):
    r"""An animation: one frame per learning rate, the descent path of each optimizer on ``SURFACES[surface]``.

    ``learning_rates`` defaults to 16 values from :math:`10^{-3}` to :math:`10^{0}`, evenly
    spaced on a log scale (the explorer's slider range). The legend gives each
    optimizer's loss after ``steps`` steps, or "diverged". Returns self-contained HTML
    (``nnkit.viz.animation_html``) that plays on a page without a kernel. An unknown
    surface or optimizer, or learning rates that are not 1 to ``MAX_FRAMES`` positive
    numbers, raise ``ValueError`` before anything is drawn.
    """
    if surface not in SURFACES:
        raise ValueError(f"learning_rate_sweep: unknown surface {surface!r}; choose from {list(SURFACES)}")
    unknown = [name for name in optimizers if name not in OPTIMIZERS]
    if unknown or not optimizers:
        raise ValueError(f"learning_rate_sweep: optimizers must be some of {list(OPTIMIZERS)}, got {list(optimizers)}")
    learning_rates = np.geomspace(1e-3, 1.0, 16) if learning_rates is None else np.asarray(learning_rates, float)
    if learning_rates.ndim != 1 or not 0 < len(learning_rates) <= MAX_FRAMES or np.any(learning_rates <= 0):
        raise ValueError(f"learning_rate_sweep: learning_rates must be 1 to {MAX_FRAMES} positive numbers, "
                         f"got {learning_rates!r}")
    shape = SURFACES[surface]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.12, top=0.9)  # fixed: no layout pass per frame
    plot_loss_surface(shape.loss, shape.xlim, shape.ylim, ax=ax, levels=20)  # fewer levels: lighter frames
    lines, ends = [], []
    for index, name in enumerate(optimizers):
        color = CLASS_COLORS[(index + 1) % len(CLASS_COLORS)]  # the colours plot_loss_surface gives its paths
        lines += ax.plot([], [], color=color, linewidth=2, marker="o", markersize=3.5, label=name)
        ends += ax.plot([], [], marker="*", markersize=15, color=color, markeredgecolor=BLACK, linestyle="none")
    ax.plot(*shape.start, marker="o", markersize=9, color="white", markeredgecolor=BLACK, linestyle="none")
    legend = ax.legend(fontsize=FONT_SIZE - 1, loc="upper right", title="○ start  ★ end", title_fontsize=FONT_SIZE - 2)

    def show(lr):
        for name, line, end, text in zip(optimizers, lines, ends, legend.get_texts()):
            path = descent_path(surface, name, lr, steps)
            line.set_data(path[:, 0], path[:, 1])
            end.set_data([path[-1, 0]], [path[-1, 1]])
            text.set_text(f"{name}: {sweep_outcome(surface, path, steps)}")
        ax.set_title(f"{steps} steps on the {surface}, learning rate η = {lr:.3g}", fontsize=FONT_SIZE + 1)

    show(learning_rates[0])
    return animation_html(show, learning_rates, fig, interval=400)
