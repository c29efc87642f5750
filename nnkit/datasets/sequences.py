r"""Toy sequence sets for recurrent networks: a noisy sine to forecast, and a first input to remember.

Both return batch-first arrays, as ``nnkit.nn.RNN``, ``LSTM`` and ``GRU`` take
them: inputs X float64 (n_sequences, length, features).
Randomness comes from ``np.random.default_rng(seed)`` only, so the same
arguments always give the same sequences (numpy's global random state is
neither used nor changed).

* :func:`noisy_sine` — many-to-many: at every step, predict the next value.
* :func:`remember_first` — many-to-one: after ``length`` steps of noise, name
  the level of the marked first input (a long-memory task).
"""

import numpy as np

from nnkit.data import seeded_rng
from nnkit.errors import expect_nonnegative_number, expect_positive_int


def noisy_sine(n_sequences=200, length=40, noise=0.1, periods=(12.0, 30.0), seed=0):
    r"""Windows of noisy sine waves, each with the next value at every step as the target.

    Sequence n is :math:`s_t = \sin(2\pi t / P_n + \varphi_n) + \sigma\varepsilon_t`, t = 0 .. length,
    with a period :math:`P_n` drawn uniformly from ``periods`` (in steps), a phase
    :math:`\varphi_n` uniform in :math:`[0, 2\pi)` and :math:`\varepsilon_t \sim N(0, 1)`,
    :math:`\sigma` = ``noise``. The input is :math:`s_0 .. s_{L-1}`, the target the same
    series one step later, :math:`s_1 .. s_L`: ``y[:, t] == X[:, t + 1, 0]``.

    The noise in the target cannot be predicted, so no model gets a mean squared
    error below about :math:`\sigma^2` on average. One value alone does not tell
    whether the wave is rising or falling, nor its period: a forecaster needs memory.

    Returns ``(X, y)``: X (n_sequences, length, 1), y (n_sequences, length).
    """
    who = "noisy_sine"
    n_sequences = expect_positive_int(who, "n_sequences", n_sequences)
    length = expect_positive_int(who, "length", length)
    noise = expect_nonnegative_number(who, "noise", noise)
    shortest, longest = periods
    if not 0 < shortest <= longest:
        raise ValueError(f"{who}: periods must be (shortest, longest) with 0 < shortest <= longest, got {periods!r}")
    rng = seeded_rng(who, seed)
    period = rng.uniform(shortest, longest, size=(n_sequences, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n_sequences, 1))
    t = np.arange(length + 1)
    series = np.sin(2 * np.pi * t / period + phase) + noise * rng.standard_normal((n_sequences, length + 1))
    return series[:, :-1, None], series[:, 1:]


def remember_first(n_sequences=1000, length=25, classes=4, noise=1.0, seed=0):
    r"""Sequences whose label is the level of their first input; everything after it is distracting noise.

    Each step has two features, a value and a marker. At t = 1 the value is one of
    ``classes`` evenly spaced levels in [-1, 1] (for 4 classes: -1, -1/3, 1/3, 1) and the
    marker is 1; at t = 2 .. length the value is noise :math:`\sigma\varepsilon_t`,
    :math:`\varepsilon_t \sim N(0, 1)`, :math:`\sigma` = ``noise``, and the marker is 0.
    The label is the index of the first value's level, so guessing scores ``1 / classes``.
    A many-to-one model reads the whole sequence and answers at the end: it must
    carry the first value over ``length - 1`` steps while ignoring values of the same size.

    Returns ``(X, y)``: X (n_sequences, length, 2), y int64 (n_sequences,) in [0, classes).
    """
    who = "remember_first"
    n_sequences = expect_positive_int(who, "n_sequences", n_sequences)
    length = expect_positive_int(who, "length", length)
    classes = expect_positive_int(who, "classes", classes)
    if classes < 2:
        raise ValueError(f"{who}: classes must be at least 2, got {classes}")
    noise = expect_nonnegative_number(who, "noise", noise)
    rng = seeded_rng(who, seed)
    labels = rng.integers(0, classes, size=n_sequences)
    X = np.zeros((n_sequences, length, 2))
    X[:, :, 0] = noise * rng.standard_normal((n_sequences, length))
    X[:, 0, 0] = np.linspace(-1, 1, classes)[labels]
    X[:, 0, 1] = 1.0
    return X, labels.astype(np.int64)
