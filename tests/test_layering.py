"""The core imports numpy only; drawings sit above it, widgets above drawings; nothing imports the notebooks."""

import ast
import sys
from pathlib import Path

import pytest

NNKIT = Path(__file__).resolve().parent.parent / "nnkit"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
# layer -> third-party packages it may import (beyond numpy and nnkit itself); PIL is matplotlib's own dependency
# (the website's pre-rendered pictures are stored with a small palette)
ALLOWED = {"core": set(), "viz": {"matplotlib"}, "widgets": {"matplotlib", "PIL", "ipywidgets", "IPython"},
           "course": {"nbformat", "nbclient", "jupytext", "yaml"}}


def layer_of(path):
    parts = path.relative_to(NNKIT).parts
    return parts[0] if parts[0] in ("viz", "widgets", "course") else "core"


def imported_packages(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def nnkit_layers_imported(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
        for name in names:
            parts = name.split(".")
            if parts[0] == "nnkit" and len(parts) > 1 and parts[1] in ("viz", "widgets", "course"):
                yield parts[1]


SOURCES = sorted(NNKIT.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(NNKIT)))
def test_imports_respect_layers(path):
    layer = layer_of(path)
    allowed = {"numpy", "nnkit"} | STDLIB | ALLOWED[layer]
    foreign = set(imported_packages(path)) - allowed
    assert not foreign, f"{path.name} ({layer} layer) imports {sorted(foreign)}"
    above = {"core": {"viz", "widgets", "course"}, "viz": {"widgets", "course"}, "widgets": {"course"},
             "course": {"viz", "widgets"}}[layer]
    upward = set(nnkit_layers_imported(path)) & above
    assert not upward, f"{path.name} ({layer} layer) imports nnkit.{sorted(upward)}"
