"""The judge: the instructor's check cells, hidden tests included, run outside the student's sandbox.

    python -m nnkit.course.judge --fd N --job JOB.json --verdicts VERDICTS.jsonl [--timeout-cell 30]

The grader starts one judge per notebook, beside the sandbox that runs the notebook, and hands it a listening Unix
socket (``--fd``) whose file the sandbox sees. In the student's kernel each check cell has become "serve the judge"
(:func:`nnkit.course.remote.serve`): the kernel connects and names its check cell; the judge then runs that cell's
instructor source in its own interpreter, where the check functions, numpy, nnkit and every reference value are
the real ones, and the student's names (``z``, ``silu_derivative``, ``MyELU``, ...) are fetched from the kernel:
plain data by value, everything else as stand-ins (:class:`nnkit.course.remote.Remote`) whose calls run in the
kernel. So a submission can change what *its own* functions return, which is its work, but not the comparison,
the references or the verdict: patching ``np.isclose``, rebinding ``check_array`` or wrapping cells in
``try/except`` happens in an interpreter that decides nothing.

Names the setup cell or an earlier check cell binds at its top level belong to the judge (``np``, ``check_array``,
``run_optimizer``, ``reference_conv``), except the setup's classes, which the exercises extend (chapter 7's
``Value``); all other names a check reads come from the kernel at the moment the check runs.

Each check cell's verdict is one JSON line in VERDICTS (written as soon as it is known): ``grade_id``, ``status``
(``ok``, ``error``, ``timeout``, ``no answer``), ``ename``, ``evalue`` and ``printed`` (what the check printed).
JOB is ``{"setup": source, "items": [[grade_id, source], ...]}``.
"""

import argparse
import ast
import builtins
import contextlib
import io
import json
import signal
import socket
import sys

from nnkit.course import remote, wire

HELLO_SECONDS = 10
MAX_PRINTED = 1_500


class CheckTimeout(Exception):
    """The check ran past its time limit."""


def bound_at_top_level(tree):
    """Names a cell binds outside any function or class body: what later cells can read."""
    names = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in tree.body:
        visit(statement)
    return names


def names_read(tree):
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


class Judge:
    def __init__(self, setup_source, items, timeout_cell, verdicts):
        self.items = dict(items)
        self.timeout_cell = timeout_cell
        self.verdicts = verdicts
        self.judged = set()
        self.namespace = {"__name__": "__judge__", "__builtins__": builtins}
        exec(compile(setup_source, "<setup>", "exec"), self.namespace)  # noqa: S102 - the instructor's own cell
        # what the setup imports or defines is the judge's (a check may compute its reference with a helper
        # function of the setup), except its classes: the exercises extend those (chapter 7's Value), so they are
        # read from the kernel like the student's own names
        tree = ast.parse(setup_source)
        classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
        self.owned = (bound_at_top_level(tree) - classes) | {"__name__", "__builtins__"}

    def serve(self, listener):
        while True:
            connection, _ = listener.accept()
            with connection:
                try:
                    self.judge_connection(connection)
                except (remote.PeerGone, wire.WireError, ValueError):
                    continue  # a connection that never said which check it is: nothing to judge

    def judge_connection(self, connection):
        peer = remote.Peer(connection, guarded=True, timeout=HELLO_SECONDS)
        hello = peer.receive()
        grade_id = hello.get("grade_id")
        if hello["kind"] != "hello" or grade_id not in self.items or grade_id in self.judged:
            return
        self.judged.add(grade_id)
        connection.settimeout(self.timeout_cell + 5)
        verdict = self.judge(grade_id, peer)
        self.verdicts.write(json.dumps({"grade_id": grade_id, **verdict}) + "\n")
        self.verdicts.flush()
        try:
            peer.send({"kind": "done"})
        except OSError:
            pass

    def judge(self, grade_id, peer):
        source = self.items[grade_id]
        tree = ast.parse(source)
        printed = io.StringIO()
        previous = signal.signal(signal.SIGALRM, self.time_is_up)
        signal.alarm(self.timeout_cell)
        try:
            for name in sorted(names_read(tree) - bound_at_top_level(tree) - self.owned - set(dir(builtins))):
                try:
                    self.namespace[name] = peer.request("name", name)
                except NameError:
                    self.namespace.pop(name, None)
            with contextlib.redirect_stdout(printed):
                exec(compile(tree, f"<check {grade_id}>", "exec"), self.namespace)  # noqa: S102 - instructor's
            verdict = {"status": "ok"}
        except CheckTimeout:
            verdict = {"status": "timeout"}
        except remote.PeerGone as err:
            verdict = {"status": "no answer", "evalue": str(err)}
        except wire.WireError as err:
            verdict = {"status": "error", "ename": "WireError", "evalue": f"the notebook sent something that is not "
                                                                          f"plain data ({err})"}
        except Exception as err:  # noqa: BLE001 - a failed check, whatever it raised
            verdict = {"status": "error", "ename": getattr(err, "ename", type(err).__name__), "evalue": str(err)}
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
            self.owned |= bound_at_top_level(tree)
        text = printed.getvalue()
        verdict["printed"] = text if len(text) <= MAX_PRINTED else text[:MAX_PRINTED] + "\n[... cut]"
        return verdict

    def time_is_up(self, signum, frame):
        raise CheckTimeout()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnkit.course.judge", description=__doc__.split("\n")[0])
    parser.add_argument("--fd", type=int, required=True, help="a listening Unix socket, inherited from the grader")
    parser.add_argument("--job", required=True)
    parser.add_argument("--verdicts", required=True)
    parser.add_argument("--timeout-cell", type=int, default=30)
    args = parser.parse_args(argv)
    with open(args.job, encoding="utf-8") as handle:
        job = json.load(handle)
    listener = socket.socket(fileno=args.fd)
    sys.setrecursionlimit(3000)
    with open(args.verdicts, "a", encoding="utf-8") as verdicts:
        Judge(job["setup"], job["items"], args.timeout_cell, verdicts).serve(listener)


if __name__ == "__main__":
    main()
