"""How the suite measures: repeated timings, thread limits, peak memory, and the machine.

* :func:`timings` runs a function ``warmup`` times untimed, then ``repeats`` times, each timed by
  :func:`timed`: wall-clock seconds (``time.perf_counter``, what the targets use) and this process's CPU
  seconds (``time.process_time``). On a shared machine the CPU time leaves out the moments the process
  waited for a core, so its ratios are steadier; with one thread it is close to the wall time of a quiet
  machine. :func:`summary` gives the median, the interquartile range and min/max of the wall time and
  the median CPU time.
* :func:`threads` limits BLAS (numpy's and scikit-learn's OpenBLAS, via threadpoolctl) and
  torch's intra-op pool to the same number of threads.
* Peak memory of numpy code: ``tracemalloc`` (numpy reports its array buffers to it).
  torch allocates outside Python's allocator, so tracemalloc cannot see it; for a fair
  comparison :func:`peak_rss_delta` measures *both* frameworks the same way, in a fresh
  process, as the rise of the resident set's high-water mark (``VmHWM``, reset through
  ``/proc/self/clear_refs``) above the resident size just before the measured run.
"""

import contextlib
import os
import platform
import statistics
import time
import tracemalloc


def timed(function):
    """(wall-clock seconds, CPU seconds of this process) of one call of ``function()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def timings(function, repeats, warmup=1):
    """:func:`timed` samples of ``repeats`` calls of ``function()``, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        function()
    return [timed(function) for _ in range(repeats)]


def summary(samples):
    """Median, quartiles and extremes of the wall times of (wall, cpu) samples, and the median CPU time."""
    ordered = sorted(wall for wall, _ in samples)
    if len(ordered) >= 4:
        q1, _, q3 = statistics.quantiles(ordered, n=4)
    else:
        q1, q3 = ordered[0], ordered[-1]
    return {"median": statistics.median(ordered), "q1": q1, "q3": q3, "min": ordered[0], "max": ordered[-1],
            "n": len(ordered), "cpu_median": statistics.median(cpu for _, cpu in samples)}


@contextlib.contextmanager
def threads(count):
    """Run the block with ``count`` BLAS threads (numpy, scipy, scikit-learn) and ``count`` torch threads."""
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        with threadpool_limits(limits=count):
            yield
    finally:
        torch.set_num_threads(previous)


def tracemalloc_peak(function):
    """Peak bytes allocated through Python's allocators (numpy arrays included) while ``function()`` runs."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        function()
        return tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()


def _status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def peak_rss_delta(function):
    """Bytes by which the resident set's peak rises above its size just before ``function()`` (Linux only).

    Works for any allocator (numpy, torch). Call it once per fresh process: memory freed
    earlier but kept by the allocator would hide part of the rise.
    """
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset VmHWM to the current resident size
    before = _status_kib("VmRSS")
    function()
    return 1024 * (_status_kib("VmHWM") - before)


def machine():
    """What the figures were measured on."""
    import numpy as np
    import torch
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = [f"{pool.get('internal_api')} {pool.get('version')} ({pool.get('architecture', '?')}, "
            f"{os.path.basename(pool.get('filepath', ''))})"
            for pool in threadpool_info() if pool.get("user_api") == "blas"]
    try:
        import sklearn
        sklearn_version = sklearn.__version__
    except ImportError:
        sklearn_version = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "torch_blas": "; ".join(line.strip(" -") for line in torch.__config__.show().splitlines()
                                if "Math Kernel" in line or "MKL-DNN" in line or "CPU capability" in line),
        "scikit-learn": sklearn_version,
        "blas": blas,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "unset"),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
        "load_average": os.getloadavg(),
        "time_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
