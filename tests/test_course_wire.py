"""The wire format by which values leave a student's sandbox: data round-trips, forged bytes never run code."""

import base64
import io
import json
import pickle

import numpy as np
import pytest

from nnkit.course.wire import MAX_BYTES, MAX_DEPTH, WireError, decode, encode


def test_plain_data_round_trips_with_types_and_dtypes_kept():
    value = {"z": 1.5, "n": 3, "ok": True, "none": None, "name": "relu", ("a", 1): [np.arange(6).reshape(2, 3)],
             "pair": (np.float32(0.25), np.array([True, False])), "bad": [float("nan"), float("inf")]}
    back = decode(encode(value))
    assert set(back) == set(value)
    assert back["pair"][0] == np.float32(0.25) and back["pair"][0].dtype == np.float32
    assert isinstance(back["pair"], tuple) and isinstance(back[("a", 1)], list)
    np.testing.assert_array_equal(back[("a", 1)][0], value[("a", 1)][0])
    assert back[("a", 1)][0].dtype == value[("a", 1)][0].dtype
    assert np.isnan(back["bad"][0]) and back["bad"][1] == np.inf
    assert type(back["n"]) is int and back["ok"] is True and back["none"] is None


def test_encode_refuses_objects_that_are_not_data_and_names_them():
    with pytest.raises(TypeError, match=r"value\[1\]: a function is not plain data"):
        encode([1, lambda: 2])
    with pytest.raises(TypeError, match="dtype object is not numbers"):
        encode(np.array([None, 1], dtype=object))


def npy_text(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return base64.b64encode(buffer.getvalue()).decode()


class Boom:
    def __reduce__(self):
        return (exec, ("import os; os._exit(3)",))


@pytest.mark.parametrize("forged, problem", [
    (pickle.dumps(Boom()), "not UTF-8|not JSON"),
    (json.dumps({"array": npy_text(np.array([Boom()], dtype=object), allow_pickle=True)}), "not a .npy array"),
    (json.dumps({"array": npy_text(np.array(["abc"]))}), "dtype <U3 is not numbers"),
    (json.dumps({"array": "not base64!"}), "not valid base64"),
    (json.dumps({"array": base64.b64encode(b"\x93NUMPY\x01\x00junk").decode()}), "not a .npy array"),
    (json.dumps({"code": "print(1)"}), "unknown kind 'code'"),
    (json.dumps([1, 2]), "bare JSON list"),
    (json.dumps({"list": [], "tuple": []}), "exactly one key"),
    (json.dumps({"dict": [[{"list": [1]}, 2]]}), "dict key must be a scalar"),
    (json.dumps({"scalar": npy_text(np.zeros(2))}), "must be a 0-d array"),
    ("[" * 100_000 + "]" * 100_000, "not JSON|bare JSON list"),
    ('{"list": [' * (MAX_DEPTH + 2) + "1" + "]}" * (MAX_DEPTH + 2), "more than 32 containers deep"),
    (b"x" * (MAX_BYTES + 1), "over the"),
])
def test_forged_emissions_are_a_wire_error_never_code(forged, problem):
    with pytest.raises(WireError, match=problem):
        decode(forged)
