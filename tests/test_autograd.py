"""nnkit.autograd: Tensor arithmetic, every layer through loss.backward(), against PyTorch and finite differences."""

import numpy as np
import pytest

import nnkit
from nnkit import nn
from nnkit.autograd import Tensor, no_grad

torch = pytest.importorskip("torch", reason="PyTorch is not installed: agreement tests skipped (make test installs it)")
torch.set_default_dtype(torch.float64)


def autograd_gradient(expression, x):
    """d expression(x) / dx through nnkit's autograd (expression returns a one-number Tensor)."""
    leaf = Tensor(x, requires_grad=True)
    expression(leaf).backward()
    return leaf.grad


# -- Tensor arithmetic ------------------------------------------------------------------------------------------
EXPRESSIONS = {
    "polynomial": lambda a: (a**3 - 2 * a * a + 1 / (a * a + 1)).sum(),
    "broadcast": lambda a: ((a - a.mean(axis=0, keepdims=True)) ** 2).mean(),
    "matmul": lambda a: (a @ a.T).tanh().sum(),
    "exp_log": lambda a: ((a.exp() + 1).log() * a.sigmoid()).sum(axis=1).sum(),
    "index_reshape": lambda a: (a[1:, ::2].reshape(-1) * a[0, 0]).relu().sum() + a.T[0].abs().sum(),
    "reuse": lambda a: (a * a * a - a / (a.abs() + 2)).mean() * a.sum(),
}


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_expression_gradients_match_torch_and_finite_differences(name):
    expression = EXPRESSIONS[name]
    x = np.random.default_rng(0).normal(size=(3, 4))
    ours = autograd_gradient(expression, x)
    x_t = torch.tensor(x, requires_grad=True)
    expression(x_t).backward()
    np.testing.assert_allclose(ours, x_t.grad.numpy(), rtol=1e-12, atol=1e-13)
    report = nnkit.gradcheck(lambda v: expression(Tensor(v)).item(), x, grad=lambda v: autograd_gradient(expression, v))
    assert report.passed, str(report)


def random_graph(rng, depth):
    """A random expression of two leaves: each step applies one operation to earlier results."""
    unary = [lambda t: t.tanh(), lambda t: t.sigmoid(), lambda t: t * t, lambda t: -t, lambda t: (t * t + 1).log(),
             lambda t: t.sum(axis=0, keepdims=True), lambda t: t.mean(axis=1, keepdims=True)]
    binary = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / (b * b + 1)]
    plan = [(rng.integers(2), rng.integers(len(unary)), rng.integers(len(binary)), rng.integers(100))
            for _ in range(depth)]

    def expression(a, b):
        values = [a, b]
        for kind, u, op, pick in plan:
            first = values[pick % len(values)]
            second = values[(pick // 7) % len(values)]
            values.append(unary[u](first) if kind == 0 else binary[op](first, second))
        return sum(v.sum() for v in values[2:]) if len(values) > 2 else a.sum()

    return expression


@pytest.mark.parametrize("seed", range(12))
def test_random_expression_graphs_match_torch(seed):
    rng = np.random.default_rng(seed)
    expression = random_graph(rng, depth=8)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    a_n, b_n = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    expression(a_n, b_n).backward()
    a_t, b_t = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    expression(a_t, b_t).backward()
    np.testing.assert_allclose(a_n.grad, a_t.grad.numpy(), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(b_n.grad, b_t.grad.numpy(), rtol=1e-11, atol=1e-12)


def test_gradients_accumulate_and_a_graph_is_used_once():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2 + 3, 4 + 3])
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_no_grad_records_nothing_and_allows_in_place_updates():
    p = nn.Parameter(np.array([1.0, -2.0]))
    (p * p).sum().backward()
    with pytest.raises(RuntimeError, match="no_grad"):
        p -= 0.1 * p.grad
    with no_grad():
        assert not (p * 2).requires_grad
        p -= 0.25 * p.grad
    np.testing.assert_array_equal(p.data, [0.5, -1.0])


def test_helpful_errors():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()
    with pytest.raises(RuntimeError, match="one-number"):
        (Tensor([1.0, 2.0], requires_grad=True) * 2).backward()
    with pytest.raises(ValueError, match="one-element"):
        Tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="detach"):
        Tensor([1.0], requires_grad=True).numpy()
    assert Tensor([[3.5]]).item() == 3.5


# -- layers: the explicit path and loss.backward() agree, and both agree with PyTorch --------------------------
def explicit_and_autograd(model, loss_fn, x, y):
    """Parameter gradients from model.backward(loss_fn.backward()) and from loss.backward()."""
    model.zero_grad()
    loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    explicit = {name: p.grad.copy() for name, p in model.named_parameters()}
    model.zero_grad()
    loss = loss_fn(model(Tensor(x)), y)
    assert isinstance(loss, Tensor) and loss.shape == ()
    loss.backward()
    return explicit, {name: p.grad.copy() for name, p in model.named_parameters()}


class LastStep(nn.Module):
    """A recurrent layer followed by a Linear on its last hidden state (h_n), as PyTorch programs write it."""

    def __init__(self, recurrent):
        self.recurrent = recurrent
        self.head = nn.Linear(recurrent.hidden_size, 2)

    def forward(self, x):
        self.recurrent(x)
        return self.head(self.recurrent.h_n)


def models():
    rng = np.random.default_rng(0)
    return {
        "mlp": (nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)),
                nn.CrossEntropyLoss(), rng.normal(size=(7, 4)), rng.integers(0, 3, 7)),
        "cnn": (nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3)),
                nn.CrossEntropyLoss(), rng.normal(size=(3, 1, 6, 6)), rng.integers(0, 3, 3)),
        "rnn": (LastStep(nn.RNN(3, 4)), nn.MSELoss(), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 2))),
        "lstm": (LastStep(nn.LSTM(3, 4)), nn.MSELoss(), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 2))),
        "gru": (LastStep(nn.GRU(3, 4)), nn.MSELoss(), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 2))),
    }


@pytest.mark.parametrize("kind", ["mlp", "cnn", "rnn", "lstm", "gru"])
def test_explicit_and_autograd_paths_agree(kind):
    np.random.seed(1)
    model, loss_fn, x, y = models()[kind]
    if kind in ("rnn", "lstm", "gru"):  # LastStep has no hand-written backward: only autograd trains it
        explicit_model = model.recurrent
        model.zero_grad()
        loss = loss_fn(model(Tensor(x)), y)
        loss.backward()
        autograd = {name: p.grad.copy() for name, p in model.named_parameters()}
        # explicit: the head's gradient goes into the last step of the recurrent layer's output gradient
        model.zero_grad()
        outputs = explicit_model(x)
        head_out = model.head(explicit_model.h_n)
        loss_fn(head_out, y)
        grad_h = model.head.backward(loss_fn.backward())
        upstream = np.zeros_like(outputs)
        upstream[:, -1] = grad_h
        explicit_model.backward(upstream)
        explicit = {name: p.grad.copy() for name, p in model.named_parameters()}
    else:
        explicit, autograd = explicit_and_autograd(model, loss_fn, x, y)
    for name in explicit:
        np.testing.assert_allclose(autograd[name], explicit[name], rtol=0, atol=1e-12, err_msg=name)


LAYERS = {
    "Linear": (lambda: nn.Linear(4, 3), lambda: torch.nn.Linear(4, 3), (5, 4)),
    "Conv2d": (lambda: nn.Conv2d(2, 3, 3, stride=1, padding=1), lambda: torch.nn.Conv2d(2, 3, 3, padding=1),
               (2, 2, 5, 5)),
    "Conv1d": (lambda: nn.Conv1d(2, 3, 3), lambda: torch.nn.Conv1d(2, 3, 3), (2, 2, 7)),
    "MaxPool2d": (lambda: nn.MaxPool2d(2), lambda: torch.nn.MaxPool2d(2), (2, 3, 4, 4)),
    "AvgPool2d": (lambda: nn.AvgPool2d(2), lambda: torch.nn.AvgPool2d(2), (2, 3, 4, 4)),
    "Flatten": (lambda: nn.Flatten(), lambda: torch.nn.Flatten(), (2, 3, 4)),
    "Sigmoid": (lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid(), (3, 4)),
    "Tanh": (lambda: nn.Tanh(), lambda: torch.nn.Tanh(), (3, 4)),
    "ReLU": (lambda: nn.ReLU(), lambda: torch.nn.ReLU(), (3, 4)),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.1), lambda: torch.nn.LeakyReLU(0.1), (3, 4)),
    "ELU": (lambda: nn.ELU(), lambda: torch.nn.ELU(), (3, 4)),
    "Softplus": (lambda: nn.Softplus(), lambda: torch.nn.Softplus(), (3, 4)),
    "Softmax": (lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1), (3, 4)),
    "PReLU": (lambda: nn.PReLU(), lambda: torch.nn.PReLU(), (3, 4)),
    "RNN": (lambda: nn.RNN(3, 4), lambda: torch.nn.RNN(3, 4, batch_first=True), (2, 5, 3)),
    "LSTM": (lambda: nn.LSTM(3, 4), lambda: torch.nn.LSTM(3, 4, batch_first=True), (2, 5, 3)),
    "GRU": (lambda: nn.GRU(3, 4), lambda: torch.nn.GRU(3, 4, batch_first=True), (2, 5, 3)),
}


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_through_autograd_matches_torch_and_finite_differences(name):
    make_ours, make_theirs, shape = LAYERS[name]
    np.random.seed(0)
    ours, theirs = make_ours(), make_theirs().double()
    state = ours.state_dict()
    theirs.load_state_dict({key: torch.tensor(value) for key, value in state.items()})
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    weights = rng.normal(size=np.asarray(ours(x)).shape)
    x_n = Tensor(x, requires_grad=True)
    (ours(x_n) * weights).sum().backward()
    x_t = torch.tensor(x, requires_grad=True)
    out_t = theirs(x_t)
    out_t = out_t[0] if isinstance(out_t, tuple) else out_t
    (out_t * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x_n.grad, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    for key, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad, dict(theirs.named_parameters())[key].grad.numpy(),
                                   rtol=1e-10, atol=1e-12, err_msg=key)

    def through_autograd(v):
        ours.zero_grad()
        leaf = Tensor(v, requires_grad=True)
        (ours(leaf) * weights).sum().backward()
        return leaf.grad

    report = nnkit.gradcheck(lambda v: float(np.sum(np.asarray(ours(v)) * weights)), x, grad=through_autograd)
    assert report.passed, str(report)


@pytest.mark.parametrize("loss_name", ["MSELoss", "L1Loss", "SmoothL1Loss", "BCELoss", "CrossEntropyLoss"])
def test_losses_on_tensors_match_torch(loss_name):
    rng = np.random.default_rng(2)
    pred = rng.uniform(0.05, 0.95, size=(4, 3))
    target = rng.integers(0, 3, 4) if loss_name == "CrossEntropyLoss" else rng.uniform(0, 1, size=(4, 3))
    pred_n = Tensor(pred, requires_grad=True)
    loss = getattr(nn, loss_name)()(pred_n, target)
    loss.backward()
    pred_t = torch.tensor(pred, requires_grad=True)
    loss_t = getattr(torch.nn, loss_name)()(pred_t, torch.tensor(target))
    loss_t.backward()
    assert loss.item() == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(pred_n.grad, pred_t.grad.numpy(), rtol=1e-10, atol=1e-13)


# -- a custom module: nnkit layers and ordinary arithmetic, no hand-written backward ---------------------------
class Residual(nn.Module):
    def __init__(self):
        self.inner = nn.Linear(3, 3)
        self.outer = nn.Linear(3, 1)
        self.relu = nn.ReLU()  # used twice below
        self.scale = nn.Parameter(np.array([0.5]))

    def forward(self, x):
        h = self.relu(self.inner(x)) + x * self.scale
        return self.outer(self.relu(h)) ** 2


def test_custom_module_matches_torch_and_trains():
    np.random.seed(3)
    ours = Residual()
    inner, outer = torch.nn.Linear(3, 3).double(), torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        for theirs, mine in ((inner, ours.inner), (outer, ours.outer)):
            theirs.weight.copy_(torch.tensor(mine.weight.data))
            theirs.bias.copy_(torch.tensor(mine.bias.data))
    scale = torch.tensor([0.5], requires_grad=True)
    x = np.random.default_rng(4).normal(size=(6, 3))
    y = np.random.default_rng(5).normal(size=(6, 1)) ** 2  # the model's output is a square: reachable targets
    loss = nn.MSELoss()(ours(Tensor(x)), y)
    loss.backward()
    x_t = torch.tensor(x)
    out_t = outer(torch.relu(torch.relu(inner(x_t)) + x_t * scale)) ** 2
    torch.nn.MSELoss()(out_t, torch.tensor(y)).backward()
    np.testing.assert_allclose(ours.inner.weight.grad, inner.weight.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.outer.bias.grad, outer.bias.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.scale.grad, scale.grad.numpy(), rtol=1e-12, atol=1e-14)
    optimizer = nnkit.optim.Adam(ours.parameters(), lr=0.05)
    losses = []
    for _ in range(200):
        optimizer.zero_grad()
        loss = nn.MSELoss()(ours(Tensor(x)), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.2 * losses[0]


def test_graph_drawing_shows_every_tensor_value_and_gradient():
    import matplotlib

    matplotlib.use("Agg")
    from nnkit.viz import draw_autograd_graph

    a, b = nnkit.tensor(2.0, requires_grad=True, name="a"), nnkit.tensor(-3.0, requires_grad=True, name="b")
    product = (a * b).retain_grad()
    loss = (product + 10) * a
    loss.backward()
    ax = draw_autograd_graph(loss)
    texts = [t.get_text() for t in ax.texts]
    assert "a\n2" in texts and "b\n-3" in texts and "mul\n-6" in texts
    # L = a^2 b + 10 a: dL/da = 2ab + 10 = -2, dL/db = a^2 = 4, dL/d(ab) = a = 2
    assert a.grad == pytest.approx(-2) and b.grad == pytest.approx(4)
    assert {"grad -2", "grad 4", "grad 2"} <= set(texts)
    assert len([t for t in ax.texts if t.get_bbox_patch()]) == 5  # a, b, ab, ab + 10, L (the constant 10 folded)


def test_equality_is_elementwise_and_truth_needs_one_value():
    """``pred == y`` compares entries, as in PyTorch (an identity comparison would silently give False)."""
    a, b = Tensor(np.array([1.0, 2.0, 3.0])), Tensor(np.array([1.0, 0.0, 3.0]))
    np.testing.assert_array_equal((a == b).numpy(), [True, False, True])
    np.testing.assert_array_equal((a != 2.0).numpy(), [True, False, True])
    assert (a == b).float().mean().item() == pytest.approx(2 / 3)
    assert {a: 1}[a] == 1 and len({a, b}) == 2  # hashing stays by identity
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(a == b)
    assert bool((a == a).all()) and not bool((a == b).all()) and bool((a == b).any())
