r"""Chapter 10 (convolutional networks): slide a 1-D kernel over the lecture's example, and show grids of images.

The 1-D picture is drawn from a real :class:`~nnkit.nn.conv.Conv1d`: the output numbers are the layer's, the
products under the highlighted window are computed by hand next to them, and the title substitutes the settings
into the output-size formula

.. math::  L_{out} = \left\lfloor \frac{L + 2p - d\,(K - 1) - 1}{s} \right\rfloor + 1 .
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from nnkit.errors import ShapeError
from nnkit.nn.activation import Activation
from nnkit.nn.conv import Conv1d, Conv2d
from nnkit.viz.animation import animation_html
from nnkit.viz.style import DIVERGING_CMAP, FONT_SIZE, GREEN, ORANGE, SKY, TITLE_SIZE, YELLOW
from nnkit.widgets.interactive import interactive_plot

DECK_SIGNAL = (3, 1, 0, 3, -1, 3, 0, 2, 1, -1, 0, 4)  # the lecture's input
DECK_KERNEL = (2, 0, 1, 1)  # the lecture's kernel
PAD_GREY, UNREACHED_GREY = "0.85", "0.6"


def deck_kernel(kernel_size):
    """The lecture's kernel (2, 0, 1, 1) cut to ``kernel_size`` taps, or extended with 1s beyond 4."""
    return np.array((DECK_KERNEL + (1,) * kernel_size)[:kernel_size], dtype=float)


def conv1d_with(kernel, stride=1, padding=0, dilation=1):
    """A ``Conv1d(1, 1, K, stride, padding, dilation, bias=False)`` whose weight is ``kernel`` (K,)."""
    kernel = np.asarray(kernel, dtype=float)
    layer = Conv1d(1, 1, len(kernel), stride=stride, padding=padding, dilation=dilation, bias=False)
    layer.load_state_dict({"weight": kernel.reshape(1, 1, -1)})
    return layer


def output_length_text(length, kernel_size, stride, padding, dilation):
    """The formula with the numbers substituted, e.g. ``L_out = ⌊(12 + 2·0 − 1·(4 − 1) − 1) / 1⌋ + 1 = 9``."""
    numerator = length + 2 * padding - dilation * (kernel_size - 1) - 1
    result = numerator // stride + 1
    return (f"$L_{{out}} = \\lfloor ({length} + 2\\cdot{padding} - {dilation}\\cdot({kernel_size} - 1) - 1)"
            f" / {stride} \\rfloor + 1 = \\lfloor {numerator}/{stride} \\rfloor + 1 = {result}$")


def _number(value):
    """3.0 -> '3', -1.0 -> '(−1)', 0.5 -> '0.5': how a factor reads in a written-out product."""
    text = f"{value:g}".replace("-", "−")
    return f"({text})" if value < 0 else text


def draw_conv1d(kernel_size=4, stride=1, padding=0, dilation=1, position=0, signal=DECK_SIGNAL, ax=None,
                max_padding=3):
    """Draw ``Conv1d`` on ``signal``: the (padded) input, the output, and the window of output ``position``.

    Input cells sit on the top row (padding in grey, entries no window reaches dashed); output i sits under
    the centre of its window. The window of output ``position`` (clipped to the last output) is highlighted,
    its kernel weights written under the taps, and its sum written out below. The kernel is
    :func:`deck_kernel` (``kernel_size``). If the dilated kernel is wider than the padded input, the layer's
    own error message is shown instead of an output. Returns the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.1), layout="constrained")
    x = np.asarray(signal, dtype=float)
    kernel = deck_kernel(kernel_size)
    padded = np.pad(x, padding)
    try:
        y = conv1d_with(kernel, stride, padding, dilation)(x[None, None])[0, 0]
    except ShapeError as error:
        y, message = np.zeros(0), str(error)

    position = min(position, len(y) - 1)
    taps = position * stride + dilation * np.arange(kernel_size) if len(y) else np.zeros(0, dtype=int)
    last_read = (len(y) - 1) * stride + dilation * (kernel_size - 1) if len(y) else -1  # in padded indices
    for j, value in enumerate(padded):
        left = j - padding  # real input index 0 sits at x = 0; padding cells at negative x
        is_pad = j < padding or j >= padding + len(x)
        unreached = j > last_read
        tapped = j in taps
        face = ORANGE if tapped else (PAD_GREY if is_pad else "white")
        ax.add_patch(Rectangle((left, 1), 0.9, 0.9, facecolor=face, edgecolor=UNREACHED_GREY if unreached else "k",
                               lw=1, linestyle="--" if unreached else "-"))
        ax.text(left + 0.45, 1.45, _number(value).strip("()"), ha="center", va="center", fontsize=FONT_SIZE,
                color="k" if tapped or not (is_pad or unreached) else UNREACHED_GREY)
        if not is_pad:
            ax.text(left + 0.45, 2.1, str(j - padding), ha="center", va="center", fontsize=FONT_SIZE - 1,
                    color="0.4")

    centre = dilation * (kernel_size - 1) / 2  # output i sits under the middle of its window
    for i, value in enumerate(y):
        left = i * stride - padding + centre
        ax.add_patch(Rectangle((left, -1.3), 0.9, 0.9, facecolor=ORANGE if i == position else "#DDEEFF",
                               edgecolor="k", lw=1))
        ax.text(left + 0.45, -0.85, f"{value:g}".replace("-", "−"), ha="center", va="center", fontsize=FONT_SIZE)
    for k, tap in enumerate(taps):
        ax.text(tap - padding + 0.45, 0.72, f"×{_number(kernel[k])}", ha="center", va="center",
                fontsize=FONT_SIZE - 1, color="#8A5A00")
        ax.plot([tap - padding + 0.45, position * stride - padding + centre + 0.45], [0.55, -0.4], color=ORANGE,
                lw=1.2)

    ax.text(-max_padding - 0.6, 1.45, "input $x$", ha="right", va="center", fontsize=FONT_SIZE)
    ax.text(-max_padding - 0.6, -0.85, "output $y$", ha="right", va="center", fontsize=FONT_SIZE)
    settings = f"Conv1d(1, 1, kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation})"
    if len(y):
        products = " + ".join(f"{_number(padded[t])}·{_number(w)}" for t, w in zip(taps, kernel))
        caption = f"$y_{{{position}}}$ = {products} = {y[position]:g}".replace("-", "−")
        title = settings + ", kernel " + str(tuple(int(w) for w in kernel)) + "\n" + output_length_text(
            len(x), kernel_size, stride, padding, dilation)
    else:
        caption, title = message, settings + "\nno output: the kernel does not fit"
    ax.text(-max_padding - 0.6, -2.0, caption, ha="left", va="center", fontsize=FONT_SIZE, wrap=True)
    right = max(len(x) + max_padding, padding + len(x)) + 0.5
    ax.set(xlim=(-max_padding - 4.2, right), ylim=(-2.4, 2.4), aspect="equal")
    ax.axis("off")
    ax.set_title(title, fontsize=TITLE_SIZE)
    return ax


def conv1d_explorer(kernel_size=4, stride=1, padding=0, dilation=1, position=0):
    """Sliders for kernel size, stride, padding, dilation and the highlighted output over :func:`draw_conv1d`."""
    def slider(description, value, low, high):
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 style={"description_width": "initial"})

    return interactive_plot(
        draw_conv1d, kernel_size=slider("kernel size K", kernel_size, 1, 6), stride=slider("stride s", stride, 1, 4),
        padding=slider("padding p", padding, 0, 3), dilation=slider("dilation d", dilation, 1, 3),
        position=slider("output i", position, 0, 11),
        website={"kernel_size": sorted({2, 3, 4, kernel_size}), "stride": sorted({1, 2, stride}),
                 "padding": sorted({0, 1, padding}), "dilation": sorted({1, 2, dilation}),
                 "position": sorted({0, 2, 4, position})},
    )


def conv1d_animation(kernel_size=4, stride=1, padding=0, dilation=1, interval=900):
    """A pre-rendered animation of :func:`draw_conv1d`, one frame per output position (HTML, no kernel needed)."""
    length = Conv1d(1, 1, kernel_size, stride, padding, dilation).output_spatial_shape((1, 1, len(DECK_SIGNAL)))[0]
    fig, ax = plt.subplots(figsize=(9, 3.1))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.84)  # fixed layout: frames do not jump

    def show_position(position):
        ax.clear()
        draw_conv1d(kernel_size, stride, padding, dilation, position, ax=ax)

    return animation_html(show_position, range(length), fig, interval=interval, dpi=80)


def draw_image_grid(images, titles=None, ncols=8, title=None, signed=False, shared=True, colorbar_label=None,
                    width=9.0):
    """Show ``images`` (n, H, W) in a grid of ``ncols`` columns; returns the Figure.

    ``signed`` uses a diverging colour map centred at 0 (orange positive, purple negative), otherwise grey
    (dark = large). ``shared`` puts every panel on one colour scale with a colorbar labelled
    ``colorbar_label``; otherwise each panel is scaled to its own range (no colorbar).
    """
    images = np.asarray(images, dtype=float)
    nrows = int(np.ceil(len(images) / ncols))
    panel = width / ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, panel * nrows * 1.15 + 0.6), squeeze=False,
                             layout="constrained")
    limit = np.abs(images).max() or 1.0
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= len(images):
            ax.axis("off")
            continue
        image = images[index]
        own = np.abs(image).max() or 1.0
        if signed:
            scale = limit if shared else own
            shown = ax.imshow(image, cmap=DIVERGING_CMAP, vmin=-scale, vmax=scale)
        else:
            shown = ax.imshow(image, cmap="gray_r", vmin=images.min() if shared else image.min(),
                              vmax=images.max() if shared else image.max())
        if titles is not None:
            ax.set_title(titles[index], fontsize=FONT_SIZE - 1)
    if shared:
        fig.colorbar(shown, ax=axes, shrink=0.8, label=colorbar_label)
    if title:
        fig.suptitle(title, fontsize=TITLE_SIZE)
    return fig


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
