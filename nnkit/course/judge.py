"""The judge: the instructor's check cells, hidden tests included, run outside the student's sandbox.

    python -m nnkit.course.judge --server FD      # started by the grader (JudgeServer), not by hand

The grader starts one judge per notebook, beside the sandbox that runs the notebook (forked from a process that has
imported it already, :class:`JudgeServer`), and hands it a listening Unix socket whose file the sandbox sees.
In the student's kernel each check cell has become "serve the judge"
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

A stand-in passes ``isinstance`` but not ``type(x) is``: check cells use the former (book/instructors.md).

Each check cell's verdict is one JSON line in the verdicts file (written as soon as it is known): ``grade_id``,
``status`` (``ok``, ``error``, ``timeout``, ``no answer``), ``ename``, ``evalue`` and ``printed`` (what the check
printed).
The job is ``{"setup": source, "items": [[grade_id, source], ...]}``.
"""

import argparse
import ast
import atexit
import builtins
import contextlib
import io
import json
import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from nnkit.course import remote, wire
from nnkit.course import sandbox as bubblewrap

HELLO_SECONDS = 10
MAX_JOB_BYTES = 4_000_000
ORPHAN_CHECK_SECONDS = 5
MAX_PRINTED = 1_500


class JudgeServer:
    """A process that has imported the judge (numpy, nnkit) once and forks a fresh judge for each notebook.

    A forked judge starts in a millisecond, in a copy of an interpreter no notebook has touched (a judge started
    from scratch costs 0.2 s of CPU per notebook). With ``sandboxed`` (the grader's default) the server runs in a
    bubblewrap sandbox of its own, like a notebook's but with an empty working folder: no network, no file of the
    course or the grader it could read or write, an unprivileged user. It reads nothing from disk but the runtime:
    each notebook's job (the instructor's check cells) comes over the channel, with the listening socket and the
    verdicts file as file descriptors. So even a judge that a hostile kernel managed to subvert could reach no
    other file, no network and no grader process. ``start`` returns a pidfd of the new judge, which ``stop``
    kills: a pidfd names that process and no other, even after its pid is reused. The server ends when the grader
    closes its end of the channel, or dies; a judge ends when it is killed or its server has ended.
    """

    def __init__(self, sandboxed=True):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        inner = [sys.executable, "-m", "nnkit.course.judge", "--server", str(theirs.fileno())]
        self.folder = tempfile.mkdtemp(prefix="nnkit-judge-")  # the sandbox's empty working folder
        package_root = Path(__file__).resolve().parents[1]
        if sandboxed:
            command, env = bubblewrap.command(inner, self.folder, package_root), None
        else:
            command = inner
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(package_root.parent),
                                                                            os.environ.get("PYTHONPATH")])))
        self.process = subprocess.Popen(command, pass_fds=[theirs.fileno()], env=env, cwd=self.folder,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self.channel = ours
        self.lock = threading.Lock()

    def start(self, listener, verdicts, job, timeout_cell, memory_bytes):
        """A judge for one notebook: ``job`` is {"setup", "items"}, ``verdicts`` a file open for appending."""
        request = json.dumps([job, timeout_cell, memory_bytes]).encode()
        with self.lock:
            socket.send_fds(self.channel, [request], [listener.fileno(), verdicts.fileno()])
            _, fds, _, _ = socket.recv_fds(self.channel, 16, 1)
        if not fds:
            raise RuntimeError("the judge server did not start a judge")
        return fds[0]

    @staticmethod
    def stop(pidfd):
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            # a killed judge is gone at once; wait until it is, so its last verdict line is complete or absent
            select.select([pidfd], [], [], 5)
        except ProcessLookupError:
            pass
        finally:
            os.close(pidfd)

    def close(self):
        self.channel.close()  # the server's loop ends, and the sandbox with it
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_shared = {}
_shared_lock = threading.Lock()


def shared_server(sandboxed=True):
    """This process's JudgeServer, started on first use (and again if it died), closed when the process exits."""
    with _shared_lock:
        server = _shared.get(sandboxed)
        if server is None or server.process.poll() is not None:
            server = _shared[sandboxed] = JudgeServer(sandboxed)
            atexit.register(server.close)
        return server


def not_traceable():
    """PR_SET_DUMPABLE 0: judges of other notebooks (same user, same sandbox) can neither ptrace this one nor read
    its memory, so one subverted judge cannot forge another notebook's verdict."""
    import ctypes

    pr_set_dumpable = 4
    if ctypes.CDLL(None, use_errno=True).prctl(pr_set_dumpable, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def serve_forks(channel):
    """The judge server's loop: for each request from the grader, fork a judge and send back its pidfd."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # judges are reaped by the system: nobody waits for them
    server = os.getpid()
    while True:
        message, fds, _, _ = socket.recv_fds(channel, MAX_JOB_BYTES, 2)
        if not message or len(fds) != 2:
            return  # the grader is done (or gone)
        pid = os.fork()
        if pid == 0:
            try:
                channel.close()
                os.setsid()
                not_traceable()
                job, timeout_cell, memory_bytes = json.loads(message)
                run(socket.socket(fileno=fds[0]), os.fdopen(fds[1], "a", encoding="utf-8"), job, timeout_cell,
                    memory_bytes, server)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        socket.send_fds(channel, [b"ok"], [pidfd])
        os.close(pidfd)


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

    def serve(self, listener, server=None):
        listener.settimeout(ORPHAN_CHECK_SECONDS)
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                if server is not None and os.getppid() != server:
                    return  # the grader and its judge server are gone: nobody will read a verdict
                continue
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


def run(listener, verdicts, job, timeout_cell=30, memory_bytes=None, server=None):
    """Judge the check cells of ``job`` for the kernels that connect to ``listener``, writing to ``verdicts``,
    until killed (or until the judge server ``server``, a pid, has ended)."""
    if memory_bytes is not None:  # the judge holds what the kernel sends it: capped like a notebook
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    quiet = os.open(os.devnull, os.O_WRONLY)  # numpy's warnings about a student's numbers are nobody's business
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    sys.setrecursionlimit(3000)
    with verdicts:
        Judge(job["setup"], job["items"], timeout_cell, verdicts).serve(listener, server)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnkit.course.judge", description=__doc__.split("\n")[0])
    parser.add_argument("--server", type=int, required=True, help="the channel to the grader (an inherited fd)")
    serve_forks(socket.socket(fileno=parser.parse_args(argv).server))


if __name__ == "__main__":
    main()
