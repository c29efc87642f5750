"""The instructor's tooling: exercise notebooks from one source, leak scanning, autograding.

    python -m nnkit.course release [--check]         # exercises/source/*.md -> exercises/ and solutions/
    python -m nnkit.course leaks [--site DIR]        # no solution line in student files or the student site
    python -m nnkit.course grade SUBMISSIONS --out RESULTS
    python -m nnkit.course nbgrader-export COURSE_DIR   # the sources as an nbgrader course directory

* :mod:`nnkit.course.markers` — the nbgrader solution / hidden-test markers
* :mod:`nnkit.course.release` — source -> student and instructor notebooks, and the drift check
* :mod:`nnkit.course.leaks` — the leak scanner
* :mod:`nnkit.course.grade` and :mod:`nnkit.course.run_notebook` — the autograder (it runs student code!), with
  :mod:`nnkit.course.sandbox` and :mod:`nnkit.course.cgroup` (bubblewrap and limits around each notebook),
  :mod:`nnkit.course.judge` (the verdicts, outside the sandbox), :mod:`nnkit.course.remote` and
  :mod:`nnkit.course.wire` (how the judge reaches the kernel's objects), :mod:`nnkit.course.tampering` (flags)
* :mod:`nnkit.course.checks` — helpers for the check cells students run
* :mod:`nnkit.course.nbgrader_export` — the sources as nbgrader source notebooks (tests/test_nbgrader_pipeline.py)

Headless on purpose: nothing here imports matplotlib, ipywidgets, nnkit.viz or nnkit.widgets.
"""
