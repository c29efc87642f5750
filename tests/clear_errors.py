"""The one check behind every bad-input table: the call raises the right error, and its message has the words."""

import pytest


def assert_clear_error(call, error, words):
    """``call()`` raises ``error`` whose message contains each of ``words`` (the layer, expected and actual)."""
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"
