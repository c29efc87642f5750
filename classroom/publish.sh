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
printf '# nnkit course\n\nChapters are in notebooks/, exercises in exercises/. Submit an exercise from a terminal:\n\n    nnkit-submit exercises/01_neuron.ipynb\n' > README.md
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
