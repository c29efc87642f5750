"""Never a silently wrong gradient: the cases where saved forward values could be stale, against PyTorch.

1. One activation module used twice in a forward pass: the explicit backward raises (its second use overwrote
   what the first saved); loss.backward() gives exactly PyTorch's gradients.
2. The same module with different shapes at its two uses: the same (no shape error blaming the user).
3. A loss computed on a second batch before backward: each Tensor loss keeps its own values, so
   backward on the first loss gives PyTorch's gradient of the first batch.
4. Backpropagating one forward pass twice (explicit path or Tensor): raises, as PyTorch does without retain_graph.
"""

import numpy as np
import pytest

from nnkit import nn
from nnkit.autograd import Tensor

torch = pytest.importorskip("torch", reason="PyTorch is not installed: agreement tests skipped (make test installs it)")
torch.set_default_dtype(torch.float64)


class TwoLayers(nn.Module):
    """PyTorch's common idiom: one self.relu applied after two layers."""

    def __init__(self, widths=(3, 4, 4)):
        self.fc1 = nn.Linear(widths[0], widths[1])
        self.fc2 = nn.Linear(widths[1], widths[2])
        self.out = nn.Linear(widths[2], 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.out(self.relu(self.fc2(self.relu(self.fc1(x)))))

    def backward(self, grad_output):  # what a student writes for the explicit path
        grad = self.relu.backward(self.out.backward(grad_output))
        return self.fc1.backward(self.relu.backward(self.fc2.backward(grad)))


def torch_copy(model):
    twin = torch.nn.ModuleDict({name: torch.nn.Linear(m.in_features, m.out_features).double()
                                for name, m in (("fc1", model.fc1), ("fc2", model.fc2), ("out", model.out))})
    twin.load_state_dict({key: torch.tensor(value) for key, value in model.state_dict().items()})
    return twin


def torch_forward(twin, x):
    return twin["out"](torch.relu(twin["fc2"](torch.relu(twin["fc1"](x)))))


@pytest.mark.parametrize("widths", [(3, 4, 4), (3, 4, 5)], ids=["same shapes", "different shapes"])
def test_module_reused_in_one_forward(widths):
    np.random.seed(0)
    model = TwoLayers(widths)
    x = np.random.default_rng(1).normal(size=(8, 3))
    y = np.random.default_rng(2).normal(size=(8, 1))
    loss_fn = nn.MSELoss()
    loss_fn(model(x), y)
    with pytest.raises(RuntimeError, match="used more than once in a forward pass.*separate module.*loss.backward"):
        model.backward(loss_fn.backward())

    model.zero_grad()
    loss = loss_fn(model(Tensor(x)), y)
    loss.backward()
    twin = torch_copy(model)
    torch.nn.MSELoss()(torch_forward(twin, torch.tensor(x)), torch.tensor(y)).backward()
    for name, parameter in model.named_parameters():
        expected = dict(twin.named_parameters())[name].grad.numpy()
        np.testing.assert_allclose(parameter.grad, expected, rtol=1e-12, atol=1e-15, err_msg=name)


def test_loss_on_a_second_batch_before_backward():
    np.random.seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    rng = np.random.default_rng(3)
    x1, y1, x2, y2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 1)), rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    loss_fn = nn.MSELoss()
    first = loss_fn(model(Tensor(x1)), y1)
    second = loss_fn(model(Tensor(x2)), y2)
    first.backward()
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    twin.load_state_dict({key: torch.tensor(value) for key, value in model.state_dict().items()})
    torch.nn.MSELoss()(twin(torch.tensor(x1)), torch.tensor(y1)).backward()
    for name, parameter in model.named_parameters():
        expected = dict(twin.named_parameters())[name].grad.numpy()
        np.testing.assert_allclose(parameter.grad, expected, rtol=1e-12, atol=1e-15, err_msg=name)
    second.backward()  # and the sum of both, as in PyTorch
    torch.nn.MSELoss()(twin(torch.tensor(x2)), torch.tensor(y2)).backward()
    for name, parameter in model.named_parameters():
        expected = dict(twin.named_parameters())[name].grad.numpy()
        np.testing.assert_allclose(parameter.grad, expected, rtol=1e-12, atol=1e-15, err_msg=name)


def test_explicit_backward_follows_the_last_forward_of_every_layer():
    # the explicit path's contract: backward() is for the last forward of each module; a second batch run
    # *through the model* before backward is what gets backpropagated, consistently in every layer
    np.random.seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    rng = np.random.default_rng(3)
    x1, x2, y2 = rng.normal(size=(5, 3)), rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    loss_fn = nn.MSELoss()
    loss_fn(model(x1), np.zeros((5, 1)))
    loss_fn(model(x2), y2)
    model.backward(loss_fn.backward())
    explicit = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    loss_fn(model(Tensor(x2)), y2).backward()
    for a, b in zip(explicit, model.parameters()):
        np.testing.assert_allclose(a, b.grad, atol=1e-15)


def test_one_forward_backpropagated_twice_raises():
    layer = nn.Tanh()
    layer(np.ones((2, 2)))
    layer.backward(np.ones((2, 2)))
    with pytest.raises(RuntimeError, match="twice for one forward"):
        layer.backward(np.ones((2, 2)))
    layer(np.ones((2, 2)))  # a new forward pass may be backpropagated again
    layer.backward(np.ones((2, 2)))


def test_a_failed_backward_can_be_retried():
    layer = nn.Linear(2, 3)
    layer(np.ones((4, 2)))
    with pytest.raises(Exception, match="grad_output"):
        layer.backward(np.ones((4, 2)))
    layer.backward(np.ones((4, 3)))


@pytest.mark.parametrize("second_batch", [5, 7], ids=["same batch size", "other batch size"])
def test_a_forward_pass_between_the_loss_and_backward_raises(second_batch):
    # the lead's case: a look at other data between the loss and backward
    np.random.seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    rng = np.random.default_rng(5)
    x1, y1, x2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 1)), rng.normal(size=(second_batch, 3))
    loss_fn = nn.MSELoss()
    loss_fn(model(x1), y1)
    model(x2)
    with pytest.raises(RuntimeError, match="loss computed before this module's last forward pass"):
        model.backward(loss_fn.backward())
    # recomputing the loss on the batch makes backward right again, equal to autograd's gradient
    loss_fn(model(x1), y1)
    model.backward(loss_fn.backward())
    explicit = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    loss_fn(model(Tensor(x1)), y1).backward()
    for a, b in zip(explicit, model.parameters()):
        np.testing.assert_allclose(a, b.grad, rtol=0, atol=1e-15)


@pytest.mark.parametrize("autograd_path", [False, True])
def test_a_step_between_forward_and_backward_raises(autograd_path):
    """backward after optimizer.step() would use the new weights with the old forward's values: an error."""
    from nnkit import optim

    np.random.seed(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    x, y = np.random.randn(5, 3), np.random.randn(5, 1)
    loss_fn = nn.MSELoss()
    loss = loss_fn(model(Tensor(x) if autograd_path else x), y)
    for p in model.parameters():
        p.grad = np.ones_like(p.data)
    optimizer.step()
    with pytest.raises(RuntimeError, match="changed .*after this module's forward pass"):
        loss.backward() if autograd_path else model.backward(loss_fn.backward())
    # the usual order works: forward, backward, step
    optimizer.zero_grad()
    loss = loss_fn(model(Tensor(x) if autograd_path else x), y)
    loss.backward() if autograd_path else model.backward(loss_fn.backward())
    optimizer.step()


def test_an_in_place_update_under_no_grad_also_counts():
    from nnkit import no_grad

    layer = nn.Linear(2, 2)
    layer(np.ones((1, 2)))
    with no_grad():
        layer.weight -= 0.1
    with pytest.raises(RuntimeError, match="weight changed"):
        layer.backward(np.ones((1, 2)))
