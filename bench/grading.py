"""How many submissions per minute the autograder grades on this machine.

    PYTHONPATH=. python bench/grading.py [--copies 8] [--workers 2] [--assignment 01_neuron]

Grades ``--copies`` copies of the solution notebook (flat layout: one file per "student")
with the real grader — a fresh kernel per notebook, in its own process — and reports
submissions per minute. Every copy must score full marks, or the figure would be meaningless.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from nnkit.course.grade import grade
from nnkit.course.release import build_exercise, render

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assignment", default="01_neuron")
    args = parser.parse_args()
    solution = render(build_exercise(ROOT / "exercises" / "source" / f"{args.assignment}.md").instructor)
    with tempfile.TemporaryDirectory() as scratch:
        submissions = Path(scratch) / "submissions"
        submissions.mkdir()
        for index in range(args.copies):
            (submissions / f"student{index:03d}.ipynb").write_text(solution)
        start = time.perf_counter()
        results = grade(submissions, Path(scratch) / "results", root=ROOT, assignment=args.assignment,
                        workers=args.workers)
        seconds = time.perf_counter() - start
    full = sum(result.total == result.max_points for result in results)
    assert full == args.copies, f"only {full} of {args.copies} copies scored full marks"
    print(f"{args.assignment}: {args.copies} submissions, {args.workers} workers, {os.cpu_count()} CPUs, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}")
    print(f"{seconds:.1f} s in all, {seconds / args.copies:.2f} s per submission, "
          f"{60 * args.copies / seconds:.1f} submissions per minute")


if __name__ == "__main__":
    main()
