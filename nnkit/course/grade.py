"""Grade submitted exercise notebooks with the instructor's tests, hidden ones included.

    python -m nnkit.course grade SUBMISSIONS_DIR --out RESULTS_DIR [--assignment 01_neuron]
                                 [--timeout-cell 30] [--timeout-notebook 120] [--workers 2]

**Grading runs student code.** Each notebook runs in its own bubblewrap sandbox (``nnkit.course.sandbox``):
no network, no view of the course repository beyond the nnkit package, a read-only runtime, limits on memory,
processes and time, and no process left when it ends. ``--no-sandbox`` turns that off (with a warning). The
verdicts are computed outside the student's kernel, by a judge (``nnkit.course.judge``) that runs the instructor's
check cells and reaches the student's objects through ``nnkit.course.remote``: what a submission patches in its
own interpreter changes only what its own functions return.

Layout of SUBMISSIONS_DIR (documented for instructors):

* ``SUBMISSIONS_DIR/<student>/<assignment>.ipynb`` — a folder per student, notebooks keep
  their released names (``01_neuron.ipynb``); a missing notebook scores 0 ("not submitted"),
  an empty folder scores 0 on every assignment graded;
* ``SUBMISSIONS_DIR/<student>.ipynb`` — one file per student (the file name is the student's
  id), all for one assignment, named with ``--assignment`` (not needed when there is a single
  exercise source). Every file directly in SUBMISSIONS_DIR counts as a submission.

For each notebook the grader finds every graded check cell of the instructor's source (by
nbgrader ``grade_id``, falling back to the cell id), **replaces it with a cell that serves the judge**
(which runs the instructor's version including hidden tests, outside) and then runs the released
check, clears all outputs and runs the notebook in a fresh kernel (``nnkit.course.run_notebook``)
with a per-cell time limit, in a subprocess killed at the notebook time limit. A check the judge
runs without error earns its points; otherwise 0, with the check's message as feedback.
Results: ``scores.csv`` (student, notebook, grade_id, points, max_points, status), ``summary.csv``
(student, notebook, total, max, flags) and ``feedback/<student>.md``.
"""

import csv
import dataclasses
import html
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nnkit.course import judge, tampering
from nnkit.course import sandbox as bubblewrap
from nnkit.course.release import build_exercise, exercise_sources

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the nnkit folder: all of the course a sandbox may read

MAX_SUBMISSION_BYTES = 20_000_000
MAX_MESSAGE_CHARS = 1_500
MESSAGE_FOR_ERROR = {
    "NameError": "A name the check needs is not defined: did the cell that defines it run without errors?",
    "SyntaxError": "Python could not read the code.",
    "FloatingPointError": "Your code overflowed or divided by zero; the check turns numpy's warnings into errors.",
}


class InvalidSubmission(ValueError):
    """A submitted file that is not a Jupyter notebook the grader can run."""


@dataclass
class ItemResult:
    grade_id: str
    points: float
    max_points: float
    status: str  # passed, failed, not attempted, timeout, cell missing, not run, not submitted, not a notebook
    message: str = ""


@dataclass
class NotebookResult:
    student: str
    notebook: str
    items: list
    notes: list = field(default_factory=list)
    written_answers: list = field(default_factory=list)  # (grade_id, text, points): graded by hand, "to be read"
    flags: list = field(default_factory=list)  # signs of tampering, for the instructor only (nnkit.course.tampering)

    @property
    def total(self):
        return sum(item.points for item in self.items)

    @property
    def max_points(self):
        return sum(item.max_points for item in self.items)


@dataclass(frozen=True)
class Limits:
    timeout_cell: int = 30
    timeout_notebook: int = 120
    sandbox: bool = True  # False only with the instructor's explicit --no-sandbox
    sandbox_limits: bubblewrap.SandboxLimits = bubblewrap.SandboxLimits()


def grade(submissions_dir, out_dir, root=".", assignment=None, limits=Limits(), workers=2, resume=False,
          regrade=False, progress=None):
    """Grade every submission under ``submissions_dir``, write the results to ``out_dir``, return them.

    Each notebook's result is appended to ``out_dir/results.jsonl`` as soon as it is known, so a run that is
    killed loses nothing: ``resume=True`` skips what is there already. Results of earlier runs (e.g. last week's
    assignment) stay and are reported beside the new ones; grading a (student, notebook) pair that already has a
    result needs ``resume`` (keep it) or ``regrade`` (replace it). ``progress(done, total, result)`` is called
    after each notebook.
    """
    root, out_dir = Path(root).resolve(), Path(out_dir)
    exercises = {exercise.name: exercise for exercise in map(build_exercise, exercise_sources(root))}
    if assignment is not None and assignment not in exercises:
        raise ValueError(f"grade: unknown assignment {assignment!r}; the sources are {sorted(exercises)}")
    jobs = find_submissions(Path(submissions_dir), sorted(exercises), assignment)
    store = ResultStore(out_dir)
    earlier = store.load()
    again = [(student, name) for student, name, _ in jobs if (student, name) in earlier]
    if again and not (resume or regrade):
        raise ValueError(f"grade: {out_dir} already has results for {len(again)} of these notebooks (e.g. "
                         f"{again[0][0]}/{again[0][1]}): pass --resume to keep them and grade the rest, or "
                         "--regrade to grade them again")
    if resume:
        jobs = [job for job in jobs if (job[0], job[1]) not in earlier]
    if limits.sandbox and jobs:
        bubblewrap.check_available()  # refuse to run student code unconfined (``--no-sandbox`` opts out)

    unexpected = unrecognized_files(Path(submissions_dir), sorted(exercises))

    def grade_job(job):
        student, name, path = job
        result = grade_safely(exercises[name], student, path, root, limits, exercises.values())
        result.flags += [f"unrecognized file {file}" for file in unexpected.get(student, [])]
        store.append(result)
        return result

    # threads suffice: each notebook runs in its own subprocess, the threads only wait for it
    results = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(grade_job, jobs):
            results.append(result)
            if progress is not None:
                progress(len(results), len(jobs), result)
    write_results(list(store.load().values()), out_dir)
    return results


class ResultStore:
    """``results.jsonl``: one JSON line per graded notebook, appended and flushed as soon as it is known.

    Only the grader writes it (no sandbox can see the results folder); the last line for a (student, notebook)
    pair wins, so a regrade replaces an earlier result without losing the history.
    """

    def __init__(self, out_dir):
        self.path = Path(out_dir) / "results.jsonl"
        self.lock = threading.Lock()

    def append(self, result):
        line = json.dumps(dataclasses.asdict(result), ensure_ascii=False) + "\n"
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            torn = self.path.exists() and self.path.stat().st_size and not self.path.read_bytes().endswith(b"\n")
            with open(self.path, "a", encoding="utf-8") as store:
                store.write("\n" + line if torn else line)  # a line torn by a killed grader stays on its own
                store.flush()
                os.fsync(store.fileno())

    def load(self):
        """{(student, notebook): NotebookResult}; a torn last line (a killed grader) is ignored."""
        found = {}
        if not self.path.exists():
            return found
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                raw = json.loads(line)
                result = NotebookResult(**{**raw, "items": [ItemResult(**item) for item in raw["items"]],
                                           "written_answers": [tuple(pair) for pair in raw["written_answers"]]})
            except (ValueError, TypeError, KeyError):
                continue
            found[(result.student, result.notebook)] = result
        return found


def find_submissions(submissions_dir, assignments, assignment):
    """[(student, assignment, path or None)] for the layout described in the module docstring."""
    if not submissions_dir.is_dir():
        raise FileNotFoundError(f"grade: {submissions_dir} is not a folder of submissions")
    entries = sorted(entry for entry in submissions_dir.iterdir() if not entry.name.startswith((".", "__")))
    flat_files = [entry for entry in entries if entry.is_file()]
    if flat_files and assignment is None and len(assignments) != 1:
        raise ValueError(f"grade: {len(flat_files)} files lie directly in {submissions_dir}; say which assignment they "
                         f"are with --assignment (one of {assignments})")
    jobs = []
    for entry in entries:
        if entry.is_file():
            jobs.append((entry.stem, assignment or assignments[0], entry))
        else:
            for name in [assignment] if assignment else assignments:
                path = entry / f"{name}.ipynb"
                jobs.append((entry.name, name, path if path.is_file() else None))
    return jobs


def unrecognized_files(submissions_dir, assignments):
    """{student: [file names]}: files in a student's folder that are not an assignment's notebook.

    ``01_neuron (1).ipynb`` (a browser's copy) or ``neuron.ipynb`` is graded as "not submitted"; the flag tells the
    instructor there was something else to look at.
    """
    expected = {f"{name}.ipynb" for name in assignments}
    found = {}
    for folder in sorted(p for p in submissions_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))):
        extra = sorted(f.name for f in folder.iterdir() if f.name not in expected and not f.name.startswith("."))
        if extra:
            found[folder.name] = extra
    return found


def grade_safely(exercise, student, path, root, limits, exercises=()):
    """grade_notebook, but a bug in the grader costs this one notebook a note, never the whole run."""
    try:
        return grade_notebook(exercise, student, path, root, limits, exercises)
    except Exception as err:  # noqa: BLE001 - the run must go on for every other student
        note = f"The grader failed on this notebook ({type(err).__name__}: {err}); tell your instructor."
        return NotebookResult(student, exercise.name, zero_items(exercise, "grader error", ""), [note])


def zero_items(exercise, status, message):
    return [ItemResult(item.grade_id, 0, item.points, status, message) for item in exercise.graded_items]


def grade_notebook(exercise, student, path, root, limits, exercises=()):
    if path is None:
        return NotebookResult(student, exercise.name, zero_items(exercise, "not submitted", ""),
                              [f"No {exercise.name}.ipynb was found in your submission."])
    try:
        notebook = load_submission(path)
    except InvalidSubmission as err:
        return NotebookResult(student, exercise.name, zero_items(exercise, "not a notebook", str(err)),
                              [f"{path.name}: {err}"])
    marker = tampering.new_marker()
    prepared, positions, notes = with_instructor_checks(notebook, exercise, marker)
    executed, verdicts, run_notes, run_flags = execute(prepared, root, limits, exercise)
    result = NotebookResult(student, exercise.name, [], notes + run_notes, written_answers(prepared, exercise))
    for item in exercise.graded_items:
        index = positions.get(item.grade_id)
        result.items.append(score(item, None if index is None else executed.cells[index], verdicts.get(item.grade_id),
                                  executed, limits))
    result.notes.extend(cell_problems(executed, set(positions.values()), limits))
    result.flags = tampering.probe_flags(executed, marker, expected=len(positions) + 1) + run_flags
    locked = {grade_id_of(cell) for cell in exercise.instructor.cells
              if grade_id_of(cell) and not cell.metadata["nbgrader"].get("solution")}
    result.flags += tampering.reaching_code_flags(notebook, locked)
    not_run = sum(item.status == "not run" for item in result.items)
    if not_run:
        result.flags.append(f"{not_run} of {len(result.items)} checks did not run")
    closest, similarity = tampering.closest_exercise(notebook, exercises)
    if closest not in (None, exercise.name) and similarity > 0.5:
        result.flags.append(f"looks like {closest}, handed in as {exercise.name}")
    return result


def load_submission(path):
    """The notebook in ``path``, or InvalidSubmission saying plainly why it is not one."""
    size = path.stat().st_size
    if size > MAX_SUBMISSION_BYTES:
        raise InvalidSubmission(f"the file is {size / 1e6:.0f} MB, over the {MAX_SUBMISSION_BYTES / 1e6:.0f} MB limit; "
                                "clear the outputs (Edit > Clear Outputs of All Cells) and submit again")
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidSubmission(f"not a notebook: the file is not valid JSON ({err})") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4 or not isinstance(data.get("cells"), list):
        raise InvalidSubmission("not a notebook: valid JSON, but not in Jupyter's notebook format 4 (a list of cells)")
    try:
        notebook = nbformat.from_dict(data)
        for cell in notebook.cells:
            if cell.cell_type not in ("code", "markdown", "raw"):
                raise ValueError(f"unknown cell type {cell.cell_type!r}")
            cell.source = "".join(cell.source) if isinstance(cell.source, list) else str(cell.source)
            cell.setdefault("metadata", {})
    except (AttributeError, TypeError, ValueError) as err:
        raise InvalidSubmission(f"not a notebook: a cell is malformed ({err})") from None
    return notebook


def grade_id_of(cell):
    metadata = cell.metadata.get("nbgrader")
    return metadata.get("grade_id") if isinstance(metadata, dict) else None


def with_instructor_checks(notebook, exercise, marker=None):
    """A copy of the student's notebook ready to run: judged check cells in place, no outputs, fresh ids.

    Returns (notebook, {grade_id: cell index}, notes). A check cell is found by its nbgrader
    grade_id, else by its cell id; if it appears several times the last copy is graded. In the kernel a check cell
    first serves the judge (``nnkit.course.judge``, which runs the instructor's version outside), then runs the
    released version, so the names it defines exist for the cells after it, as in the student's own runs; hidden
    tests never enter the kernel. With a ``marker``, a tampering probe (``nnkit.course.tampering``) runs before each
    check cell and once at the end.
    """
    public = {grade_id_of(cell): cell.source for cell in exercise.student.cells if grade_id_of(cell)}
    notes, checks = [], {}
    cells = [nbformat.from_dict(dict(cell)) for cell in notebook.cells]
    for item in exercise.graded_items:
        matches = ([i for i, cell in enumerate(cells) if grade_id_of(cell) == item.grade_id]
                   or [i for i, cell in enumerate(cells) if cell.get("id") == item.grade_id])
        if not matches:
            continue
        if len(matches) > 1:
            notes.append(f"The check cell {item.grade_id} appears {len(matches)} times; the last copy was graded "
                         "and the others ran as ordinary cells.")
        checks[matches[-1]] = item.grade_id
        cells[matches[-1]] = nbformat.v4.new_code_cell(judged_cell(item.grade_id, public.get(item.grade_id, "")),
                                                       metadata={"nnkit_item": item.grade_id})
    prepared = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})
    positions = {}
    for index, cell in enumerate(cells):
        if marker is not None and index in checks:
            prepared.cells.append(tampering.probe_cell(marker, checks[index]))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if index in checks:
            positions[checks[index]] = len(prepared.cells)
        prepared.cells.append(cell)
    if marker is not None:
        prepared.cells.append(tampering.probe_cell(marker, "end"))
    for index, cell in enumerate(prepared.cells):
        cell.id = f"cell-{index + 1}"
    return prepared, positions, notes


def judged_cell(grade_id, public_source):
    """The kernel's side of a check cell: answer the judge's questions, then run the check students see."""
    return f"__import__('nnkit.course.remote', fromlist=['serve']).serve({grade_id!r}, globals())\n" + public_source


def execute(notebook, root, limits, exercise=None):
    """Run ``notebook`` with ``nnkit.course.run_notebook`` in a subprocess, judged by ``nnkit.course.judge`` in
    another (the check cells of ``exercise``); returns (executed notebook, {grade_id: verdict}, notes for the
    student, flags for the instructor).

    With ``limits.sandbox`` (the default) the notebook's subprocess is a bubblewrap sandbox
    (``nnkit.course.sandbox``) that sees only this notebook's working folder, the Python runtime and the nnkit
    package, read-only. The judge runs outside it and reaches it only through a socket in the working folder; the
    instructor's check sources go to the judge in a file outside that folder, and its verdicts come back the same
    way, so the notebook can neither read the hidden tests nor write a verdict.
    """
    with tempfile.TemporaryDirectory(prefix="nnkit-grade-") as workdir:
        workdir = Path(workdir)
        private = workdir.parent / f"{workdir.name}.grader"  # beside the working folder: the sandbox cannot see it
        private.mkdir(mode=0o700)
        try:
            return run_judged(notebook, exercise, root, limits, workdir, private)
        finally:
            shutil.rmtree(private, ignore_errors=True)


def run_judged(notebook, exercise, root, limits, workdir, private):
    in_path, out_path = workdir / "submission.ipynb", workdir / "executed.ipynb"
    nbformat.write(notebook, in_path)
    verdicts_path, log_path = private / "verdicts.jsonl", private / "run.log"
    cells = exercise.instructor.cells if exercise is not None else []
    setup = next((cell.source for cell in cells if cell.cell_type == "code"), "")
    items = [[item.grade_id, item.source] for item in exercise.graded_items] if exercise is not None else []
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(workdir / bubblewrap.JUDGE_SOCKET))
    listener.listen(4)
    # run as a file, not with -m: it needs nothing of nnkit, and importing the package (numpy) costs every notebook
    # 0.15 s of CPU before its kernel starts
    runner = [str(PACKAGE_ROOT / "course" / "run_notebook.py"), "--timeout-cell", str(limits.timeout_cell)]
    if limits.sandbox:
        os.chmod(workdir, 0o777)  # the sandbox's uid 65534 writes the executed copy here
        os.chmod(workdir / bubblewrap.JUDGE_SOCKET, 0o777)  # and connects to the judge
        command = bubblewrap.command([sys.executable, *runner, f"{bubblewrap.INSIDE_WORKDIR}/{in_path.name}",
                                      f"{bubblewrap.INSIDE_WORKDIR}/{out_path.name}"], workdir, PACKAGE_ROOT)
        group = bubblewrap.control_group(limits.sandbox_limits)
        env, preexec = None, bubblewrap.limiter(limits.sandbox_limits, group)
    else:
        group = None
        command = [sys.executable, *runner, str(in_path), str(out_path)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
                   # an IPython profile of its own: kernels started side by side share no history database,
                   # and no submission can leave a startup file behind for the next one
                   IPYTHONDIR=str(workdir / "ipython"), NNKIT_JUDGE_SOCKET=str(workdir / bubblewrap.JUDGE_SOCKET))
        preexec = None
    judges = judge.shared_server(limits.sandbox)
    with open(verdicts_path, "a", encoding="utf-8") as verdicts:
        judge_pidfd = judges.start(listener, verdicts, {"setup": setup, "items": items}, limits.timeout_cell,
                                   limits.sandbox_limits.memory_bytes)
    listener.close()  # the judge has its own copies; the grader keeps none
    notes, flags = [], []
    try:
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=preexec)
            try:
                process.wait(timeout=limits.timeout_notebook)
            except subprocess.TimeoutExpired:
                notes.append(f"The notebook was stopped at the {limits.timeout_notebook} s limit for a whole "
                             "notebook; cells after that point did not run.")
                flags.append("stopped at the notebook time limit")
            # in the sandbox, killing its first process ends its whole process namespace, and its cgroup is
            # emptied and removed: nothing survives
            kill_run(process, None if limits.sandbox else workdir / "kernel.pid")
    finally:
        if group is not None:
            flags += [f"hit the {limit}" for limit in group.limits_hit()]
            group.remove()
        judges.stop(judge_pidfd)  # its kernel is gone: every verdict it could give is written
    verdicts = read_verdicts(verdicts_path)
    log_tail = log_path.read_text(errors="replace")[-MAX_MESSAGE_CHARS:]
    try:
        return nbformat.read(out_path, as_version=4), verdicts, notes, flags
    except (OSError, ValueError):
        notes.append(f"The notebook could not be run: {log_tail.strip() or 'no kernel started'}")
        return notebook, verdicts, notes, flags


def read_verdicts(path):
    """{grade_id: verdict} from the judge's file (a line torn by the kill is ignored)."""
    verdicts = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                verdict = json.loads(line)
                verdicts[verdict["grade_id"]] = verdict
            except (ValueError, KeyError, TypeError):
                continue
    return verdicts


def kill_run(process, kernel_pid_file):
    """Kill the runner's process group and the kernel's (the kernel runs in a session of its own)."""
    groups = [process.pid]
    if kernel_pid_file is not None and kernel_pid_file.exists():
        groups.append(int(kernel_pid_file.read_text()))
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    process.wait()


def score(item, cell, verdict, executed, limits):
    """One graded item's ItemResult from the judge's verdict on it (``cell`` is None if the student deleted it).

    Only the verdict decides the points; the executed notebook (which the student's kernel could write) only
    helps to say why a check never reached the judge.
    """
    if cell is None:
        return ItemResult(item.grade_id, 0, item.points, "cell missing",
                          f"The check cell {item.grade_id} was deleted, so it could not run. Copy it back from a "
                          "fresh copy of the exercise notebook.")
    run = cell.metadata.get("nnkit_run") or {}
    if verdict is None or verdict["status"] == "no answer":
        died = executed.metadata.get("nnkit_run", {}).get("kernel_died_in_cell")
        if run.get("status") == "timeout":
            return timed_out(item, limits)
        why = (f"the kernel died in cell {student_cell_number(executed, died)} (os._exit, exit(), a crash or too much "
               "memory?)" if died is not None else
               "your kernel stopped answering it" if verdict is not None else
               "the notebook was stopped before it got here, or the cell was changed")
        return ItemResult(item.grade_id, 0, item.points, "not run", f"This check did not run: {why}.")
    if verdict["status"] == "ok":
        return ItemResult(item.grade_id, item.points, item.points, "passed")
    if verdict["status"] == "timeout":
        return timed_out(item, limits)
    ename, evalue = str(verdict.get("ename")), str(verdict.get("evalue", ""))
    status = "not attempted" if ename == "NotAttempted" else "failed"
    if ename in ("NotAttempted", "CheckFailed", "AssertionError"):
        message = evalue or "an assertion failed"
    else:
        message = f"The check raised {ename}: {evalue}. " + MESSAGE_FOR_ERROR.get(ename, "")
    details = str(verdict.get("printed", ""))[:MAX_MESSAGE_CHARS]
    return ItemResult(item.grade_id, 0, item.points, status, message.strip() + (f"\n\n{details}" if details else ""))


def timed_out(item, limits):
    return ItemResult(item.grade_id, 0, item.points, "timeout",
                      f"The check ran longer than {limits.timeout_cell} s and was stopped. Is there an endless "
                      "loop, or a very slow computation, in your code?")


def student_cell_number(executed, index):
    """The 1-based number the student sees for cell ``index`` of the executed notebook (probe cells not counted)."""
    return 1 + sum(tampering.PROBE_TAG not in cell.metadata for cell in executed.cells[:index])


def cell_problems(executed, graded_positions, limits):
    """Notes about the student's own cells that raised or timed out (the usual cause of a failed check)."""
    notes = []
    for index, cell in enumerate(executed.cells):
        run = cell.metadata.get("nnkit_run") if cell.cell_type == "code" else None
        if index in graded_positions or tampering.PROBE_TAG in cell.metadata or not run or run["status"] == "ok":
            continue
        grade_id = grade_id_of(cell)
        where = f"Cell {student_cell_number(executed, index)}" + (f" ({grade_id})" if grade_id else "")
        if run["status"] == "timeout":
            notes.append(f"{where} ran longer than {limits.timeout_cell} s and was stopped.")
        elif run["ename"] == "NotImplementedError":
            notes.append(f"{where} is not attempted yet.")
        else:
            notes.append(f"{where} raised {run['ename']}: {run['evalue'][:300]}")
    died = executed.metadata.get("nnkit_run", {}).get("kernel_died_in_cell")
    if died is not None:
        notes.append(f"The kernel died while running cell {student_cell_number(executed, died)}; nothing after it ran.")
    return notes


def written_answers(notebook, exercise):
    """[(grade_id, text, points)] of the exercise's written answers (points from the instructor's source)."""
    texts = {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            texts[grade_id_of(cell) or cell.get("id")] = cell.source[:MAX_MESSAGE_CHARS]
    return [(grade_id, texts.get(grade_id, ""), points) for grade_id, points in exercise.written_items]


def safe_file_name(student):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in student) or "_"


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file, so a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def csv_text(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_results(results, out_dir):
    """scores.csv, summary.csv, gradebook.csv, feedback/<student>.md and .html under ``out_dir``."""
    (out_dir / "feedback").mkdir(parents=True, exist_ok=True)
    results = sorted(results, key=lambda r: (r.student, r.notebook))
    write_atomically(out_dir / "scores.csv", csv_text(
        [["student", "notebook", "grade_id", "points", "max_points", "status"]]
        + [[r.student, r.notebook, i.grade_id, f"{i.points:g}", f"{i.max_points:g}", i.status]
           for r in results for i in r.items]
        + [[r.student, r.notebook, grade_id, "", f"{points:g}", "to be read"]
           for r in results for grade_id, _, points in r.written_answers]))
    write_atomically(out_dir / "summary.csv", csv_text(
        [["student", "notebook", "total", "max", "flags"]]
        + [[r.student, r.notebook, f"{r.total:g}", f"{r.max_points:g}", "; ".join(r.flags)] for r in results]))
    write_atomically(out_dir / "gradebook.csv", csv_text(gradebook_rows(results)))
    for student in sorted({r.student for r in results}):
        mine = [r for r in results if r.student == student]
        name = safe_file_name(student)
        write_atomically(out_dir / "feedback" / f"{name}.md", feedback(student, mine))
        write_atomically(out_dir / "feedback" / f"{name}.html", feedback_html(student, mine))


def gradebook_rows(results):
    """One row per student, one column per notebook graded (its points), then the total: for an LMS import."""
    notebooks = sorted({r.notebook for r in results})
    maximum = {r.notebook: r.max_points for r in results}
    header = ["student", *notebooks, "total", "max"]
    rows = [header, ["(max points)", *(f"{maximum[n]:g}" for n in notebooks), f"{sum(maximum.values()):g}", ""]]
    for student in sorted({r.student for r in results}):
        mine = {r.notebook: r.total for r in results if r.student == student}
        rows.append([student, *(f"{mine[n]:g}" if n in mine else "" for n in notebooks),
                     f"{sum(mine.values()):g}", f"{sum(maximum.values()):g}"])
    return rows


MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|<>&~"


def markdown_text(text):
    """``text`` shown literally in markdown (student names, statuses): every markup character escaped."""
    return "".join("\\" + c if c in MARKDOWN_SPECIALS else c for c in text.replace("\n", " "))


def fenced(text):
    """A code fence around ``text`` longer than any run of backticks inside, so it cannot be closed early."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", text.strip(), fence]


def feedback(student, results):
    """Feedback in markdown; whatever came from the student (name, messages, answers) is escaped or fenced."""
    lines = [f"# Feedback for {markdown_text(student)}", ""]
    for result in results:
        lines += [f"## {markdown_text(result.notebook)}: {result.total:g} / {result.max_points:g} points", "",
                  "| exercise | points | status |", "|---|---|---|"]
        lines += [f"| {markdown_text(i.grade_id)} | {i.points:g} / {i.max_points:g} | {markdown_text(i.status)} |"
                  for i in result.items]
        for item in result.items:
            if item.message:
                lines += ["", f"### {markdown_text(item.grade_id)}: {markdown_text(item.status)}", "",
                          *fenced(item.message)]
        if result.notes:
            lines += ["", "### Notes on running your notebook", ""] + [f"- {markdown_text(n)}" for n in result.notes]
        if result.written_answers:
            lines += ["", "### Your written answers (to be read by your instructor, not in the points above)"]
            for grade_id, text, points in result.written_answers:
                lines += ["", f"#### {markdown_text(grade_id)} ({points:g} points, to be read)", "", *fenced(text)]
        lines.append("")
    return "\n".join(lines)


def feedback_html(student, results):
    """The same feedback as a self-contained HTML page, every text HTML-escaped."""
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8">', f"<title>Feedback for {e(student)}</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{border:1px solid #ccc;"
             "padding:.2em .6em}table{border-collapse:collapse}pre{background:#f4f4f4;padding:.5em;"
             "white-space:pre-wrap}</style></head><body>", f"<h1>Feedback for {e(student)}</h1>"]
    for result in results:
        parts.append(f"<h2>{e(result.notebook)}: {result.total:g} / {result.max_points:g} points</h2>")
        parts.append("<table><tr><th>exercise</th><th>points</th><th>status</th></tr>")
        parts += [f"<tr><td>{e(i.grade_id)}</td><td>{i.points:g} / {i.max_points:g}</td><td>{e(i.status)}</td></tr>"
                  for i in result.items]
        parts.append("</table>")
        parts += [f"<h3>{e(i.grade_id)}: {e(i.status)}</h3><pre>{e(i.message.strip())}</pre>"
                  for i in result.items if i.message]
        if result.notes:
            parts.append("<h3>Notes on running your notebook</h3><ul>"
                         + "".join(f"<li>{e(n)}</li>" for n in result.notes) + "</ul>")
        if result.written_answers:
            parts.append("<h3>Your written answers (to be read by your instructor, not in the points above)</h3>")
            parts += [f"<h4>{e(g)} ({p:g} points, to be read)</h4><pre>{e(t.strip())}</pre>"
                      for g, t, p in result.written_answers]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
