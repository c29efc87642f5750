"""The floating-point type new parameters are created with.

float64 is the default because gradient checking needs its precision;
float32 halves memory and is faster, as in PyTorch.
"""

import numpy as np

_SUPPORTED = (np.float32, np.float64)
_default = np.float64


def set_default_dtype(dtype):
    """Make ``dtype`` (np.float32 or np.float64) the type of new parameters."""
    global _default
    _default = resolve_dtype(dtype)


def get_default_dtype():
    """The type new parameters get when no ``dtype=`` is given."""
    return _default


def resolve_dtype(dtype=None):
    """``None`` -> the default; otherwise check that ``dtype`` is float32 or float64."""
    if dtype is None:
        return _default
    resolved = np.dtype(dtype).type
    if resolved not in _SUPPORTED:
        raise ValueError(f"nnkit supports float32 and float64, got {np.dtype(dtype).name}")
    return resolved
