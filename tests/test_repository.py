"""Repository contracts: the README's commands, CI, the book's table of contents, notebook pairs, dependencies."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import check_pairs  # noqa: E402
import make_toc  # noqa: E402


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^(make \w+)\s+#", readme, flags=re.MULTILINE)
    assert commands == ["make start", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111


def test_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("start", "test", "check", "book", "sync", "lock", "bench"):
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), target
    assert "notebooks/01_neuron.ipynb" in makefile


@pytest.mark.parametrize(("edition", "exercise_folder"), [("student", "exercises"), ("instructor", "solutions")])
def test_toc_lists_every_chapter_and_only_existing_files(edition, exercise_folder):
    toc_file = make_toc.EDITIONS[edition][0]
    text = (ROOT / toc_file).read_text()
    assert text == make_toc.toc_text(edition), "run python tools/make_toc.py"
    listed = make_toc.listed_files(text)
    assert all((ROOT / f"{name}.md").exists() or (ROOT / f"{name}.ipynb").exists() for name in listed)
    chapters = sorted(str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.md"))
    assert [name for name in listed if name.startswith("notebooks/")] == chapters
    exercises = sorted(str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / exercise_folder).glob("*.ipynb"))
    assert [name for name in listed if name.startswith(("exercises/", "solutions/"))] == exercises


def test_the_student_edition_has_no_solutions():
    assert "solutions/" not in (ROOT / "_toc.yml").read_text()
    assert "exercises/source" in (ROOT / "_config.yml").read_text()  # the sources hold the solutions: never built


def test_notebook_pairs_agree():
    assert list(check_pairs.problems()) == []


def test_pair_check_catches_a_drifted_notebook(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    source = folder / "99_demo.md"
    source.write_text("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
                      "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
                      "# Demo\n\n```{code-cell} ipython3\nx = 1\n```\n")
    subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--to", "ipynb", str(source)], check=True)
    monkeypatch.setattr(check_pairs, "ROOT", tmp_path)
    assert list(check_pairs.problems()) == []
    source.write_text(source.read_text().replace("x = 1", "x = 2"))
    assert any("differs" in line for line in check_pairs.problems())


def test_no_ipynb_enters_the_book():
    config = (ROOT / "_config.yml").read_text()
    assert '"notebooks/*.ipynb"' in config and "only_build_toc_files: true" in config


def test_torch_is_a_test_dependency_only():
    runtime = (ROOT / "requirements.txt").read_text()
    dev = (ROOT / "requirements-dev.txt").read_text()
    assert "torch" not in runtime and re.search(r"^torch==2\.13\.0", dev, flags=re.MULTILINE)
    dependencies = re.search(r"^dependencies = (.*)$", (ROOT / "pyproject.toml").read_text(), flags=re.MULTILINE)
    assert dependencies.group(1) == '["numpy>=1.26,<3"]'  # the library itself needs numpy alone


def test_constraints_pin_every_requirement():
    pinned = {line.split("==")[0].lower() for line in (ROOT / "constraints.txt").read_text().splitlines()
              if "==" in line}
    for requirements in ("requirements.txt", "requirements-dev.txt", "requirements-bench.txt"):
        for line in (ROOT / requirements).read_text().splitlines():
            name = re.match(r"^([A-Za-z0-9_.-]+)", line.strip())
            if name and not line.startswith("-r"):
                assert name.group(1).lower() in pinned, f"{name.group(1)} from {requirements} is not in constraints.txt"
