"""Check that every chapter's .ipynb agrees with its .md source (the .md is the source of truth).

Never `jupytext --sync` here: after a fresh clone it picks a direction by file time and can overwrite an edited
.md with a stale .ipynb. This compares the two as notebooks (cells, sources, metadata that matters) instead.
Run `make sync` (this script with ``--write``) to regenerate the .ipynb of every chapter whose .md changed; the
others are left as they are, so their cell ids do not churn in the history.
"""

import sys
from pathlib import Path

import jupytext
from jupytext.compare import NotebookDifference, compare_notebooks

ROOT = Path(__file__).resolve().parent.parent


def stale_pairs(folder="notebooks"):
    """The .md sources whose paired .ipynb is missing or differs from them."""
    for source in sorted((ROOT / folder).glob("*.md")):
        paired = source.with_suffix(".ipynb")
        try:
            if paired.exists():
                compare_notebooks(jupytext.read(paired), jupytext.read(source), fmt="md:myst",
                                  allow_expected_differences=False)
                continue
        except NotebookDifference:
            pass
        yield source


def problems(folder="notebooks"):
    for source in sorted((ROOT / folder).glob("*.md")):
        paired = source.with_suffix(".ipynb")
        name = source.relative_to(ROOT)
        if not paired.exists():
            yield f"{name}: no paired {paired.name} (run `make sync`)"
            continue
        try:
            compare_notebooks(jupytext.read(paired), jupytext.read(source), fmt="md:myst",
                              allow_expected_differences=False)
        except NotebookDifference as difference:
            first_line = str(difference).strip().splitlines()[0]
            yield f"{name}: {paired.name} differs from its source ({first_line}); run `make sync`"
    for notebook in sorted((ROOT / folder).glob("*.ipynb")):
        if not notebook.with_suffix(".md").exists():
            yield f"{notebook.relative_to(ROOT)}: no .md source next to it"


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        for source in stale_pairs():
            jupytext.write(jupytext.read(source), source.with_suffix(".ipynb"))
            print(f"wrote {source.with_suffix('.ipynb').relative_to(ROOT)}")
    found = list(problems())
    for line in found:
        print(line, file=sys.stderr)
    sys.exit(1 if found else 0)
