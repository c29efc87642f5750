"""How nnkit complains about bad input.

Every check names the layer (as it prints, e.g. ``Linear(3, 2)``), what it
expected and what it got, so a student sees at once which call was wrong
instead of a numpy traceback from deep inside a matrix product.

``who`` is the layer itself or a name; it is only turned into text when a
check fails, so passing checks cost almost nothing on the training path.
"""

import numbers

import numpy as np


class ShapeError(ValueError):
    """An array has the wrong number of dimensions or the wrong size."""


def describe_shape(shape):
    """``(None, 3)`` -> ``'(N, 3)'``; ``(None, 1, "H", "W")`` -> ``'(N, 1, H, W)'``.

    A free dimension is None (the batch size, printed N, when it comes first) or a
    letter naming it, such as "L" for a sequence length.
    """
    parts = ["N" if size is None and index == 0 else "*" if size is None else str(size)
             for index, size in enumerate(shape)]
    return "(" + ", ".join(parts) + (",)" if len(parts) == 1 else ")")


def as_array(who, what, value, dtype=None):
    """Convert ``value`` to an ndarray, or say which argument could not be."""
    if hasattr(value, "detach"):  # a torch tensor: students compare the two
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{who}: {what} must be an array of numbers, got {type(value).__name__}") from err
    if array.dtype == object:
        raise TypeError(f"{who}: {what} must be an array of numbers, got {type(value).__name__}")
    return array


def expect_shape(who, what, array, expected, hint=""):
    """Raise ShapeError unless ``array.shape`` matches ``expected``.

    ``expected`` is a tuple of sizes with None (or a letter such as "L") for a
    free dimension, e.g. ``(None, 3)`` for "a batch of 3-feature rows".
    """
    ok = array.ndim == len(expected) and all(
        not isinstance(want, numbers.Integral) or have == want for have, want in zip(array.shape, expected)
    )
    if not ok:
        message = f"{who}: {what} must have shape {describe_shape(expected)}, got {tuple(array.shape)}"
        if array.ndim == len(expected) - 1 and expected[0] is None:
            message += "; inputs are batched, so add a batch axis, e.g. x[None] or x.reshape(1, -1)"
        raise ShapeError(message + (f"; {hint}" if hint else ""))
    return array


def expect_same_shape(who, what_a, a, what_b, b):
    """Raise ShapeError unless two arrays have the same shape (nnkit never broadcasts silently)."""
    if a.shape != b.shape:
        raise ShapeError(
            f"{who}: {what_a} and {what_b} must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def expect_finite(who, what, array):
    """Raise ValueError if ``array`` holds NaN or infinity (they would spread silently)."""
    if not np.isfinite(array).all():  # the method: half the call overhead of np.all, for every loss call
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(f"{who}: {what} contains {array[tuple(bad)]} at index {tuple(int(i) for i in bad)}")


def expect_positive_int(who, name, value):
    """Sizes (features, channels, kernel sizes, ...) are positive integers."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{who}: {name} must be a positive integer, got {value!r}")
    return int(value)


def expect_nonnegative_number(who, name, value):
    """Rates, slopes and thresholds are real numbers >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{who}: {name} must be a number >= 0, got {value!r}")
    return float(value)


def expect_input(layer, x, expected, dtype, what="input"):
    """Convert a layer's input to an ndarray of ``dtype`` and check its shape against ``expected``."""
    return expect_shape(layer, what, as_array(layer, what, x, dtype=dtype), expected)
