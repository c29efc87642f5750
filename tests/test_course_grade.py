"""The autograder, end to end: real kernels, real submissions, broken ones included.

The broken submissions in tests/fixtures/submissions/ are made from the released notebooks by
``write_fixture_submissions`` below; after changing an exercise source, regenerate them with
``PYTHONPATH=. python tests/test_course_grade.py`` (a test fails while they are stale).
"""

import copy
import csv
import json
import shutil
import time
from pathlib import Path

import pytest

from nnkit.course.grade import Limits, grade
from nnkit.course.release import build_exercise, exercise_sources, render

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
EXERCISES = {exercise.name: exercise for exercise in map(build_exercise, exercise_sources(ROOT))}
NEURON = EXERCISES["01_neuron"]
NEURON_POINTS = {item.grade_id: item.points for item in NEURON.graded_items}
FULL = sum(NEURON_POINTS.values())
FIXTURE_LIMITS = Limits(timeout_cell=5, timeout_notebook=25)


def cell_index(notebook, cell_id):
    return next(i for i, cell in enumerate(notebook.cells) if cell.id == cell_id)


def replace_in_cell(notebook, cell_id, old, new):
    cell = notebook.cells[cell_index(notebook, cell_id)]
    assert old in cell.source, (cell_id, old)
    cell.source = cell.source.replace(old, new)


def fixture_submissions():
    """{relative path: file text}: one good submission and one for every way a submission can break."""
    solved = NEURON.instructor
    files = {"good/01_neuron.ipynb": render(solved)}

    broken = copy.deepcopy(solved)
    replace_in_cell(broken, "ex2-answer", "s = sigmoid(x)", "s = sigmoid(x")  # a syntax error
    files["syntax_error/01_neuron.ipynb"] = render(broken)

    looping = copy.deepcopy(solved)  # collapse() never returns, so the ex4 check cell times out
    replace_in_cell(looping, "ex4-answer", "    weight = second.weight.data",
                    "    while True:\n        pass\n    weight = second.weight.data")
    files["infinite_loop/01_neuron.ipynb"] = render(looping)

    deleted = copy.deepcopy(solved)
    del deleted.cells[cell_index(deleted, "ex2")]
    files["deleted_cell/01_neuron.ipynb"] = render(deleted)

    duplicated = copy.deepcopy(solved)  # a weakened copy of the ex1 check first, then the real one
    weakened = copy.deepcopy(duplicated.cells[cell_index(duplicated, "ex1")])
    weakened.source, weakened.id = "pass", "ex1-copy"
    duplicated.cells.insert(cell_index(duplicated, "ex1"), weakened)
    files["duplicated_cell/01_neuron.ipynb"] = render(duplicated)

    killing = copy.deepcopy(solved)
    replace_in_cell(killing, "ex3-answer", "class MyELU", "import os\nos._exit(1)\n\n\nclass MyELU")
    files["kernel_kill/01_neuron.ipynb"] = render(killing)

    chatty = copy.deepcopy(solved)
    replace_in_cell(chatty, "ex1-answer", "a = 1 / (1 + np.exp(-z))",
                    "a = 1 / (1 + np.exp(-z))\nprint('x' * 5_000_000)")
    replace_in_cell(chatty, "ex2-answer", "    s = sigmoid(x)\n", "    s = sigmoid(x)\n    print('y' * 1_000_000)\n")
    files["megabytes/01_neuron.ipynb"] = render(chatty)

    files["not_json/01_neuron.ipynb"] = "This is my homework, I wrote it in a text editor.\nz = 3\n"
    files["wrong_format/01_neuron.ipynb"] = json.dumps({"nbformat": 3, "worksheets": [{"cells": []}]}) + "\n"
    files["empty_folder/.gitkeep"] = ""

    weakened_tests = copy.deepcopy(solved)  # a naive softplus, and the ex5 check cell emptied to hide it
    replace_in_cell(weakened_tests, "ex5-answer", "return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))",
                    "return np.log(1 + np.exp(x))")
    weakened_tests.cells[cell_index(weakened_tests, "ex5")].source = "pass  # all good"
    files["weakened_tests.ipynb"] = render(weakened_tests)

    ignores_interrupt = copy.deepcopy(solved)  # swallows the interrupt of the cell timeout: only a kill stops it
    replace_in_cell(ignores_interrupt, "ex4-answer", "def collapse",
                    "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except KeyboardInterrupt:\n"
                    "        pass\n\n\ndef collapse")
    files["ignores_interrupt/01_neuron.ipynb"] = render(ignores_interrupt)
    return files


def write_fixture_submissions(folder=FIXTURES):
    for relative, text in fixture_submissions().items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    start = time.monotonic()
    results = grade(FIXTURES, out, root=ROOT, assignment="01_neuron", limits=FIXTURE_LIMITS, workers=2)
    return {(r.student, r.notebook): r for r in results}, out, time.monotonic() - start


def statuses(result):
    return {item.grade_id: item.status for item in result.items}


def test_fixtures_are_current():
    assert {str(path.relative_to(FIXTURES)): path.read_text(encoding="utf-8")
            for path in FIXTURES.rglob("*") if path.is_file()} == fixture_submissions()


def test_every_student_gets_a_row_and_the_run_is_bounded(fixture_run):
    results, out, seconds = fixture_run
    students = {"good", "syntax_error", "infinite_loop", "deleted_cell", "duplicated_cell", "kernel_kill",
                "megabytes", "not_json", "wrong_format", "empty_folder", "weakened_tests", "ignores_interrupt"}
    assert {student for student, _ in results} == students
    summary = read_csv(out / "summary.csv")
    assert sorted(row["student"] for row in summary) == sorted(students)
    scores = read_csv(out / "scores.csv")
    checks = [row for row in scores if row["status"] != "to be read"]
    assert len(checks) == len(students) * len(NEURON_POINTS)
    assert {(row["student"], row["grade_id"]) for row in checks} == {(s, g) for s in students for g in NEURON_POINTS}
    # the written answers of a notebook that ran are listed for the instructor with their points, never scored
    good_written = [(row["grade_id"], row["points"], row["max_points"]) for row in scores
                    if row["student"] == "good" and row["status"] == "to be read"]
    assert good_written == [(grade_id, "", f"{points:g}") for grade_id, points in NEURON.written_items]
    assert "ex4\\-why (1 points, to be read)" in (out / "feedback" / "good.md").read_text()
    for student in students:
        assert (out / "feedback" / f"{student}.md").is_file()
    # 12 notebooks, 2 at a time; the slowest is killed at 25 s
    assert seconds < 90


def total(results, student):
    return results[(student, "01_neuron")].total


def test_the_good_submission_gets_full_marks(fixture_run):
    results, out, _ = fixture_run
    assert total(results, "good") == FULL and set(statuses(results[("good", "01_neuron")]).values()) == {"passed"}
    good = {"student": "good", "notebook": "01_neuron", "total": f"{FULL:g}", "max": f"{FULL:g}", "flags": ""}
    assert good in read_csv(out / "summary.csv")


def test_a_syntax_error_costs_only_its_exercise_and_is_explained(fixture_run):
    results, out, _ = fixture_run
    result = results[("syntax_error", "01_neuron")]
    assert statuses(result)["ex2"] == "failed" and total(results, "syntax_error") == FULL - NEURON_POINTS["ex2"]
    assert "NameError" in result.items[1].message
    assert any("SyntaxError" in note and "ex2-answer" in note for note in result.notes)
    assert "SyntaxError" in (out / "feedback" / "syntax_error.md").read_text()


def test_an_endless_loop_times_out_and_the_rest_is_graded(fixture_run):
    results, _, _ = fixture_run
    result = results[("infinite_loop", "01_neuron")]
    assert statuses(result)["ex4"] == "timeout" and "5 s" in result.items[3].message
    assert total(results, "infinite_loop") == FULL - NEURON_POINTS["ex4"]
    assert statuses(result)["ex5"] == "passed"


def test_a_deleted_check_cell_scores_zero_as_missing(fixture_run):
    results, _, _ = fixture_run
    result = results[("deleted_cell", "01_neuron")]
    assert statuses(result)["ex2"] == "cell missing" and "deleted" in result.items[1].message
    assert total(results, "deleted_cell") == FULL - NEURON_POINTS["ex2"]


def test_a_duplicated_check_cell_is_graded_once_and_weakening_it_does_not_help(fixture_run):
    results, _, _ = fixture_run
    result = results[("duplicated_cell", "01_neuron")]
    assert total(results, "duplicated_cell") == FULL
    assert any("ex1 appears 2 times" in note for note in result.notes)
    weakened = results[("weakened_tests", "01_neuron")]
    assert statuses(weakened)["ex5"] == "failed" and total(results, "weakened_tests") == FULL - NEURON_POINTS["ex5"]
    assert "FloatingPointError" in weakened.items[4].message  # the instructor's check ran, not "pass"


def test_a_kernel_kill_keeps_the_grades_before_it(fixture_run):
    results, _, _ = fixture_run
    result = results[("kernel_kill", "01_neuron")]
    assert statuses(result) == {"ex1": "passed", "ex2": "passed", "ex3": "not run", "ex4": "not run", "ex5": "not run"}
    assert "kernel died" in result.items[2].message
    assert any("kernel died while running cell" in note for note in result.notes)


def test_megabytes_of_output_are_capped(fixture_run):
    results, out, _ = fixture_run
    assert total(results, "megabytes") == FULL
    assert (out / "feedback" / "megabytes.md").stat().st_size < 10_000


@pytest.mark.parametrize("student, reason", [("not_json", "not valid JSON"), ("wrong_format", "notebook format 4")])
def test_files_that_are_not_notebooks_score_zero_with_the_reason(fixture_run, student, reason):
    results, out, _ = fixture_run
    result = results[(student, "01_neuron")]
    assert total(results, student) == 0 and set(statuses(result).values()) == {"not a notebook"}
    assert reason in (out / "feedback" / f"{student}.md").read_text()


def test_an_empty_folder_scores_zero_as_not_submitted(fixture_run):
    results, _, _ = fixture_run
    assert set(statuses(results[("empty_folder", "01_neuron")]).values()) == {"not submitted"}


def test_a_kernel_that_ignores_interrupts_is_killed_at_the_notebook_limit(fixture_run):
    results, _, _ = fixture_run
    result = results[("ignores_interrupt", "01_neuron")]
    # ex5 comes after the endless cell: stopped by the cell limit ("timeout") or not reached before the kill
    assert statuses(result)["ex1"] == "passed" and statuses(result)["ex5"] in ("timeout", "not run")
    assert any("25 s limit" in note for note in result.notes)


def test_solutions_score_full_marks_and_untouched_student_versions_zero(tmp_path):
    """For every exercise source, through the real grader (folders per student, all assignments)."""
    for name, exercise in EXERCISES.items():
        for student, notebook in (("instructor", exercise.instructor), ("untouched", exercise.student)):
            (tmp_path / "in" / student).mkdir(parents=True, exist_ok=True)
            (tmp_path / "in" / student / f"{name}.ipynb").write_text(render(notebook))
    results = grade(tmp_path / "in", tmp_path / "out", root=ROOT, workers=2)
    assert len(results) == 2 * len(EXERCISES)
    for result in results:
        if result.student == "instructor":
            assert result.total == result.max_points > 0, (result.notebook, result.items, result.notes)
        else:
            assert result.total == 0 and {item.status for item in result.items} == {"not attempted"}, (
                result.notebook, result.items)
    feedback = (tmp_path / "out" / "feedback" / "untouched.md").read_text()
    assert "not attempted yet" in feedback and "YOUR ANSWER HERE" in feedback


def test_flat_files_need_an_assignment_when_there_are_several(tmp_path):
    (tmp_path / "alice.ipynb").write_text(render(NEURON.student))
    with pytest.raises(ValueError, match="--assignment"):
        grade(tmp_path, tmp_path / "out", root=ROOT)


if __name__ == "__main__":
    shutil.rmtree(FIXTURES, ignore_errors=True)
    write_fixture_submissions()
    print(f"wrote {FIXTURES}")
