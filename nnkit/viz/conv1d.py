r"""A 1-D convolution drawn cell by cell: the padded input, the output, and one window's products and sum.

The output numbers are a real :class:`~nnkit.nn.conv.Conv1d`'s, the products under the highlighted window are
written out next to them, and the title substitutes the settings into the output-size formula

.. math::  L_{out} = \left\lfloor \frac{L + 2p - d\,(K - 1) - 1}{s} \right\rfloor + 1 .
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from nnkit.errors import ShapeError
from nnkit.nn.conv import Conv1d
from nnkit.viz.animation import animation_html
from nnkit.viz.style import FONT_SIZE, ORANGE, TITLE_SIZE

EXAMPLE_SIGNAL = (3, 1, 0, 3, -1, 3, 0, 2, 1, -1, 0, 4)
EXAMPLE_KERNEL = (2, 0, 1, 1)
PAD_GREY, UNREACHED_GREY = "0.85", "0.6"


def example_kernel(kernel_size):
    """The example kernel (2, 0, 1, 1) cut to ``kernel_size`` taps, or extended with 1s beyond 4."""
    return np.array((EXAMPLE_KERNEL + (1,) * kernel_size)[:kernel_size], dtype=float)


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


def draw_conv1d(make_layer, kernel_size=4, stride=1, padding=0, dilation=1, position=0, signal=EXAMPLE_SIGNAL,
                ax=None, max_padding=3):
    """Draw ``make_layer(kernel, stride, padding, dilation)`` (a ``Conv1d``) on ``signal``: the padded input, the
    output, and the window of output ``position``.

    Input cells sit on the top row (padding in grey, entries no window reaches dashed); output i sits under
    the centre of its window. The window of output ``position`` (clipped to the last output) is highlighted,
    its kernel weights written under the taps, and its sum written out below. The kernel is
    :func:`example_kernel` (``kernel_size``). If the dilated kernel is wider than the padded input, the layer's
    own error message is shown instead of an output. Returns the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.1), layout="constrained")
    x = np.asarray(signal, dtype=float)
    kernel = example_kernel(kernel_size)
    padded = np.pad(x, padding)
    try:
        y = make_layer(kernel, stride, padding, dilation)(x[None, None])[0, 0]
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


def conv1d_animation(make_layer, kernel_size=4, stride=1, padding=0, dilation=1, interval=900):
    """A pre-rendered animation of :func:`draw_conv1d`, one frame per output position (HTML, no kernel needed)."""
    length = Conv1d(1, 1, kernel_size, stride, padding, dilation).output_spatial_shape((1, 1, len(EXAMPLE_SIGNAL)))[0]
    fig, ax = plt.subplots(figsize=(9, 3.1))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.84)  # fixed layout: frames do not jump

    def show_position(position):
        ax.clear()
        draw_conv1d(make_layer, kernel_size, stride, padding, dilation, position, ax=ax)

    return animation_html(show_position, range(length), fig, interval=interval, dpi=80)
