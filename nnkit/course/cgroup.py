"""A control group (Linux cgroup) for one graded notebook: a cap on its processes and its memory, all together.

Resource limits (``setrlimit``) are per process, or per user for the process count, and the per-user count does
not apply to root: a notebook graded by root could fork until the machine ran out of memory. A cgroup counts
every process the notebook starts, whatever its user, and the kernel enforces:

* ``pids.max``: at most ``max_processes`` processes and threads in the group (a fork bomb gets ``EAGAIN``);
* ``memory.max`` (v1: ``memory.limit_in_bytes``): at most ``max_memory_bytes`` of memory for all of them
  together; past it, the kernel's out-of-memory killer ends a process *of this group*, not of the machine;
* optionally ``cpu.max`` (v1: ``cpu.cfs_quota_us`` per ``cpu.cfs_period_us``): at most ``cpu_cores`` cores'
  worth of CPU time (the classroom's per-student cap; the grader relies on its time limits instead).

Both cgroup layouts are handled: v2 (one unified hierarchy) and v1 (one hierarchy per controller, as in many
containers). The group is made inside the grader's own cgroup, so it needs write access there: root, or a
delegated subtree (``systemd-run --user --scope -p Delegate=yes``). ``ControlGroup.create`` returns None where
that is not possible; the sandbox then falls back to the per-user process limit (see ``nnkit.course.sandbox``).
"""

import os
import signal
import time
import uuid
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def own_cgroup_paths(proc_self_cgroup="/proc/self/cgroup"):
    """{controller: path of this process's cgroup}; v2's unified hierarchy is under the key ""."""
    paths = {}
    for line in Path(proc_self_cgroup).read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


class ControlGroup:
    """The cgroup folders (one for v2; one per controller for v1) that hold one notebook's processes."""

    def __init__(self, folders):
        self.folders = folders

    @classmethod
    def create(cls, max_processes, max_memory_bytes, cpu_cores=None, root=CGROUP_ROOT, prefix="nnkit-grade"):
        """A new group with the limits set, or None if this machine does not let this process make one."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        period = 100_000  # microseconds: the scheduler's default accounting period
        own = own_cgroup_paths()
        try:
            if (root / "cgroup.controllers").exists():  # v2: the unified hierarchy is mounted at the root
                group = cls([root / own.get("", "/").lstrip("/") / name])
                group.folders[0].mkdir()
                group._write("pids.max", max_processes)
                group._write("memory.max", max_memory_bytes)
                group._write("memory.swap.max", 0, required=False)
                if cpu_cores is not None:
                    group._write("cpu.max", f"{round(cpu_cores * period)} {period}")
            else:  # v1: a pids hierarchy and a memory hierarchy, each with this process somewhere in it
                controllers = ("pids", "memory") + (("cpu",) if cpu_cores is not None else ())
                group = cls([root / controller / own.get(controller, "/").lstrip("/") / name
                             for controller in controllers])
                for folder in group.folders:
                    folder.mkdir()
                group._write("pids.max", max_processes)
                group._write("memory.limit_in_bytes", max_memory_bytes)
                group._write("memory.memsw.limit_in_bytes", max_memory_bytes, required=False)
                if cpu_cores is not None:
                    group._write("cpu.cfs_period_us", period)
                    group._write("cpu.cfs_quota_us", round(cpu_cores * period))
        except OSError:
            if "group" in locals():
                group.remove()
            return None
        return group

    def _write(self, setting, value, required=True):
        folders = [folder for folder in self.folders if (folder / setting).exists()]
        if required and not folders:
            raise OSError(f"no cgroup here has {setting}")
        for folder in folders:
            (folder / setting).write_text(str(value))

    def join(self):
        """Move the calling process into the group (its children are born there); safe in a ``preexec_fn``."""
        for folder in self.folders:
            with open(folder / "cgroup.procs", "w") as procs:
                procs.write(str(os.getpid()))

    def limits_hit(self):
        """["process limit", "memory limit"]: the limits the group's processes ran into (fork refused, OOM)."""
        hit = []
        for folder in self.folders:
            for setting, name in (("pids.events", "process limit"), ("memory.events", "memory limit")):
                try:
                    events = dict(line.split() for line in (folder / setting).read_text().splitlines())
                except (OSError, ValueError):
                    continue
                if int(events.get("max", 0)) + int(events.get("oom_kill", 0)) > 0:
                    hit.append(name)
            try:
                if int((folder / "memory.failcnt").read_text()) > 0:
                    hit.append("memory limit")
            except (OSError, ValueError):
                pass
        return sorted(set(hit))

    def processes(self):
        pids = set()
        for folder in self.folders:
            try:
                pids.update(int(pid) for pid in (folder / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return pids

    def kill(self, timeout=10.0):
        """SIGKILL every process in the group, again until none is left (a fork bomb is capped by pids.max)."""
        deadline = time.monotonic() + timeout
        while (pids := self.processes()) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
        return not self.processes()

    def remove(self):
        """Kill what is left and delete the group's folders."""
        self.kill()
        for folder in self.folders:
            for _ in range(100):  # the kernel frees a group a moment after its last process is reaped
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
