"""nbgrader itself grades the course: export -> generate_assignment -> autograde -> generate_feedback, and validate.

``python -m nnkit.course nbgrader-export`` writes an nbgrader course directory; here nbgrader (a test-only dependency,
requirements-dev.txt) does all the work on every chapter, with its own sqlite gradebook in a temporary folder:

* ``generate_assignment`` accepts every exported source and releases the same student notebook as nnkit's release;
* ``autograde`` gives a solved notebook (solutions/NN.ipynb) every autograded point and leaves its written answers
  for manual grading, and gives the released student notebook (exercises/NN.ipynb, untouched) 0 points;
* ``generate_feedback`` writes each student's feedback page;
* ``nbgrader validate`` passes on every solved notebook.

Executing 3 x 12 notebooks takes a while: the chapters are split between two processes (each with its own course
directory and gradebook, so no two write one sqlite file), which run this file as a script.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from nnkit.course.nbgrader_export import export_nbgrader
from nnkit.course.release import build_exercise, exercise_sources

pytest.importorskip("nbgrader", reason="nbgrader is a test dependency: make .venv/.dev installs it")

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = {exercise.name: exercise for exercise in map(build_exercise, exercise_sources(ROOT))}
SOLVED, RELEASED = "solved", "released"  # the two students of every course directory
WORKERS = 2
PIPELINE_SECONDS = 300  # a bound, not a benchmark: it fails only a run that hangs


def nbgrader_env(home):
    """The venv's bin first (nbgrader runs `alembic` from PATH) and Jupyter's folders inside ``home``."""
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(home / "jupyter"), JUPYTER_DATA_DIR=str(home / "jupyter-data"),
               IPYTHONDIR=str(home / "ipython"), MPLCONFIGDIR=str(home / "mpl"), HOME=str(home))
    return env


def grade_course(course_dir):
    """Run in a worker process: nbgrader's pipeline on every assignment of ``course_dir``; prints a JSON report."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir)
    # the exported configuration, as `nbgrader` on the command line reads it (it sets the course root)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    assert Path(config.CourseDirectory.root) == course_dir, config.CourseDirectory.root
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    report = {}
    for source in sorted((course_dir / "source").iterdir()):
        name = source.name
        generated = api.generate_assignment(name, force=True)
        entry = report[name] = {"generate": generated["success"], "log": generated.get("error", "")}
        if not generated["success"]:
            continue
        for student in (SOLVED, RELEASED):
            autograded = api.autograde(name, student, force=True)
            entry[f"autograde_{student}"] = autograded["success"]
            if not autograded["success"]:
                entry["log"] += autograded.get("error", "") + autograded.get("log", "")
        feedback = api.generate_feedback(name, force=True)
        entry["feedback"] = feedback["success"]
        with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
            for student in (SOLVED, RELEASED):
                if not entry.get(f"autograde_{student}"):
                    continue
                submission = gradebook.find_submission_notebook(name, name, student)
                entry[student] = {grade.name: {"auto_score": grade.auto_score, "max_score": grade.max_score,
                                               "needs_manual_grade": grade.needs_manual_grade,
                                               "cell_type": grade.cell.cell_type}
                                  for grade in submission.grades}
    print(json.dumps(report))


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """{assignment: report} for every chapter, and the seconds the whole pipeline took."""
    start = time.monotonic()
    base = tmp_path_factory.mktemp("nbgrader")
    exported = base / "exported"
    export_nbgrader(exported, root=ROOT)
    names = sorted(EXERCISES)
    # the slowest chapters are spread over the workers by dealing them out in turn
    groups = [names[worker::WORKERS] for worker in range(WORKERS)]
    workers = []
    for number, group in enumerate(groups):
        course = base / f"course-{number}"
        course.mkdir()
        shutil.copy(exported / "nbgrader_config.py", course / "nbgrader_config.py")
        for name in group:
            shutil.copytree(exported / "source" / name, course / "source" / name)
            for student, folder in ((SOLVED, "solutions"), (RELEASED, "exercises")):
                submitted = course / "submitted" / student / name
                submitted.mkdir(parents=True)
                shutil.copy(ROOT / folder / f"{name}.ipynb", submitted / f"{name}.ipynb")
        home = base / f"home-{number}"
        home.mkdir()
        workers.append((course, subprocess.Popen(
            [sys.executable, __file__, str(course)], cwd=course, env=nbgrader_env(home),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    validate = subprocess.run(["nbgrader", "validate", *(str(ROOT / "solutions" / f"{name}.ipynb") for name in names)],
                              cwd=base, env=nbgrader_env(base), capture_output=True, text=True,
                              timeout=PIPELINE_SECONDS)
    reports = {}
    for course, process in workers:
        out, err = process.communicate(timeout=PIPELINE_SECONDS)
        assert process.returncode == 0, f"the nbgrader worker for {course} failed:\n{err[-3000:]}"
        reports.update(json.loads(out.strip().splitlines()[-1]))
    seconds = time.monotonic() - start
    print(f"\nnbgrader pipeline on {len(names)} chapters: {seconds:.0f} s")
    return {"reports": reports, "validate": validate, "courses": [course for course, _ in workers],
            "exported": exported, "seconds": seconds}


def test_the_export_writes_one_assignment_per_chapter_and_a_config(pipeline):
    exported = pipeline["exported"]
    assert sorted(path.name for path in (exported / "source").iterdir()) == sorted(EXERCISES)
    config = (exported / "nbgrader_config.py").read_text()
    assert "c.CourseDirectory.root" in config
    for name in EXERCISES:
        notebook = nbformat.read(exported / "source" / name / f"{name}.ipynb", as_version=4)
        assert notebook == EXERCISES[name].instructor


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_nbgrader_generates_the_assignment_nnkit_releases(pipeline, name):
    report = pipeline["reports"][name]
    assert report["generate"], report["log"]
    course = next(course for course in pipeline["courses"] if (course / "source" / name).exists())
    released_by_nbgrader = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    released_by_nnkit = EXERCISES[name].student
    assert [(cell.cell_type, cell.source.strip()) for cell in released_by_nbgrader.cells] == [
        (cell.cell_type, cell.source.strip()) for cell in released_by_nnkit.cells]


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_nbgrader_autogrades_solved_full_and_released_zero(pipeline, name):
    report = pipeline["reports"][name]
    assert report.get(f"autograde_{SOLVED}") and report.get(f"autograde_{RELEASED}"), report["log"]
    exercise = EXERCISES[name]
    checks = {item.grade_id: item.points for item in exercise.graded_items}
    written = dict(exercise.written_items)
    solved, released = report[SOLVED], report[RELEASED]
    assert set(solved) == set(released) == set(checks) | set(written)
    for grade_id, points in checks.items():
        assert solved[grade_id] == {"auto_score": points, "max_score": points, "needs_manual_grade": False,
                                    "cell_type": "code"}, grade_id
        assert released[grade_id]["auto_score"] == 0, grade_id
    for grade_id, points in written.items():
        # nbgrader leaves a written answer to the instructor, except an untouched "YOUR ANSWER HERE": 0
        assert solved[grade_id] == {"auto_score": None, "max_score": points, "needs_manual_grade": True,
                                    "cell_type": "markdown"}, grade_id
        assert released[grade_id]["auto_score"] == 0 and not released[grade_id]["needs_manual_grade"], grade_id
    assert report["feedback"], report["log"]
    course = next(course for course in pipeline["courses"] if (course / "source" / name).exists())
    for student in (SOLVED, RELEASED):
        assert (course / "feedback" / student / name / f"{name}.html").stat().st_size > 1000


def test_nbgrader_validate_passes_on_every_solved_notebook(pipeline):
    validate = pipeline["validate"]
    output = validate.stdout + validate.stderr
    assert validate.returncode == 0, output[-3000:]
    assert output.count("Success! Your notebook passes all the tests.") == len(EXERCISES), output[-3000:]


if __name__ == "__main__":
    grade_course(sys.argv[1])
