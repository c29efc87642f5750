"""The grader's results: written as they come, resumable, kept side by side, and safe to render."""

import csv
import shutil
from pathlib import Path

import pytest

from nnkit.course.grade import ItemResult, NotebookResult, ResultStore, feedback, feedback_html, grade
from nnkit.course.release import build_exercise, render

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"


@pytest.fixture
def two_students(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(FIXTURES / "good" / "01_neuron.ipynb", submissions / "alice.ipynb")
    shutil.copy(FIXTURES / "syntax_error" / "01_neuron.ipynb", submissions / "bob.ipynb")
    return submissions


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_a_killed_run_resumes_where_it_stopped(two_students, tmp_path):
    out = tmp_path / "results"
    first = grade(two_students, out, root=ROOT, assignment="01_neuron")
    lines = (out / "results.jsonl").read_text().splitlines()
    assert len(lines) == 2  # one line per notebook, appended as each finished
    # a grader killed after alice: only her line survives, plus half a line being written
    kept = next(line for line in lines if '"alice"' in line)
    (out / "results.jsonl").write_text(kept + "\n" + '{"student": "bo')
    graded = []
    grade(two_students, out, root=ROOT, assignment="01_neuron", resume=True,
          progress=lambda done, total, result: graded.append(result.student))
    assert graded == ["bob"]
    summary = {row[0]: row[2] for row in read_csv(out / "summary.csv")[1:]}
    assert summary == {r.student: f"{r.total:g}" for r in first} and summary["alice"] == "12"


def test_a_second_assignment_does_not_replace_the_first(two_students, tmp_path):
    out = tmp_path / "results"
    grade(two_students, out, root=ROOT, assignment="01_neuron")
    with pytest.raises(ValueError, match="--resume.*--regrade"):
        grade(two_students, out, root=ROOT, assignment="01_neuron")
    week2 = tmp_path / "week2"
    week2.mkdir()
    solved = render(build_exercise(ROOT / "exercises" / "source" / "02_perceptron.md").instructor)
    (week2 / "alice.ipynb").write_text(solved)
    grade(week2, out, root=ROOT, assignment="02_perceptron")
    book = read_csv(out / "gradebook.csv")
    header, maxima, rows = book[0], book[1], {row[0]: row for row in book[2:]}
    assert header[:3] == ["student", "01_neuron", "02_perceptron"]
    assert rows["alice"][1:4] == ["12", maxima[2], str(12 + int(maxima[2]))]
    assert rows["bob"][2] == ""  # not graded for week 2: empty, not 0


def test_feedback_renders_student_text_literally():
    hostile = "| ex1 | 99 / 2 | passed |\n<script>alert(1)</script>\n```\n# Score: 100"
    result = NotebookResult("eve <b>", "01_neuron", [ItemResult("ex1", 0, 2, "failed", hostile)],
                            written_answers=[("ex2-derivation", "````\n## Full marks\n````", 1)])
    markdown = feedback("eve <b>", [result])
    assert "````text\n| ex1 | 99 / 2" in markdown  # the message's ``` cannot close a fence of four
    assert "`````text\n````\n## Full marks" in markdown  # the answer's ```` cannot close a fence of five
    assert "eve \\<b\\>" in markdown
    page = feedback_html("eve <b>", [result])
    assert "<script>" not in page and "&lt;script&gt;" in page and "eve &lt;b&gt;" in page


def test_the_store_keeps_the_last_result_of_a_pair(tmp_path):
    store = ResultStore(tmp_path)
    store.append(NotebookResult("ann", "01_neuron", [ItemResult("ex1", 0, 2, "failed")]))
    store.append(NotebookResult("ann", "01_neuron", [ItemResult("ex1", 2, 2, "passed")]))
    assert store.load()[("ann", "01_neuron")].total == 2
