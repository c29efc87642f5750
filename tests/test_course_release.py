"""Release: one source -> student and solution notebooks, deterministic, with a drift check that catches hand edits."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nnkit.course.markers import (
    MarkerError,
    secret_lines,
    split_regions,
    student_source,
)
from nnkit.course.release import (
    ReleaseError,
    build_exercise,
    check_release,
    exercise_sources,
    release,
    render,
)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = exercise_sources(ROOT)


@pytest.fixture
def course(tmp_path):
    """A scratch course folder holding copies of the real sources, released once."""
    shutil.copytree(ROOT / "exercises" / "source", tmp_path / "exercises" / "source")
    release(tmp_path)
    return tmp_path


def run_cli(*args, root):
    return subprocess.run([sys.executable, "-m", "nnkit.course", "--root", str(root), *args],
                          check=False, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_there_are_sources_for_chapters_1_and_2():
    assert [source.name for source in SOURCES][:2] == ["01_neuron.md", "02_perceptron.md"]


def test_committed_notebooks_match_their_sources():
    assert check_release(ROOT) == []


def test_release_is_deterministic_and_clean(course):
    first = {path: path.read_text() for path in course.rglob("*.ipynb")}
    release(course)
    assert {path: path.read_text() for path in course.rglob("*.ipynb")} == first
    for text in first.values():
        notebook = json.loads(text)
        assert "jupytext" not in notebook["metadata"]
        for cell in notebook["cells"]:
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
        ids = [cell["id"] for cell in notebook["cells"]]
        assert len(ids) == len(set(ids))


def test_check_names_a_hand_edited_file_and_exits_nonzero(course):
    assert run_cli("release", "--check", root=course).returncode == 0
    student = course / "exercises" / "01_neuron.ipynb"
    notebook = nbformat.read(student, as_version=4)
    notebook.cells[-1].source += "\nprint('edited by hand')"
    nbformat.write(notebook, student)
    result = run_cli("release", "--check", root=course)
    assert result.returncode == 1
    assert "exercises/01_neuron.ipynb" in result.stderr and "differs" in result.stderr
    assert [problem.split(":")[0] for problem in check_release(course)] == ["exercises/01_neuron.ipynb"]


def test_check_reports_missing_and_orphaned_notebooks(course):
    (course / "solutions" / "02_perceptron.ipynb").unlink()
    shutil.copy(course / "exercises" / "01_neuron.ipynb", course / "exercises" / "99_orphan.ipynb")
    problems = "\n".join(check_release(course))
    assert "solutions/02_perceptron.ipynb: missing" in problems
    assert "exercises/99_orphan.ipynb: has no source" in problems


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_student_version_has_stubs_and_no_secrets(source):
    exercise = build_exercise(source)
    student_text = "\n".join(cell.source for cell in exercise.student.cells)
    assert "### BEGIN" not in student_text and "### END" not in student_text
    assert "raise NotImplementedError()" in student_text and "YOUR ANSWER HERE" in student_text
    visible = {line for cell in exercise.instructor.cells for kind, lines, _ in split_regions(cell.source)
               if kind == "visible" for line in lines}
    secrets = [line for line in exercise.secret_lines if len(line.strip()) >= 12 and line not in visible]
    assert secrets and not [line for line in secrets if line in student_text.splitlines()]
    assert 3 <= len(exercise.graded_items) <= 6


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_check_cells_are_read_only_for_students(source):
    # that nbgrader accepts the metadata is shown by nbgrader itself: tests/test_nbgrader_pipeline.py
    exercise = build_exercise(source)
    for instructor, student in zip(exercise.instructor.cells, exercise.student.cells):
        assert instructor.id == student.id
        meta = instructor.metadata.get("nbgrader")
        if meta is not None and meta["locked"]:
            assert student.metadata["editable"] is False and student.metadata["deletable"] is False
        elif meta is not None:
            assert meta["solution"] and "editable" not in student.metadata


def test_solution_regions_become_stubs_at_their_indentation():
    source = "def f(x):\n    y = 2\n    ### BEGIN SOLUTION\n    return y * x\n    ### END SOLUTION"
    assert student_source(source, "code") == ("def f(x):\n    y = 2\n    # YOUR CODE HERE\n"
                                              "    raise NotImplementedError()")
    assert student_source("Intro\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", "markdown") == (
        "Intro\nYOUR ANSWER HERE")
    check = "check(f)\n### BEGIN HIDDEN TESTS\ncheck(g)\n### END HIDDEN TESTS"
    assert student_source(check, "code") == "check(f)"
    assert secret_lines(source + "\n" + check) == ["    return y * x", "check(g)"]


@pytest.mark.parametrize("source, problem", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without its BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION", "inside an open region"),
])
def test_broken_markers_are_refused(source, problem):
    with pytest.raises(MarkerError, match=problem):
        split_regions(source)


def write_source(tmp_path, cell_header, body):
    path = tmp_path / "exercises" / "source" / "09_broken.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Title\n\n```{{code-cell}} ipython3\n---\n{cell_header}\n---\n{body}\n```\n")
    return path


@pytest.mark.parametrize("header, body, problem", [
    ("tags: []", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "no nbgrader metadata"),
    ("nbgrader: {grade_id: ex1}", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "lacks solution: true"),
    ("nbgrader: {solution: true, grade_id: ex1}", "### BEGIN HIDDEN TESTS\nx\n### END HIDDEN TESTS", "hidden tests"),
    ("nbgrader: {grade: true, grade_id: ex1}", "check()", "points > 0"),
    ("nbgrader: {grade: true, solution: true, grade_id: ex1, points: 1}", "x = 1", "manually graded code"),
    ("nbgrader: {grade: true, grade_id: 'ex 1', points: 1}", "check()", "grade_id"),
    ("nbgrader: {grade: true, grade_id: ex1, points: 1}", "### BEGIN SOLUTION\nx = 1", "never closed"),
])
def test_inconsistent_sources_are_refused_with_the_cell_named(tmp_path, header, body, problem):
    path = write_source(tmp_path, header, body)
    with pytest.raises(ReleaseError, match=problem) as info:
        build_exercise(path)
    assert "09_broken.md: cell 2" in str(info.value)


def test_render_ends_with_one_newline():
    text = render(build_exercise(SOURCES[0]).student)
    assert text.endswith("}\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("metadata, problem", [
    ('{"solution": true, "grade_id": "ex1-why"}', "graded by hand and needs grade: true and points > 0"),
    ('{"grade": true, "grade_id": "ex1-why", "points": 1}', "must be a code cell"),
])
def test_a_written_answer_must_be_a_manually_graded_cell(tmp_path, metadata, problem):
    path = tmp_path / "exercises" / "source" / "09_broken.md"
    path.parent.mkdir(parents=True)
    path.write_text(f'# Title\n\n+++ {{"nbgrader": {metadata}}}\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION\n')
    with pytest.raises(ReleaseError, match=problem):
        build_exercise(path)


def test_written_answers_carry_their_points_apart_from_the_checks():
    exercise = build_exercise(SOURCES[0])  # 01_neuron: two written answers, 1 point each
    assert exercise.written_items == [("ex2-derivation", 1), ("ex4-why", 1)]
    assert "ex2-derivation" not in {item.grade_id for item in exercise.graded_items}
