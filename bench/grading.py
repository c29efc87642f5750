"""How many submissions per minute the autograder grades on this machine.

    PYTHONPATH=. python bench/grading.py [--copies 8] [--workers 2] [--assignment 01_neuron] [--compare] [--write]

Grades ``--copies`` copies of the solution notebook (flat layout: one file per "student")
with the real grader — a fresh kernel per notebook, in its own process — and reports
submissions per minute, in the bubblewrap sandbox the grader uses by default (``--compare`` also grades the same
copies without it, in the same run, and prints the ratio). Every copy must score full marks, or the figure would be
meaningless. ``--write`` also saves the report, with the machine's load when it started, to
bench/results/grading.md.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from nnkit.course.grade import Limits, grade
from nnkit.course.release import build_exercise, render

ROOT = Path(__file__).resolve().parent.parent


def per_minute(submissions, out, assignment, workers, sandbox):
    start = time.perf_counter()
    results = grade(submissions, out, root=ROOT, assignment=assignment, workers=workers,
                    limits=Limits(sandbox=sandbox))
    seconds = time.perf_counter() - start
    full = sum(result.total == result.max_points for result in results)
    assert full == len(results), f"only {full} of {len(results)} copies scored full marks"
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assignment", default="01_neuron")
    parser.add_argument("--compare", action="store_true", help="also grade without the sandbox, same copies")
    parser.add_argument("--write", action="store_true", help="save the report to bench/results/grading.md")
    args = parser.parse_args()
    report = []

    def say(line):
        print(line)
        report.append(line)

    load = os.getloadavg()[0]
    solution = render(build_exercise(ROOT / "exercises" / "source" / f"{args.assignment}.md").instructor)
    say(f"{args.assignment}: {args.copies} submissions, {args.workers} workers, {os.cpu_count()} CPUs, "
        f"load average {load:.2f} at the start, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}")
    with tempfile.TemporaryDirectory() as scratch:
        submissions = Path(scratch) / "submissions"
        submissions.mkdir()
        for index in range(args.copies):
            (submissions / f"student{index:03d}.ipynb").write_text(solution)
        settings = (True, False) if args.compare else (True,)
        times = {sandbox: per_minute(submissions, Path(scratch) / f"results-{sandbox}", args.assignment,
                                     args.workers, sandbox) for sandbox in settings}
    for sandbox, seconds in times.items():
        say(f"{'sandboxed' if sandbox else 'no sandbox'}: {seconds:.1f} s in all, "
            f"{seconds / args.copies:.2f} s per submission, {60 * args.copies / seconds:.1f} submissions per minute")
    if args.compare:
        say(f"sandbox cost: {times[True] / times[False]:.2f}x the time without it")
    if args.write:
        text = "# Grading throughput\n\n`PYTHONPATH=. python bench/grading.py " + " ".join(
            f"--copies {args.copies} --workers {args.workers} --assignment {args.assignment}".split()
        ) + (" --compare" if args.compare else "") + " --write`\n\n" + "".join(f"- {line}\n" for line in report)
        (ROOT / "bench" / "results" / "grading.md").write_text(text)


if __name__ == "__main__":
    main()
