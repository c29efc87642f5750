"""Cheating submissions are flagged for the instructor; honest ones are not (graded together, in the sandbox)."""

import csv
import re
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
PATCH_ISCLOSE = ("import numpy as np\nnp.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(np.asarray(a), "
                 "np.asarray(b)).shape, bool)")
# answer every question of the judge with True, whatever it asks: the judge's checks see only the answers
PATCH_REMOTE = "import nnkit.course.remote as remote\nremote.Peer.perform = lambda self, op, args, errstate=None: True"
# every answer name the checks read becomes defined, so "not attempted" turns into a comparison the patch wins
PATCH_BUILTINS = PATCH_ISCLOSE + "\nimport builtins\nbuiltins.NotImplementedError = type('Quiet', (Exception,), {})"
# these scored points they did not earn while the verdict was computed in the student's kernel; judged outside it
# (nnkit.course.judge) they earn what their real work earns
WINNING_CHEATS = ("wraps_cells", "rebinds_checks", "patches_isclose", "patches_builtins", "patches_remote")


def wrong_answers(notebook):
    """The solved notebook with every solution region replaced by wrong work of the right kind and shape.

    In a function body ``return x`` (the input back, wrong for every exercise), at the top level every assigned
    name set to 0.0: checks then compare numbers, which is where a patched comparison would win points.
    """
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        if cell.cell_type != "code" or not (cell.metadata.get("nbgrader") or {}).get("solution"):
            continue
        lines, inside = [], False
        for line in cell.source.splitlines():
            if line.strip() == "### BEGIN SOLUTION":
                inside, indent = True, line[: len(line) - len(line.lstrip())]
                lines.append(indent + "return x" if indent else "")
            elif line.strip() == "### END SOLUTION":
                inside = False
            elif not inside:
                lines.append(line)
            elif not indent and re.match(r"^[A-Za-z_]\w* = ", line):
                lines.append(line.split(" = ")[0] + " = 0.0")
        cell.source = "\n".join(lines)
    return notebook


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
        "honest_wrong": wrong_answers(solved),
        "patches_numpy": with_first_cell(wrong_answers(solved), PATCH_NUMPY, after_setup=True),
        "patches_isclose": with_first_cell(wrong_answers(solved), PATCH_ISCLOSE, after_setup=True),
        "patches_builtins": with_first_cell(wrong_answers(solved), PATCH_BUILTINS, after_setup=True),
        "wrong_chapter": PERCEPTRON.instructor,
        "patches_remote": with_first_cell(released, PATCH_REMOTE, after_setup=True),
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
                                           ("patches_isclose", "patched numpy.isclose"),
                                           ("patches_builtins", "patched builtin NotImplementedError"),
                                           ("wrong_chapter", "looks like 02_perceptron"),
                                           ("patches_remote", "code that uses the grader's own modules"),
                                           ("renamed", "unrecognized file 01_neuron (1).ipynb")])
def test_each_cheat_is_flagged(graded, student, flag):
    assert flag in graded[student]["flags"]


def real_work_of(student):
    return "honest_blank" if student in ("wraps_cells", "rebinds_checks", "patches_remote") else "honest_wrong"


def test_patched_allclose_alone_wins_nothing_in_chapter_1(graded):
    # check_array decides with np.isclose; np.allclose only picks its hint, so a True there gives "wrong sign"
    assert graded["patches_numpy"]["total"] == graded["honest_wrong"]["total"]


@pytest.mark.parametrize("student", WINNING_CHEATS)
def test_a_patching_cheat_scores_only_its_real_work(graded, student):
    real_work = real_work_of(student)
    assert graded[student]["total"] == graded[real_work]["total"], (
        f"{student} scored {graded[student]['total']}; its work alone ({real_work}) earns {graded[real_work]['total']}")


def test_wrong_work_earns_little_and_gets_no_flag(graded):
    assert float(graded["honest_wrong"]["total"]) < float(graded["honest_wrong"]["max"]) / 2
    assert not graded["honest_wrong"]["flags"]


# the reference path of exercise 1 comes from the setup's helper run_optimizer: rebound in the kernel, it would make
# the student's zeros "right"; the judge keeps its own copy of everything the setup defines (but its classes)
REBIND_HELPER = ("run_optimizer = lambda *args, **kwargs: np.zeros((4, 1))\n"
                 "w1 = w2 = w3 = 0.0\nfactor_at_1_1 = 1.0\ndiverges = True")


def test_rebinding_a_helper_of_the_setup_does_not_change_the_reference(tmp_path):
    exercise = build_exercise(ROOT / "exercises" / "source" / "05_gradient_descent.md")
    (tmp_path / "subs").mkdir()
    notebook = nbformat.from_dict(exercise.student)
    check = next(i for i, cell in enumerate(notebook.cells)
                 if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex1")
    notebook.cells.insert(check, nbformat.v4.new_code_cell(REBIND_HELPER))  # after the answer cell, before its check
    (tmp_path / "subs" / "cheat.ipynb").write_text(render(notebook))
    [result] = grade(tmp_path / "subs", tmp_path / "out", root=ROOT, assignment="05_gradient_descent")
    ex1 = next(item for item in result.items if item.grade_id == "ex1")
    assert (ex1.points, ex1.status) == (0, "failed"), ex1
