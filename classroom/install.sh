#!/usr/bin/env bash
# Install the classroom into PREFIX: one venv (hub + course runtime + nnkit, not editable, so the students' servers
# never read the instructor's checkout), configurable-http-proxy from npm, the course published as a git repository
# for nbgitpuller (chapters and exercises only: no solutions), the instructor's exercise sources (hidden tests) and
# the drop folder for submissions. Run as root: the venv is root-owned and read-only for students.
#     classroom/install.sh PREFIX [INSTRUCTOR_GROUP]
set -euo pipefail
prefix=$1
instructors=${2:-nnkit-instructors}
repo=$(cd "$(dirname "$0")/.." && pwd)
proxy_version=5.3.0
find_links=$([ -d /opt/wheels ] && echo --find-links /opt/wheels || true)

umask 022
mkdir -p "$prefix"
chmod 755 "$prefix"
# the students' servers run this interpreter: it must lie where every user can read it (a pyenv under /root
# does not), so the system's python3 by default
python=${CLASSROOM_PYTHON:-/usr/bin/python3}
test -x "$prefix/venv/bin/python" || "$python" -m venv "$prefix/venv"
pip=("$prefix/venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip  # Debian's bundled pip 23.0 backtracked for over 12 minutes on these constraints
# the course runtime without the website builder (jupyter-book, sphinx): students run notebooks, not the book
runtime=$(mktemp)
grep -v -i -E "^(jupyter-book|sphinx)" "$repo/requirements.txt" > "$runtime"
# soupsieve's pinned release needs a newer Python than Debian's 3.11.2: the one pin left to pip here
pins=$(mktemp)
grep -v -i "^soupsieve==" "$repo/constraints.txt" > "$pins"
"${pip[@]}" -r "$runtime" -r "$repo/classroom/requirements.txt" -c "$pins" $find_links
# a copy of nnkit inside the venv (not a link to this checkout, which also holds the solutions)
rm -f "$runtime" "$pins"
"${pip[@]}" --no-deps --force-reinstall "$repo"
mkdir -p "$prefix/venv/share/jupyter/lab/settings"
cp "$repo/tools/jupyterlab-overrides.json" "$prefix/venv/share/jupyter/lab/settings/overrides.json"
# every student's server reads the venv's own config: a terminal is a plain bash (a login shell would reset PATH
# and lose nnkit-submit), no news or update checks (the class may have no internet)
mkdir -p "$prefix/venv/etc/jupyter"
cat > "$prefix/venv/etc/jupyter/jupyter_server_config.py" <<'CONFIG'
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
CONFIG
install -m 755 "$repo/classroom/nnkit-submit" "$prefix/venv/bin/nnkit-submit"
install -m 755 "$repo/classroom/nnkit-collect" "$prefix/venv/bin/nnkit-collect"
sed -i "1s|.*|#!$prefix/venv/bin/python|" "$prefix/venv/bin/nnkit-submit" "$prefix/venv/bin/nnkit-collect"

if [ ! -x "$prefix/proxy/node_modules/.bin/configurable-http-proxy" ]; then
    npm install --silent --no-audit --no-fund --prefix "$prefix/proxy" "configurable-http-proxy@$proxy_version"
fi

getent group "$instructors" > /dev/null || groupadd --system "$instructors"
"$repo/classroom/publish.sh" "$prefix" "$instructors"
echo "classroom installed in $prefix"
