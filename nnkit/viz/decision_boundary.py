"""Shade the regions a classifier assigns to each class over 2-D data and draw the boundary between them."""

import numpy as np
from matplotlib.colors import ListedColormap

from nnkit.errors import as_array, expect_shape
from nnkit.nn.module import Module
from nnkit.viz.style import BLACK, CLASS_COLORS, FONT_SIZE, axes_or_new, class_color, finish

MARKERS = "osD^v<>p"  # a shape per class as well as a colour, so classes differ without colour


def predict_labels(model, X):
    """Class labels (N,) ints that ``model`` gives the points X (N, 2).

    * an object with ``predict`` (e.g. ``nnkit.Perceptron``): ``model.predict(X)``;
    * an nnkit ``Module`` with C >= 2 outputs: the argmax over the outputs;
    * a ``Module`` with one output: a score; class 1 where it exceeds 0.5 if all
      outputs lie in [0, 1] (a probability, e.g. after a Sigmoid), else where it exceeds 0;
    * any other callable X (N, 2) -> labels (N,).
    """
    if isinstance(model, Module):
        scores = np.asarray(model(X))
        if scores.ndim == 2 and scores.shape[1] >= 2:
            return scores.argmax(axis=1)
        scores = scores.reshape(len(X))
        threshold = 0.5 if scores.min() >= 0 and scores.max() <= 1 else 0.0
        return (scores > threshold).astype(int)
    if hasattr(model, "predict"):
        return np.asarray(model.predict(X)).astype(int).reshape(len(X))
    if callable(model):
        return np.asarray(model(X)).astype(int).reshape(len(X))
    raise TypeError(f"plot_decision_boundary: model must be a Module, have predict(), or be callable; got {model!r}")


def plot_decision_boundary(model, X, y, ax=None, resolution=200, margin=0.5):
    """Scatter 2-D data X (N, 2) coloured by class y (N,), shade what ``model`` predicts, draw the boundary.

    The plane is sampled on a ``resolution`` x ``resolution`` grid reaching
    ``margin`` beyond the data; every grid point gets a label from
    :func:`predict_labels`, and the boundary is drawn where the label changes.
    Returns the Axes; the title shows the accuracy on (X, y).
    """
    X = expect_shape("plot_decision_boundary", "X", as_array("plot_decision_boundary", "X", X, float), (None, 2))
    y = expect_shape("plot_decision_boundary", "y", as_array("plot_decision_boundary", "y", y), (len(X),)).astype(int)
    ax = axes_or_new(ax)
    (x_min, y_min), (x_max, y_max) = X.min(axis=0) - margin, X.max(axis=0) + margin
    grid_x, grid_y = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    regions = predict_labels(model, grid).reshape(grid_x.shape)
    num_classes = max(int(regions.max()), int(y.max())) + 1
    boundaries = np.arange(num_classes + 1) - 0.5  # class k fills the band (k - 0.5, k + 0.5)
    colors = ListedColormap(CLASS_COLORS[:num_classes])
    ax.contourf(grid_x, grid_y, regions, levels=boundaries, cmap=colors, alpha=0.25).set_gid("regions")
    if regions.min() != regions.max():
        ax.contour(grid_x, grid_y, regions, levels=boundaries[1:-1], colors=BLACK, linewidths=1.5).set_gid("boundary")
    for label in np.unique(y):
        members = y == label
        ax.scatter(X[members, 0], X[members, 1], s=36, color=class_color(label),
                   marker=MARKERS[label % len(MARKERS)], edgecolors=BLACK, linewidths=0.6, label=f"class {label}")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.legend(fontsize=FONT_SIZE - 1, loc="best", framealpha=0.85)
    accuracy = float(np.mean(predict_labels(model, X) == y))
    return finish(ax, f"Decision regions (accuracy {accuracy:.0%})", "$x_1$", "$x_2$")
