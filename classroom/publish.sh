#!/usr/bin/env bash
# Publish the course to the students: commit this checkout's chapters and exercises to PREFIX/course.git, the
# repository every student's nbgitpuller pulls from when their server starts (their edits are kept; new files and
# untouched files are updated). The exercise sources with hidden tests go to PREFIX/instructor (instructors only).
#     classroom/publish.sh PREFIX [INSTRUCTOR_GROUP]
set -euo pipefail
prefix=$1
instructors=${2:-nnkit-instructors}
repo=$(cd "$(dirname "$0")/.." && pwd)
umask 022
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

test -d "$prefix/course.git" || git init --quiet --bare --initial-branch=main "$prefix/course.git"
git clone --quiet "$prefix/course.git" "$work/course" 2> /dev/null
cd "$work/course"
git checkout --quiet -B main
find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
mkdir notebooks exercises
cp "$repo"/notebooks/[0-9][0-9]_*.ipynb notebooks/
cp "$repo"/exercises/[0-9][0-9]_*.ipynb exercises/
printf '# nnkit course\n\nChapters are in notebooks/, exercises in exercises/. To hand in an exercise, save it, open\nhand_in.ipynb and run its cell for that exercise (or, in a terminal: nnkit-submit exercises/01_neuron.ipynb).\n' > README.md
# hand_in.ipynb: the students' Submit button, one cell per exercise running nnkit-submit in their own kernel (the
# kernel starts in course/, next to exercises/); written the same way on every publish, so it changes only when
# the exercises do
python3 - exercises/*.ipynb > hand_in.ipynb <<'NOTEBOOK'
import json, sys
from pathlib import Path
intro = ("# Hand in an exercise\n\nSave the exercise first (Ctrl+S in its tab): what is saved is handed in. Then "
         "click into the cell of that exercise below and press Shift+Enter; it answers `handed in ...` with the "
         "time. Hand in as often as you like: the latest hand-in counts. Only you and the instructors can read it.")
cells = [{"cell_type": "markdown", "id": "intro", "metadata": {}, "source": intro}]
cells += [{"cell_type": "code", "id": f"hand-in-{Path(path).stem}", "metadata": {}, "execution_count": None,
           "outputs": [], "source": f"!nnkit-submit {path}"} for path in sys.argv[1:]]
kernel = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
print(json.dumps({"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5},
                 indent=1))
NOTEBOOK
git add --all
if ! git diff --cached --quiet; then
    git -c user.name="nnkit classroom" -c user.email="classroom@localhost" commit --quiet -m "Course update $(date -u +%FT%TZ)"
    git push --quiet origin main
fi
git --git-dir="$prefix/course.git" config uploadpack.allowAnySHA1InWant true
chmod -R a+rX "$prefix/course.git"
printf '[safe]\n\tdirectory = %s\n' "$prefix/course.git" > "$prefix/gitconfig"
chmod 644 "$prefix/gitconfig"

# the instructor's side: exercise sources (solutions, hidden tests), readable by the instructors group only
mkdir -p "$prefix/instructor/exercises/source"
cp "$repo"/exercises/source/*.md "$prefix/instructor/exercises/source/"
chgrp -R "$instructors" "$prefix/instructor"
chmod -R u=rwX,g=rX,o= "$prefix/instructor"

# the drop folder: instructors list it; students only pass through it to their own folder (made at spawn)
mkdir -p "$prefix/submissions"
chgrp "$instructors" "$prefix/submissions"
chmod 751 "$prefix/submissions"
