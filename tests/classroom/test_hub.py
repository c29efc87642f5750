"""A class on the real JupyterHub (classroom/): students log in with PAM, work, hand in; the instructor grades.

Needs root (it creates system users with useradd and removes them afterwards) and the test install made by
`make classroom-test` (classroom/install.sh into _build/classroom-test). Loopback only."""

import csv
import json
import os
import pwd
import secrets
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.launch import CHROMIUM, CHROMIUM_ARGS, free_port, stop_process_group

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

REPO = Path(__file__).resolve().parents[2]
PREFIX = Path(os.environ.get("NNKIT_CLASSROOM_TEST_PREFIX", REPO / "_build" / "classroom-test"))
STUDENTS_GROUP, INSTRUCTORS_GROUP = "nnkit-test-students", "nnkit-test-instructors"
# each student solves a different number of exercise 1's parts: (grade ids solved, points expected)
WORK = [(["ex1"], 2), (["ex1", "ex2", "ex3"], 7), (["ex1", "ex2", "ex3", "ex4", "ex5"], 12)]

if os.geteuid() != 0 or not shutil.which("useradd") or not Path("/etc/pam.d/login").exists():
    pytest.skip("the classroom test creates system users and runs a PAM hub: it needs root, useradd and PAM",
                allow_module_level=True)
if not (PREFIX / "venv" / "bin" / "jupyterhub").exists():
    pytest.skip(f"no classroom install in {PREFIX}: run `make classroom-test`", allow_module_level=True)


def run(*command, **options):
    return subprocess.run(command, check=True, capture_output=True, text=True, **options)


def processes_of(names):
    """(pid, user, command) of every process run by these users or from the classroom prefix."""
    listing = run("ps", "-ww", "-eo", "pid=,user:32=,args=").stdout.splitlines()
    rows = [line.split(None, 2) for line in listing if line.strip()]
    return [(int(pid), user, args) for pid, user, args in (row + [""] * (3 - len(row)) for row in rows)
            if (user in names or str(PREFIX) in args) and int(pid) != os.getpid()]


@pytest.fixture
def accounts():
    tag = secrets.token_hex(2)
    students = [f"nnks{i}{tag}" for i in range(len(WORK))]
    instructor = f"nnki{tag}"
    passwords = {name: secrets.token_urlsafe(12) for name in [*students, instructor]}
    for group in (STUDENTS_GROUP, INSTRUCTORS_GROUP):
        subprocess.run(["groupadd", "--system", group], capture_output=True)  # exists already: fine
    for name in students:
        run("useradd", "--create-home", "--shell", "/bin/bash", "--groups", STUDENTS_GROUP, name)
    run("useradd", "--create-home", "--shell", "/bin/bash", "--groups", INSTRUCTORS_GROUP, instructor)
    run("chpasswd", input="".join(f"{name}:{password}\n" for name, password in passwords.items()))
    try:
        yield students, instructor, passwords
    finally:
        for pid, _, _ in processes_of(set(passwords)):  # only processes this test started
            subprocess.run(["kill", "-9", str(pid)], capture_output=True)
        deadline = time.monotonic() + 10  # userdel refuses a user whose processes are still exiting
        while processes_of(set(passwords)) and time.monotonic() < deadline:
            time.sleep(0.5)
        for name in passwords:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        for group in (STUDENTS_GROUP, INSTRUCTORS_GROUP):
            subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(PREFIX / "submissions", ignore_errors=True)


@pytest.fixture
def hub(accounts, tmp_path):
    for stale in ("course.git", "submissions", "instructor"):
        shutil.rmtree(PREFIX / stale, ignore_errors=True)
    run("bash", str(REPO / "classroom" / "publish.sh"), str(PREFIX), INSTRUCTORS_GROUP)
    port = free_port()
    env = {**os.environ, "NNKIT_CLASSROOM": str(PREFIX), "NNKIT_HUB_STATE": str(tmp_path / "hub"),
           "NNKIT_STUDENTS": STUDENTS_GROUP, "NNKIT_INSTRUCTORS": INSTRUCTORS_GROUP, "NNKIT_HUB_PORT": str(port),
           "NNKIT_HUB_API_PORT": str(free_port()), "NNKIT_PROXY_API_PORT": str(free_port())}
    log = open(tmp_path / "hub.log", "w")
    process = subprocess.Popen([str(PREFIX / "venv" / "bin" / "jupyterhub"), "-f",
                                str(REPO / "classroom" / "jupyterhub_config.py")],
                               cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{url}/hub/login", timeout=2)
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "hub.log").read_text()[-3000:]
                time.sleep(0.5)
        yield url, process, tmp_path / "hub.log"
    finally:
        stop_process_group(process, grace_seconds=30)
        log.close()


def log_in(browser, url, name, password):
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    return page


def wait_for_chapter_1(page, name):
    page.wait_for_url(f"**/user/{name}/lab/tree/course/notebooks/01_neuron.ipynb*", timeout=90_000)
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()


def open_terminal_and_type(page, command):
    page.keyboard.press("Control+Shift+c")
    page.keyboard.type("New Terminal")
    page.keyboard.press("Enter")
    terminal = page.locator(".jp-Terminal .xterm-helper-textarea").last  # xterm's keyboard input
    terminal.wait_for(state="attached")
    terminal.focus()
    time.sleep(1)  # the shell's prompt
    page.keyboard.type(command + "\n")


def api(page, url, name, method, path, body=None):
    xsrf = next((c["value"] for c in page.context.cookies() if c["name"] == "_xsrf"), "")
    return page.request.fetch(f"{url}/user/{name}/api/{path}", method=method, headers={"X-XSRFToken": xsrf},
                              data=json.dumps(body) if body is not None else None)


def as_user(name, *command):
    return subprocess.run(["runuser", "-u", name, "--", *command], capture_output=True, text=True)


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


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


def test_a_class_logs_in_works_hands_in_and_is_graded(accounts, hub):
    students, instructor, passwords = accounts
    url, hub_process, hub_log = hub
    started = time.monotonic()
    wait_until(lambda: any("jupyterhub_idle_culler" in args for _, _, args in processes_of(set())), 20,
               "the idle culler service")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {}
        for name in students:
            page = pages[name] = log_in(browser, url, name, passwords[name])
            wait_for_chapter_1(page, name)
            # run the first code cell with an edit of the student's own, and save
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=90_000)
            editor = page.locator(".jp-Notebook .jp-CodeCell .cm-content").first
            editor.click()
            page.keyboard.press("Control+End")
            page.keyboard.type(f"\nprint('edited by {name}')")
            # Ctrl+Enter runs the cell in place; a run sent while the kernel's connection is still settling can be
            # dropped (seen under load), so it is sent again, up to three times
            output = page.locator(".jp-OutputArea-output", has_text=f"edited by {name}").first
            for attempt in range(3):
                editor.click()
                page.keyboard.press("Control+Enter")
                try:
                    output.wait_for(timeout=20_000)
                    break
                except playwright_api.Error:
                    if attempt == 2:
                        page.screenshot(path=hub_log.parent / f"{name}.png")
                        raise
            page.keyboard.press("Control+s")
            chapter = Path(pwd.getpwnam(name).pw_dir) / "course" / "notebooks" / "01_neuron.ipynb"
            wait_until(lambda name=name, chapter=chapter: f"edited by {name}" in chapter.read_text(), 20,
                       f"{name}'s saved edit")
            assert chapter.stat().st_uid == pwd.getpwnam(name).pw_uid

        # a course update: the instructor changes chapter 2 and adds a file; each student's next visit pulls it
        update = hub_log.parent / "update"
        run("git", "clone", "--quiet", str(PREFIX / "course.git"), str(update))
        (update / "notebooks" / "ERRATA.md").write_text("Chapter 2: the learning rate is 0.1.\n")
        chapter_2 = json.loads((update / "notebooks" / "02_perceptron.ipynb").read_text())
        chapter_2["cells"].append({"cell_type": "markdown", "metadata": {}, "id": "course-update",
                                   "source": "Added by a course update."})
        (update / "notebooks" / "02_perceptron.ipynb").write_text(json.dumps(chapter_2, indent=1))
        run("git", "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qam", "update", cwd=update)
        run("git", "add", "notebooks/ERRATA.md", cwd=update)
        run("git", "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "errata", cwd=update)
        run("git", "push", "--quiet", "origin", "main", cwd=update)
        for name, page in pages.items():
            page.goto(f"{url}/hub/user-redirect/" + hub_default_url())
            wait_for_chapter_1(page, name)
            course = Path(pwd.getpwnam(name).pw_dir) / "course" / "notebooks"
            assert (course / "ERRATA.md").exists(), f"{name} did not get the course update"
            assert "Added by a course update." in (course / "02_perceptron.ipynb").read_text()
            assert f"edited by {name}" in (course / "01_neuron.ipynb").read_text(), f"the update lost {name}'s edit"

        # privacy: neither the files nor the server of another student, nor the instructors' exercise sources
        first, second = students[0], students[1]
        other_chapter = Path(pwd.getpwnam(second).pw_dir) / "course" / "notebooks" / "01_neuron.ipynb"
        assert as_user(first, "cat", str(other_chapter)).returncode != 0
        assert as_user(first, "ls", str(Path(pwd.getpwnam(second).pw_dir))).returncode != 0
        assert as_user(first, "ls", str(PREFIX / "instructor" / "exercises" / "source")).returncode != 0
        assert as_user(first, "ls", str(PREFIX / "submissions")).returncode != 0
        assert "solutions" not in run("git", "ls-tree", "-r", "--name-only", "main",
                                      cwd=PREFIX / "course.git").stdout
        response = api(pages[first], url, second, "GET", "contents/course")
        assert response.status in (403, 404) or "application/json" not in response.headers.get("content-type", ""), \
            f"{first} read {second}'s files through the hub ({response.status})"

        # each student does some of exercise 1 (written through their own server, so they own it) and hands it in
        for (name, page), (solved, _) in zip(pages.items(), WORK):
            saved = api(page, url, name, "PUT", "contents/course/exercises/01_neuron.ipynb",
                        {"type": "notebook", "format": "json", "content": exercise_done(solved)})
            assert saved.ok, saved.text()
            page.goto(f"{url}/user/{name}/lab/tree/course/exercises/01_neuron.ipynb")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for()
            open_terminal_and_type(page, "cd ~/course && nnkit-submit exercises/01_neuron.ipynb")
            drop = PREFIX / "submissions" / name / "01_neuron"
            wait_until(lambda drop=drop: drop.exists() and any(drop.glob("*.ipynb")), 30, f"{name}'s hand-in")
        assert as_user(first, "ls", str(PREFIX / "submissions" / second)).returncode != 0

        # the instructor logs in, collects and grades from a terminal of their own
        page = log_in(browser, url, instructor, passwords[instructor])
        page.wait_for_url(f"**/user/{instructor}/lab/**", timeout=90_000)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        open_terminal_and_type(
            page, "nnkit-collect ~/grading --workers 2 > ~/collect.log 2>&1; echo done >> ~/collect.log")
        summary = Path(pwd.getpwnam(instructor).pw_dir) / "grading" / "results" / "summary.csv"
        collect_log = summary.parents[2] / "collect.log"
        wait_until(lambda: collect_log.exists() and "done" in collect_log.read_text(), 150, "the grading")
        browser.close()

    assert summary.exists(), collect_log.read_text()
    totals = {row["student"]: float(row["total"]) for row in csv.DictReader(summary.open())}
    assert totals == {name: float(points) for name, (_, points) in zip(students, WORK)}, collect_log.read_text()

    stop_process_group(hub_process, grace_seconds=30)
    wait_until(lambda: not processes_of(set(passwords)), 20, "every classroom process to stop")
    assert time.monotonic() - started < 240


def hub_default_url():
    """The nbgitpuller link the hub opens after login (its Spawner.default_url), without the leading slash."""
    config = (REPO / "classroom" / "jupyterhub_config.py").read_text()
    assert "git-pull?" in config
    from urllib.parse import urlencode
    pull = urlencode({"repo": f"file://{PREFIX / 'course.git'}", "branch": "main", "targetPath": "course",
                      "urlpath": "lab/tree/course/notebooks/01_neuron.ipynb"})
    return f"git-pull?{pull}"
