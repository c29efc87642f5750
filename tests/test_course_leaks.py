"""The leak scanner finds solution and hidden-test lines in student notebooks and in the student website."""

import html
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nnkit.course.leaks import find_leaks, normalize, secrets
from nnkit.course.release import build_exercise, exercise_sources, release

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = [build_exercise(source) for source in exercise_sources(ROOT)]
SECRETS = secrets(EXERCISES)


@pytest.fixture
def course(tmp_path):
    shutil.copytree(ROOT / "exercises" / "source", tmp_path / "exercises" / "source")
    release(tmp_path)
    return tmp_path


def a_secret_code_line():
    return next(line.strip() for exercise in EXERCISES for line in exercise.secret_lines
                if normalize(line) in SECRETS and "(" in line and '"' not in line)


def test_the_committed_student_notebooks_leak_nothing():
    assert find_leaks(ROOT) == []


def test_secrets_follow_the_rule():
    public = {normalize(line) for exercise in EXERCISES for cell in exercise.student.cells
              for line in cell.source.splitlines()}
    assert SECRETS, "the exercise sources should have solution lines"
    for secret in SECRETS:
        assert len(secret) >= 12 and not secret.startswith("#") and secret not in public
    # short lines and lines students see anyway are not evidence of a leak
    assert "return x" not in SECRETS and "import numpy as np" not in SECRETS


def test_a_leak_planted_in_a_student_notebook_is_found(course):
    assert find_leaks(course) == []
    secret = a_secret_code_line()
    path = course / "exercises" / "02_perceptron.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[3].source += "\n    " + secret + "   "
    nbformat.write(notebook, path)
    leaks = find_leaks(course)
    assert [leak.path for leak in leaks] == [path] and normalize(secret) in leaks[0].secret


def test_a_leak_planted_in_the_student_site_html_is_found(course):
    site = course / "_build" / "student" / "html"
    page = site / "exercises" / "01_neuron.html"
    page.parent.mkdir(parents=True)
    clean = "<html><body><pre><span class=\"n\">z</span> <span class=\"o\">=</span> <span class=\"kc\">None</span>"
    page.write_text(clean + "</pre></body></html>")
    assert find_leaks(course, site) == []
    # the way pygments renders a code line: one span per token, entities for < > & and quotes
    secret = a_secret_code_line()
    highlighted = "".join(f'<span class="n">{html.escape(token)}</span> ' for token in secret.split())
    page.write_text(clean + "\n" + highlighted + "</pre></body></html>")
    leaks = find_leaks(course, site)
    assert len(leaks) == 1 and leaks[0].path == page and leaks[0].line_number == 2


def test_a_written_answer_rendered_as_html_is_found(course):
    site = course / "site"
    site.mkdir()
    sentence = next(line for exercise in EXERCISES for line in exercise.secret_lines
                    if normalize(line) in SECRETS and "**" not in line and "$" not in line and len(line) > 40)
    (site / "index.html").write_text(f"<p>{html.escape(sentence)}</p>")
    assert len(find_leaks(course, site)) == 1


def test_cli_exits_nonzero_on_a_leak_and_names_the_file(course):
    site = course / "site"
    site.mkdir()
    assert subprocess.run([sys.executable, "-m", "nnkit.course", "--root", str(course), "leaks", "--site", str(site)],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=120).returncode == 0
    (site / "leak.html").write_text(f"<pre>{html.escape(a_secret_code_line())}</pre>")
    result = subprocess.run([sys.executable, "-m", "nnkit.course", "--root", str(course), "leaks", "--site",
                             str(site)], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "leak.html" in result.stderr


def test_a_missing_site_folder_is_an_error_not_a_pass(course):
    with pytest.raises(FileNotFoundError, match="build the student book first"):
        find_leaks(course, course / "nowhere")


def test_a_line_the_chapter_prints_itself_is_no_secret(course):
    site = course / "site"
    site.mkdir()
    secret = a_secret_code_line()
    (site / "chapter.html").write_text(f"<pre>{html.escape(secret)}</pre>")
    assert len(find_leaks(course, site)) == 1
    (course / "notebooks").mkdir()
    chapter = f"```{{code-cell}} ipython3\n{secret}   # as in the chapter\n```\n"
    (course / "notebooks" / "01_neuron.md").write_text(chapter)
    assert find_leaks(course, site) == []
