"""What every optimizer shares: the parameters it updates and zero_grad()."""

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

    def zero_grad(self):
        """Reset every gradient to zero: backward() adds, so old gradients would leak into the next step."""
        for param in self.params:
            param.zero_grad()

    def step(self):
        raise NotImplementedError
