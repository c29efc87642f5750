"""A convolutional network as a row of blocks, each labelled with the shape its stage outputs."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from nnkit.nn.activation import Activation
from nnkit.nn.conv import Conv1d, Conv2d
from nnkit.viz.style import FONT_SIZE, GREEN, ORANGE, SKY, TITLE_SIZE, YELLOW


def _stage_label(layer):
    """A short name for one layer of the diagram, e.g. 'conv 3×3', 'max pool 2×2', 'linear'."""
    name = type(layer).__name__
    if isinstance(layer, Conv1d | Conv2d):
        return "conv " + "×".join(map(str, layer.kernel_size))
    if name.endswith("Pool2d") or name.endswith("Pool1d"):
        size = layer.window["kernel_size"]
        return ("max pool " if name.startswith("Max") else "avg pool ") + "×".join(map(str, size))
    return name.lower()


def draw_cnn_stages(model, input_shape, ax=None):
    """Diagram of a Sequential CNN: one block per stage with the shape of what it outputs, from a real forward pass.

    ``input_shape`` is one sample's (C, H, W). Feature maps are drawn as stacked squares (side ∝ H), vectors as
    bars (height ∝ log length); an activation is folded into the label of the layer before it. Returns the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 2.7), layout="constrained")
    h = np.zeros((1, *input_shape))
    stages = [("input", h.shape[1:])]
    for layer in model:
        h = layer(h)
        if isinstance(layer, Activation):
            stages[-1] = (f"{stages[-1][0]}\n+ {type(layer).__name__}", stages[-1][1])
        else:
            stages.append((_stage_label(layer), h.shape[1:]))
    colors = {"input": "0.8", "conv": SKY, "max": GREEN, "avg": GREEN, "flatten": YELLOW, "linear": ORANGE}
    largest = max(shape[1] for _, shape in stages if len(shape) == 3)
    slot = 2.0  # horizontal room per stage, so that labels never collide
    for index, (label, shape) in enumerate(stages):
        color = colors.get(label.split()[0], "0.8")
        centre = index * (slot + 0.5) + slot / 2
        if len(shape) == 3:  # feature maps (C, H, W): a few stacked squares
            side = 1.8 * shape[1] / largest
            layers_drawn = min(shape[0], 4)
            left = centre - (side + 0.12 * (layers_drawn - 1)) / 2
            for k in range(layers_drawn):
                ax.add_patch(Rectangle((left + 0.12 * k, -side / 2 + 0.12 * k), side, side, facecolor=color,
                                       edgecolor="k", lw=0.8))
            text = " × ".join(map(str, shape))
        else:  # a vector (features,): a bar
            height = 0.3 * np.log2(shape[0] + 1)
            ax.add_patch(Rectangle((centre - 0.15, -height / 2), 0.3, height, facecolor=color, edgecolor="k", lw=0.8))
            text = str(shape[0])
        ax.text(centre, -1.35, f"{label}\n{text}", ha="center", va="top", fontsize=FONT_SIZE - 1)
        if index + 1 < len(stages):
            ax.annotate("", xy=(centre + slot / 2 + 0.45, 0), xytext=(centre + slot / 2 + 0.05, 0),
                        arrowprops={"arrowstyle": "->", "color": "0.3"})
    ax.set(xlim=(-0.1, len(stages) * (slot + 0.5) - 0.4), ylim=(-2.9, 1.4), aspect="equal")
    ax.axis("off")
    ax.set_title("Shapes through the network, one sample (channels × height × width)", fontsize=TITLE_SIZE)
    return ax
