"""The only form in which values leave a student's sandbox: plain data, read as hostile input.

The grader's judge (:mod:`nnkit.course.judge`) computes every verdict outside the student's kernel; the kernel only
answers its questions (:mod:`nnkit.course.remote`), and what it answers is decoded with :func:`decode`. Everything
the student's interpreter writes is untrusted, so the format admits data and nothing else:

* JSON text (never pickle), at most ``MAX_BYTES`` long and ``MAX_DEPTH`` containers deep;
* scalars: ``None``, ``bool``, ``int``, ``float`` (NaN and infinities included), ``str``;
* containers, each a one-key JSON object: ``{"list": [...]}``, ``{"tuple": [...]}``, ``{"dict": [[key, value], ...]}``
  (keys are scalars or tuples of scalars);
* arrays: ``{"array": base64 of np.save}``, read back with ``np.load(allow_pickle=False)``, numeric or boolean dtypes
  only (no object, string or structured arrays);
* handles, ``{"handle": {...}}``, only where the reader passed ``resolve`` (the judge's connection to a kernel):
  a name for an object that stays on the other side, which ``resolve`` checks and looks up, never code.

Anything else in the bytes is a :class:`WireError` naming what was wrong and where, so a forged or truncated emission
is a failed check, never a crash of the grader and never code run outside the sandbox.
"""

import base64
import binascii
import io
import json

import numpy as np

MAX_BYTES = 50_000_000
MAX_DEPTH = 32
ARRAY_KINDS = "biufc"  # bool, signed and unsigned integers, floats, complex


class WireError(ValueError):
    """Emitted bytes that are not plain data in the wire format (says what, and where)."""


def encode(value, handle=None):
    """``value`` (plain data) as wire text; ``TypeError`` naming the first object that is not plain data.

    With ``handle``, an object that is not plain data travels as ``{"handle": handle(object)}`` instead (a JSON
    object naming it, for :mod:`nnkit.course.remote`); the other side gets it back from ``decode(..., resolve)``.
    """
    return json.dumps(_encode(value, "value", 0, handle), allow_nan=True, separators=(",", ":"))


def _encode(value, where, depth, handle=None):
    if depth > MAX_DEPTH:
        raise TypeError(f"{where}: nested more than {MAX_DEPTH} containers deep")
    if value is None or isinstance(value, (bool, str)) or type(value) in (int, float):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind not in ARRAY_KINDS:
            raise TypeError(f"{where}: an array of dtype {array.dtype} is not numbers")
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        key = "array" if isinstance(value, np.ndarray) else "scalar"
        return {key: base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, (int, float)):  # int and float subclasses (e.g. a bool-like enum) travel as their value
        return int(value) if isinstance(value, int) else float(value)
    if isinstance(value, (list, tuple)):
        items = [_encode(item, f"{where}[{i}]", depth + 1, handle) for i, item in enumerate(value)]
        return {"list" if isinstance(value, list) else "tuple": items}
    if isinstance(value, dict):
        return {"dict": [[_encode(key, f"{where} key", depth + 1, handle),
                          _encode(item, f"{where}[{key!r}]", depth + 1, handle)] for key, item in value.items()]}
    if handle is not None:
        return {"handle": handle(value)}
    raise TypeError(f"{where}: a {type(value).__name__} is not plain data (numbers, strings, arrays, lists, "
                    "tuples, dicts)")


def decode(text, resolve=None):
    """The value in wire ``text`` (str or bytes from the sandbox), or WireError; never runs code, never unpickles.

    ``{"handle": body}`` becomes ``resolve(body)`` (which must check ``body`` itself); without ``resolve`` it is a
    WireError.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise WireError(f"the emitted data is {len(text)} bytes, over the {MAX_BYTES}-byte limit")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            raise WireError(f"the emitted data is not UTF-8 text ({err})") from None
    if not isinstance(text, str):
        raise WireError(f"expected text or bytes, got {type(text).__name__}")
    if len(text) > MAX_BYTES:
        raise WireError(f"the emitted data is {len(text)} characters, over the {MAX_BYTES} limit")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise WireError(f"the emitted data is not JSON ({err})") from None
    return _decode(raw, "value", 0, resolve)


def _decode(raw, where, depth, resolve=None):
    if depth > MAX_DEPTH:
        raise WireError(f"{where}: nested more than {MAX_DEPTH} containers deep")
    if raw is None or isinstance(raw, (bool, int, float, str)):
        return raw
    if isinstance(raw, list):
        raise WireError(f"{where}: a bare JSON list (lists travel as {{\"list\": [...]}})")
    if not isinstance(raw, dict) or len(raw) != 1:
        raise WireError(f"{where}: a JSON object must have exactly one key (list, tuple, dict, array or scalar)")
    (kind, body), = raw.items()
    if kind in ("list", "tuple"):
        if not isinstance(body, list):
            raise WireError(f"{where}: {kind} must hold a JSON list, got {type(body).__name__}")
        items = [_decode(item, f"{where}[{i}]", depth + 1, resolve) for i, item in enumerate(body)]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        if not isinstance(body, list) or not all(isinstance(pair, list) and len(pair) == 2 for pair in body):
            raise WireError(f"{where}: dict must hold a list of [key, value] pairs")
        result = {}
        for key, item in body:
            key = _decode(key, f"{where} key", depth + 1)  # keys are data: never a handle
            if not _hashable_scalar(key):
                raise WireError(f"{where}: a dict key must be a scalar or a tuple of scalars, got {type(key).__name__}")
            result[key] = _decode(item, f"{where}[{key!r}]", depth + 1, resolve)
        return result
    if kind in ("array", "scalar"):
        array = _array(body, where)
        if kind == "scalar":
            if array.ndim != 0:
                raise WireError(f"{where}: a scalar must be a 0-d array, got shape {array.shape}")
            return array[()]
        return array
    if kind == "handle" and resolve is not None:
        if not isinstance(body, dict):
            raise WireError(f"{where}: a handle must be a JSON object")
        return resolve(body)
    raise WireError(f"{where}: unknown kind {kind!r} (expected list, tuple, dict, array or scalar)")


def _hashable_scalar(key):
    if isinstance(key, tuple):
        return all(_hashable_scalar(part) for part in key)
    return key is None or isinstance(key, (bool, int, float, str, np.generic))


def _array(body, where):
    if not isinstance(body, str):
        raise WireError(f"{where}: an array must be base64 text, got {type(body).__name__}")
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as err:
        raise WireError(f"{where}: the array is not valid base64 ({err})") from None
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError, TypeError) as err:
        raise WireError(f"{where}: the array is not a .npy array of numbers ({err})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in ARRAY_KINDS or array.dtype.fields is not None:
        raise WireError(f"{where}: an array of dtype {getattr(array, 'dtype', '?')} is not numbers")
    return array
