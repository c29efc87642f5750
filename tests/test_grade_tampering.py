"""Cheating submissions are flagged for the instructor; honest ones are not (graded together, in the sandbox)."""

import csv
from pathlib import Path

import nbformat
import pytest

from nnkit.course import sandbox
from nnkit.course.grade import grade
from nnkit.course.release import build_exercise, render

ROOT = Path(__file__).resolve().parent.parent
NEURON = build_exercise(ROOT / "exercises" / "source" / "01_neuron.md")
PERCEPTRON = build_exercise(ROOT / "exercises" / "source" / "02_perceptron.md")

pytestmark = pytest.mark.skipif(sandbox.bwrap_path() is None, reason="bubblewrap is not installed")

WRAP_EVERY_CELL = '''\
def forgive(lines):
    return ["try:\\n"] + ["    " + line for line in lines] + ["\\nexcept BaseException:\\n    pass\\n"]
get_ipython().input_transformers_cleanup.append(forgive)
'''
REBIND = "check_array = check_that = lambda *args, **kwargs: None"
PATCH_NUMPY = "import numpy as np\nnp.allclose = lambda *args, **kwargs: True"


def with_first_cell(notebook, source, after_setup=False):
    notebook = nbformat.from_dict(notebook)
    position = 2 if after_setup else 0  # after the title and the setup cell, the names exist to rebind
    notebook.cells.insert(position, nbformat.v4.new_code_cell(source))
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tampering")
    submissions = folder / "submissions"
    released, solved = NEURON.student, NEURON.instructor
    setup_index = next(i for i, cell in enumerate(released.cells) if cell.cell_type == "code")
    assert setup_index == 1, "the tests insert their cheat right after the setup cell"
    cases = {
        "honest_solved": solved,
        "honest_blank": released,
        "wraps_cells": with_first_cell(released, WRAP_EVERY_CELL),
        "rebinds_checks": with_first_cell(released, REBIND, after_setup=True),
        "patches_numpy": with_first_cell(released, PATCH_NUMPY, after_setup=True),
        "wrong_chapter": PERCEPTRON.instructor,
    }
    for student, notebook in cases.items():
        (submissions / student).mkdir(parents=True)
        (submissions / student / "01_neuron.ipynb").write_text(render(notebook))
    (submissions / "renamed").mkdir()
    (submissions / "renamed" / "01_neuron (1).ipynb").write_text(render(solved))
    grade(submissions, folder / "out", root=ROOT, assignment="01_neuron")
    with open(folder / "out" / "summary.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_honest_submissions_keep_their_score_and_get_no_flag(graded):
    assert graded["honest_solved"]["total"] == graded["honest_solved"]["max"] and not graded["honest_solved"]["flags"]
    assert graded["honest_blank"]["total"] == "0" and not graded["honest_blank"]["flags"]


@pytest.mark.parametrize("student, flag", [("wraps_cells", "input transformer"),
                                           ("rebinds_checks", "rebound check check_array"),
                                           ("patches_numpy", "patched numpy.allclose"),
                                           ("wrong_chapter", "looks like 02_perceptron"),
                                           ("renamed", "unrecognized file 01_neuron (1).ipynb")])
def test_each_cheat_is_flagged(graded, student, flag):
    assert flag in graded[student]["flags"]
