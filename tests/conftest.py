"""Shared by every test: figures a test drew are closed after it (matplotlib warns past 20 open figures)."""

import sys

import pytest


@pytest.fixture(autouse=True)
def close_figures():
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")  # only if the test drew: core tests never import matplotlib
    if pyplot is not None:
        pyplot.close("all")
