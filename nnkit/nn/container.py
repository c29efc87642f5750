"""Chaining modules: the output of one is the input of the next."""

from nnkit.nn.linear import Linear
from nnkit.nn.module import Module


class Sequential(Module):
    """Run modules one after the other; backward runs them in reverse.

    ``Sequential(Linear(2, 3), ReLU(), Linear(3, 1))`` names its parameters
    ``0.weight``, ``0.bias``, ``2.weight``, ``2.bias`` like PyTorch.
    """

    def __init__(self, *modules):
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {index} must be a Module, got {type(module).__name__}")
            setattr(self, str(index), module)
        self._layers = modules  # the same modules in order, so forward/backward need not look them up

    def layers(self):
        return list(self._layers)

    def __getitem__(self, index):
        return self.layers()[index]

    def __len__(self):
        return len(self.layers())

    def __iter__(self):
        return iter(self.layers())

    def forward(self, x):
        for module in self._layers:
            x = module(x)
        return x

    def backward(self, grad_output, input_grad=True):
        """dL/d(output) -> dL/d(input), through every module in reverse.

        ``input_grad=False`` is for training, where nothing uses dL/d(input): when the first module is a
        Linear, its product :math:`G W` is then skipped and None returned.
        """
        for index, module in reversed(list(enumerate(self._layers))):
            if index == 0 and not input_grad and isinstance(module, Linear):
                return module.backward(grad_output, input_grad=False)
            grad_output = module.backward(grad_output)
        return grad_output


class ModuleList(Module):
    """A list of modules whose parameters the model sees, as ``torch.nn.ModuleList``: ``self.layers = ModuleList(...)``.

    It has no forward of its own: the model's forward loops over it, and autograd (``loss.backward()``)
    differentiates whatever the loop computes. Parameters are named ``layers.0.weight``, as in PyTorch.
    """

    def __init__(self, modules=()):
        self._modules_in_order = []
        for module in modules:
            self.append(module)

    def append(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList: entries must be Modules, got {type(module).__name__}")
        setattr(self, str(len(self._modules_in_order)), module)
        self._modules_in_order.append(module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def __getitem__(self, index):
        return self._modules_in_order[index]

    def __len__(self):
        return len(self._modules_in_order)

    def __iter__(self):
        return iter(self._modules_in_order)

    def forward(self, *inputs):
        raise NotImplementedError("ModuleList has no forward (as in PyTorch): loop over it in your model's forward, "
                                  "or use nn.Sequential(*modules) to chain them")
