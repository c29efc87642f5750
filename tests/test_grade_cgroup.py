"""The cgroup that caps a graded notebook's processes and memory (nnkit.course.cgroup)."""

import subprocess
import sys

import pytest

from nnkit.course.cgroup import ControlGroup


@pytest.fixture
def small_group():
    group = ControlGroup.create(max_processes=20, max_memory_bytes=200 * 2**20)
    if group is None:
        pytest.skip("this machine gives the tests no writable cgroup")
    yield group
    group.remove()


def run_in(group, source, output, timeout=60):
    """Run python ``source`` in ``group``; its output goes to a file (sleeping children would hold a pipe open)."""
    with open(output, "w") as out:
        done = subprocess.run([sys.executable, "-c", source], preexec_fn=group.join, stdout=out, timeout=timeout)
    return done.returncode, output.read_text()


def test_a_fork_bomb_stops_at_the_process_cap(small_group, tmp_path):
    _, printed = run_in(small_group, "import os, time\nborn = 0\ntry:\n    while born < 1000:\n"
                               "        if os.fork() == 0:\n            time.sleep(60); os._exit(0)\n"
                               "        born += 1\nexcept OSError:\n    pass\nprint(born)", tmp_path / "out")
    born = int(printed)
    assert 0 < born < 20  # the children are still sleeping: the cap, not their exit, stopped the loop
    assert 0 < len(small_group.processes()) <= 20
    assert small_group.kill()
    assert small_group.processes() == set()


def test_memory_beyond_the_cap_kills_only_the_group(small_group, tmp_path):
    code, printed = run_in(small_group, "import numpy as np\nblock = np.ones(400 * 2**20 // 8)\nprint('survived')",
                           tmp_path / "out")
    assert code == -9 and "survived" not in printed  # the kernel's OOM killer, inside the group


def test_removing_a_group_ends_its_processes_and_deletes_it(small_group):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], preexec_fn=small_group.join)
    assert sleeper.pid in small_group.processes()
    small_group.remove()
    assert sleeper.wait(timeout=10) == -9
    assert not any(folder.exists() for folder in small_group.folders)


def test_a_cpu_cap_holds_a_busy_loop_to_its_share(tmp_path):
    group = ControlGroup.create(max_processes=20, max_memory_bytes=200 * 2**20, cpu_cores=0.25, prefix="nnkit-test")
    if group is None:
        pytest.skip("this machine gives the tests no writable cgroup")
    try:
        code, printed = run_in(group, "import time\nstart, cpu = time.monotonic(), time.process_time()\n"
                                      "while time.monotonic() - start < 2:\n    pass\n"
                                      "print(time.process_time() - cpu)", tmp_path / "out")
    finally:
        group.remove()
    assert code == 0
    assert float(printed) < 2 * 0.25 * 1.5  # a quarter of a core for 2 s, some scheduling slack
