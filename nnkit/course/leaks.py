"""Find solution and hidden-test lines where students can read them.

    python -m nnkit.course leaks [--site _build/student/html]

A *secret* is a line inside a ``### BEGIN SOLUTION`` or ``### BEGIN HIDDEN TESTS`` region of
an exercise source that

* is at least 12 characters long once normalized (whitespace collapsed; the markdown and
  math marks ``*`` `````` ``$`` ``\\(`` ``\\)`` removed, so a rendered page matches its source),
* is not a comment-only line, and
* appears nowhere in a student version of any exercise, nor in a chapter (``notebooks/*.md``):
  ``import numpy as np`` may legitimately appear in both, and code the chapter itself
  shows, such as ``a = 1 / (1 + np.exp(-z))``, gives nothing away; lines shorter than 12
  characters are too generic to be evidence.

The scanner reports every secret found in a student notebook (``exercises/*.ipynb``: cell
sources and outputs) and, with ``--site``, in the student website (HTML with the tags
stripped and entities decoded, plus any notebook, markdown or text file copied there).
"""

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from nnkit.course.release import STUDENT_DIR, build_exercise, exercise_sources

CHAPTER_DIR = "notebooks"
MIN_SECRET_CHARS = 12
SCANNED_SUFFIXES = {".html", ".htm", ".ipynb", ".md", ".txt", ".py", ".json"}
TAG = re.compile(r"<[^>]*>")
IGNORED_MARKS = str.maketrans("", "", "*`$")


@dataclass(frozen=True)
class Leak:
    path: Path
    line_number: int
    secret: str
    source: str  # the exercise source the secret comes from

    def __str__(self):
        return f"{self.path}:{self.line_number}: solution line of {self.source} found: {self.secret!r}"


def normalize(line):
    return " ".join(line.replace("\\(", "").replace("\\)", "").translate(IGNORED_MARKS).split())


def secrets(exercises, chapters=()):
    """{normalized secret line: name of its source} for ``exercises``, given the ``chapters``' texts that students
    read anyway (see the module docstring for the rule)."""
    # what a student version or a chapter shows anywhere (a whole line, or inside a longer one, such as a
    # call quoted in an exercise's instructions) is public, as the scan matches text
    student_text = "\n".join(normalize(line) for exercise in exercises for cell in exercise.student.cells
                             for line in cell.source.splitlines())
    chapter_text = "\n".join(normalize(line) for chapter in chapters for line in chapter.splitlines())
    found = {}
    for exercise in exercises:
        for line in exercise.secret_lines:
            text = normalize(line)
            if (len(text) >= MIN_SECRET_CHARS and not text.startswith("#") and text not in student_text
                    and text not in chapter_text):
                found.setdefault(text, exercise.source.name)
    return found


def readable_text(path):
    """What a student sees in ``path``: a notebook's sources and outputs, an HTML page's text, or the file itself."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            return "\n".join(notebook_texts(json.loads(raw)))
        except (json.JSONDecodeError, AttributeError, TypeError):
            return raw
    if path.suffix in (".html", ".htm"):
        return html.unescape(TAG.sub("", raw))
    return raw


def notebook_texts(notebook):
    for cell in notebook.get("cells", []):
        yield "".join(cell.get("source", ""))
        for output in cell.get("outputs", []):
            yield "".join(output.get("text", ""))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    text = "".join(value)
                    yield html.unescape(TAG.sub("", text)) if mime == "text/html" else text


def scan_file(path, secret_lines):
    lines = [normalize(line) for line in readable_text(path).splitlines()]
    text = "\n".join(lines)
    leaks = []
    for secret, source in secret_lines.items():
        if secret in text:
            line_number = next((n for n, line in enumerate(lines, start=1) if secret in line), 0)
            leaks.append(Leak(path, line_number, secret, source))
    return leaks


def find_leaks(root=".", site=None):
    """Every secret line found in the student notebooks under ``root`` and, if given, in the ``site`` folder."""
    root = Path(root)
    chapters = [path.read_text(encoding="utf-8") for path in sorted((root / CHAPTER_DIR).glob("*.md"))]
    secret_lines = secrets([build_exercise(source) for source in exercise_sources(root)], chapters)
    files = sorted((root / STUDENT_DIR).glob("*.ipynb"))
    if site is not None:
        site = Path(site)
        if not site.is_dir():
            raise FileNotFoundError(f"leaks: the site folder {site} does not exist; build the student book first")
        files += sorted(path for path in site.rglob("*") if path.is_file() and path.suffix in SCANNED_SUFFIXES)
    return [leak for path in files for leak in scan_file(path, secret_lines)]
