"""Submissions that attack the grader or other students, graded in one run with honest controls."""

import csv
from pathlib import Path

import nbformat
import pytest

from nnkit.course import sandbox
from nnkit.course.grade import Limits, grade
from nnkit.course.release import build_exercise, render

ROOT = Path(__file__).resolve().parent.parent
NEURON = build_exercise(ROOT / "exercises" / "source" / "01_neuron.md")

pytestmark = pytest.mark.skipif(sandbox.bwrap_path() is None, reason="bubblewrap is not installed")


def attack(source, submissions):
    notebook = nbformat.from_dict(NEURON.instructor)  # a full solution: only the attack can cost it points
    notebook.cells.insert(2, nbformat.v4.new_code_cell(source.replace("SUBMISSIONS", str(submissions))))
    return notebook


ATTACKS = {
    # signal everything it can reach: the grader, the other notebook being graded, every process of the user
    "kills_everything": "import os, signal\nfor pid in (os.getppid(), 1, -1):\n    try:\n"
                        "        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass",
    # overwrite the next student's notebook and plant a results file
    "sabotages_others": "from pathlib import Path\n"
                        "for target in (Path('SUBMISSIONS') / 'zz_honest' / '01_neuron.ipynb',\n"
                        "               Path('SUBMISSIONS').parent / 'out' / 'summary.csv'):\n    try:\n"
                        "        target.write_text('{}')\n    except OSError:\n        pass",
    # a fork bomb, bounded by the process limit (which then also stops its own kernel: what it scores is its
    # own business; the test is that the grader and the honest student are untouched)
    # hang, deaf to the interrupt that ends a cell at its time limit: the grader stops this notebook, goes on
    "hangs": "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(10**6)",
    "forks": "import os\nchildren = 0\ntry:\n    while children < 10_000:\n        if os.fork() == 0:\n"
             "            import time; time.sleep(30); os._exit(0)\n        children += 1\nexcept OSError:\n    pass",
}


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    submissions = folder / "submissions"
    for student, source in ATTACKS.items():
        (submissions / student).mkdir(parents=True)
        (submissions / student / "01_neuron.ipynb").write_text(render(attack(source, submissions)))
    (submissions / "zz_honest").mkdir()
    (submissions / "zz_honest" / "01_neuron.ipynb").write_text(render(NEURON.instructor))
    grade(submissions, folder / "out", root=ROOT, assignment="01_neuron",
          limits=Limits(timeout_cell=20, timeout_notebook=60))
    with open(folder / "out" / "summary.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return rows


@pytest.mark.parametrize("student, flag", [("kills_everything", "code that signals or kills processes"),
                                           ("kills_everything", "5 of 5 checks did not run"),
                                           ("sabotages_others", "code that names a file outside its folder"),
                                           ("hangs", "stopped at the notebook time limit"),
                                           ("forks", "hit the process limit"),
                                           ("forks", "code that starts processes")])
def test_each_attack_is_flagged_and_the_honest_student_is_not(summary, student, flag):
    assert flag in summary[student]["flags"]
    assert not summary["zz_honest"]["flags"]


def test_the_run_finishes_and_the_honest_student_keeps_full_marks(summary):
    assert summary["forks"]["total"] == "12"  # the process cap ended its fork loop, not its kernel
    assert set(summary) == {*ATTACKS, "zz_honest"}
    assert summary["zz_honest"]["total"] == summary["zz_honest"]["max"] == "12"


def test_an_attack_on_other_files_reaches_nothing_and_its_own_work_is_scored(summary):
    assert summary["sabotages_others"]["total"] == "12"


def test_a_notebook_that_hangs_past_its_limits_is_stopped(summary):
    # its later cells (all the checks) never ran; the time it took is bounded by the notebook limit
    assert summary["hangs"]["total"] == "0"


def test_killing_reaches_only_its_own_sandbox(summary):
    # pid 1 and -1 inside are the sandbox itself: the notebook ends, so its later checks never run (not the
    # grader, not the other notebook graded beside it: both go on)
    assert summary["kills_everything"]["total"] == "0"
