"""A class on the real JupyterHub (classroom/): students log in with PAM, work, hand in; the instructor grades.

Needs root (it creates system users and groups with useradd/groupadd and removes them afterwards), PAM, and the
test install made by `make classroom-test` (classroom/install.sh into _build/classroom-test). Loopback only.

Every wait polls against a deadline generous enough for a loaded 2-core machine; `make classroom-test` bounds the
whole run (timeout --signal=INT, so the fixtures still remove the users)."""

import csv
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.browser.launch import CHROMIUM, CHROMIUM_ARGS, free_port, stop_process_group

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

REPO = Path(__file__).resolve().parents[2]
PREFIX = Path(os.environ.get("NNKIT_CLASSROOM_TEST_PREFIX", REPO / "_build" / "classroom-test"))
# what each student does to exercise 1: (grade ids whose solution cells they fill in, points the grader must give)
# A solves all five parts, B the first three (2 + 2 + 3 points), C hands the released notebook in untouched
WORK = [(["ex1", "ex2", "ex3", "ex4", "ex5"], 12), (["ex1", "ex2", "ex3"], 7), ([], 0)]
SECONDS_BUDGET = 240  # the whole class, login to grades; `make classroom-test` kills the run at 300

if os.geteuid() != 0 or not shutil.which("useradd") or not Path("/etc/pam.d/login").exists():
    pytest.skip("the classroom test creates system users and runs a PAM hub: it needs root, useradd and PAM "
                "(/etc/pam.d/login)", allow_module_level=True)
if not (PREFIX / "venv" / "bin" / "jupyterhub").exists():
    pytest.skip(f"no classroom install in {PREFIX}: run `make classroom-test`", allow_module_level=True)


def run(*command, **options):
    return subprocess.run(command, check=True, capture_output=True, text=True, **options)


def processes_of(names):
    """(pid, user, command) of every process run by these users or from the classroom prefix."""
    listing = run("ps", "-ww", "-eo", "pid=,user:32=,args=").stdout.splitlines()
    rows = [line.split(None, 2) for line in listing if line.strip()]
    return [(int(pid), user, args) for pid, user, args in (row + [""] * (3 - len(row)) for row in rows)
            if (user in names or str(PREFIX) in args) and int(pid) not in ancestors()]


def ancestors():
    """This process and its parents: the shell of `make classroom-test` names the prefix too, and must live."""
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return pids


def pgrep(*pattern):
    """pgrep's answer as a list of "pid command" lines (empty when nothing matches)."""
    found = subprocess.run(["pgrep", "-a", *pattern], capture_output=True, text=True)
    return found.stdout.splitlines()


def leftovers(names):
    """What pgrep still finds of this test's class: the hub and the single-user servers (both started from the
    prefix's venv), the proxy, the idle culler, and any process (kernel, terminal, shell) of the test's users."""
    venv = PREFIX / "venv" / "bin"
    found = pgrep("-f", f"{venv}/jupyterhub") + pgrep("-f", f"{PREFIX}/proxy/")
    found += pgrep("-f", f"{venv}/python -m jupyterhub_idle_culler")
    for name in names:
        found += [f"{line} (user {name})" for line in pgrep("-u", name)]
    return found


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def accounts():
    """3 students and 1 instructor, system users with random passwords, in groups of their own for this run."""
    tag = secrets.token_hex(2)
    students = [f"nnks{i}{tag}" for i in range(len(WORK))]
    instructor = f"nnki{tag}"
    groups = {"students": f"nnkts{tag}", "instructors": f"nnkti{tag}"}
    passwords = {name: secrets.token_urlsafe(12) for name in [*students, instructor]}
    try:
        for group in groups.values():
            run("groupadd", "--system", group)
        for name in students:
            run("useradd", "--create-home", "--shell", "/bin/bash", "--groups", groups["students"], name)
        run("useradd", "--create-home", "--shell", "/bin/bash", "--groups", groups["instructors"], instructor)
        run("chpasswd", input="".join(f"{name}:{password}\n" for name, password in passwords.items()))
        yield students, instructor, passwords, groups
    finally:
        for pid, _, _ in processes_of(set(passwords)):  # only processes of this test's users and prefix
            subprocess.run(["kill", "-9", str(pid)], capture_output=True)
        # userdel refuses a user whose processes are still exiting
        deadline = time.monotonic() + 20
        while processes_of(set(passwords)) and time.monotonic() < deadline:
            time.sleep(0.5)
        for name in passwords:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        for group in groups.values():
            subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(PREFIX / "submissions", ignore_errors=True)
        left = [name for name in [*passwords, *groups.values()]
                if subprocess.run(["getent", "passwd", name], capture_output=True).returncode == 0
                or subprocess.run(["getent", "group", name], capture_output=True).returncode == 0]
        assert not left, f"the classroom test could not remove its users or groups: {left}"


@pytest.fixture
def hub(accounts, tmp_path):
    _, _, _, groups = accounts
    for stale in ("course.git", "submissions", "instructor"):
        shutil.rmtree(PREFIX / stale, ignore_errors=True)
    run("bash", str(REPO / "classroom" / "publish.sh"), str(PREFIX), groups["instructors"])
    port = free_port()
    env = {**os.environ, "NNKIT_CLASSROOM": str(PREFIX), "NNKIT_HUB_STATE": str(tmp_path / "hub"),
           "NNKIT_STUDENTS": groups["students"], "NNKIT_INSTRUCTORS": groups["instructors"],
           "NNKIT_HUB_PORT": str(port), "NNKIT_HUB_API_PORT": str(free_port()),
           "NNKIT_PROXY_API_PORT": str(free_port())}
    log = open(tmp_path / "hub.log", "w")
    process = subprocess.Popen([str(PREFIX / "venv" / "bin" / "jupyterhub"), "-f",
                                str(REPO / "classroom" / "jupyterhub_config.py")],
                               cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def login_page_answers():
        assert process.poll() is None, (tmp_path / "hub.log").read_text()[-3000:]
        try:
            urllib.request.urlopen(f"{url}/hub/login", timeout=5)
            return True
        except OSError:
            return False

    try:
        wait_until(login_page_answers, 90, "the hub's login page")
        yield url, process, tmp_path / "hub.log"
    finally:
        stop_process_group(process, grace_seconds=30)
        log.close()


def log_in(browser, url, name, password):
    """Fill in and send the hub's login form; the hub then starts the user's server (waited for separately)."""
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit", no_wait_after=True)
    return page


def wait_for_chapter_1(page, name):
    """The spawn, nbgitpuller's pull and JupyterLab opening chapter 1: the slowest step under load."""
    page.wait_for_url(f"**/user/{name}/lab/tree/course/notebooks/01_neuron.ipynb*", timeout=180_000)
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=120_000)


def notebook_panel(page, cell_text):
    """The JupyterLab notebook tab holding a code cell with ``cell_text`` (JupyterLab may restore other tabs)."""
    return page.locator(".jp-NotebookPanel", has=page.locator(".jp-CodeCell", has_text=cell_text)).first


def run_cell(page, cell_text, expected_output, screenshot):
    """Click into the code cell containing ``cell_text`` and run it with Ctrl+Enter, as a student does, until its
    output shows ``expected_output``. A run sent while the kernel's connection is still settling can be dropped
    (seen under load), so it is sent again, up to three times."""
    panel = notebook_panel(page, cell_text)
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
    editor = panel.locator(".jp-CodeCell", has_text=cell_text).first.locator(".cm-content")
    output = panel.locator(".jp-OutputArea-output", has_text=expected_output).first
    for attempt in range(3):
        editor.click()
        page.keyboard.press("Control+Enter")
        try:
            output.wait_for(timeout=30_000)
            return output.inner_text()
        except playwright_api.Error:
            if attempt == 2:
                page.screenshot(path=screenshot)
                raise


# An instructor's terminal, driven the way JupyterLab's Terminal tab drives it: POST api/terminals creates one in
# the instructor's own server, its websocket carries the keystrokes and the output (terminado's ["stdin", text] /
# ["stdout", text] messages). The command ends the shell, so the output is complete when the socket says so.
RUN_IN_TERMINAL = """async ([base, command, timeoutMs]) => {
  const xsrf = decodeURIComponent((document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || "");
  const created = await fetch(`${base}/api/terminals`, {method: "POST", headers: {"X-XSRFToken": xsrf}});
  if (!created.ok) return {output: `POST ${base}/api/terminals: ${created.status} ${await created.text()}`};
  const {name} = await created.json();
  const socket = new WebSocket(`${location.origin.replace(/^http/, "ws")}${base}/terminals/websocket/${name}`);
  let output = "";
  return await new Promise((resolve) => {
    const finish = (how) => { clearTimeout(timer); socket.close(); resolve({output, how}); };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    socket.onopen = () => socket.send(JSON.stringify(["stdin", command + "; exit\\r"]));
    socket.onmessage = (event) => {
      const [kind, text] = JSON.parse(event.data);
      if (kind === "stdout") output += text;
      if (kind === "disconnect") finish("exited");
    };
    socket.onclose = () => finish("closed");
  });
}"""


def exercise_done(solved):
    """Exercise 1 as released, with the solution cells of the parts in ``solved`` filled in."""
    student = json.loads((REPO / "exercises" / "01_neuron.ipynb").read_text())
    solution = {c["metadata"]["nbgrader"]["grade_id"]: c["source"]
                for c in json.loads((REPO / "solutions" / "01_neuron.ipynb").read_text())["cells"]
                if "nbgrader" in c["metadata"]}
    for cell in student["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if grade_id.split("-")[0] in solved and cell["metadata"]["nbgrader"].get("solution"):
            cell["source"] = solution[grade_id]
    return student


def sources(notebook):
    return ["".join(cell["source"]) for cell in notebook["cells"]]


def api(page, url, name, method, path, body=None):
    xsrf = next((c["value"] for c in page.context.cookies() if c["name"] == "_xsrf"), "")
    return page.request.fetch(f"{url}/user/{name}/api/{path}", method=method, headers={"X-XSRFToken": xsrf},
                              data=json.dumps(body) if body is not None else None)


def as_user(name, *command):
    return subprocess.run(["runuser", "-u", name, "--", *command], capture_output=True, text=True)


def home(name):
    return Path(pwd.getpwnam(name).pw_dir)


def hub_default_url():
    """The nbgitpuller link the hub opens after login (its Spawner.default_url), without the leading slash."""
    assert "git-pull?" in (REPO / "classroom" / "jupyterhub_config.py").read_text()
    pull = urlencode({"repo": f"file://{PREFIX / 'course.git'}", "branch": "main", "targetPath": "course",
                      "urlpath": "lab/tree/course/notebooks/01_neuron.ipynb"})
    return f"git-pull?{pull}"


def publish_course_update(workdir):
    """The instructor changes chapter 2 and adds a file, and pushes that to the published course."""
    update = workdir / "update"
    git = ("git", "-c", "user.name=t", "-c", "user.email=t@localhost")
    run("git", "clone", "--quiet", str(PREFIX / "course.git"), str(update))
    (update / "notebooks" / "ERRATA.md").write_text("Chapter 2: the learning rate is 0.1.\n")
    chapter_2 = json.loads((update / "notebooks" / "02_perceptron.ipynb").read_text())
    chapter_2["cells"].append({"cell_type": "markdown", "metadata": {}, "id": "course-update",
                               "source": "Added by a course update."})
    (update / "notebooks" / "02_perceptron.ipynb").write_text(json.dumps(chapter_2, indent=1))
    run(*git, "commit", "-qam", "update", cwd=update)
    run("git", "add", "notebooks/ERRATA.md", cwd=update)
    run(*git, "commit", "-qm", "errata", cwd=update)
    run("git", "push", "--quiet", "origin", "main", cwd=update)


def test_a_class_logs_in_works_hands_in_and_is_graded(accounts, hub):
    students, instructor, passwords, groups = accounts
    url, hub_process, hub_log = hub
    workdir = hub_log.parent
    started = time.monotonic()
    timings = {}
    wait_until(lambda: any("jupyterhub_idle_culler" in args for _, _, args in processes_of(set())), 60,
               "the idle culler service")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # every student logs in through the login page; the hub starts their servers side by side
        pages = {name: log_in(browser, url, name, passwords[name]) for name in students}
        for name, page in pages.items():
            wait_for_chapter_1(page, name)
        timings["logged in, chapter 1 open"] = time.monotonic() - started

        # each runs the first code cell with an edit of their own, and saves
        for name, page in pages.items():
            first_cell = "from nnkit import"
            notebook_panel(page, first_cell).locator(".jp-CodeCell", has_text=first_cell).first.locator(
                ".cm-content").click()
            page.keyboard.press("Control+End")
            page.keyboard.type(f"\nprint('edited by {name}')")
            run_cell(page, first_cell, f"edited by {name}", workdir / f"{name}-chapter-1.png")
            page.keyboard.press("Control+s")
            chapter = home(name) / "course" / "notebooks" / "01_neuron.ipynb"
            wait_until(lambda chapter=chapter, name=name: f"edited by {name}" in chapter.read_text(), 60,
                       f"{name}'s saved edit")
            assert chapter.stat().st_uid == pwd.getpwnam(name).pw_uid
        timings["chapter 1 run, edited, saved"] = time.monotonic() - started

        # a course update; each student's next visit of the hub's link pulls it, and keeps their edit
        publish_course_update(workdir)
        for name, page in pages.items():
            page.goto(f"{url}/hub/user-redirect/" + hub_default_url())
            wait_for_chapter_1(page, name)
            course = home(name) / "course" / "notebooks"
            assert (course / "ERRATA.md").exists(), f"{name} did not get the course update"
            assert "Added by a course update." in (course / "02_perceptron.ipynb").read_text()
            assert f"edited by {name}" in (course / "01_neuron.ipynb").read_text(), f"the update lost {name}'s edit"
        timings["course update pulled"] = time.monotonic() - started

        # privacy: neither the files nor the server of another student, nor the instructors' exercise sources
        first, second = students[0], students[1]
        assert as_user(first, "cat", str(home(second) / "course" / "notebooks" / "01_neuron.ipynb")).returncode != 0
        assert as_user(first, "ls", str(home(second))).returncode != 0
        assert as_user(first, "ls", str(PREFIX / "instructor" / "exercises" / "source")).returncode != 0
        assert as_user(first, "ls", str(PREFIX / "submissions")).returncode != 0
        assert "solutions" not in run("git", "ls-tree", "-r", "--name-only", "main",
                                      cwd=PREFIX / "course.git").stdout
        response = api(pages[first], url, second, "GET", "contents/course")
        assert response.status in (403, 404) or "application/json" not in response.headers.get("content-type", ""), \
            f"{first} read {second}'s files through the hub ({response.status})"

        # each student works on exercise 1 (written through their own server, so the file is theirs), saves it,
        # and hands it in the way the course tells them to: the exercise's cell in course/hand_in.ipynb
        hand_in_cell = "nnkit-submit exercises/01_neuron.ipynb"
        for (name, page), (solved, _) in zip(pages.items(), WORK):
            saved = api(page, url, name, "PUT", "contents/course/exercises/01_neuron.ipynb",
                        {"type": "notebook", "format": "json", "content": exercise_done(solved)})
            assert saved.ok, saved.text()
            page.goto(f"{url}/user/{name}/lab/tree/course/hand_in.ipynb")
            answer = run_cell(page, hand_in_cell, "handed in 01_neuron.ipynb", workdir / f"{name}-hand-in.png")
            drop = PREFIX / "submissions" / name / "01_neuron"
            hand_ins = sorted(drop.glob("*.ipynb"))
            assert hand_ins, f"{name}'s kernel said {answer!r}, but {drop} holds no hand-in"
            assert sources(json.loads(hand_ins[-1].read_text())) == sources(exercise_done(solved)), \
                f"{name}'s hand-in is not the exercise they saved"
            assert hand_ins[-1].stat().st_uid == pwd.getpwnam(name).pw_uid
        assert as_user(first, "ls", str(PREFIX / "submissions" / second)).returncode != 0
        assert as_user(first, "cat", str(sorted((PREFIX / "submissions" / second / "01_neuron").glob("*"))[-1])
                       ).returncode != 0, f"{first} read {second}'s hand-in"
        timings["handed in"] = time.monotonic() - started

        # the instructor logs in and, from a terminal of their own server, collects and grades (the sandboxed
        # grader, run as the instructor)
        page = log_in(browser, url, instructor, passwords[instructor])
        wait_for_chapter_1(page, instructor)
        assert not (PREFIX / "submissions" / instructor).exists(), "an instructor got a drop folder"
        terminal = page.evaluate(RUN_IN_TERMINAL, [f"/user/{instructor}", "nnkit-collect ~/grading --workers 2; "
                                                  "echo \"collect exit status: $?\"", 150_000])
        browser.close()
    timings["collected and graded"] = time.monotonic() - started

    status = re.search(r"collect exit status: (\d+)", terminal["output"])
    assert status and status.group(1) == "0", f"nnkit-collect ({terminal['how']}):\n{terminal['output'][-3000:]}"
    summary = home(instructor) / "grading" / "results" / "summary.csv"
    assert summary.stat().st_uid == pwd.getpwnam(instructor).pw_uid
    totals = {row["student"]: float(row["total"]) for row in csv.DictReader(summary.open())
              if row["notebook"] == "01_neuron"}  # the other exercises: "not submitted", 0 each
    assert totals == {name: float(points) for name, (_, points) in zip(students, WORK)}, terminal["output"][-3000:]

    # everything stops: the hub takes the proxy, the culler and every student's server (and kernels) with it
    stop_process_group(hub_process, grace_seconds=30)
    names = set(passwords)
    wait_until(lambda: not leftovers(names), 60, f"every classroom process to stop: {leftovers(names)}")
    timings["stopped"] = time.monotonic() - started
    print("classroom test, seconds since the hub answered: " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
    assert timings["stopped"] < SECONDS_BUDGET, timings
