r"""Reverse-mode automatic differentiation: a tape of the backward passes nnkit's layers already have.

Every operation on a :class:`Tensor` computes its value *and* records one graph node: the tensors it was made
from (``parents``) and a function that turns dL/d(output) into dL/d(each parent) — the chain rule for that one
step. ``loss.backward()`` then visits the nodes from the loss back to the leaves, in reverse topological order,
and adds every gradient into ``.grad``:

.. math::  \frac{\partial L}{\partial p} = \sum_{\text{children } c \text{ of } p}
           \frac{\partial L}{\partial c}\,\frac{\partial c}{\partial p}

A module called on a Tensor records *one* node whose backward is that module's own ``backward`` (with the values
saved by that very call), so the formulas live in one place: the layer. Arithmetic (``+ - * / ** @``, ``sum``,
``exp`` ...) has its rules here, each next to its forward.
"""

import contextlib
import inspect
import itertools
import weakref

import numpy as np

_grad_enabled = True


@contextlib.contextmanager
def no_grad():
    """Inside ``with no_grad():`` nothing is recorded: for evaluation and for updating parameters in place."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled():
    return _grad_enabled


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``: numpy broadcast the operand up, so its gradient adds over the copies."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def as_tensor(value):
    if isinstance(value, Tensor):
        return value
    if type(value) is np.ndarray and _grad_enabled and is_untracked_layer_output(value):
        raise RuntimeError(
            "an array computed by an nnkit layer from plain arrays (not Tensors) is used in Tensor arithmetic: that "
            "array carries no graph, so loss.backward() would give the layer's parameters no gradient. Call the "
            "model on nnkit.tensor(x) (or batches of a DataLoader over a TensorDataset), or compute under no_grad()"
        )
    return Tensor(value)


# Outputs of layers with parameters, run on plain arrays (the explicit path), that are still alive. Using one in
# Tensor arithmetic would silently cut the layer out of the graph, so as_tensor() refuses. Keyed by id, with a weak
# reference that removes the entry when the array is freed (so a reused id is never mistaken for it).
_untracked_outputs = {}


def mark_untracked_layer_output(array):
    if type(array) is np.ndarray:
        key = id(array)
        _untracked_outputs[key] = weakref.ref(array, lambda _, key=key: _untracked_outputs.pop(key, None))


# Forward passes on the explicit path are numbered: a layer notes the tick of its last forward, a loss the tick of
# its call, and the gradient array a loss's backward() returns is tagged with that tick. A layer handed a tagged
# gradient after it ran forward again (e.g. on validation data) would mix two batches, so it raises.
_ticks = itertools.count()
_loss_gradients = {}


def next_tick():
    return next(_ticks)


def tag_loss_gradient(gradient, tick):
    if type(gradient) is np.ndarray:
        key = id(gradient)
        _loss_gradients[key] = (weakref.ref(gradient, lambda _, key=key: _loss_gradients.pop(key, None)), tick)
    return gradient


def loss_gradient_tick(array):
    """The tick of the loss call whose backward() returned ``array``, or None for any other array."""
    entry = _loss_gradients.get(id(array))
    return entry[1] if entry is not None and entry[0]() is array else None


def is_untracked_layer_output(array):
    reference = _untracked_outputs.get(id(array))
    return reference is not None and reference() is array


class Tensor:
    """An array that remembers how it was computed, so ``backward()`` can compute gradients.

    ``data`` holds the values (an ndarray), ``grad`` dL/d(data) after ``backward()`` (for tensors with
    ``requires_grad=True`` that were not computed from others: the leaves). ``grad_fn`` is the name of the
    operation that made it (None for a leaf), ``parents`` the tensors it was made from.
    """

    __array_ufunc__ = None  # ndarray + Tensor calls Tensor.__radd__, so the result is a Tensor (and records)
    _version = 0  # bumped by every in-place update and optimizer step (see Module.backward's check)

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        if isinstance(data, Tensor):
            data = data.data
        data = np.asarray(data, dtype=dtype)
        if dtype is None and not np.issubdtype(data.dtype, np.floating) and requires_grad:
            data = data.astype(np.float64)
        self.data = data
        self.requires_grad = bool(requires_grad)
        self.name = name  # a label for drawings of the graph (nnkit.viz.draw_autograd_graph)
        self._retains_grad = False
        self._grad = None
        self.grad_fn = None
        self.parents = ()
        self._backward = None  # grad_output -> one gradient (or None) per parent

    # -- the graph --------------------------------------------------------------------------------
    @classmethod
    def from_operation(cls, data, parents, backward, name):
        """The result of an operation: a Tensor recording ``parents`` and its ``backward`` when any needs a grad."""
        out = cls(data)
        parents = tuple(parents)
        if _grad_enabled and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out.parents = parents
            out._backward = backward
            out.grad_fn = name
        return out

    def retain_grad(self):
        """Keep dL/d(self) in ``.grad`` although this tensor was computed (leaves keep theirs anyway)."""
        self._retains_grad = True
        return self

    @property
    def is_leaf(self):
        return self._backward is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value

    def accumulate_grad(self, gradient):
        self._grad = gradient if self._grad is None else self._grad + gradient

    def backward(self, gradient=None):
        """Compute dL/d(leaf) for every leaf this tensor was computed from, adding into each leaf's ``.grad``.

        ``gradient`` is dL/d(self); it may be left out only for a one-number tensor (then it is 1), as in PyTorch.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad: nothing it was computed from has requires_grad=True "
                "(or it was computed under no_grad()); make the inputs with Tensor(x, requires_grad=True) or call a "
                "model whose Parameters it depends on"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward(): grad can be implicitly created only for a one-number output, this one has shape "
                    f"{self.shape}; pass backward(gradient) with dL/d(output), or reduce it first (.sum(), .mean())"
                )
            gradient = np.ones_like(self.data, dtype=self.data.dtype if self.data.dtype.kind == "f" else float)
        gradient = np.asarray(gradient)
        if gradient.shape != self.shape:
            raise ValueError(f"backward(): gradient must have shape {self.shape}, got {gradient.shape}")
        grads = {id(self): gradient}
        for node in reversed(self._topological_order()):
            grad = grads.pop(id(node), None)
            if grad is None:
                continue
            if node.is_leaf or node._retains_grad:
                node.accumulate_grad(np.array(grad, copy=True))  # its own array: grads may be shared
            if node.is_leaf:
                continue
            for parent, parent_grad in zip(node.parents, node._backward(grad)):
                if parent_grad is None or not parent.requires_grad:
                    continue
                key = id(parent)
                grads[key] = parent_grad if key not in grads else grads[key] + parent_grad
            node._release()

    def _topological_order(self):
        """Every tensor that leads to this one, each after its parents (depth-first, no recursion limit)."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents if parent.requires_grad)
        return order

    def _release(self):
        """After its backward has run, a node forgets its saved values: a second backward() raises, as in PyTorch."""
        name = self.grad_fn

        def already_used(grad_output):
            raise RuntimeError(
                f"backward(): trying to go backward through the graph a second time (at {name}); the values saved "
                "for it were freed after the first backward(). Compute the loss again (a new forward pass) before "
                "each backward()"
            )

        self._backward = already_used

    # -- leaving the graph --------------------------------------------------------------------------------
    def detach(self):
        """The same values, cut off from the graph (no grad_fn, requires_grad=False)."""
        return Tensor(self.data)

    def cpu(self):
        """This tensor: nnkit computes on the CPU only (kept so PyTorch's ``.cpu().numpy()`` works)."""
        return self

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("numpy(): call .detach().numpy() on a tensor that requires grad (as in PyTorch)")
        return self.data

    def item(self):
        """The one number in a one-element tensor, as a Python float (or int)."""
        if self.data.size != 1:
            raise ValueError(f"item(): only a one-element tensor can be turned into a number, this one has shape "
                             f"{self.shape}")
        return self.data.item()

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __float__(self):
        return float(self.item())

    def __format__(self, spec):
        """``f"{loss:.4f}"`` formats the number of a one-element tensor, as in PyTorch."""
        return format(self.item(), spec) if spec and self.data.size == 1 else format(repr(self), spec)

    # -- shape ---------------------------------------------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    def size(self, dim=None):
        """The shape (a tuple), or its length along ``dim``, as PyTorch's ``size()`` (numpy's count: ``numel()``)."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self):
        return self.data.size

    def dim(self):
        return self.data.ndim

    def to(self, device):
        """Only ``'cpu'``: nnkit computes with numpy on the CPU (kept so PyTorch's ``.to(device)`` lines run)."""
        return _on_cpu(self, device)

    def requires_grad_(self, requires_grad=True):
        if not self.is_leaf:
            raise RuntimeError("requires_grad_(): only a leaf (a tensor not computed from others) can be switched")
        self.requires_grad = bool(requires_grad)
        return self

    def float(self):
        """A float64 copy (nnkit's default precision) without a graph: for counting, e.g. ``(a > b).float().mean()``."""
        return Tensor(self.data.astype(np.float64))

    def argmax(self, dim=None, keepdim=False):
        """Indices of the largest entries (no gradient), as ``torch.argmax``."""
        return Tensor(np.argmax(self.data, axis=dim, keepdims=keepdim))

    def squeeze(self, dim=None):
        shape = self.shape if dim is None else self.shape[:dim % self.ndim] + (
            () if self.shape[dim] == 1 else (self.shape[dim],)) + self.shape[dim % self.ndim + 1:]
        return self.reshape(tuple(n for n in shape if n != 1) if dim is None else shape)

    def unsqueeze(self, dim):
        dim = dim % (self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    @property
    def dtype(self):
        return self.data.dtype

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        extra = f", grad_fn={self.grad_fn}" if self.grad_fn else (", requires_grad=True" if self.requires_grad else "")
        return f"Tensor({np.array2string(self.data, separator=', ', prefix='Tensor(')}{extra})"

    # -- arithmetic: each rule is d(output)/d(operand) times the incoming gradient ----------------------------
    def __add__(self, other):
        other = as_tensor(other)
        return Tensor.from_operation(
            self.data + other.data, (self, other),
            lambda g: (unbroadcast(g, self.shape), unbroadcast(g, other.shape)), "add")

    def __radd__(self, other):
        return as_tensor(other) + self

    def __neg__(self):
        return Tensor.from_operation(-self.data, (self,), lambda g: (-g,), "neg")

    def __sub__(self, other):
        return self + (-as_tensor(other))

    def __rsub__(self, other):
        return as_tensor(other) + (-self)

    def __mul__(self, other):
        r""":math:`\partial(ab)/\partial a = b`, :math:`\partial(ab)/\partial b = a`."""
        other = as_tensor(other)
        return Tensor.from_operation(
            self.data * other.data, (self, other),
            lambda g: (unbroadcast(g * other.data, self.shape), unbroadcast(g * self.data, other.shape)), "mul")

    def __rmul__(self, other):
        return as_tensor(other) * self

    def __truediv__(self, other):
        r""":math:`\partial(a/b)/\partial a = 1/b`, :math:`\partial(a/b)/\partial b = -a/b^2`."""
        other = as_tensor(other)
        return Tensor.from_operation(
            self.data / other.data, (self, other),
            lambda g: (unbroadcast(g / other.data, self.shape),
                       unbroadcast(-g * self.data / other.data**2, other.shape)), "div")

    def __rtruediv__(self, other):
        return as_tensor(other) / self

    def __pow__(self, exponent):
        r""":math:`\partial a^k/\partial a = k a^{k-1}` for a constant number k."""
        if isinstance(exponent, Tensor):
            raise TypeError("Tensor ** Tensor is not supported; write exp(b * log(a)) for a tensor exponent")
        exponent = float(exponent)
        return Tensor.from_operation(
            self.data**exponent, (self,), lambda g: (g * exponent * self.data ** (exponent - 1),), "pow")

    def __matmul__(self, other):
        r"""Matrix product :math:`C = AB`: :math:`\partial L/\partial A = G B^\top`,
        :math:`\partial L/\partial B = A^\top G`."""
        other = as_tensor(other)
        if self.ndim != 2 or other.ndim != 2:
            raise ValueError(f"Tensor @: both operands must be matrices (2-D), got shapes {self.shape} and "
                             f"{other.shape}; use reshape, or a Linear layer")
        return Tensor.from_operation(
            self.data @ other.data, (self, other), lambda g: (g @ other.data.T, self.data.T @ g), "matmul")

    def __rmatmul__(self, other):
        return as_tensor(other) @ self

    # -- in place: only outside the graph (PyTorch's rule for leaves that require grad) -----------------------
    def _in_place(self, operation, other):
        if _grad_enabled and self.requires_grad:
            raise RuntimeError(
                "a tensor that requires grad is being changed in place; update parameters inside "
                "`with nnkit.no_grad():` (as in PyTorch), or use an optimizer"
            )
        operation(self.data, np.asarray(other.data if isinstance(other, Tensor) else other), out=self.data)
        self._version += 1  # layers that ran forward with the old values refuse to backpropagate
        return self

    def __iadd__(self, other):
        return self._in_place(np.add, other)

    def __isub__(self, other):
        return self._in_place(np.subtract, other)

    def __imul__(self, other):
        return self._in_place(np.multiply, other)

    def __itruediv__(self, other):
        return self._in_place(np.divide, other)

    # -- comparisons give boolean Tensors without a graph (no gradient flows through them) --------------------
    def __gt__(self, other):
        return Tensor(self.data > np.asarray(getattr(other, "data", other)))

    def __lt__(self, other):
        return Tensor(self.data < np.asarray(getattr(other, "data", other)))

    def __ge__(self, other):
        return Tensor(self.data >= np.asarray(getattr(other, "data", other)))

    def __le__(self, other):
        return Tensor(self.data <= np.asarray(getattr(other, "data", other)))

    # elementwise, as in PyTorch (``(pred == y).mean()``); a Tensor still hashes by identity, as PyTorch's does
    def __eq__(self, other):
        return Tensor(self.data == np.asarray(getattr(other, "data", other)))

    def __ne__(self, other):
        return Tensor(self.data != np.asarray(getattr(other, "data", other)))

    __hash__ = object.__hash__

    def any(self):
        return Tensor(self.data.any())

    def all(self):
        return Tensor(self.data.all())

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of a Tensor with {self.data.size} values is ambiguous: use .any() "
                               "or .all(), as in PyTorch")
        return bool(self.data)

    # -- reductions and shapes ---------------------------------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        """Every summed entry gets the gradient of the sum: it is spread back (broadcast) to the input's shape."""
        def backward(g):
            if not keepdims and axis is not None:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g, self.shape).copy(),)
        return Tensor.from_operation(self.data.sum(axis=axis, keepdims=keepdims), (self,), backward, "sum")

    def mean(self, axis=None, keepdims=False):
        count = self.data.size if axis is None else np.prod([self.shape[a] for a in np.atleast_1d(axis)])
        return self.sum(axis=axis, keepdims=keepdims) / count

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return Tensor.from_operation(self.data.reshape(shape), (self,), lambda g: (g.reshape(self.shape),), "reshape")

    def view(self, *shape):
        return self.reshape(*shape)

    def transpose(self, *axes):
        axes = axes or None
        inverse = None if axes is None else np.argsort(axes)
        return Tensor.from_operation(
            self.data.transpose(axes), (self,), lambda g: (g.transpose(inverse),), "transpose")

    @property
    def T(self):
        return self.transpose()

    def __getitem__(self, index):
        """Indexing picks entries; the gradient goes back to exactly those entries (added where one repeats)."""
        if isinstance(index, Tensor):
            index = index.data

        def backward(g):
            grad = np.zeros_like(self.data, dtype=g.dtype)
            np.add.at(grad, index, g)
            return (grad,)
        return Tensor.from_operation(self.data[index], (self,), backward, "index")

    # -- elementwise functions -----------------------------------------------------------------------------------
    def exp(self):
        out = np.exp(self.data)
        return Tensor.from_operation(out, (self,), lambda g: (g * out,), "exp")

    def log(self):
        return Tensor.from_operation(np.log(self.data), (self,), lambda g: (g / self.data,), "log")

    def tanh(self):
        out = np.tanh(self.data)
        return Tensor.from_operation(out, (self,), lambda g: (g * (1 - out**2),), "tanh")

    def sigmoid(self):
        with np.errstate(over="ignore"):
            out = 1 / (1 + np.exp(-self.data))
        return Tensor.from_operation(out, (self,), lambda g: (g * out * (1 - out),), "sigmoid")

    def relu(self):
        return Tensor.from_operation(
            np.maximum(self.data, 0), (self,), lambda g: (g * (self.data > 0),), "relu")

    def abs(self):
        return Tensor.from_operation(np.abs(self.data), (self,), lambda g: (g * np.sign(self.data),), "abs")

    def sqrt(self):
        return self**0.5


def _on_cpu(obj, device):
    if str(device).split(":")[0] != "cpu":
        raise ValueError(f"to({device!r}): nnkit computes with numpy on the CPU only; use 'cpu' (or drop the call)")
    return obj


def call_module(module, inputs, kwargs):
    """Run ``module`` on Tensors as one graph node whose backward is ``module.backward``.

    The forward pass runs on the arrays; the values the module saved for backward in *this* call are kept with
    the node and put back just before its backward runs, so a module used twice in one forward pass
    backpropagates each use with its own values. The module's Parameters are parents of the node: their
    gradients are added by the module's backward itself (``Parameter.accumulate_grad``).
    """
    arguments = inspect.signature(module.forward).bind(*inputs, **kwargs).arguments
    names = list(arguments)
    tensors = {name: value for name, value in arguments.items() if isinstance(value, Tensor)}
    arrays = {name: value.data if isinstance(value, Tensor) else value for name, value in arguments.items()}
    for name in names[1:]:  # states such as h0, c0: their gradient is kept by backward as grad_<name>
        if name in tensors and tensors[name].requires_grad and not hasattr(module, f"grad_{name}"):
            raise NotImplementedError(f"{module!r}: autograd differentiates only w.r.t. its first input "
                                      f"({names[0]}), not {name}; detach() it")
    output = module.forward(*arrays.values())
    saved, versions = module._saved, module._parameter_versions
    first = tensors.get(names[0])
    needs_input_grad = first is not None and first.requires_grad
    skip_input_grad = not needs_input_grad and "input_grad" in inspect.signature(module.backward).parameters
    parent_names = list(tensors)

    def backward(grad_output):
        module.save_for_backward(*saved)
        module._parameter_versions = versions  # this call's weights: a step since then makes backward raise
        grad_input = module.backward(grad_output, input_grad=False) if skip_input_grad else module.backward(
            grad_output)
        grads = {names[0]: grad_input}
        grads.update({name: getattr(module, f"grad_{name}", None) for name in parent_names[1:]})
        return [grads.get(name) for name in parent_names] + [None] * len(parameters)

    parameters = list(module.parameters())
    result = Tensor.from_operation(output, [*tensors.values(), *parameters], backward, type(module).__name__)
    if result.requires_grad and isinstance(getattr(module, "h_n", None), np.ndarray) and result.ndim == 3:
        module.h_n = result[:, -1]  # the last hidden state is the output's last step: gradients flow through it
        if isinstance(getattr(module, "c_n", None), np.ndarray):
            module.c_n = Tensor.from_operation(module.c_n, (result,), _no_gradient_through(module, "c_n"), "c_n")
    return result


def _no_gradient_through(module, name):
    def backward(grad_output):
        raise NotImplementedError(f"{module!r}: autograd cannot backpropagate through {name}; build the loss from "
                                  "the output (its last step is h_n)")
    return backward


def tensor(data, requires_grad=False, dtype=None, name=None):
    """``nnkit.tensor(x, requires_grad=True)``, as ``torch.tensor``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)
