"""Many small images (kernels, feature maps, digits) in one grid, on one colour scale or each on its own."""

import matplotlib.pyplot as plt
import numpy as np

from nnkit.viz.style import DIVERGING_CMAP, FONT_SIZE, TITLE_SIZE


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
