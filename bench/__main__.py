"""``python -m bench``: nnkit side by side with PyTorch CPU and scikit-learn.

    python -m bench            # full run: figures for 1 and 2 threads, results/latest.{json,md}, the book page
    python -m bench --quick    # few repeats, to check the suite itself (results in $TMPDIR/nnkit-bench, not the repo)
    python -m bench --course   # also time every notebook, the website build and the autograder (slow)
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import report
from bench.layers import layers_case
from bench.measure import machine, threads
from bench.mlp import big_case, digits_case

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def peak_memory():
    """Big-MLP peak memory, each framework in a fresh process (see bench.measure.peak_rss_delta)."""
    memory = {}
    for framework in ("nnkit", "torch"):
        done = subprocess.run([sys.executable, "-m", "bench.mlp", framework], cwd=ROOT, capture_output=True,
                              text=True, check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        memory[framework] = json.loads(done.stdout.strip().splitlines()[-1])
    return memory


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repeats: check the suite, not the figures")
    parser.add_argument("--course", action="store_true", help="also time notebooks, website build, autograder")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    args = parser.parse_args()
    if args.quick:
        epochs, big_repeats, layer_repeats, warmup = 5, 2, 5, 1
    else:
        epochs, big_repeats, layer_repeats, warmup = 20, 5, 30, 3
    results = {"machine": machine(), "settings": {"quick": args.quick, "digits_epochs": epochs,
                                                  "big_repeats": big_repeats, "layer_repeats": layer_repeats,
                                                  "warmup": warmup}, "threads": {}}
    for count in (int(c) for c in args.threads.split(",")):
        with threads(count):
            print(f"-- {count} thread(s): digits MLP", flush=True)
            figures = {"digits": digits_case(epochs + warmup, warmup)}
            print(f"-- {count} thread(s): big MLP", flush=True)
            figures["big"] = big_case(big_repeats, 1)
            print(f"-- {count} thread(s): layers", flush=True)
            figures["layers"] = layers_case(layer_repeats, warmup)
        results["threads"][str(count)] = figures
    print("-- peak memory", flush=True)
    results["memory"] = peak_memory()
    if args.course:
        from bench.course import course_case

        print("-- whole course (notebooks, website, autograder)", flush=True)
        results["course"] = course_case()
    folder = Path(tempfile.gettempdir()) / "nnkit-bench" if args.quick else RESULTS  # quick figures are no record
    folder.mkdir(exist_ok=True)
    (folder / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    text = report.markdown(results)
    (folder / "latest.md").write_text(text)
    if args.quick:
        report.plot(results, folder / "performance.png")
    else:
        report.plot(results, ROOT / "book" / "performance.png")
        (ROOT / "book" / "performance.md").write_text(report.book_page(results, "performance.png"))
    print(text)
    print(f"written to {folder}")


if __name__ == "__main__":
    main()
