"""PyTorch habits that carry over: each works as in PyTorch (checked against torch) or fails saying nnkit's way."""

import numpy as np
import pytest

import nnkit
import nnkit.nn.functional as F
from nnkit import nn, optim
from nnkit.data import DataLoader, Dataset, TensorDataset

torch = pytest.importorskip("torch", reason="PyTorch is not installed: agreement tests skipped (make test installs it)")
torch.set_default_dtype(torch.float64)


# -- losses: reduction, and the functional forms -------------------------------------------------------------
LOSSES = ["MSELoss", "L1Loss", "SmoothL1Loss", "BCELoss", "CrossEntropyLoss"]


def loss_inputs(name):
    rng = np.random.default_rng(0)
    pred = rng.uniform(0.05, 0.95, size=(5, 3))
    target = rng.integers(0, 3, 5) if name == "CrossEntropyLoss" else rng.uniform(0, 1, size=(5, 3))
    return pred, target


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", LOSSES)
def test_reduction_matches_torch_on_both_paths(name, reduction):
    pred, target = loss_inputs(name)
    pred_t = torch.tensor(pred, requires_grad=True)
    value_t = getattr(torch.nn, name)(reduction=reduction)(pred_t, torch.tensor(target))
    upstream = np.random.default_rng(1).normal(size=value_t.shape)
    value_t.backward(torch.tensor(upstream) if reduction == "none" else None)

    explicit = getattr(nn, name)(reduction=reduction)
    value = explicit(pred, target)
    np.testing.assert_allclose(value, value_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    gradient = explicit.backward(upstream if reduction == "none" else None)
    np.testing.assert_allclose(gradient, pred_t.grad.numpy(), rtol=1e-12, atol=1e-14)

    leaf = nnkit.tensor(pred, requires_grad=True)
    loss = getattr(nn, name)(reduction=reduction)(leaf, target)
    loss.backward(upstream if reduction == "none" else None)
    np.testing.assert_allclose(leaf.grad, pred_t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_reduction_errors_say_what_to_do():
    with pytest.raises(ValueError, match="'mean', 'sum' or 'none'"):
        nn.MSELoss(reduction="average")
    loss_fn = nn.MSELoss(reduction="none")
    loss_fn(np.zeros((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="pass backward\\(grad_output\\)"):
        loss_fn.backward()
    assert repr(loss_fn) == "MSELoss(reduction='none')"


FUNCTIONS = [
    ("relu", (), {}), ("sigmoid", (), {}), ("tanh", (), {}), ("softplus", (), {}), ("elu", (), {}),
    ("leaky_relu", (0.1,), {}), ("softmax", (), {"dim": 1}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_functional_activations_match_torch(name, args, kwargs):
    x = np.random.default_rng(2).normal(scale=2, size=(4, 5))
    weights = np.random.default_rng(3).normal(size=(4, 5))
    ours = getattr(F, name)(x, *args, **kwargs)
    x_t = torch.tensor(x, requires_grad=True)
    theirs = getattr(torch.nn.functional, name)(x_t, *args, **kwargs)
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    leaf = nnkit.tensor(x, requires_grad=True)
    (getattr(F, name)(leaf, *args, **kwargs) * weights).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(leaf.grad, x_t.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("ours", "theirs"), [
    (F.mse_loss, torch.nn.functional.mse_loss), (F.l1_loss, torch.nn.functional.l1_loss),
    (F.smooth_l1_loss, torch.nn.functional.smooth_l1_loss),
    (F.binary_cross_entropy, torch.nn.functional.binary_cross_entropy),
    (F.cross_entropy, torch.nn.functional.cross_entropy),
], ids=lambda f: getattr(f, "__name__", "f"))
def test_functional_losses_match_torch(ours, theirs):
    name = "CrossEntropyLoss" if ours is F.cross_entropy else "MSELoss"
    pred, target = loss_inputs(name)
    leaf = nnkit.tensor(pred, requires_grad=True)
    loss = ours(leaf, target, reduction="sum")
    loss.backward()
    pred_t = torch.tensor(pred, requires_grad=True)
    loss_t = theirs(pred_t, torch.tensor(target), reduction="sum")
    loss_t.backward()
    assert loss.item() == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(leaf.grad, pred_t.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert isinstance(ours(pred, target), float)  # arrays in: the float path


def test_log_softmax_on_tensors_points_to_cross_entropy():
    x = np.random.default_rng(0).normal(size=(2, 3))
    np.testing.assert_allclose(F.log_softmax(x, dim=1), torch.log_softmax(torch.tensor(x), dim=1).numpy(), atol=1e-14)
    with pytest.raises(TypeError, match="F.cross_entropy"):
        F.log_softmax(nnkit.tensor(x, requires_grad=True), dim=1)


# -- containers and Flatten ------------------------------------------------------------------------------------
class Stack(nn.Module):
    def __init__(self):
        self.layers = nn.ModuleList([nn.Linear(3, 4), nn.Linear(4, 4)])
        self.layers.append(nn.Linear(4, 1))
        self.act = nn.Tanh()

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x)


def test_module_list_names_parameters_like_torch_and_trains_with_autograd():
    np.random.seed(0)
    ours = Stack()
    theirs = torch.nn.ModuleList([torch.nn.Linear(3, 4), torch.nn.Linear(4, 4), torch.nn.Linear(4, 1)])
    assert [name for name, _ in ours.named_parameters()] == ["layers." + n for n, _ in theirs.named_parameters()]
    theirs.load_state_dict({k.removeprefix("layers."): torch.tensor(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(1).normal(size=(6, 3))
    nn.MSELoss()(ours(nnkit.tensor(x)), np.zeros((6, 1))).backward()
    h = torch.tensor(x)
    for layer in theirs[:-1]:
        h = torch.tanh(layer(h))
    torch.nn.MSELoss()(theirs[-1](h), torch.zeros(6, 1)).backward()
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12, atol=1e-15, err_msg=name)
    assert len(ours.layers) == 3
    with pytest.raises(NotImplementedError, match="loop over it"):
        ours.layers(x)
    with pytest.raises(TypeError, match="Modules"):
        nn.ModuleList([np.zeros(3)])


@pytest.mark.parametrize(("start", "end"), [(1, -1), (0, -1), (2, 3), (0, 1), (-2, -1)])
def test_flatten_dims_match_torch(start, end):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
    ours = nn.Flatten(start, end)
    y = ours(x)
    assert y.shape == torch.nn.Flatten(start, end)(torch.tensor(x)).shape
    np.testing.assert_array_equal(ours.backward(np.ones_like(y)).shape, x.shape)


def test_flatten_bad_dims_name_the_layer():
    with pytest.raises(nnkit.ShapeError, match="Flatten.*start_dim 3.*end_dim 1"):
        nn.Flatten(3, 1)(np.zeros((2, 3, 4, 5)))


# -- data --------------------------------------------------------------------------------------------------------
def numbered(n):
    return np.arange(n * 2, dtype=float).reshape(n, 2), np.arange(n)


def test_dataloader_on_a_dataset_has_torchs_defaults():
    X, y = numbered(5)
    ours = DataLoader(TensorDataset(X, y))
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)))
    assert len(ours) == len(theirs) == 5 and not ours.shuffle
    for (xb, yb), (xt, yt) in zip(ours, theirs):
        assert isinstance(xb, nnkit.Tensor)
        np.testing.assert_array_equal(xb.data, xt.numpy())
        np.testing.assert_array_equal(yb.data, yt.numpy())
    batches = [yb.data.tolist() for _, yb in DataLoader(TensorDataset(X, y), batch_size=2)]
    torch_batches = [yb.tolist() for _, yb in torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=2)]
    assert batches == torch_batches == [[0, 1], [2, 3], [4]]
    assert len(DataLoader(TensorDataset(X, y), 2, drop_last=True)) == 2  # batch_size as second positional argument


class Squares(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, index):
        return np.array([index, index**2], dtype=float), float(index % 2)


def test_a_custom_dataset_is_batched_and_shuffled_reproducibly():
    loader = DataLoader(Squares(), batch_size=3, shuffle=True, seed=4)
    epoch = [yb.data for _, yb in loader]
    assert [len(b) for b in epoch] == [3, 3, 1]
    xs = np.concatenate([xb.data for xb, _ in DataLoader(Squares(), batch_size=3, shuffle=True, seed=4)])
    assert sorted(xs[:, 0].tolist()) == list(range(7)) and np.all(xs[:, 1] == xs[:, 0] ** 2)
    assert xs[:, 0].tolist() != list(range(7))


def test_training_from_a_dataloader_with_loss_backward():
    np.random.seed(0)
    X = np.random.default_rng(0).normal(size=(64, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    loss_fn, optimizer = nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05)
    loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
    for _ in range(40):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with nnkit.no_grad():
        accuracy = np.mean(np.asarray(model(nnkit.tensor(X))).argmax(axis=1) == y)
    assert accuracy > 0.9 and f"{loss:.3f}" == f"{loss.item():.3f}"


def test_the_short_form_keeps_its_defaults_and_other_forms_say_the_way():
    X, y = numbered(40)
    loader = DataLoader(X, y)
    assert loader.batch_size == 32 and loader.shuffle
    xb, yb = next(iter(loader))
    assert type(xb) is np.ndarray
    with pytest.raises(TypeError, match="TensorDataset"):
        DataLoader(X)
    with pytest.raises(TypeError, match="sampler"):
        DataLoader(TensorDataset(X, y), sampler=[0, 1])
    with pytest.raises(nnkit.ShapeError, match="same first axis"):
        TensorDataset(X, y[:3])


# -- optimizers and parameters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9), lambda p: optim.Adam(p, lr=0.01)],
                         ids=["SGD", "Adam"])
def test_optimizer_state_dict_resumes_training_exactly(make):
    def run(model, optimizer, steps, x, y):
        for _ in range(steps):
            optimizer.zero_grad()
            nn.MSELoss()(model(nnkit.tensor(x)), y).backward()
            optimizer.step()

    x, y = np.random.default_rng(0).normal(size=(8, 3)), np.random.default_rng(1).normal(size=(8, 1))
    np.random.seed(2)
    straight = nn.Linear(3, 1)
    start = straight.state_dict()
    optimizer = make(straight.parameters())
    run(straight, optimizer, 10, x, y)

    resumed = nn.Linear(3, 1)
    resumed.load_state_dict(start)
    first = make(resumed.parameters())
    run(resumed, first, 4, x, y)
    saved_model, saved_optimizer = resumed.state_dict(), first.state_dict()
    run(resumed, first, 3, x, y)  # changes after the save must not leak into it
    again = nn.Linear(3, 1)
    again.load_state_dict(saved_model)
    second = make(again.parameters())
    second.load_state_dict(saved_optimizer)
    run(again, second, 6, x, y)
    np.testing.assert_array_equal(again.weight.data, straight.weight.data)


def test_optimizer_load_state_dict_rejects_other_states():
    sgd = optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="from a Adam"):
        sgd.load_state_dict(optim.Adam(nn.Linear(2, 1).parameters()).state_dict())
    with pytest.raises(ValueError, match="PyTorch"):
        sgd.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="shape"):
        big = optim.SGD(nn.Linear(3, 1).parameters(), lr=0.1, momentum=0.9)
        big.step()
        optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1, momentum=0.9).load_state_dict(big.state_dict())


def test_parameter_is_array_like():
    p = nn.Parameter(np.array([1.0, 2.0, 3.0]))
    assert np.asarray(p).tolist() == [1, 2, 3] and p.shape == (3,) and len(p) == 3
    assert (p * 2).data.tolist() == [2, 4, 6] and (np.ones(3) + p).data.tolist() == [2, 3, 4]
    p.grad = np.array([1.0, 1.0, 1.0])
    with nnkit.no_grad():
        p -= 0.5 * p.grad
    assert p.data.tolist() == [0.5, 1.5, 2.5]
    model = nn.Linear(2, 1)
    assert model.eval() is model and not model.training and model.train().training


def test_tensor_habits_from_the_ports():
    t = nnkit.tensor(np.arange(6.0).reshape(3, 1, 2))
    assert t.size() == (3, 1, 2) and t.size(-1) == 2 and t.numel() == 6 and t.dim() == 3
    assert t.squeeze(1).shape == (3, 2) and t.unsqueeze(0).shape == (1, 3, 1, 2)
    assert (t > 2).float().mean().item() == 0.5 and t.argmax(dim=2).data.ravel().tolist() == [1, 1, 1]
    leaf = nnkit.tensor([1.0, 2.0]).requires_grad_()
    (leaf * leaf).sum().backward()
    assert leaf.grad.tolist() == [2.0, 4.0]
    assert nn.Linear(2, 1).to("cpu").in_features == 2 and t.to("cpu") is t
    with pytest.raises(ValueError, match="CPU only"):
        nn.Linear(2, 1).to("cuda")
    xb, yb = TensorDataset(np.ones((4, 2)), np.zeros(4))[0:2]
    assert isinstance(xb, nnkit.Tensor) and xb.shape == (2, 2)


def test_a_loss_on_plain_arrays_says_how_to_get_loss_backward():
    loss = nn.MSELoss()(np.zeros((2, 1)), np.ones((2, 1)))
    assert isinstance(loss, float) and loss.item() == 1.0
    with pytest.raises(RuntimeError, match="nnkit.tensor"):
        loss.backward()
