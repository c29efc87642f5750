"""Run one submission's notebook inside a bubblewrap sandbox (Debian's ``bubblewrap``, the ``bwrap`` command).

What the sandbox gives a notebook, and nothing else:

* read-only: the system's programs and libraries (``/usr``, ``/lib*``, ``/bin``, a few files of ``/etc``), the
  Python installation, the course's virtual environment and the ``nnkit`` package folder — each at its usual path;
* read-write: its own working folder (the submission copied in, the executed copy written out) and a private,
  empty ``/tmp`` and home folder;
* no network (a network namespace with only loopback, which the kernel's messaging needs), its own process
  namespace (it cannot see or signal the grader or another submission), uid 65534 (``nobody``) inside;
* limits: a cgroup (``nnkit.course.cgroup``) caps the processes and the memory of the whole notebook; address
  space per process and file size are resource limits set before the sandbox starts and inherited by the
  kernel; ``--die-with-parent``, a process namespace whose first process the grader kills and the cgroup it
  empties, so every process the notebook started ends with it.

Not visible inside: the course repository's ``solutions/``, ``exercises/source/`` (hidden tests), other
submissions, the results folder and the grader's own files. What it cannot stop is written in
book/instructors.md: a notebook still uses CPU and memory up to its limits, and it can print anything into its
own output (the grader never trusts that output for a score beyond its own check cells' results).
"""

import os
import resource
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from nnkit.course.cgroup import ControlGroup

INSIDE_WORKDIR = "/grading"
INSIDE_HOME = "/home/student"
JUDGE_SOCKET = "judge.sock"  # in the working folder: where the kernel reaches the judge (nnkit.course.judge)
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "nsswitch.conf")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is not installed, or cannot create namespaces on this machine."""


@dataclass(frozen=True)
class SandboxLimits:
    memory_bytes: int = 3 * 2**30  # address space per process: numpy, the kernel and BLAS reserve ~1 GB
    file_bytes: int = 200 * 2**20
    extra_processes: int = 64  # fallback without a cgroup: beyond what the grader's user already runs
    tasks: int = 128  # processes and threads of the whole notebook (a cgroup's pids.max); a kernel uses ~15
    total_memory_bytes: int = 2 * 2**30  # all of the notebook's processes together (a cgroup's memory limit)


def bwrap_path():
    return shutil.which("bwrap")


def read_only_paths(package_root):
    """Host paths the notebook may read: system, Python, venv, the nnkit package (not the repository)."""
    paths = [Path(p) for p in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin")]
    paths += [Path("/etc") / name for name in ETC_FILES]
    paths += [Path(sys.base_prefix), Path(sys.prefix), Path(package_root)]
    return [p for p in dict.fromkeys(paths) if os.path.lexists(p)]


def command(inner, workdir, package_root):
    """The bwrap command line that runs ``inner`` (argv) with ``workdir`` mounted at /grading as cwd."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--uid", "65534", "--gid", "65534",
            "--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/home",
            "--dir", INSIDE_HOME]
    for path in read_only_paths(package_root):
        args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(workdir), INSIDE_WORKDIR, "--chdir", INSIDE_WORKDIR, "--clearenv",
             "--setenv", "HOME", INSIDE_HOME, "--setenv", "PATH", f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
             "--setenv", "PYTHONPATH", str(Path(package_root).parent),
             "--setenv", "IPYTHONDIR", f"{INSIDE_WORKDIR}/ipython", "--setenv", "MPLCONFIGDIR", "/tmp/mpl",
             "--setenv", "MPLBACKEND", "Agg", "--setenv", "JUPYTER_RUNTIME_DIR", "/tmp/jupyter",
             "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1",
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
             "--setenv", "NNKIT_JUDGE_SOCKET", f"{INSIDE_WORKDIR}/{JUDGE_SOCKET}", "--"]
    return args + list(inner)


def processes_of_this_user():
    uid = os.getuid()
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                count += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
    return count


def control_group(limits):
    """The notebook's cgroup (processes and memory of all its processes together); raise if none can be made.

    Without one, the only process cap is RLIMIT_NPROC, which counts per user and does not bind root: then the
    grader must run as a non-root user.
    """
    group = ControlGroup.create(limits.tasks, limits.total_memory_bytes)
    if group is None and os.getuid() == 0:
        raise SandboxUnavailable("running as root without a writable cgroup (/sys/fs/cgroup), nothing would cap "
                                 "a notebook's processes: grade as a non-root user, or give the grader a cgroup")
    return group


def limiter(limits, group=None):
    """A ``preexec_fn`` that puts the sandbox into ``group`` and sets the resource limits its processes inherit."""
    process_cap = processes_of_this_user() + limits.extra_processes

    def apply():
        if group is not None:
            group.join()
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if group is None:
            resource.setrlimit(resource.RLIMIT_NPROC, (process_cap, process_cap))
    return apply


def check_available():
    """Raise SandboxUnavailable unless a trivial sandbox starts here."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as workdir:
        try:
            done = subprocess.run(command(["/bin/true"], workdir, Path(__file__).resolve().parents[1]),
                                  capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise SandboxUnavailable(f"bubblewrap did not start: {err}") from err
    if done.returncode != 0:
        raise SandboxUnavailable(f"bubblewrap cannot create a sandbox here: {done.stderr.decode(errors='replace')}")
    group = control_group(SandboxLimits())
    if group is not None:
        group.remove()
