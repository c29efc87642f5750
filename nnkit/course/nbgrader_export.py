"""The exercise sources as an nbgrader course: ``python -m nnkit.course nbgrader-export COURSE_DIR``.

Writes, for every ``exercises/source/NN_name.md``, the nbgrader source notebook
``COURSE_DIR/source/NN_name/NN_name.ipynb`` (one assignment per chapter, named like the released notebook, so a
student's ``NN_name.ipynb`` is what nbgrader collects), plus a starting ``COURSE_DIR/nbgrader_config.py`` when there
is none. The notebooks are the instructor versions of :mod:`nnkit.course.release`, whose cell metadata is already
nbgrader's schema 3:

* check cells: ``grade: true, locked: true, points`` (autograded; hidden tests between nbgrader's markers);
* code answer cells: ``solution: true`` (ungraded, their check cell carries the points);
* written answers (markdown): ``grade: true, solution: true, points`` (nbgrader's manually graded answers);
* setup cells: ``locked: true`` (read-only).

nbgrader adds its checksums itself at ``nbgrader generate_assignment``. Converting the ``.md`` sources with jupytext
instead does not work: their metadata is in short form, which nbgrader rejects.
"""

from pathlib import Path

from nnkit.course.release import build_exercise, exercise_sources, render

# A starting configuration; an instructor's own nbgrader_config.py is never replaced.
CONFIG_TEMPLATE = """\
# nbgrader configuration written by `python -m nnkit.course nbgrader-export` (edit freely; it is not rewritten).
import os

c = get_config()  # noqa: F821 - nbgrader defines get_config when it reads this file
# the course is the folder of this file (the gradebook, gradebook.db, lies in it too), wherever nbgrader starts
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# seconds per cell when nbgrader runs a notebook (autograde, validate); the slowest check cell needs a few
c.ExecutePreprocessor.timeout = 120
"""


def nbgrader_plan(course_dir, root="."):
    """{path: text} of every file the export writes into ``course_dir``."""
    course_dir = Path(course_dir).resolve()
    plan, names = {}, []
    for source in exercise_sources(root):
        exercise = build_exercise(source)
        names.append(exercise.name)
        plan[course_dir / "source" / exercise.name / f"{exercise.name}.ipynb"] = render(exercise.instructor)
    if not names:
        raise FileNotFoundError(f"nbgrader-export: no exercise sources in {Path(root) / 'exercises' / 'source'}")
    config = course_dir / "nbgrader_config.py"
    if not config.exists():
        plan[config] = CONFIG_TEMPLATE
    return plan


def export_nbgrader(course_dir, root="."):
    """Write the nbgrader course files into ``course_dir``; returns the paths written."""
    plan = nbgrader_plan(course_dir, root)
    for path, text in plan.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(plan)
