"""Pictures of recurrent networks: the RNN folded and unrolled, the sequence patterns, and gate values over time."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from nnkit.viz.style import FONT_SIZE, GREEN, TITLE_SIZE, VERMILION

INPUT_COLOR, HIDDEN_COLOR, OUTPUT_COLOR = "#cfe3f3", "#e6e6e6", "#fbe3b8"



def _box(ax, x, y, text, color, width=0.8, height=0.55):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.03",
                                facecolor=color, edgecolor="0.3", linewidth=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=FONT_SIZE)


def _arrow(ax, start, end, label=None, color="0.25", label_offset=(0, 0.12), **kwargs):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color, linewidth=1.3,
                                 shrinkA=0, shrinkB=0, **kwargs))
    if label:
        ax.text((start[0] + end[0]) / 2 + label_offset[0], (start[1] + end[1]) / 2 + label_offset[1], label,
                ha="center", va="center", fontsize=FONT_SIZE - 1, color=color)


def draw_unrolled_rnn(steps=4, ax=None):
    """The RNN as one looped cell (left) and unrolled over ``steps`` time steps (right), the same weights in each."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 3.4), layout="constrained")
    # folded: one cell feeding itself
    _box(ax, 0, 0, "$x_t$", INPUT_COLOR)
    _box(ax, 0, 1.2, "$h_t$", HIDDEN_COLOR)
    _box(ax, 0, 2.4, "$\\hat y_t$", OUTPUT_COLOR)
    _arrow(ax, (0, 0.28), (0, 0.92), "$W_{ih}$", label_offset=(-0.32, 0))
    _arrow(ax, (0, 1.48), (0, 2.12), "$W_{hy}$", label_offset=(-0.32, 0))
    ax.add_patch(FancyArrowPatch((0.4, 1.35), (0.4, 1.05), connectionstyle="arc3,rad=-1.6", arrowstyle="-|>",
                                 mutation_scale=12, color=VERMILION, linewidth=1.3))
    ax.text(0.62, 1.55, "$W_{hh}$", color=VERMILION, fontsize=FONT_SIZE - 1, va="center")
    ax.text(1.35, 1.2, "=", fontsize=20, ha="center", va="center")
    # unrolled: one copy of the cell per step, all with the same three weight matrices
    left = 3.2
    for step in range(steps):
        x = left + 1.6 * step
        t = f"{step + 1}"
        _box(ax, x, 0, f"$x_{t}$", INPUT_COLOR)
        _box(ax, x, 1.2, f"$h_{t}$", HIDDEN_COLOR)
        _box(ax, x, 2.4, f"$\\hat y_{t}$", OUTPUT_COLOR)
        _arrow(ax, (x, 0.28), (x, 0.92), "$W_{ih}$", label_offset=(-0.32, 0))
        _arrow(ax, (x, 1.48), (x, 2.12), "$W_{hy}$", label_offset=(-0.32, 0))
        _arrow(ax, (x - 1.2, 1.2), (x - 0.4, 1.2), "$W_{hh}$", color=VERMILION)
    ax.text(left - 1.2 - 0.05, 1.2, "$h_0$", ha="right", va="center", fontsize=FONT_SIZE)
    _arrow(ax, (left + 1.6 * (steps - 1) + 0.4, 1.2), (left + 1.6 * (steps - 1) + 1.1, 1.2), "$W_{hh}$",
           color=VERMILION)
    ax.text(left + 1.6 * (steps - 1) + 1.2, 1.2, "…", va="center", fontsize=FONT_SIZE + 2)
    ax.set_xlim(-0.7, left + 1.6 * steps)
    ax.set_ylim(-0.5, 2.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("An RNN folded (left) and unrolled over time (right): the same $W_{ih}$, $W_{hh}$, $W_{hy}$ "
                 "at every step", fontsize=TITLE_SIZE)
    return ax


SEQUENCE_PATTERNS = {
    # name -> (which steps get an input, which steps produce an output, where the encoder ends (or None))
    "one-to-many\n$T_x = 1,\\ T_y > 1$\nimage captioning,\nmusic generation": ([0], [0, 1, 2, 3], None),
    "many-to-one\n$T_x > 1,\\ T_y = 1$\nsentiment of a text,\nclassify a sequence": ([0, 1, 2, 3], [3], None),
    "many-to-many\n$T_x = T_y$\na label per word,\nnext-value forecast": ([0, 1, 2, 3], [0, 1, 2, 3], None),
    "many-to-many\n$T_x \\neq T_y$\ntranslation: encoder,\nthen decoder": ([0, 1, 2], [3, 4], 2),
}


def draw_sequence_patterns():
    """The four input/output patterns of the lecture, each as a small unrolled chain (inputs blue, outputs orange)."""
    fig, axes = plt.subplots(1, 4, figsize=(10, 3.6), layout="constrained")
    for ax, (name, (inputs, outputs, encoder_end)) in zip(axes, SEQUENCE_PATTERNS.items()):
        steps = max(inputs + outputs) + 1
        for step in range(steps):
            x = step * 1.0
            _box(ax, x, 1, "", HIDDEN_COLOR, width=0.6, height=0.45)
            if step in inputs:
                _box(ax, x, 0, "", INPUT_COLOR, width=0.6, height=0.45)
                _arrow(ax, (x, 0.23), (x, 0.77))
            if step in outputs:
                _box(ax, x, 2, "", OUTPUT_COLOR, width=0.6, height=0.45)
                _arrow(ax, (x, 1.23), (x, 1.77))
            if step:
                _arrow(ax, (x - 0.7, 1), (x - 0.3, 1), color=VERMILION)
        if encoder_end is not None:
            ax.axvline(encoder_end + 0.5, color="0.5", linestyle=":", linewidth=1)
        ax.set_xlim(-0.5, 4.5)
        ax.set_ylim(-0.4, 2.4)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(name, fontsize=FONT_SIZE - 1)
    fig.suptitle("Sequence patterns: inputs (blue), hidden states (grey), outputs (orange), time →",
                 fontsize=TITLE_SIZE)
    return fig


def draw_gate_traces(gates, x, title, units=None):
    """Heat maps of gate values (each (L, H) in [0, 1]) over time for one sequence, above its input ``x`` (L,)."""
    names = list(gates)
    fig, axes = plt.subplots(len(names) + 1, 1, figsize=(9, 1.3 + 1.25 * len(names)), sharex=True,
                             layout="constrained", height_ratios=[1.2] + [1] * len(names))
    steps = np.arange(1, len(x) + 1)
    axes[0].bar(steps, x, color=[GREEN if t == 1 else "0.6" for t in steps])
    axes[0].set_ylabel("input", fontsize=FONT_SIZE - 1)
    axes[0].set_title(title, fontsize=TITLE_SIZE)
    for ax, name in zip(axes[1:], names):
        values = gates[name] if units is None else gates[name][:, units]
        image = ax.imshow(values.T, aspect="auto", cmap="viridis", vmin=0, vmax=1,
                          extent=(0.5, len(x) + 0.5, values.shape[1] - 0.5, -0.5))
        ax.set_ylabel(f"{name}\nunit", fontsize=FONT_SIZE - 1)
    axes[-1].set_xlabel("time step t", fontsize=FONT_SIZE)
    axes[-1].set_xticks(steps if len(steps) <= 20 else [1, *range(5, len(steps) + 1, 5)])
    fig.colorbar(image, ax=axes[1:], label="gate value (0 = closed, 1 = open)", shrink=0.9)
    return fig
