"""nnkit: neural networks from first principles, in numpy, with PyTorch's vocabulary.

    import nnkit
    from nnkit import data, datasets, nn, optim
from nnkit.autograd import Tensor, is_grad_enabled, no_grad, tensor

    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)

    prediction = model(X)                # forward
    loss = loss_fn(prediction, y)
    optimizer.zero_grad()
    model.backward(loss_fn.backward())   # backward: fills Parameter.grad
    optimizer.step()                     # update
"""

from nnkit import data, datasets, nn, optim
from nnkit.autograd import Tensor, is_grad_enabled, no_grad, tensor
from nnkit.dtype import get_default_dtype, set_default_dtype
from nnkit.errors import ShapeError
from nnkit.gradcheck import gradcheck
from nnkit.perceptron import Perceptron

__all__ = [
    "Perceptron", "ShapeError", "Tensor", "data", "datasets", "get_default_dtype", "gradcheck", "is_grad_enabled", "nn",
    "no_grad", "optim", "set_default_dtype", "tensor",
]
