"""Objects that live in another process, used as if they were here: how the judge reaches into a student's kernel.

The grader's *judge* (:mod:`nnkit.course.judge`) runs the instructor's check cells in a process of its own, outside
the sandbox; the student's kernel only answers questions about its objects. Both ends are a :class:`Peer` on one
Unix socket, exchanging messages in the hostile-safe format of :mod:`nnkit.course.wire`:

* plain data (numbers, strings, arrays, lists, tuples, dicts) travels by value;
* any other object stays where it is and travels as a *handle*; the other side sees a :class:`Remote`, a stand-in
  whose calls, attributes, items, iteration, arithmetic and ``np.asarray`` are requests to the owner. A stand-in
  answers ``isinstance`` with the nearest nnkit class of the object it stands for (``isinstance(model, Module)``);
* a :class:`~nnkit.nn.parameter.Parameter` has a real copy on each side (so gradcheck can nudge ``data`` in place
  and an optimizer can update it); every message carries the values, gradients and versions of all shared
  parameters, and the receiver writes them into its copies before it does anything else;
* a leaf :class:`~nnkit.autograd.Tensor` (``nnkit.tensor(x)``) travels by value, so a student's autograd graph is
  built entirely in the kernel;
* an exception travels by name and message, and is raised again on the other side as the built-in exception of
  that name (``NotImplementedError`` stays "not attempted yet"), otherwise as :class:`RemoteError`.

While one side waits for an answer it serves the other's requests (a student's function may call an instructor's
lambda). The judge's end is *guarded*: the kernel may only call, index and read public attributes of the objects
the judge handed it, may never set attributes on them, and never receives a module or a class, so nothing the
kernel sends can reach the judge's interpreter beyond the functions it was given.
"""

import operator
import os
import socket
import struct
import sys
import types

import numpy as np

from nnkit.autograd import Tensor
from nnkit.course import wire
from nnkit.nn.parameter import Parameter

HEADER = struct.Struct("!Q")
JUDGE_SOCKET_VARIABLE = "NNKIT_JUDGE_SOCKET"
MAX_REPR = 300
TRUSTED_MODULES = ("nnkit.", "numpy")  # stand-ins may claim classes from these packages only (for isinstance)
EXCEPTIONS = {cls.__name__: cls for cls in (
    ArithmeticError, AttributeError, FloatingPointError, IndexError, KeyError, LookupError, MemoryError, NameError,
    NotImplementedError, OverflowError, RecursionError, RuntimeError, TypeError, ValueError, ZeroDivisionError)}
BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_", "or_", "xor", "lshift",
          "rshift", "lt", "le", "eq", "ne", "gt", "ge")
UNARY = ("neg", "pos", "abs", "invert")


class RemoteError(Exception):
    """An exception raised on the other side whose class is not one of the built-ins passed on by name."""

    def __init__(self, ename, message):
        super().__init__(message)
        self.ename = ename


class PeerGone(ConnectionError):
    """The other side closed the connection or stopped answering (a killed or interrupted kernel)."""


class Remote:
    """Stands for an object owned by the other side of ``peer``; every use is a request to the owner."""

    __slots__ = ("_peer", "_id", "_claimed_class", "__weakref__")

    def __init__(self, peer, ident, claimed_class):
        object.__setattr__(self, "_peer", peer)
        object.__setattr__(self, "_id", ident)
        object.__setattr__(self, "_claimed_class", claimed_class)

    @property
    def __class__(self):  # isinstance() falls back on __class__: a stand-in for a student's Module "is" a Module
        return self._claimed_class

    def __getattr__(self, name):
        if name.startswith("__array") or name.startswith("_repr_"):  # numpy and IPython probing: not a remote call
            raise AttributeError(name)
        return self._peer.request("getattr", self, name)

    def __setattr__(self, name, value):
        self._peer.request("setattr", self, name, value)

    def __delattr__(self, name):
        self._peer.request("delattr", self, name)

    def __call__(self, *args, **kwargs):
        return self._peer.request("call", self, list(args), kwargs)

    def __getitem__(self, key):
        return self._peer.request("getitem", self, key)

    def __setitem__(self, key, value):
        self._peer.request("setitem", self, key, value)

    def __len__(self):
        return self._peer.request("len", self)

    def __iter__(self):
        return iter(self._peer.request("iter", self))

    def __contains__(self, item):
        return self._peer.request("contains", self, item)

    def __bool__(self):
        return self._peer.request("bool", self)

    def __array__(self, dtype=None, copy=None):
        array = self._peer.request("array", self)
        return array if dtype is None else array.astype(dtype)

    def __float__(self):
        return self._peer.request("float", self)

    def __int__(self):
        return self._peer.request("int", self)

    def __index__(self):
        return self._peer.request("index", self)

    def __repr__(self):
        return self._peer.request("repr", self)

    def __str__(self):
        return self._peer.request("str", self)

    def __format__(self, spec):
        return self._peer.request("format", self, spec)

    def __eq__(self, other):
        # a stand-in for a student's own class compares by identity, as objects without __eq__ do: an answer whose
        # __eq__ always says True must not pass a check that compares it with the right answer
        if self._claimed_class is Remote:
            return self is other
        return self._peer.request("binary", "eq", self, other)

    def __ne__(self, other):
        if self._claimed_class is Remote:
            return self is not other
        return self._peer.request("binary", "ne", self, other)

    __hash__ = object.__hash__


def _binary(name):
    def forward(self, other):
        return self._peer.request("binary", name, self, other)

    def reflected(self, other):
        return self._peer.request("binary", name, other, self)

    return forward, reflected


for _name in BINARY:
    if _name in ("eq", "ne"):
        continue  # defined in the class
    _dunder = _name.rstrip("_")
    _forward, _reflected = _binary(_name)
    setattr(Remote, f"__{_dunder}__", _forward)
    if _name not in ("lt", "le", "gt", "ge"):
        setattr(Remote, f"__r{_dunder}__", _reflected)
for _name in UNARY:
    setattr(Remote, f"__{_name}__", (lambda name: lambda self: self._peer.request("unary", name, self))(_name))


def claimed_class(class_names):
    """The most specific class among ``class_names`` (an MRO, as ``module:qualname``) that nnkit or numpy defines
    in a module already loaded here; else :class:`Remote`. Only a name is taken from the other side, never a
    class, and a name never makes this side import anything."""
    for full_name in class_names if isinstance(class_names, (list, tuple)) else ():
        if not isinstance(full_name, str) or ":" not in full_name:
            continue
        module_name, qualname = full_name.split(":", 1)
        found = sys.modules.get(module_name) if module_name.startswith(TRUSTED_MODULES) else None
        for part in qualname.split(".") if found is not None and "<" not in qualname else ():
            found = getattr(found, part, None)
        if isinstance(found, type) and found is not object:
            return found
    return Remote


def class_names(obj):
    return [f"{cls.__module__}:{cls.__qualname__}" for cls in type(obj).__mro__]


class Peer:
    """One end of the connection: owns objects the other side holds handles to, and stand-ins for the other's.

    ``namespace`` (the kernel's globals) answers the other side's ``name`` requests; ``guarded`` (the judge's end)
    restricts what requests may do to this side's objects (see the module docstring).
    """

    def __init__(self, connection, namespace=None, guarded=False, timeout=None):
        self.connection = connection
        self.connection.settimeout(timeout)
        self.namespace = namespace
        self.guarded = guarded
        self.exported = {}  # id -> object the other side holds a handle to
        self.export_ids = {}  # id(object) -> id
        self.stand_ins = {}  # the other side's id -> Remote
        self.mirrors = {}  # the other side's parameter id -> our copy of it
        self.mirror_ids = {}  # id(our copy) -> the other side's parameter id
        # our parameters the other side may change: on the guarded end only those we passed as arguments (an
        # optimizer's), not those it read from an object we handed it (a reference layer's weights)
        self.writable = set()
        self.sending_arguments = False

    # -- encoding -------------------------------------------------------------------------------------------
    def handle(self, obj):
        """The JSON body standing for ``obj`` (not plain data) in a message to the other side."""
        if isinstance(obj, Remote) and obj._peer is self:
            return {"yours": obj._id}
        if isinstance(obj, Parameter):
            if id(obj) in self.mirror_ids:
                return {"your_parameter": self.mirror_ids[id(obj)]}
            ident = self.export(obj)
            if self.sending_arguments or not self.guarded:
                self.writable.add(ident)
            return {"parameter": ident}
        if isinstance(obj, Tensor) and obj.is_leaf:
            return {"tensor": wire._encode(obj.data, "tensor", 0), "requires_grad": obj.requires_grad}
        if self.guarded and (isinstance(obj, (types.ModuleType, type)) or getattr(obj, "__module__", "") == "builtins"
                             and isinstance(obj, types.BuiltinFunctionType)):
            raise TypeError(f"the grader does not hand a {type(obj).__name__} to the notebook")
        return {"object": self.export(obj), "classes": class_names(obj)}

    def export(self, obj):
        ident = self.export_ids.get(id(obj))
        if ident is None:
            ident = len(self.exported) + 1
            self.exported[ident], self.export_ids[id(obj)] = obj, ident
        return ident

    def resolve(self, body):
        """The object a handle ``body`` from the other side stands for; ProtocolError-like WireError if forged."""
        if "yours" in body:
            return self._own(body["yours"])
        if "your_parameter" in body:
            parameter = self._own(body["your_parameter"])
            if not isinstance(parameter, Parameter):
                raise wire.WireError("a parameter handle names an object that is not a parameter")
            return parameter
        if "parameter" in body:
            ident = body["parameter"]
            if not isinstance(ident, int):
                raise wire.WireError("a parameter id must be an integer")
            if ident not in self.mirrors:
                mirror = Parameter(np.zeros(0))
                self.mirrors[ident], self.mirror_ids[id(mirror)] = mirror, ident
            return self.mirrors[ident]
        if "tensor" in body:
            data = wire._decode(body["tensor"], "tensor", 0)
            if not isinstance(data, np.ndarray):
                raise wire.WireError("a tensor must hold an array")
            return Tensor(data, requires_grad=bool(body.get("requires_grad")))
        if "object" in body:
            ident = body["object"]
            if not isinstance(ident, int):
                raise wire.WireError("an object id must be an integer")
            if ident not in self.stand_ins:
                self.stand_ins[ident] = Remote(self, ident, claimed_class(body.get("classes")))
            return self.stand_ins[ident]
        raise wire.WireError(f"unknown handle {sorted(body)}")

    def _own(self, ident):
        if not isinstance(ident, int) or ident not in self.exported:
            raise wire.WireError("a handle names an object this side never handed out")
        return self.exported[ident]

    # -- shared parameters ---------------------------------------------------------------------------------------
    def parameter_states(self):
        """[(owner, id, data, grad, version)] of every parameter both sides know ("mine" from the sender's view)."""
        states = [("mine", ident, p.data, p._grad, p._version) for ident, p in self.exported.items()
                  if isinstance(p, Parameter)]
        return states + [("yours", ident, p.data, p._grad, p._version) for ident, p in self.mirrors.items()]

    def apply_parameter_states(self, states):
        if not isinstance(states, list):
            raise wire.WireError("parameter states must be a list")
        for state in states:
            if not (isinstance(state, tuple) and len(state) == 5):
                raise wire.WireError("a parameter state must be (owner, id, data, grad, version)")
            owner, ident, data, grad, version = state
            parameter = self.mirrors.get(ident) if owner == "mine" else self.exported.get(ident)
            if not isinstance(parameter, Parameter) or not isinstance(data, np.ndarray):
                raise wire.WireError("a parameter state names no shared parameter")
            if owner == "yours" and ident not in self.writable:
                continue
            if parameter.data.shape == data.shape and parameter.data.dtype == data.dtype:
                if not np.array_equal(parameter.data, data, equal_nan=data.dtype.kind in "fc"):
                    parameter.data[...] = data  # in place: whoever holds the array sees the new values
            else:
                parameter.data = data.copy()
            parameter._grad = None if grad is None else np.array(grad)
            if isinstance(version, int) and version > parameter._version:
                parameter._version = version

    # -- messages -----------------------------------------------------------------------------------------------
    def send(self, message):
        """Two frames: the message, then the state of every shared parameter (after the message, which may share
        new ones)."""
        body = wire.encode(message, handle=self.handle).encode("utf-8")
        states = wire.encode(self.parameter_states()).encode("utf-8")
        self.connection.sendall(HEADER.pack(len(body)) + body + HEADER.pack(len(states)) + states)

    def receive(self):
        message = wire.decode(self._frame(), resolve=self.resolve)
        if not isinstance(message, dict) or not isinstance(message.get("kind"), str):
            raise wire.WireError("a message must be a dict with a kind")
        self.apply_parameter_states(wire.decode(self._frame()))
        return message

    def _frame(self):
        (size,) = HEADER.unpack(self._read(HEADER.size))
        if size > wire.MAX_BYTES:
            raise wire.WireError(f"a message of {size} bytes is over the {wire.MAX_BYTES}-byte limit")
        return self._read(size)

    def _read(self, size):
        chunks, left = [], size
        while left:
            try:
                chunk = self.connection.recv(min(left, 1 << 20))
            except TimeoutError:
                raise PeerGone("the other side stopped answering") from None
            except OSError as err:
                raise PeerGone(f"the connection broke ({err})") from None
            if not chunk:
                raise PeerGone("the other side closed the connection")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def request(self, op, *args):
        """Ask the other side to do ``op`` with ``args``; serve its requests meanwhile; return its answer."""
        message = {"kind": "request", "op": op, "args": list(args)}
        if op == "call":  # numpy's error settings (np.errstate) of the caller hold for the call
            message["errstate"] = np.geterr()
        self.sending_arguments = True
        try:
            self.send(message)
        finally:
            self.sending_arguments = False
        while True:
            reply = self.receive()
            if reply["kind"] == "reply":
                return reply.get("value")
            if reply["kind"] == "error":
                raise rebuilt_exception(reply.get("ename"), reply.get("message"))
            if reply["kind"] == "request":
                self.serve_one(reply)
            else:
                raise wire.WireError(f"unexpected message {reply['kind']!r} while waiting for an answer")

    def serve_one(self, message):
        """Do one request of the other side and send the answer (or the exception it raised)."""
        try:
            value = self.perform(message.get("op"), message.get("args"), message.get("errstate"))
            answer = {"kind": "reply", "value": value}
            self.send(answer)
        except (PeerGone, wire.WireError):
            raise
        except BaseException as err:  # noqa: BLE001 - every failure of the request is the other side's to see
            if isinstance(err, (KeyboardInterrupt, SystemExit)) and not self.guarded:
                raise  # the kernel was interrupted (the cell's time is up) or exits: the connection ends
            self.send({"kind": "error", "ename": type(err).__name__, "message": str(err)[:2000]})

    def perform(self, op, args, errstate=None):
        if not isinstance(args, list):
            raise wire.WireError("a request's args must be a list")
        if op == "name":
            (name,) = args
            if self.namespace is None or not isinstance(name, str) or name not in self.namespace:
                raise NameError(f"name {name!r} is not defined")
            return self.namespace[name]
        if op == "binary":
            name, left, right = args
            if name not in BINARY:
                raise ValueError(f"unknown operator {name!r}")
            return getattr(operator, name)(left, right)
        if op == "unary":
            name, value = args
            if name not in UNARY:
                raise ValueError(f"unknown operator {name!r}")
            return getattr(operator, name)(value)
        target, *rest = args
        if self.guarded and op in ("setattr", "delattr", "setitem"):
            raise TypeError("the grader's objects are read-only for the notebook")
        if op in ("getattr", "setattr", "delattr"):
            name = rest[0]
            if not isinstance(name, str) or (self.guarded and name.startswith("_")):
                raise AttributeError(f"no attribute {name!r} for the notebook")
            if op == "getattr":
                return getattr(target, name)
            return setattr(target, name, rest[1]) if op == "setattr" else delattr(target, name)
        if op == "call":
            positional, keywords = rest
            if not isinstance(positional, list) or not isinstance(keywords, dict):
                raise wire.WireError("a call needs a list of arguments and a dict of keywords")
            if not all(isinstance(key, str) for key in keywords):
                raise TypeError("keyword names must be strings")
            with np.errstate(**valid_errstate(errstate)):
                return target(*positional, **keywords)
        simple = {"getitem": lambda: target[rest[0]], "setitem": lambda: operator.setitem(target, rest[0], rest[1]),
                  "len": lambda: len(target), "iter": lambda: list(target), "contains": lambda: rest[0] in target,
                  "bool": lambda: bool(target), "float": lambda: float(target), "int": lambda: int(target),
                  "index": lambda: operator.index(target), "array": lambda: numbers_of(target),
                  "repr": lambda: repr(target)[:MAX_REPR], "str": lambda: str(target)[:MAX_REPR],
                  "format": lambda: format(target, str(rest[0]))[:MAX_REPR]}
        if op not in simple:
            raise ValueError(f"unknown request {op!r}")
        return simple[op]()


def numbers_of(value):
    array = np.asarray(value)
    if array.dtype.kind not in wire.ARRAY_KINDS:
        raise TypeError(f"np.asarray of a {type(value).__name__} gives {array.dtype} values, not numbers")
    return array


def valid_errstate(errstate):
    modes = ("ignore", "warn", "raise", "call", "print", "log")
    if not isinstance(errstate, dict):
        return {}
    return {key: value for key, value in errstate.items()
            if key in ("divide", "over", "under", "invalid") and value in modes and value not in ("call", "log")}


def rebuilt_exception(ename, message):
    ename, message = str(ename), str(message)
    cls = EXCEPTIONS.get(ename)
    if cls is KeyError:
        return KeyError(message.strip("'\""))
    return cls(message) if cls is not None else RemoteError(ename, message)


def serve(grade_id, namespace):
    """In the student's kernel: connect to the judge, say which check cell this is, answer until it is done.

    The grader gives the judge's socket in ``$NNKIT_JUDGE_SOCKET``."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(os.environ[JUDGE_SOCKET_VARIABLE])
        peer = Peer(connection, namespace)
        peer.send({"kind": "hello", "grade_id": grade_id})
        while True:
            message = peer.receive()
            if message["kind"] == "done":
                return
            if message["kind"] != "request":
                raise wire.WireError(f"unexpected message {message['kind']!r}")
            peer.serve_one(message)
    finally:
        connection.close()
