"""Logic gates as data sets: the four rows of a truth table and the gate's output.

A single neuron can learn AND, OR, NAND and NOR (a straight line separates
the 1s from the 0s); XOR needs a hidden layer, which is why it opens the MLP chapter.
"""

import numpy as np

TRUTH_TABLE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)

GATES = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "NAND": [1, 1, 1, 0],
    "NOR": [1, 0, 0, 0],
    "XOR": [0, 1, 1, 0],
}


def logic_gate(name):
    """The truth table of gate ``name`` ("AND", "OR", "NAND", "NOR" or "XOR", any case) as ``(X, y)``.

    X is float64 (4, 2), the input rows [0, 0], [0, 1], [1, 0], [1, 1] in that
    order; y is int64 (4,), the gate's output for each row. Fresh arrays on
    every call, so changing them changes nothing here.
    """
    key = name.upper() if isinstance(name, str) else None
    if key not in GATES:
        raise ValueError(f"logic_gate: unknown gate {name!r}; valid names are {', '.join(GATES)} (any case)")
    return TRUTH_TABLE_INPUTS.copy(), np.array(GATES[key], dtype=np.int64)
