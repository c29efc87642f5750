"""One look for every course figure: colour-blind-safe colours, legible fonts, a fresh Axes when none is given.

The colours are the Okabe-Ito palette (Okabe & Ito, 2008), designed to stay
distinct under the common forms of colour blindness; class colours come in
the same order everywhere, so class 0 is always blue and class 1 always orange.
"""

import matplotlib.pyplot as plt

BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, BLACK = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"
)
CLASS_COLORS = [BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION, YELLOW, BLACK]
POSITIVE, NEGATIVE = BLUE, VERMILION  # weight signs: blue = excites, vermilion = inhibits
FORWARD, BACKWARD = BLACK, VERMILION  # values computed going forward, gradients coming back
SEQUENTIAL_CMAP = "viridis"  # magnitudes (activations)
DIVERGING_CMAP = "PuOr_r"  # signed values centred at 0 (gradients); purple/orange stays readable for colour blindness

FONT_SIZE = 11  # points; notebooks shrink figures, so nothing below 10
TITLE_SIZE = 12


def class_color(label):
    return CLASS_COLORS[int(label) % len(CLASS_COLORS)]


def axes_or_new(ax, figsize=(5, 4)):
    """Return ``ax`` if given, else the Axes of a new figure of ``figsize`` inches."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def finish(ax, title, xlabel, ylabel):
    """Title and axis labels at legible sizes (every course plot has all three)."""
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE - 1)
    return ax
