r"""Chapter 12 (beyond): walk in a straight line through an autoencoder's 2-D code space and decode every step.

Two images a and b have codes :math:`c_a, c_b`; the point :math:`c(t) = (1 - t)\,c_a + t\,c_b`,
:math:`t \in [0, 1]`, moves from one to the other, and the decoder turns each point into an image. Where the path
crosses the region of another digit, the picture turns into that digit on the way.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from nnkit.viz.animation import animation_html
from nnkit.viz.style import FONT_SIZE, TITLE_SIZE, finish
from nnkit.widgets.interactive import interactive_plot

DIGIT_CMAP = plt.get_cmap("tab10")  # ten classes: more than the eight colour-blind-safe course colours


def interpolate_codes(code_a, code_b, t):
    r""":math:`(1 - t)\,c_a + t\,c_b` for a scalar t or an array of them; shape (2,) or (len(t), 2)."""
    code_a, code_b = np.asarray(code_a, dtype=float), np.asarray(code_b, dtype=float)
    t = np.asarray(t, dtype=float)
    return (1 - t)[..., None] * code_a + t[..., None] * code_b


def draw_code_space(ax, codes, labels):
    """Scatter the codes (N, 2) coloured by digit, each digit's name written at the mean of its codes."""
    for digit in range(10):
        mine = codes[labels == digit]
        ax.scatter(mine[:, 0], mine[:, 1], s=8, color=DIGIT_CMAP(digit), alpha=0.5)
        centre = mine.mean(axis=0)
        ax.text(*centre, str(digit), fontsize=FONT_SIZE + 3, fontweight="bold", ha="center", va="center",
                color=DIGIT_CMAP(digit), bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})
    finish(ax, "Code space (test images, coloured by digit)", "code $c_1$", "code $c_2$")
    return ax


def _draw(axes, decoder, codes, labels, code_a, code_b, t):
    """Draw both panels; return the artists that move with t."""
    ax_codes, ax_image = axes
    draw_code_space(ax_codes, codes, labels)
    path = interpolate_codes(code_a, code_b, np.linspace(0, 1, 2))
    ax_codes.plot(path[:, 0], path[:, 1], color="k", lw=1.5, ls="--")
    ax_codes.scatter(*np.column_stack([code_a, code_b]), s=60, color="k", marker="s", zorder=5)
    for name, code in (("a", code_a), ("b", code_b)):
        ax_codes.annotate(name, code, xytext=(-16, -4), textcoords="offset points", fontsize=FONT_SIZE + 2,
                          fontweight="bold", zorder=5)
    current = interpolate_codes(code_a, code_b, t)
    marker = ax_codes.scatter(*current, s=180, color="white", edgecolors="k", marker="*", lw=1.5, zorder=4)
    image = ax_image.imshow(decoder(current[None]).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax_image.set_xticks([])
    ax_image.set_yticks([])
    ax_image.set_title(_image_title(t), fontsize=TITLE_SIZE)
    return marker, image


def _image_title(t):
    return f"decoded at the star\n$c = {1 - t:.2f}\\,c_a + {t:.2f}\\,c_b$"


def draw_code_interpolation(decoder, codes, labels, code_a, code_b, t=0.5):
    """The code space with the path from ``code_a`` to ``code_b`` and the image the decoder makes at ``t``.

    ``decoder`` maps codes (N, 2) to images (N, 64) with pixels in [0, 1]; ``codes`` (N, 2) and ``labels`` (N,)
    are the encoded test images and their digits. Returns the Figure.
    """
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2), layout="constrained", width_ratios=(2.2, 1))
    _draw(axes, decoder, codes, labels, np.asarray(code_a), np.asarray(code_b), t)
    return fig


def representative_codes(codes, labels):
    """Each digit's mean code (10, 2): the point a path starts from when the widget picks a digit."""
    return np.array([codes[labels == digit].mean(axis=0) for digit in range(10)])


def code_interpolation_explorer(decoder, codes, labels, digit_a=0, digit_b=6, t=0.5):
    """A widget: choose digits a and b (their mean codes are the ends) and slide t from a to b."""
    centres = representative_codes(codes, labels)

    def draw(digit_a, digit_b, t):
        return draw_code_interpolation(decoder, codes, labels, centres[digit_a], centres[digit_b], t)

    return interactive_plot(
        draw,
        continuous_update=False,
        digit_a=widgets.Dropdown(options=list(range(10)), value=digit_a, description="digit a"),
        digit_b=widgets.Dropdown(options=list(range(10)), value=digit_b, description="digit b"),
        t=widgets.FloatSlider(value=t, min=0, max=1, step=0.05, description="t (a → b)"),
        website={"digit_a": sorted({0, 1, digit_a}), "digit_b": sorted({6, 8, digit_b}),
                 "t": sorted({0.0, 0.25, 0.5, 0.75, 1.0, t})},
    )


def interpolation_animation(decoder, codes, labels, digit_a=0, digit_b=6, steps=11):
    """The explorer's picture as t goes from 0 to 1 in ``steps`` frames, as a self-contained HTML player."""
    centres = representative_codes(codes, labels)
    code_a, code_b = centres[digit_a], centres[digit_b]
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2), layout="constrained", width_ratios=(2.2, 1))
    marker, image = _draw(axes, decoder, codes, labels, code_a, code_b, 0.0)
    ts = np.linspace(0, 1, steps)

    def show(t):
        current = interpolate_codes(code_a, code_b, t)
        marker.set_offsets(current[None])
        image.set_data(decoder(current[None]).reshape(8, 8))
        axes[1].set_title(_image_title(t), fontsize=TITLE_SIZE)
        return marker, image

    return animation_html(show, ts, fig, interval=150)
