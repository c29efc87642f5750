"""A real data set that needs no download: 1,797 handwritten digits as 8×8 images.

The UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin &
Kaynak, 1998), the copy scikit-learn ships as ``load_digits``; the file and
its licence note live in ``nnkit/datasets/data/``. Each image counts, in each
4×4 block of a 32×32 black-and-white scan, how many pixels are ink: 0..16.
"""

import gzip
from pathlib import Path

import numpy as np

DIGITS_FILE = Path(__file__).parent / "data" / "digits.csv.gz"


def load_digits(as_images=False):
    """The 1,797 digits and their labels, in the file's (and scikit-learn's) order.

    * ``load_digits()`` -> ``(X, y)``: X float64 (1797, 64), each row one image
      read row by row, pixel values 0..16; y int64 (1797,), the digit 0..9.
    * ``load_digits(as_images=True)`` -> ``(images, y)``: images float64
      (1797, 8, 8), the same numbers as X reshaped; ``images[:, None]`` gives
      the (N, 1, 8, 8) a ``Conv2d(1, ...)`` expects.

    Divide by 16 (or standardize on the training split) before training.
    Classes are nearly balanced (174 to 183 images each).
    """
    if not isinstance(as_images, bool):
        raise TypeError(f"load_digits: as_images must be True or False, got {as_images!r}")
    with gzip.open(DIGITS_FILE, "rt") as file:
        table = np.loadtxt(file, delimiter=",")
    X, y = table[:, :-1], table[:, -1].astype(np.int64)
    return (X.reshape(-1, 8, 8), y) if as_images else (X, y)
