"""The grader's sandbox, tried from the inside: what a hostile notebook can see, reach, keep and exhaust."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from nnkit.course import sandbox
from nnkit.course.grade import Limits, execute

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(sandbox.bwrap_path() is None,
                                reason="bubblewrap is not installed (make test installs it)")
QUICK = Limits(timeout_cell=20, timeout_notebook=40)


def run_cells(*sources, limits=QUICK):
    """Execute a notebook of ``sources`` in the grader's sandbox; return each cell's printed text."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executed, _, _, _ = execute(notebook, ROOT, limits)
    return ["".join(o.get("text", "") + "".join(o.get("traceback", [])) + o.get("evalue", "")
                    for o in cell.get("outputs", [])) for cell in executed.cells]


def test_the_course_repository_is_invisible_but_nnkit_imports():
    printed = run_cells(
        f"import os; print(sorted(os.listdir({str(ROOT)!r})))",
        f"print(os.path.exists({str(ROOT / 'solutions')!r}), os.path.exists({str(ROOT / 'exercises')!r}))",
        "import nnkit, numpy; print('imported', nnkit.__name__)",
        "print(os.getuid(), len([p for p in os.listdir('/proc') if p.isdigit()]))",
    )
    visible = eval(printed[0])
    assert "solutions" not in visible and "exercises" not in visible and "tests" not in visible
    assert set(visible) <= {"nnkit", ".venv"}
    assert printed[1].split() == ["False", "False"]
    assert "imported nnkit" in printed[2]
    uid, processes = map(int, printed[3].split())
    assert uid == 65534 and processes < 15  # its own process namespace: the grader's processes are not there


def test_no_network_and_a_read_only_runtime():
    printed = run_cells(
        "import socket\ntry:\n    socket.create_connection(('10.0.0.1', 80), timeout=3); print('connected')\n"
        "except OSError as err:\n    print('refused', err.errno)",
        "import sys\ntry:\n    open(sys.prefix + '/evil.pth', 'w'); print('wrote venv')\n"
        "except OSError as err:\n    print('read-only', err.errno)",
        f"try:\n    open({str(ROOT / 'nnkit' / 'evil.py')!r}, 'w'); print('wrote nnkit')\n"
        "except OSError as err:\n    print('read-only', err.errno)",
    )
    assert printed[0].startswith("refused")
    assert printed[1].startswith("read-only") and printed[2].startswith("read-only")
    assert not (ROOT / "nnkit" / "evil.py").exists()


def test_memory_is_limited():
    printed = run_cells("try:\n    block = bytearray(6 * 2**30); print('allocated')\n"
                        "except MemoryError:\n    print('MemoryError')")
    assert printed[0].strip() == "MemoryError"


def test_no_process_outlives_its_notebook():
    marker = f"nnkit-survivor-{uuid.uuid4().hex[:8]}"
    run_cells(f"import subprocess\nsubprocess.Popen(['/bin/sh', '-c', 'exec -a {marker} sleep 600'], "
              "start_new_session=True)\nprint('started')")
    time.sleep(0.5)
    survivors = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert survivors == []


def test_the_grader_refuses_to_run_unconfined_without_the_flag(tmp_path):
    (tmp_path / "subs").mkdir()
    env = dict(os.environ, PATH="/nonexistent")  # no bwrap on PATH
    done = subprocess.run([sys.executable, "-m", "nnkit.course", "--root", str(ROOT), "grade", str(tmp_path / "subs"),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 2 and "needs a sandbox" in done.stderr and "--no-sandbox" in done.stderr
