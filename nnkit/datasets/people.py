"""The four people of the lecture notes: predict gender from weight and height.

The notes (after victorzhou.com's "Intro to neural networks") train a 2-2-1
network on this table with MSE; ``people()`` hands a chapter the same numbers.
"""

from dataclasses import dataclass

import numpy as np

WEIGHT_SHIFT = 135  # lb
HEIGHT_SHIFT = 66  # in


@dataclass(frozen=True)
class People:
    """The table, column by column; row i of every field is person ``names[i]``.

    * ``names`` — ("Alice", "Bob", "Charlie", "Diana")
    * ``weight`` (4,) in pounds, ``height`` (4,) in inches, ``gender`` ("F" or "M")
    * ``X`` float64 (4, 2): the shifted features [weight − 135, height − 66], as in the notes
    * ``y`` int64 (4,): the label, Female = 1, Male = 0
    """

    names: tuple
    weight: np.ndarray
    height: np.ndarray
    gender: tuple
    X: np.ndarray
    y: np.ndarray

    def __repr__(self):
        rows = "\n".join(
            f"  {name:<8}{w:>7.0f}{h:>7.0f}{g:>7}{x0:>9.0f}{x1:>9.0f}{label:>4}"
            for name, w, h, g, (x0, x1), label in zip(
                self.names, self.weight, self.height, self.gender, self.X, self.y, strict=True
            )
        )
        header = f"  {'name':<8}{'lb':>7}{'in':>7}{'gender':>7}{'lb-135':>9}{'in-66':>9}{'y':>4}"
        return f"People(\n{header}\n{rows}\n)"


def people():
    """Alice 133 lb/65 in/F, Bob 160/72/M, Charlie 152/70/M, Diana 120/60/F, as a ``People`` record.

    ``X`` subtracts 135 lb and 66 in, the notes' shifts: arbitrary round
    numbers chosen so the features come out small (Alice becomes [-2, -1]).
    Normally one subtracts the mean of the training data instead (here
    141.25 lb and 66.75 in), e.g. with ``nnkit.data.Standardizer``; the fixed
    shifts are kept so a chapter reproduces the notes' worked numbers exactly.
    """
    weight = np.array([133.0, 160.0, 152.0, 120.0])
    height = np.array([65.0, 72.0, 70.0, 60.0])
    gender = ("F", "M", "M", "F")
    return People(
        names=("Alice", "Bob", "Charlie", "Diana"),
        weight=weight,
        height=height,
        gender=gender,
        X=np.column_stack([weight - WEIGHT_SHIFT, height - HEIGHT_SHIFT]),
        y=np.array([1 if g == "F" else 0 for g in gender], dtype=np.int64),
    )
