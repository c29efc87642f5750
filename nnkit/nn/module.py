"""The base class of every layer: forward, backward and the parameter book-keeping."""

import functools

import numpy as np

from nnkit import autograd
from nnkit.errors import as_array
from nnkit.nn.parameter import Parameter


class Module:
    """A piece of a network with a forward pass and its backward pass.

    * ``module(x)`` runs ``forward(x)``; the layer keeps what backward needs
      (``save_for_backward``).
    * ``module.backward(grad_output)`` takes dL/d(output) and returns
      dL/d(input), *adding* dL/d(parameter) into each ``Parameter.grad``.

    Parameters and sub-modules are found by looking at the attributes in the
    order they were set, so ``self.weight = Parameter(...)`` is all a layer
    does to register one; names follow PyTorch (``weight``, ``0.bias``).

    ``module.training`` is True until ``module.eval()``; layers that behave
    differently while training (dropout, batch normalization) read it.

    A *buffer* (``register_buffer``) is state that is not trained but belongs
    to the model, such as batch norm's running mean: it is saved in
    ``state_dict()`` beside the parameters, and optimizers never see it.
    """

    training = True  # a class default, so subclasses need not call Module.__init__

    def __call__(self, *inputs, **kwargs):
        """``forward``; on Tensors, a layer with its own ``backward`` also records itself as one graph node.

        (A module made of other modules, or of Tensor arithmetic, just runs ``forward`` on the Tensors: each
        layer and operation inside records itself.)
        """
        if self._records_one_node() and any(
                isinstance(value, autograd.Tensor) for value in (*inputs, *kwargs.values())):
            return autograd.call_module(self, inputs, kwargs)
        output = self.forward(*inputs, **kwargs)
        if autograd.is_grad_enabled() and (
                any(isinstance(value, Parameter) for value in vars(self).values())
                or any(type(value) is np.ndarray and autograd.is_untracked_layer_output(value) for value in inputs)):
            autograd.mark_untracked_layer_output(output)  # so Tensor arithmetic on it raises instead of losing it
        return output

    def _records_one_node(self):
        return type(self).backward is not Module.backward and not self.named_children()

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self, grad_output):
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    # -- what the backward pass needs from the forward pass -------------------
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "backward" in vars(cls):
            cls.backward = _one_backward_per_forward(vars(cls)["backward"])

    def save_for_backward(self, *values):
        self._saved = values
        self._saved_unused = True
        self._forward_tick = autograd.next_tick()
        # backward uses the weights as they are then: if a step changes them first, the gradient would mix the
        # forward pass's weights with the new ones, so the versions at forward time are kept to compare
        self._parameter_versions = [(p, p._version) for p in vars(self).values() if isinstance(p, Parameter)]

    def saved_values(self):
        """The values stored by the last forward pass; RuntimeError if there was none."""
        saved = getattr(self, "_saved", None)
        if saved is None:
            raise RuntimeError(f"{self!r}: backward() was called before forward(); run the module on an input first")
        return saved if len(saved) != 1 else saved[0]

    # -- training and evaluation mode -----------------------------------------
    def train(self, mode=True):
        """Set ``training = mode`` on this module and every sub-module; returns the module, as in PyTorch."""
        if not isinstance(mode, bool):
            raise TypeError(f"{type(self).__name__}.train: mode must be True or False, got {mode!r}")
        self.training = mode
        for _, child in self.named_children():
            child.train(mode)
        return self

    def to(self, device):
        """Only ``'cpu'``, returning the module: nnkit computes with numpy on the CPU (PyTorch's ``.to(device)``)."""
        if str(device).split(":")[0] != "cpu":
            raise ValueError(f"{type(self).__name__}.to({device!r}): nnkit computes on the CPU only; use 'cpu'")
        return self

    def eval(self):
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    # -- parameters -----------------------------------------------------------
    def named_children(self):
        return [(name, value) for name, value in vars(self).items() if isinstance(value, Module)]

    def named_parameters(self, prefix=""):
        """(name, Parameter) pairs with PyTorch's names, e.g. ``0.weight``."""
        pairs = []
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                pairs.append((prefix + name, value))
            elif isinstance(value, Module):
                pairs.extend(value.named_parameters(prefix=f"{prefix}{name}."))
        return pairs

    def parameters(self):
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self):
        for parameter in self.parameters():
            parameter.zero_grad()

    # -- buffers: saved state that is not trained ------------------------------
    def register_buffer(self, name, array):
        """Keep ``array`` as the attribute ``name`` and save it in ``state_dict()``; as in PyTorch.

        Layers update a buffer in place (``self.running_mean *= ...``) or by setting the attribute again.
        """
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{type(self).__name__}.register_buffer: name must be an identifier, got {name!r}")
        if "_buffer_names" not in vars(self):
            self._buffer_names = []
        if name not in self._buffer_names:
            self._buffer_names.append(name)
        setattr(self, name, np.asarray(array))

    def named_buffers(self, prefix=""):
        """(name, ndarray) pairs, e.g. ``1.running_mean``: this module's buffers, then each child's."""
        pairs = [(prefix + name, getattr(self, name)) for name in vars(self).get("_buffer_names", [])]
        for name, child in self.named_children():
            pairs.extend(child.named_buffers(prefix=f"{prefix}{name}."))
        return pairs

    def buffers(self):
        return [buffer for _, buffer in self.named_buffers()]

    def state_dict(self):
        """{name: copy of the values} for every parameter and buffer, with PyTorch's keys and shapes."""
        return dict(self.named_state())

    def named_state(self, prefix=""):
        """(key, copy) pairs in PyTorch's order: this module's parameters, its buffers, then each child's."""
        pairs = [(prefix + name, value.data.copy())
                 for name, value in vars(self).items() if isinstance(value, Parameter)]
        pairs.extend((prefix + name, np.array(getattr(self, name), copy=True))
                     for name in vars(self).get("_buffer_names", []))
        for name, child in self.named_children():
            pairs.extend(child.named_state(prefix=f"{prefix}{name}."))
        return pairs

    def load_state_dict(self, state_dict):
        """Copy values in from ``state_dict`` (ndarrays, or torch tensors from a PyTorch model).

        Keys and shapes must match exactly; values are cast to each parameter's dtype.
        """
        who = f"{type(self).__name__}.load_state_dict"
        own = dict(self.named_parameters())
        buffers = dict(self.named_buffers())
        own.update(buffers)
        missing = sorted(set(own) - set(state_dict))
        unexpected = sorted(set(state_dict) - set(own))
        if missing or unexpected:
            raise KeyError(f"{who}: missing keys {missing}, unexpected keys {unexpected}; this model has {list(own)}")
        for name, parameter in own.items():
            values = as_array(who, f"state_dict[{name!r}]", state_dict[name])
            current = buffers[name] if name in buffers else parameter.data
            if values.shape != current.shape:
                raise ValueError(
                    f"{who}: {name!r} must have shape {current.shape}, got {values.shape}"
                )
            if name in buffers:
                current[...] = values  # in place: the buffer's owner keeps the same array
                continue
            parameter.data = values.astype(parameter.data.dtype, copy=True)
            parameter._version += 1
            parameter.zero_grad()

    def __repr__(self):
        children = self.named_children()
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in children]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"

    def extra_repr(self):
        return ""


def _one_backward_per_forward(backward):
    """Wrap a layer's ``backward`` so that the values one forward pass saved serve one backward only.

    A second backward after the same forward means the module was used twice in one forward pass (the second use
    overwrote what the first saved) or one pass is backpropagated twice; the first would give a wrong gradient,
    so both raise, as PyTorch raises for a second backward through a graph.
    """
    @functools.wraps(backward)
    def checked_backward(self, *args, **kwargs):
        if getattr(self, "_in_backward", False) or not hasattr(self, "_saved"):  # super().backward(), containers
            return backward(self, *args, **kwargs)
        loss_tick = autograd.loss_gradient_tick(args[0]) if args else None
        if loss_tick is not None and self._forward_tick > loss_tick:
            raise RuntimeError(
                f"{self!r}: this gradient comes from a loss computed before this module's last forward pass, so "
                "backward would combine that loss with the values of the later batch. Call backward() right after "
                "the loss (look at other data after it, or inside `with nnkit.no_grad():` on Tensors), or run the "
                "model on nnkit.Tensor inputs and call loss.backward()"
            )
        if not self._saved_unused:
            raise RuntimeError(
                f"{self!r}: backward() was called twice for one forward(). If this module is used more than once in "
                "a forward pass, each use overwrites the values the last one saved, so this backward would be "
                "wrong: use a separate module for each use, or run the model on nnkit.Tensor inputs and call "
                "loss.backward() (autograd keeps the values of every call). To backpropagate again, run forward again"
            )
        changed = [name for name, p in vars(self).items() if isinstance(p, Parameter)
                   and any(p is q and p._version != version for q, version in getattr(self, "_parameter_versions", []))]
        if changed:
            raise RuntimeError(
                f"{self!r}: {', '.join(changed)} changed (optimizer.step() or an in-place update) after this "
                "module's forward pass, so backward would mix the old and new weights: call backward() before "
                "step(), then run forward again for the next batch"
            )
        self._in_backward = True
        try:
            grad_input = backward(self, *args, **kwargs)
        finally:
            self._in_backward = False
        self._saved_unused = False  # only a backward that ran through uses them up (a bad grad_output can be retried)
        return grad_input
    return checked_backward


def count_parameters(module):
    """How many numbers training adjusts in ``module``."""
    return int(sum(np.prod(p.data.shape) for p in module.parameters()))
