"""Every differentiable core module and loss passes a finite-difference gradient check in float64."""

import numpy as np
import pytest

import nnkit
from nnkit import nn

ACTIVATIONS = [nn.Identity(), nn.Sigmoid(), nn.Tanh(), nn.ArcTan(), nn.ReLU(), nn.LeakyReLU(0.1), nn.ELU(0.7),
               nn.Softplus(), nn.PReLU(), nn.Softmax(dim=-1), nn.Softmax(dim=0)]


def away_from_kinks(shape, seed=0):
    """Random inputs with |x| >= 0.1, so ReLU-like kinks at 0 are never within the finite-difference step."""
    x = np.random.default_rng(seed).uniform(0.1, 2.0, size=shape)
    return x * np.random.default_rng(seed + 1).choice([-1, 1], size=shape)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=repr)
def test_activation_gradcheck(activation):
    report = nnkit.gradcheck(activation, away_from_kinks((4, 5)))
    assert report.passed, report


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(bias):
    np.random.seed(0)
    report = nnkit.gradcheck(nn.Linear(3, 4, bias=bias), np.random.randn(5, 3))
    assert report.passed, report
    assert [c.name for c in report.comparisons] == ["input", "weight"] + (["bias"] if bias else [])


def test_mlp_gradcheck():
    np.random.seed(1)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 5), nn.ELU(), nn.Linear(5, 3), nn.Softmax())
    report = nnkit.gradcheck(model, np.random.randn(7, 4))
    assert report.passed, report


def test_flatten_gradcheck():
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 2))
    assert nnkit.gradcheck(model, np.random.default_rng(0).normal(size=(3, 2, 3))).passed


rng = np.random.default_rng(42)
LOSS_CASES = [
    (nn.MSELoss(), rng.normal(size=(6, 2)), rng.normal(size=(6, 2))),
    (nn.L1Loss(), rng.normal(size=(6, 2)), rng.normal(size=(6, 2))),
    (nn.SmoothL1Loss(beta=1.0), rng.normal(size=(6, 2)), rng.normal(size=(6, 2))),
    (nn.SmoothL1Loss(beta=0.3), rng.normal(size=(6,)), rng.normal(size=(6,))),
    (nn.BCELoss(), rng.uniform(0.05, 0.95, size=(6, 1)), rng.integers(0, 2, size=(6, 1))),
    (nn.BCELoss(), rng.uniform(0.05, 0.95, size=(6,)), rng.uniform(0, 1, size=(6,))),
    (nn.CrossEntropyLoss(), rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)),
    (nn.CrossEntropyLoss(), rng.normal(size=(6, 4)), rng.dirichlet(np.ones(4), size=6)),
]


@pytest.mark.parametrize(("loss_fn", "pred", "target"), LOSS_CASES,
                         ids=[f"{c[0]!r}-{i}" for i, c in enumerate(LOSS_CASES)])
def test_loss_gradcheck(loss_fn, pred, target):
    report = nnkit.gradcheck(loss_fn, pred, target)
    assert report.passed, report


class WrongLinear(nn.Linear):
    """A Linear layer whose weight gradient forgets the transpose's partner: the bug gradcheck exists to catch."""

    def backward(self, grad_output):
        result = super().backward(grad_output)
        self.weight.grad *= 2
        return result


def test_gradcheck_catches_a_wrong_backward():
    np.random.seed(0)
    report = nnkit.gradcheck(WrongLinear(3, 2), np.random.randn(4, 3))
    assert not report.passed
    assert report["weight"].relative_error == pytest.approx(1 / 3, rel=1e-6)  # |2g - g| / (|2g| + |g|)
    assert report["input"].passed and report["bias"].passed
    text = str(report)
    assert "FAIL" in text and "weight" in text and "worst entry" in text


def test_gradcheck_of_a_function_and_its_derivative():
    x = np.linspace(-2, 2, 7)
    assert nnkit.gradcheck(lambda v: np.sum(v**3), x, grad=lambda v: 3 * v**2).passed
    assert not nnkit.gradcheck(lambda v: np.sum(v**3), x, grad=lambda v: 2 * v**2).passed
    with pytest.raises(TypeError, match="grad="):
        nnkit.gradcheck(lambda v: np.sum(v), x)


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        nnkit.gradcheck(nn.Linear(2, 2, dtype=np.float32), np.ones((1, 2)))


def test_gradcheck_leaves_gradients_zero():
    layer = nn.Linear(2, 2)
    nnkit.gradcheck(layer, np.ones((3, 2)))
    assert all(not p.grad.any() for p in layer.parameters())


def test_report_titles_name_the_module_readably():
    np.random.seed(0)
    mlp = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    assert nnkit.gradcheck(mlp, np.random.randn(2, 3)).title == "Sequential(Linear(3, 4), Tanh())"
    attention = nn.SelfAttention(4, num_heads=2)
    assert "SelfAttention(embed_dim=4, num_heads=2" in nnkit.gradcheck(attention, np.random.randn(2, 3, 4)).title
