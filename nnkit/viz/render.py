"""A figure as PNG bytes, rendered once and quickly: what the widgets send to the browser on every redraw.

IPython's own display of a figure goes through ``savefig(bbox_inches="tight")``, which walks the figure three
times: a layout pass, a pass measuring the drawing, then the drawing, cropped. A figure with a layout engine
(``layout="constrained"``) already fits its canvas: one ``canvas.draw()`` lays it out and renders it, and its
pixels are encoded directly (the same pixels). Light compression (``compress_level=1``) is several times faster
than the default for images ~1.1x larger, which a local connection carries in no time.

The layout itself is the dearest part of a widget's redraw (constrained layout measures every text). A slider
step changes values, not the figure's structure, so :func:`copy_layout` lets the next figure take the positions
the previous one was laid out with, and skips the layout (a quarter to a half of a redraw here).
"""

import io

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

PNG_COMPRESS_LEVEL = 1


def rgba_png(rgba):
    """PNG bytes of an RGBA image (H, W, 4) of uint8, lightly compressed."""
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, rgba, format="png", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buffer.getvalue()


def figure_of(result):
    """The Figure a ``draw`` function made: it may return a Figure, an Axes, or draw on the current figure."""
    figure = result.figure if isinstance(result, Axes) else result
    return figure if isinstance(figure, Figure) else plt.gcf()


def figure_png(fig):
    """PNG bytes of ``fig`` at its own dpi; cropped to its contents only without a layout engine (where labels
    may reach past the canvas)."""
    if fig.get_layout_engine() is not None and hasattr(fig.canvas, "buffer_rgba"):
        fig.canvas.draw()
        return rgba_png(np.asarray(fig.canvas.buffer_rgba()))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buffer.getvalue()


def copy_layout(fig, laid_out):
    """Place the axes (and suptitle) of ``fig`` where they are in ``laid_out``, a figure drawn before, and turn
    ``fig``'s layout engine off; only if both are the same size with the same number of axes and ``fig`` has a
    layout engine. Returns whether it did."""
    if (laid_out is None or fig.get_layout_engine() is None or len(fig.axes) != len(laid_out.axes)
            or tuple(fig.get_size_inches()) != tuple(laid_out.get_size_inches())
            or (fig._suptitle is None) != (laid_out._suptitle is None)):
        return False
    for ax, model in zip(fig.axes, laid_out.axes):
        ax.set_position(model.get_position())
    if fig._suptitle is not None:
        fig._suptitle.set_position(laid_out._suptitle.get_position())
    fig.set_layout_engine("none")
    return True
