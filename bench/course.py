"""Case 5 (``python -m bench --course``): what the whole course costs to run.

* every chapter notebook executed with nbclient (a fresh kernel each, as nbval does), seconds per notebook;
* the website built with Jupyter Book into a scratch folder (it executes every chapter again);
* the autograder's throughput (``bench/grading.py``), in its own process.

Each is run once: they take seconds to minutes and are dominated by kernel start-up and plotting.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scratch_environment(home):
    """Keep Jupyter/IPython/matplotlib state out of the home folder (as the Makefile's TEST_ENV does)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "1"))
    # kernels keep IPython's inline backend, as for a student: with MPLBACKEND=Agg they would draw no pictures
    env.pop("MPLBACKEND", None)
    for variable, folder in (("JUPYTER_CONFIG_DIR", "jupyter"), ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl"),
                             ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config")):
        env[variable] = str(Path(home) / folder)
    return env


def notebook_times(timeout=600):
    """{notebook name: seconds} for every notebooks/*.ipynb, executed top to bottom in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    results = {}
    with tempfile.TemporaryDirectory() as home:
        os.environ.update(scratch_environment(home))
        os.environ.pop("MPLBACKEND", None)
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            results[path.stem] = time.perf_counter() - start
    return results


def book_time():
    """Seconds for full ``jupyter-book build --all`` runs of the website into a scratch folder.

    The book caches each chapter's execution. "cold" starts from an empty cache of its own, so every chapter
    executes; "warm" builds again on that cache (what a rebuild after a text edit costs). The developer's own
    cache (``_build/.jupyter_cache``) is never read or written.
    """
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    timings = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch_config = Path(scratch) / "_config_bench.yml"
        config["execute"]["cache"] = str(Path(scratch) / "jupyter_cache")
        scratch_config.write_text(yaml.safe_dump(config))
        for kind in ("cold", "warm"):
            start = time.perf_counter()
            done = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", "--all",
                                   "--config", str(scratch_config), "--path-output", str(Path(scratch) / kind),
                                   str(ROOT)], cwd=ROOT, capture_output=True, text=True,
                                  env=scratch_environment(Path(scratch) / "home"))
            timings[kind] = {"seconds": time.perf_counter() - start, "exit_code": done.returncode,
                             "warnings": done.stdout.count("WARNING") + done.stderr.count("WARNING")}
    return timings


def grading_output():
    """The last lines ``bench/grading.py`` prints (submissions per minute)."""
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "grading.py")], cwd=ROOT, capture_output=True,
                              text=True, env=dict(scratch_environment(home), PYTHONPATH=str(ROOT)))
    return {"exit_code": done.returncode, "output": (done.stdout + done.stderr).strip().splitlines()[-3:]}


def course_case():
    notebooks = notebook_times()
    return {"notebooks": notebooks, "notebooks_total": sum(notebooks.values()), "book": book_time(),
            "grading": grading_output()}
