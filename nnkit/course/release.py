"""From one instructor source per exercise notebook to the student and the solution notebook.

``exercises/source/NN_name.md`` (a MyST text notebook, nbgrader markers inside) becomes

* ``exercises/NN_name.ipynb`` — the student version: solutions replaced by stubs,
  hidden tests removed, graded check cells read-only;
* ``solutions/NN_name.ipynb`` — the instructor version: everything, markers included,
  so nbgrader can import it as a source notebook.

Both are deterministic (cell ids from the grade_id or the cell's position, no outputs,
no execution counts), so ``release --check`` can compare them with the committed files
byte for byte: the drift check of CI.

nbgrader metadata is written in a cell's YAML header in the source, in short form;
release completes it to nbgrader's schema 3::

    nbgrader: {grade: true, grade_id: ex1, points: 2}     # an autograded check cell
    nbgrader: {solution: true, grade_id: ex1-answer}       # where the student writes code
    +++ {"nbgrader": {"grade": true, "solution": true, "grade_id": "ex2-why", "points": 1}}   # a written answer,
                                                                                          # graded by hand
"""

import copy
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from nnkit.course.markers import (
    MarkerError,
    has_markers,
    secret_lines,
    split_regions,
    student_source,
)

SOURCE_DIR = Path("exercises/source")
STUDENT_DIR = Path("exercises")
SOLUTION_DIR = Path("solutions")
PYTHON_KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}
ALLOWED_ID_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class ReleaseError(ValueError):
    """An exercise source that cannot be released as it is (names the file and the cell)."""


@dataclass(frozen=True)
class GradedItem:
    """One autograded check cell of the instructor version: what the grader runs in place of the student's."""

    grade_id: str
    points: float
    source: str


@dataclass(frozen=True)
class Exercise:
    """An exercise notebook in its two versions, built from ``source``."""

    source: Path
    instructor: nbformat.NotebookNode
    student: nbformat.NotebookNode

    @property
    def name(self):
        return self.source.stem

    @property
    def graded_items(self):
        """The autograded check cells (a check cell: grade, not solution)."""
        return [GradedItem(meta["grade_id"], meta["points"], cell.source)
                for cell in self.instructor.cells
                for meta in [cell.metadata.get("nbgrader", {})] if meta.get("grade") and not meta.get("solution")]

    @property
    def written_items(self):
        """The written answers, graded by hand (markdown, grade and solution): [(grade_id, points)]."""
        return [(meta["grade_id"], meta["points"]) for cell in self.instructor.cells
                for meta in [cell.metadata.get("nbgrader", {})] if meta.get("grade") and meta.get("solution")]

    @property
    def secret_lines(self):
        return [line for cell in self.instructor.cells for line in secret_lines(cell.source)]


def exercise_sources(root="."):
    return sorted((Path(root) / SOURCE_DIR).glob("*.md"))


def build_exercise(source):
    """Read ``source`` and build both versions; ReleaseError if its markers or metadata are inconsistent."""
    source = Path(source)
    notebook = jupytext.read(source, fmt="md:myst")
    kernelspec = notebook.metadata.get("kernelspec") or PYTHON_KERNEL
    instructor = nbformat.v4.new_notebook(metadata={"kernelspec": kernelspec, "language_info": {"name": "python"}})
    student = copy.deepcopy(instructor)
    seen_ids = set()
    for index, cell in enumerate(notebook.cells):
        where = f"{source}: cell {index + 1}"
        try:
            split_regions(cell.source)
        except MarkerError as err:
            raise ReleaseError(f"{where}: {err}") from err
        metadata = dict(cell.metadata)
        if "nbgrader" in metadata:
            metadata["nbgrader"] = complete_nbgrader_metadata(where, metadata["nbgrader"], cell)
        elif has_markers(cell.source):
            raise ReleaseError(f"{where}: has solution or hidden-test markers but no nbgrader metadata")
        cell_id = metadata.get("nbgrader", {}).get("grade_id", f"cell-{index + 1}")
        if cell_id in seen_ids:
            raise ReleaseError(f"{where}: grade_id {cell_id!r} is used twice")
        seen_ids.add(cell_id)
        instructor.cells.append(new_cell(cell.cell_type, cell_id, cell.source, metadata))
        student_metadata = copy.deepcopy(metadata)
        if metadata.get("nbgrader", {}).get("locked"):
            # JupyterLab honours these: students cannot edit or delete a check cell by accident
            student_metadata.update(deletable=False, editable=False)
        student.cells.append(new_cell(cell.cell_type, cell_id, student_source(cell.source, cell.cell_type),
                                      student_metadata))
    return Exercise(source, instructor, student)


def complete_nbgrader_metadata(where, short, cell):
    """nbgrader's schema-3 cell metadata from the short form written in a source."""
    grade, solution = bool(short.get("grade", False)), bool(short.get("solution", False))
    grade_id = short.get("grade_id")
    if not isinstance(grade_id, str) or not grade_id or not set(grade_id) <= ALLOWED_ID_CHARACTERS:
        raise ReleaseError(f"{where}: nbgrader metadata needs a grade_id of letters, digits, - and _, got {grade_id!r}")
    if cell.cell_type == "markdown" and solution and not (grade and short.get("points", 0) > 0):
        # nbgrader's rule too: a written answer is graded by hand, so it states what it is worth
        raise ReleaseError(f"{where}: a written answer (markdown, solution: true) is graded by hand and needs "
                           f"grade: true and points > 0, got grade: {grade}, points: {short.get('points')}")
    if grade and solution and cell.cell_type == "code":
        raise ReleaseError(f"{where}: manually graded code cells are not supported; make the answer cell ungraded "
                           "(solution: true) and grade it through an autograded check cell")
    if grade and not short.get("points", 0) > 0:
        raise ReleaseError(f"{where}: a graded cell needs points > 0, got {short.get('points')}")
    if grade and not solution and cell.cell_type != "code":
        raise ReleaseError(f"{where}: an autograded check cell must be a code cell (a markdown graded cell is a "
                           "written answer: add solution: true)")
    kinds = {kind for kind, _, _ in split_regions(cell.source)}
    if "solution" in kinds and not solution:
        raise ReleaseError(f"{where}: has a solution region but its nbgrader metadata lacks solution: true")
    if "hidden" in kinds and not grade:
        raise ReleaseError(f"{where}: hidden tests belong in a graded check cell (grade: true)")
    metadata = {"grade": grade, "grade_id": grade_id, "locked": bool(short.get("locked", not solution)),
                "schema_version": 3, "solution": solution}
    if grade:
        metadata["points"] = short["points"]
    return metadata


def new_cell(cell_type, cell_id, source, metadata):
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = make(source=source, metadata=metadata)
    cell.id = cell_id
    return cell


def render(notebook):
    """The exact text written to disk (nbformat's JSON layout, one trailing newline)."""
    return nbformat.writes(notebook) + "\n"


def release_plan(root="."):
    """{path to write: its text} for every source under ``root``."""
    root = Path(root)
    plan = {}
    for source in exercise_sources(root):
        exercise = build_exercise(source)
        plan[root / STUDENT_DIR / f"{exercise.name}.ipynb"] = render(exercise.student)
        plan[root / SOLUTION_DIR / f"{exercise.name}.ipynb"] = render(exercise.instructor)
    return plan


def release(root="."):
    """Write every student and solution notebook; returns the paths written."""
    plan = release_plan(root)
    for path, text in plan.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(plan)


def check_release(root="."):
    """Problems that ``release`` would fix: a message per differing, missing or orphaned notebook ([] if none)."""
    root = Path(root)
    plan = release_plan(root)
    problems = []
    for path, text in plan.items():
        if not path.exists():
            problems.append(f"{path.relative_to(root)}: missing; run `python -m nnkit.course release`")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path.relative_to(root)}: differs from its source "
                            f"{(SOURCE_DIR / path.name).with_suffix('.md')}; edit the source, then release")
    for folder in (STUDENT_DIR, SOLUTION_DIR):
        for path in sorted((root / folder).glob("*.ipynb")):
            if path not in plan:
                problems.append(f"{path.relative_to(root)}: has no source in {SOURCE_DIR}/")
    return problems
