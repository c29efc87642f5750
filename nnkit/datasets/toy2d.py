r"""Two-dimensional toy classification sets: points in the plane, an integer class per point.

Every function returns ``(X, y)``: X float64 (n_samples, 2), y int64
(n_samples,) labels 0, 1, ..., and draws its randomness from
``np.random.default_rng(seed)`` only, so the same arguments always give the
same points (numpy's global random state is neither used nor changed) and a
different seed gives a different draw.

The samples are split evenly over the classes; when ``n_samples`` is not a
multiple of the number of classes, the first ``n_samples % n_classes``
classes get one extra sample. Rows come grouped by class (all of class 0,
then class 1, ...): shuffle before slicing, e.g. with
``nnkit.data.train_test_split`` or ``nnkit.data.DataLoader``.
"""

import numbers

import numpy as np

from nnkit.data import seeded_rng
from nnkit.errors import (
    ShapeError,
    as_array,
    expect_nonnegative_number,
    expect_positive_int,
)


def class_sizes(who, n_samples, n_classes):
    """How many of ``n_samples`` go to each class: as even as possible, the first classes taking the remainder."""
    n_samples = expect_positive_int(who, "n_samples", n_samples)
    if n_samples < n_classes:
        raise ValueError(f"{who}: n_samples={n_samples} is too few for {n_classes} classes (at least one each)")
    sizes = np.full(n_classes, n_samples // n_classes)
    sizes[: n_samples % n_classes] += 1
    return sizes


def class_labels(sizes):
    """[2, 3] -> [0, 0, 1, 1, 1]: the label of every sample, grouped by class."""
    return np.repeat(np.arange(len(sizes)), sizes)


def blobs(n_samples=200, centers=2, std=1.0, seed=0):
    r"""Gaussian clouds, one per class k: :math:`x = c_k + \sigma \varepsilon` with :math:`\varepsilon \sim N(0, I)`.

    :math:`\sigma` is ``std``. ``centers`` is either a number of classes k,
    placed evenly on a circle of radius 3 around the origin (so two classes sit
    6 apart and ``std`` alone decides how much they overlap), or an array (k, 2)
    of the centers themselves. Class k is the cloud around center k.
    """
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        n_classes = expect_positive_int("blobs", "centers", centers)
        angle = 2 * np.pi * np.arange(n_classes) / n_classes
        centers = 3.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    else:
        centers = as_array("blobs", "centers", centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[1] != 2 or len(centers) == 0:
            raise ShapeError(f"blobs: centers must be a class count or an array of shape (k, 2), got {centers.shape}")
    std = expect_nonnegative_number("blobs", "std", std)
    rng = seeded_rng("blobs", seed)
    y = class_labels(class_sizes("blobs", n_samples, len(centers)))
    return centers[y] + std * rng.normal(size=(len(y), 2)), y


def moons(n_samples=200, noise=0.1, seed=0):
    r"""Two interleaving half circles of radius 1 (scikit-learn's ``make_moons``).

    Class 0 is the upper arc :math:`(\cos t, \sin t)`, class 1 the lower arc
    :math:`(1 - \cos t, \tfrac12 - \sin t)`, with :math:`t` evenly spaced over
    :math:`[0, \pi]`; then Gaussian noise of standard deviation ``noise`` is
    added to both coordinates. No straight line separates the classes.
    """
    noise = expect_nonnegative_number("moons", "noise", noise)
    rng = seeded_rng("moons", seed)
    upper_size, lower_size = class_sizes("moons", n_samples, 2)
    upper = np.linspace(0, np.pi, upper_size)
    lower = np.linspace(0, np.pi, lower_size)
    X = np.concatenate([
        np.column_stack([np.cos(upper), np.sin(upper)]),
        np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)]),
    ])
    return X + noise * rng.normal(size=X.shape), class_labels([upper_size, lower_size])


def circles(n_samples=200, noise=0.05, factor=0.5, seed=0):
    r"""A ring inside a ring (scikit-learn's ``make_circles``).

    Class 0 is the outer circle of radius 1, class 1 the inner circle of
    radius ``factor`` (0 < factor < 1), points evenly spaced in angle; then
    Gaussian noise of standard deviation ``noise`` is added to both coordinates.
    A model needs :math:`x_1^2 + x_2^2` (or a hidden layer) to separate them.
    """
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"circles: factor is the inner radius over the outer one, a number in (0, 1); got {factor!r}")
    noise = expect_nonnegative_number("circles", "noise", noise)
    rng = seeded_rng("circles", seed)
    outer_size, inner_size = class_sizes("circles", n_samples, 2)
    outer = np.linspace(0, 2 * np.pi, outer_size, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, inner_size, endpoint=False)
    X = np.concatenate([
        np.column_stack([np.cos(outer), np.sin(outer)]),
        factor * np.column_stack([np.cos(inner), np.sin(inner)]),
    ])
    return X + noise * rng.normal(size=X.shape), class_labels([outer_size, inner_size])


def spirals(n_samples=200, n_classes=2, noise=0.2, seed=0):
    r"""``n_classes`` spiral arms winding out of the centre, one per class (the CS231n spiral).

    Along arm k the radius grows evenly from 0.1 to 1 while the angle turns:

    .. math::  x = r (\cos\theta, \sin\theta), \qquad
               \theta = \frac{2\pi k}{K} + 3\pi r + \text{noise} \cdot \varepsilon,
               \quad \varepsilon \sim N(0, 1)

    so each arm makes about one and a half turns and neighbouring arms are
    :math:`2\pi/K` apart in angle. ``noise`` is the standard deviation of the
    angle's jitter in radians (it moves a point along its circle), not of the
    coordinates as in ``moons``. Hard for linear models, easy for a small MLP.
    """
    n_classes = expect_positive_int("spirals", "n_classes", n_classes)
    noise = expect_nonnegative_number("spirals", "noise", noise)
    rng = seeded_rng("spirals", seed)
    sizes = class_sizes("spirals", n_samples, n_classes)
    y = class_labels(sizes)
    radius = np.concatenate([np.linspace(0.1, 1.0, size) for size in sizes])
    angle = 2 * np.pi * y / n_classes + 3 * np.pi * radius + noise * rng.normal(size=len(y))
    return radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]), y
