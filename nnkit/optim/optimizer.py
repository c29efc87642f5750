"""What every optimizer shares: the parameters it updates and zero_grad()."""

import functools
import numbers

import numpy as np

from nnkit.errors import expect_nonnegative_number
from nnkit.nn.parameter import Parameter


class Optimizer:
    """Holds a list of Parameters; subclasses implement ``step()`` (one update from the current ``.grad``)."""

    def __init__(self, params, lr):
        self.params = list(params)
        name = type(self).__name__
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list; pass model.parameters()")
        for index, param in enumerate(self.params):
            if not isinstance(param, Parameter):
                raise TypeError(f"{name}: parameter {index} is a {type(param).__name__}, not a Parameter")
        self.lr = expect_nonnegative_number(name, "lr", lr)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in vars(cls):
            cls.step = _counts_parameter_versions(vars(cls)["step"])

    def zero_grad(self):
        """Reset every gradient to zero: backward() adds, so old gradients would leak into the next step."""
        for param in self.params:
            param.zero_grad()

    def step(self):
        raise NotImplementedError

    # -- saving and restoring ------------------------------------------------------------------------
    def state_dict(self):
        """Everything the next ``step()`` depends on besides the parameters: settings and per-parameter state.

        ``{"optimizer": class name, "state": {attribute: value}}``, with copies of the per-parameter arrays (e.g.
        SGD's ``velocities``, Adam's moments). Like PyTorch's, it holds no parameter values (save those with
        ``model.state_dict()``); unlike PyTorch's, its keys are nnkit's attribute names, so it loads into nnkit only.
        """
        state = {}
        for name, value in vars(self).items():
            if name == "params":
                continue
            if isinstance(value, list) and len(value) == len(self.params):
                state[name] = [None if v is None else np.array(v, copy=True) for v in value]
            elif value is None or isinstance(value, (numbers.Number, str, tuple)):
                state[name] = value
        return {"optimizer": type(self).__name__, "state": state}

    def load_state_dict(self, state_dict):
        """Restore what :meth:`state_dict` returned (for an optimizer of the same class over same-shaped parameters)."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or set(state_dict) != {"optimizer", "state"}:
            raise ValueError(f"{name}.load_state_dict: expected what {name}.state_dict() returns, a dict with keys "
                             "'optimizer' and 'state' (a PyTorch optimizer's state_dict does not load into nnkit)")
        if state_dict["optimizer"] != name:
            raise ValueError(f"{name}.load_state_dict: this state is from a {state_dict['optimizer']}")
        own = self.state_dict()["state"]
        if set(state_dict["state"]) != set(own):
            raise KeyError(f"{name}.load_state_dict: expected the entries {sorted(own)}, got "
                           f"{sorted(state_dict['state'])}")
        for key, value in state_dict["state"].items():
            if isinstance(own[key], list):
                if len(value) != len(self.params):
                    raise ValueError(f"{name}.load_state_dict: {key} holds {len(value)} entries for "
                                     f"{len(self.params)} parameters")
                for index, theirs in enumerate(value):
                    if theirs is not None and np.shape(theirs) != self.params[index].shape:
                        raise ValueError(f"{name}.load_state_dict: {key}[{index}] has shape {np.shape(theirs)}, "
                                         f"parameter {index} has shape {self.params[index].shape}")
                value = [None if v is None else np.array(v, copy=True) for v in value]
            setattr(self, key, value)


def _counts_parameter_versions(step):
    """Wrap an optimizer's ``step``: each update gives its parameters a new version (see Module.backward's check)."""
    @functools.wraps(step)
    def counted_step(self, *args, **kwargs):
        result = step(self, *args, **kwargs)
        for param in self.params:
            param._version += 1
        return result
    return counted_step
