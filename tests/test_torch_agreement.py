"""nnkit against PyTorch: forward, input gradient, parameter gradients and optimizer steps, weights via state_dict."""

import numpy as np
import pytest

import nnkit
from nnkit import nn

torch = pytest.importorskip("torch", reason="PyTorch is not installed: agreement tests skipped (make test installs it)")
torch.set_default_dtype(torch.float64)

ACTIVATION_PAIRS = [
    (nn.Identity(), torch.nn.Identity()),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (nn.ELU(1.3), torch.nn.ELU(1.3)),
    (nn.Softplus(), torch.nn.Softplus()),
    (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.Softmax(dim=0), torch.nn.Softmax(dim=0)),
]


def to_torch(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize(("ours", "theirs"), ACTIVATION_PAIRS, ids=lambda m: repr(m))
def test_activation_matches_torch(ours, theirs):
    x = np.random.default_rng(0).normal(scale=3, size=(5, 4))
    upstream = np.random.default_rng(1).normal(size=(5, 4))
    x_t = to_torch(x)
    y_t = theirs(x_t)
    y_t.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(ours(x), y_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.backward(upstream), x_t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_prelu_matches_torch():
    x = np.random.default_rng(0).normal(size=(5, 3))
    ours, theirs = nn.PReLU(), torch.nn.PReLU()
    x_t = to_torch(x)
    theirs(x_t).sum().backward()
    np.testing.assert_allclose(ours(x), theirs(x_t).detach().numpy())
    np.testing.assert_allclose(ours.backward(np.ones_like(x)), x_t.grad.numpy())
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy())


def mlp_pair(seed=0):
    torch.manual_seed(seed)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.Tanh(),
                                 torch.nn.Linear(8, 3))
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    ours.load_state_dict(theirs.state_dict())  # tensors are accepted
    return ours, theirs


def test_state_dict_keys_and_shapes_match_torch():
    ours, theirs = mlp_pair()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert ours.state_dict()[key].shape == tuple(value.shape)
    # and back: nnkit weights load into the PyTorch model
    np.random.seed(3)
    fresh = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in fresh.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 4))
    np.testing.assert_allclose(fresh(x), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-12)


def test_linear_init_is_pytorch_distribution():
    np.random.seed(0)
    layer = nn.Linear(100, 50)
    bound = 1 / np.sqrt(100)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.95 * bound  # actually spread over the whole interval
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.05)
    np.random.seed(0)
    np.testing.assert_array_equal(nn.Linear(100, 50).weight.data, layer.weight.data)


@pytest.mark.parametrize(
    ("loss_name", "make_target"),
    [
        ("CrossEntropyLoss", lambda rng: rng.integers(0, 3, size=6)),
        ("MSELoss", lambda rng: rng.normal(size=(6, 3))),
        ("L1Loss", lambda rng: rng.normal(size=(6, 3))),
        ("SmoothL1Loss", lambda rng: rng.normal(size=(6, 3))),
    ],
)
def test_mlp_forward_backward_matches_torch(loss_name, make_target):
    rng = np.random.default_rng(5)
    x, target = rng.normal(size=(6, 4)), make_target(rng)
    ours, theirs = mlp_pair()
    our_loss, their_loss = getattr(nn, loss_name)(), getattr(torch.nn, loss_name)()
    x_t = to_torch(x)
    loss_t = their_loss(theirs(x_t), torch.from_numpy(target))
    loss_t.backward()
    loss = our_loss(ours(x), target)
    grad_x = ours.backward(our_loss.backward())
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(grad_x, x_t.grad.numpy(), rtol=1e-9, atol=1e-12)
    their_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        np.testing.assert_allclose(param.grad, their_params[name].grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("soft", [False, True])
def test_cross_entropy_soft_and_hard_targets_match_torch(soft):
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(5, 4))
    target = rng.dirichlet(np.ones(4), size=5) if soft else np.eye(4)[rng.integers(0, 4, 5)]
    logits_t = to_torch(logits)
    loss_t = torch.nn.CrossEntropyLoss()(logits_t, torch.from_numpy(target))
    loss_t.backward()
    loss_fn = nn.CrossEntropyLoss()
    assert loss_fn(logits, target) == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), logits_t.grad.numpy(), rtol=1e-10)


def test_bce_matches_torch_including_saturation():
    p = np.array([0.0, 1e-20, 0.3, 0.9, 1.0])
    y = np.array([1.0, 1.0, 0.0, 1.0, 0.0])
    p_t = to_torch(p)
    loss_t = torch.nn.BCELoss()(p_t, torch.from_numpy(y))
    loss_t.backward()
    loss_fn = nn.BCELoss()
    assert loss_fn(p, y) == pytest.approx(loss_t.item(), rel=1e-12)
    # PyTorch's clamp constant 1e-12 is a float32 literal (9.99999996e-13): saturated entries differ by 4e-9 relative
    np.testing.assert_allclose(loss_fn.backward(), p_t.grad.numpy(), rtol=1e-8)


@pytest.mark.parametrize(
    ("ours_factory", "theirs_factory"),
    [
        (lambda p: nnkit.optim.SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        (lambda p: nnkit.optim.SGD(p, lr=0.05, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
        (lambda p: nnkit.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.01),
         lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.01)),
        (lambda p: nnkit.optim.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
        (lambda p: nnkit.optim.Adam(p, lr=0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
         lambda p: torch.optim.Adam(p, lr=0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ],
    ids=["sgd", "momentum", "momentum+decay", "adam", "adam-custom"],
)
def test_optimizer_steps_match_torch(ours_factory, theirs_factory):
    ours, theirs = mlp_pair(seed=1)
    our_opt, their_opt = ours_factory(ours.parameters()), theirs_factory(theirs.parameters())
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, target = rng.normal(size=(8, 4)), rng.integers(0, 3, size=8)
        their_opt.zero_grad()
        torch.nn.CrossEntropyLoss()(theirs(torch.from_numpy(x)), torch.from_numpy(target)).backward()
        their_opt.step()
        our_opt.zero_grad()
        loss_fn = nn.CrossEntropyLoss()
        loss_fn(ours(x), target)
        ours.backward(loss_fn.backward())
        our_opt.step()
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-9, atol=1e-12)
