r"""How the learning rate and the optimizer shape the path down a loss surface, with nnkit's real optimizers.

:func:`learning_rate_explorer` is the slider; :func:`learning_rate_sweep` pre-renders what moving it shows, for a
page without a kernel: every frame is one learning rate :math:`\eta` (log-spaced), with the paths that SGD, SGD
with momentum and Adam take from the same start on the same surface, :math:`T` steps each.
"""

from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from nnkit.nn.parameter import Parameter
from nnkit.viz.animation import MAX_FRAMES, animation_html
from nnkit.viz.loss_surface import plot_loss_surface
from nnkit.viz.style import BLACK, CLASS_COLORS, FONT_SIZE, axes_or_new
from nnkit.widgets.interactive import interactive_plot
from nnkit.widgets.optimizers import OPTIMIZERS, make_optimizer


@dataclass(frozen=True)
class Surface:
    """A loss over two parameters with its gradient (both vectorized), a start point and a view window."""

    loss: object
    gradient: object
    start: tuple
    xlim: tuple
    ylim: tuple


SURFACES = {
    # L = (w1^2 + 20 w2^2) / 2: 20 times steeper across the valley than along it, so plain SGD zig-zags
    # for large steps (it diverges above lr = 2/20 = 0.1) and crawls for small ones.
    "elongated bowl": Surface(
        loss=lambda w1, w2: 0.5 * (w1**2 + 20 * w2**2),
        gradient=lambda w1, w2: np.array([w1, 20 * w2]),
        start=(-4.5, 1.5), xlim=(-5, 5), ylim=(-2, 2)),
    # L = w1^4/4 - w1^2/2 + w2^2/2: minima at (±1, 0) and a saddle at (0, 0); starting almost on the ridge,
    # the gradient along w1 is tiny, so descent stalls near the saddle before rolling off.
    "saddle": Surface(
        loss=lambda w1, w2: w1**4 / 4 - w1**2 / 2 + w2**2 / 2,
        gradient=lambda w1, w2: np.array([w1**3 - w1, w2]),
        start=(0.01, 1.8), xlim=(-1.8, 1.8), ylim=(-2, 2)),
}


def descent_path(surface, optimizer="SGD", lr=0.05, steps=40):
    """(w1, w2) after each of ``steps`` updates of ``optimizer`` on ``SURFACES[surface]``, start included: (T, 2).

    The point is an ``nnkit.nn.Parameter`` and the update is ``nnkit.optim``'s own
    ``step()``; only the gradient is written by hand, as ``backward`` would. Stops
    early if the parameters blow up (a learning rate too large), so T <= steps + 1.
    """
    shape = SURFACES[surface]
    point = Parameter(np.array(shape.start, dtype=float))
    stepper = make_optimizer(optimizer, [point], lr)
    path = [point.data.copy()]
    for _ in range(steps):
        stepper.zero_grad()
        point.grad += shape.gradient(*point.data)
        stepper.step()
        if not np.all(np.abs(point.data) < 1e6):
            break
        path.append(point.data.copy())
    return np.array(path)


def draw_descent(surface="elongated bowl", optimizer="SGD", lr=0.05, steps=40, ax=None):
    """The surface's contours and ``optimizer``'s path at ``lr``; the title reports where it ended. Returns the Axes."""
    shape = SURFACES[surface]
    path = descent_path(surface, optimizer, lr, steps)
    ax = plot_loss_surface(shape.loss, shape.xlim, shape.ylim, paths={f"{optimizer}, lr={lr:.3g}": path},
                           ax=axes_or_new(ax, figsize=(6.5, 4.5)))
    final_loss = float(shape.loss(*path[-1]))
    outcome = "diverged" if len(path) < steps + 1 or final_loss > 1e3 else f"loss after {steps} steps: {final_loss:.3g}"
    ax.set_title(f"{optimizer} on the {surface} — {outcome}", fontsize=12)
    return ax


def learning_rate_explorer(surface="elongated bowl", optimizer="SGD", lr=0.05):
    """A log-scale learning-rate slider, an optimizer dropdown and a surface dropdown over :func:`draw_descent`."""
    return interactive_plot(
        draw_descent,
        surface=widgets.Dropdown(options=list(SURFACES), value=surface, description="surface"),
        optimizer=widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer, description="optimizer"),
        lr=widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.1, description="learning rate",
                                  readout_format=".3f", style={"description_width": "initial"}),
        steps=widgets.IntSlider(value=40, min=5, max=200, step=5, description="steps"),
        continuous_update=False,
        website={"surface": [surface], "steps": [40], "lr": sorted({0.001, 0.01, 0.05, 0.3, 1.0, lr})})


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
