"""What one student costs the classroom machine, measured, and how many students it holds.

    python -m bench.classroom [--out bench/results/classroom.json] [--chapters 01 02]

For each chapter notebook, a fresh kernel (nbclient, as a student's JupyterLab starts one) runs it top to bottom;
after each cell we read its peak resident memory (VmHWM) and CPU time (user + system) from
/proc. A bare Jupyter server's resident memory, the other per-student process, is measured the same way. The
concurrency figures follow from those numbers; the arithmetic is printed with them (book/classroom.md uses them).
"""

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
MACHINE_MEMORY_GB = 24
MACHINE_CORES = 2
RESERVED_GB = 2.0  # the OS, the hub, the proxy and the page cache kept free
CORE_SHARE_IN_USE = 0.8  # leave a fifth of the cores for the hub and bursts
# In a lab session a student runs a chapter about once every 10 minutes (reading, editing between runs).
SECONDS_BETWEEN_RUNS = 600
MIB = 2**20


def process_figures(pid):
    """(peak resident bytes, CPU seconds) of a live process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    peak_kib = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return peak_kib * 1024, (int(fields[11]) + int(fields[12])) / ticks


def measure_chapter(path, workdir):
    """Run the notebook in a fresh kernel; its kernel's peak RSS, CPU seconds and the wall time."""
    notebook = nbformat.read(path, as_version=4)
    figures = {}

    def read_kernel(**_):  # after every cell: the last reading is the whole run's (VmHWM only grows)
        figures["peak_rss"], figures["cpu_seconds"] = process_figures(client.km.provisioner.process.pid)

    client = NotebookClient(notebook, timeout=300, kernel_name="python3", on_cell_executed=read_kernel,
                            resources={"metadata": {"path": str(workdir)}})
    started = time.perf_counter()
    client.execute()
    return {"chapter": path.stem, "peak_rss_mib": round(figures["peak_rss"] / MIB, 1),
            "cpu_seconds": round(figures["cpu_seconds"], 2), "wall_seconds": round(time.perf_counter() - started, 2)}


def measure_server(workdir):
    """Resident memory of an idle Jupyter server with JupyterLab (a student's server before any kernel)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
                               "--ip=127.0.0.1", f"--port={port}", "--IdentityProvider.token=bench",
                               f"--ServerApp.root_dir={workdir}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=bench", timeout=2)
                break
            except OSError:
                time.sleep(0.25)
        time.sleep(1)
        rss_kib = int(next(line.split()[1] for line in Path(f"/proc/{server.pid}/status").read_text().splitlines()
                           if line.startswith("VmRSS:")))
        return round(rss_kib / 1024, 1)
    finally:
        server.terminate()
        server.wait(timeout=20)


def capacity(chapters, server_mib):
    heaviest = max(chapters, key=lambda row: row["peak_rss_mib"])
    per_student_mib = server_mib + heaviest["peak_rss_mib"]
    by_memory = int((MACHINE_MEMORY_GB - RESERVED_GB) * 1024 // per_student_mib)
    mean_cpu = sum(row["cpu_seconds"] for row in chapters) / len(chapters)
    cores_per_student = mean_cpu / SECONDS_BETWEEN_RUNS
    by_cpu = int(MACHINE_CORES * CORE_SHARE_IN_USE / cores_per_student)
    return {
        "server_rss_mib": server_mib, "heaviest_chapter": heaviest["chapter"],
        "per_student_peak_mib": round(per_student_mib, 1), "students_by_memory": by_memory,
        "mean_chapter_cpu_seconds": round(mean_cpu, 2), "cores_per_student": round(cores_per_student, 4),
        "students_by_cpu": by_cpu, "students": min(by_memory, by_cpu),
        "arithmetic": [
            f"memory: ({MACHINE_MEMORY_GB} GB - {RESERVED_GB} GB reserved) / ({server_mib} MiB server + "
            f"{heaviest['peak_rss_mib']} MiB kernel peak, {heaviest['chapter']}) = {by_memory} students",
            f"CPU: a chapter run costs {mean_cpu:.2f} CPU s on average; one run per {SECONDS_BETWEEN_RUNS} s is "
            f"{cores_per_student:.4f} cores per student; {MACHINE_CORES} cores x {CORE_SHARE_IN_USE} / "
            f"{cores_per_student:.4f} = {by_cpu} students",
            f"the machine holds min({by_memory}, {by_cpu}) = {min(by_memory, by_cpu)} concurrent students",
        ],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "classroom.json"))
    parser.add_argument("--chapters", nargs="*", help="chapter numbers (default: every chapter)")
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.chapters:
        paths = [p for p in paths if p.name[:2] in args.chapters]
    workdir = Path(tempfile.mkdtemp(prefix="nnkit-classroom-bench-"))
    try:
        for helper in ROOT.glob("notebooks/*.py"):  # chapters may import a helper module beside them
            shutil.copy(helper, workdir)
        chapters = []
        for path in paths:
            chapters.append(measure_chapter(path, workdir))
            print(f"{path.stem:28s} peak RSS {chapters[-1]['peak_rss_mib']:7.1f} MiB   "
                  f"CPU {chapters[-1]['cpu_seconds']:6.2f} s   wall {chapters[-1]['wall_seconds']:6.2f} s", flush=True)
        server_mib = measure_server(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                          "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
                          "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
              "chapters": chapters, "capacity": capacity(chapters, server_mib)}
    print(f"Jupyter server with JupyterLab, idle: {server_mib} MiB")
    print("\n".join(result["capacity"]["arithmetic"]))
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
