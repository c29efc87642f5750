"""Data sets for the course, all in memory and offline: nothing is ever downloaded.

* ``logic_gate(name)`` — the truth tables of AND, OR, NAND, NOR, XOR
* ``blobs``, ``moons``, ``circles``, ``spirals`` — seeded 2-D toy classification sets
* ``people()`` — the four-person weight/height/gender table of the lecture notes
* ``load_digits()`` — 1,797 real handwritten digits, 8×8 (UCI, via scikit-learn)

Every set returns ``(X, y)`` with samples as rows (batch-first, as in PyTorch);
``people()`` returns a record holding ``X`` and ``y`` among its columns.
"""

from nnkit.datasets.digits import load_digits
from nnkit.datasets.logic import GATES, logic_gate
from nnkit.datasets.people import People, people
from nnkit.datasets.toy2d import blobs, circles, moons, spirals

__all__ = ["GATES", "People", "blobs", "circles", "load_digits", "logic_gate", "moons", "people", "spirals"]
