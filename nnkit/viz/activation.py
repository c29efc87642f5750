"""Plot an activation function and the derivative its own backward pass computes."""

import numpy as np

from nnkit.nn.activation import Softmax
from nnkit.viz.style import BLUE, FONT_SIZE, ORANGE, axes_or_new, finish


def activation_curves(activation, x=None):
    r"""Evaluate ``activation`` on the points ``x`` and return (x, f(x), f'(x)) as 1-D arrays.

    f'(x) is what the module's ``backward`` returns for :math:`\partial L/\partial y = 1`, i.e.
    :math:`1 \cdot f'(x)` for an elementwise function, so a plot of it shows exactly
    what the code computes (a wrong derivative shows up as a wrong curve).

    ``x`` defaults to ``np.linspace(-5, 5, 401)``; it is fed as a batch of
    shape (N, 1). ``Softmax`` is not elementwise: it is applied to each row
    :math:`(x, 0)` and the first component :math:`e^x/(e^x + 1)` (the sigmoid!)
    is plotted, with the derivative of that component with respect to x.
    """
    x = np.linspace(-5, 5, 401) if x is None else np.asarray(x, dtype=np.float64).reshape(-1)
    if isinstance(activation, Softmax):
        rows = np.stack([x, np.zeros_like(x)], axis=1)  # (N, 2): the vector (x, 0) for every x
        y = activation(rows)[:, 0]
        # backward of the output's first component: dL/dy = (1, 0) picks dy_0/dx_0 from the Jacobian
        slope = activation.backward(np.stack([np.ones_like(x), np.zeros_like(x)], axis=1))[:, 0]
        return x, y, slope
    batch = x.reshape(-1, 1)
    y = activation(batch)
    slope = activation.backward(np.ones_like(y))
    return x, np.asarray(y).reshape(-1), np.asarray(slope).reshape(-1)


def plot_activation(activation, x=None, ax=None, derivative=True):
    """Plot f(x) and, if ``derivative``, f'(x) of an nnkit activation module; returns the Axes.

    The derivative comes from the module's own ``backward`` (see :func:`activation_curves`).
    For ``Softmax`` the curve is the first component of softmax((x, 0)) against x.
    """
    x, y, slope = activation_curves(activation, x)
    ax = axes_or_new(ax)
    label = "softmax((x, 0))[0]" if isinstance(activation, Softmax) else "f(x)"
    ax.plot(x, y, color=BLUE, linewidth=2.2, label=label, gid="function")
    if derivative:
        ax.plot(x, slope, color=ORANGE, linewidth=2, linestyle="--", label="f'(x) from backward()", gid="derivative")
    ax.axhline(0, color="0.6", linewidth=0.8, zorder=0)
    ax.axvline(0, color="0.6", linewidth=0.8, zorder=0)
    ax.grid(alpha=0.3)
    if derivative:
        ax.legend(fontsize=FONT_SIZE - 1, loc="best")
    return finish(ax, repr(activation), "x", "f(x) and f'(x)" if derivative else "f(x)")
