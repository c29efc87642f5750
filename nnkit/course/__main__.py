"""Command line: ``python -m nnkit.course {release,leaks,grade} ...`` (``--help`` on each)."""

import argparse
import sys

# jsonschema (under nbformat) imports rfc3987_syntax, when installed, only to validate IRIs, which notebooks do
# not contain; it compiles a grammar for ~3 s at every start. Declared absent, each run starts 3 s sooner.
sys.modules.setdefault("rfc3987_syntax", None)

from nnkit.course.grade import Limits, grade  # noqa: E402
from nnkit.course.leaks import find_leaks  # noqa: E402
from nnkit.course.nbgrader_export import export_nbgrader  # noqa: E402
from nnkit.course.release import check_release, release  # noqa: E402
from nnkit.course.sandbox import SandboxUnavailable, check_available  # noqa: E402


def run_release(args):
    if args.check:
        problems = check_release(args.root)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for path in release(args.root):
        print(f"wrote {path}")
    return 0


def run_leaks(args):
    leaks = find_leaks(args.root, args.site)
    for leak in leaks:
        print(leak, file=sys.stderr)
    print(f"{len(leaks)} leak(s) found" if leaks else "no leaks found")
    return 1 if leaks else 0


def run_nbgrader_export(args):
    for path in export_nbgrader(args.course_dir, args.root):
        print(f"wrote {path}")
    print(f"next: cd {args.course_dir} && nbgrader generate_assignment 01_neuron (one assignment per chapter)")
    return 0


def run_grade(args):
    if args.no_sandbox:
        print("WARNING: --no-sandbox: student code runs with your user's rights, sees the whole course repository "
              "(solutions, hidden tests) and the network. Do this only in a throw-away container.", file=sys.stderr)
    else:
        try:
            check_available()
        except SandboxUnavailable as err:
            print(f"error: grading runs student code and needs a sandbox: {err}.\n"
                  "Install it (apt-get install bubblewrap), or pass --no-sandbox inside a throw-away container.",
                  file=sys.stderr)
            return 2
    def progress(done, total, result):
        print(f"[{done}/{total}] {result.student:<24}{result.notebook:<22}{result.total:>6g} / {result.max_points:g}",
              flush=True)

    results = grade(args.submissions, args.out, root=args.root, assignment=args.assignment,
                    limits=Limits(args.timeout_cell, args.timeout_notebook, sandbox=not args.no_sandbox),
                    workers=args.workers, resume=args.resume, regrade=args.regrade, progress=progress)
    flagged = [result for result in results if result.flags]
    if flagged:
        print(f"{len(flagged)} submission(s) flagged, read them (flags column of summary.csv):")
        for result in flagged:
            print(f"  {result.student}/{result.notebook}: {'; '.join(result.flags)}")
    print(f"results in {args.out}/ (gradebook.csv, summary.csv, scores.csv, results.jsonl, feedback/)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnkit.course", description=__doc__)
    parser.add_argument("--root", default=".", help="the course repository (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)
    release_parser = commands.add_parser("release", help="write exercises/*.ipynb and solutions/*.ipynb")
    release_parser.add_argument("--check", action="store_true",
                                help="write nothing; exit 1 naming each file that differs from its source")
    release_parser.set_defaults(run=run_release)
    leaks_parser = commands.add_parser("leaks", help="look for solution lines in student files")
    leaks_parser.add_argument("--site", help="also scan this built student website (e.g. _build/student/html)")
    leaks_parser.set_defaults(run=run_leaks)
    export_parser = commands.add_parser(
        "nbgrader-export", help="write an nbgrader course directory: source/<chapter>/<chapter>.ipynb")
    export_parser.add_argument("course_dir", help="the nbgrader course directory (created if missing; its source/ "
                               "notebooks are rewritten, an existing nbgrader_config.py is kept)")
    export_parser.set_defaults(run=run_nbgrader_export)
    grade_parser = commands.add_parser("grade", help="run and score submissions (this runs student code)")
    grade_parser.add_argument("submissions", help="<student>/<assignment>.ipynb folders or <student>.ipynb files")
    grade_parser.add_argument("--out", required=True, help="folder for scores.csv, summary.csv and feedback/")
    grade_parser.add_argument("--assignment", help="the assignment of files lying directly in SUBMISSIONS")
    grade_parser.add_argument("--timeout-cell", type=int, default=30, help="seconds per cell (default 30)")
    grade_parser.add_argument("--timeout-notebook", type=int, default=120, help="seconds per notebook (default 120)")
    grade_parser.add_argument("--workers", type=int, default=2, help="notebooks graded at once (default 2)")
    grade_parser.add_argument("--resume", action="store_true",
                              help="keep the results already in --out and grade only the notebooks without one")
    grade_parser.add_argument("--regrade", action="store_true",
                              help="grade again notebooks that already have a result in --out (replacing it)")
    grade_parser.add_argument("--no-sandbox", action="store_true",
                              help="run notebooks without the bubblewrap sandbox (unsafe; warned)")
    grade_parser.set_defaults(run=run_grade)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
