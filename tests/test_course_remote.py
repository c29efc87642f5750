"""The judge's reach into a kernel (nnkit.course.remote): stand-ins behave like the objects, the judge's end is guarded.

Both ends run here, the "kernel" in a thread, over a socket pair: the same messages as between the grader's judge
and a sandboxed kernel.
"""

import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from nnkit import nn, optim
from nnkit.course import remote, sandbox, wire
from nnkit.course.checks import CheckFailed, check_module, check_optimizer
from nnkit.course.judge import JudgeServer
from nnkit.gradcheck import gradcheck
from nnkit.nn.activation import Activation
from nnkit.nn.module import Module


class GoodTanh(Activation):
    def function(self, x):
        return np.tanh(x)

    def derivative(self, x, y):
        return 1 - y**2


class WrongTanh(GoodTanh):
    def derivative(self, x, y):
        return 1 - y  # forgot the square


class Scale(Module):
    """y = w * x with one parameter: its gradient must reach the judge's copy of w."""

    def __init__(self):
        from nnkit.nn.parameter import Parameter
        self.w = Parameter(np.array([1.5]))

    def forward(self, x):
        self.x = x
        return self.w.data * x

    def backward(self, grad_output):
        self.w.accumulate_grad(np.array([np.sum(grad_output * self.x)]))
        return grad_output * self.w.data


class MySGD(optim.SGD):
    pass


def overflows(x):
    return np.exp(x)


def not_yet(x):
    raise NotImplementedError()


def zero_weight(layer, parameters=()):
    """Sets the weights of what it is handed to 0: allowed for parameters passed to it, not for a layer's."""
    for parameter in [layer.weight, *parameters]:
        parameter.data[...] = 0.0


class AlwaysEqual:
    def __eq__(self, other):
        return True


class Secret:
    _hidden = "the hidden tests"
    shown = 1


@pytest.fixture
def judge():
    """A guarded judge Peer connected to a kernel Peer serving KERNEL_NAMES in a thread."""
    ours, theirs = socket.socketpair()
    names = {"GoodTanh": GoodTanh, "WrongTanh": WrongTanh, "Scale": Scale, "MySGD": MySGD, "overflows": overflows,
             "not_yet": not_yet, "answer": [1.0, 2.0], "rigged": AlwaysEqual(), "calls_back": lambda f, *args: f(*args),
             "read_hidden": lambda obj: obj._hidden, "read_shown": lambda obj: obj.shown,
             "set_shown": lambda obj: setattr(obj, "shown", 2), "zero_weight": zero_weight}
    failures = []

    def kernel():
        peer = remote.Peer(theirs, names)
        try:
            while (message := peer.receive())["kind"] != "done":
                peer.serve_one(message)
        except Exception as err:  # noqa: BLE001 - reported by the test
            failures.append(err)

    thread = threading.Thread(target=kernel, daemon=True)
    thread.start()
    peer = remote.Peer(ours, guarded=True, timeout=20)
    yield peer
    peer.send({"kind": "done"})
    thread.join(5)
    assert not failures


def test_plain_data_comes_by_value_and_objects_as_stand_ins(judge):
    assert judge.request("name", "answer") == [1.0, 2.0]
    tanh = judge.request("name", "GoodTanh")()
    assert isinstance(tanh, Module) and isinstance(tanh, Activation)  # the nearest nnkit class, for isinstance
    assert type(tanh) is remote.Remote
    np.testing.assert_allclose(tanh(np.array([0.5, -1.0])), np.tanh([0.5, -1.0]))
    with pytest.raises(NameError):
        judge.request("name", "undefined_name")


def test_gradcheck_through_a_stand_in_passes_a_right_backward_and_fails_a_wrong_one(judge):
    x = np.linspace(-2, 2, 7) + 0.1
    assert gradcheck(judge.request("name", "GoodTanh")(), x).passed
    assert not gradcheck(judge.request("name", "WrongTanh")(), x).passed
    with pytest.raises(CheckFailed, match="backward disagrees"):
        check_module(judge.request("name", "WrongTanh"), x, nn.Tanh())


def test_parameters_are_shared_both_ways(judge):
    # gradcheck nudges the judge's copy of w in place; the kernel must compute with the nudged value
    scale = judge.request("name", "Scale")()
    report = gradcheck(scale, np.array([0.3, -1.2]))
    assert report.passed and [c.name for c in report.comparisons] == ["input", "w"]
    # an optimizer in the kernel updates the judge's parameters
    check_optimizer(judge.request("name", "MySGD"), optim.SGD, steps=5, lr=0.1, momentum=0.9)


def test_numpy_error_settings_of_the_judge_hold_in_the_kernel(judge):
    overflows_there = judge.request("name", "overflows")
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        overflows_there(np.array([1000.0]))
    with np.errstate(over="ignore"):
        assert np.isinf(overflows_there(np.array([1000.0]))).all()


def test_an_answer_with_a_rigged_eq_is_compared_by_identity(judge):
    rigged = judge.request("name", "rigged")
    assert rigged != "mean" and not (rigged == 3) and 3 not in [rigged] and rigged == rigged


def test_exceptions_keep_their_builtin_kind(judge):
    with pytest.raises(NotImplementedError):
        judge.request("name", "not_yet")(1.0)


def test_the_kernel_can_call_back_what_the_judge_handed_it(judge):
    assert judge.request("name", "calls_back")(lambda a, b: a * b, 3.0, 4.0) == 12.0
    assert judge.request("name", "read_shown")(Secret()) == 1


@pytest.mark.parametrize("attack, error", [("read_hidden", "no attribute '_hidden'"),
                                           ("set_shown", "read-only")])
def test_the_judges_objects_are_guarded(judge, attack, error):
    with pytest.raises(Exception, match=error):
        judge.request("name", attack)(Secret())
    # what a callback returns travels back too: never a module or a class, from which the rest is reachable
    with pytest.raises(Exception, match="does not hand a module"):
        judge.request("name", "calls_back")(lambda: np)
    with pytest.raises(Exception, match="does not hand a type"):
        judge.request("name", "calls_back")(lambda: Secret)


def test_the_kernel_changes_only_the_parameters_it_was_passed(judge):
    reference, trained = nn.Linear(2, 2), nn.Linear(2, 2)
    judge.request("name", "zero_weight")(reference, trained.parameters())
    assert np.abs(reference.weight.data).min() > 0  # read through the layer: the judge's copy is untouched
    assert not trained.weight.data.any()  # passed as an argument (as to an optimizer): changed


def test_a_forged_handle_is_a_wire_error():
    peer = remote.Peer(socket.socketpair()[0], guarded=True)
    with pytest.raises(wire.WireError, match="never handed out"):
        peer.resolve({"yours": 12345})
    with pytest.raises(wire.WireError, match="unknown handle"):
        peer.resolve({"code": "import os"})
    assert remote.claimed_class(["os:system", "builtins:object"]) is remote.Remote  # names of other modules: none


@pytest.mark.skipif(sandbox.bwrap_path() is None, reason="bubblewrap is not installed")
def test_the_judge_server_runs_in_a_sandbox_of_its_own():
    server = JudgeServer(sandboxed=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (inside := judge_processes()):
            time.sleep(0.1)
        assert inside, "no judge server process found"
        for pid in inside:
            assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")  # no network of ours
            assert os.readlink(f"/proc/{pid}/ns/mnt") != os.readlink("/proc/self/ns/mnt")  # its own file view
    finally:
        server.close()
    deadline = time.monotonic() + 10
    while judge_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not judge_processes(), "the judge server outlived its close()"


def judge_processes():
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"nnkit.course.judge" in words and words[0].endswith(b"python") and b"--server" in words:
            found.append(int(cmdline.parent.name))
    return found


def test_a_judge_cannot_be_traced_by_another():
    import ctypes

    from nnkit.course.judge import not_traceable

    pid = os.fork()
    if pid == 0:  # in a child, so the test process itself stays debuggable
        not_traceable()
        os._exit(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))  # PR_GET_DUMPABLE: 0 once it is off
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
