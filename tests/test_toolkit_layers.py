"""Dropout, batch norm, layer norm, Conv3d, buffers and nn.init: gradients checked and agreement with PyTorch."""

import numpy as np
import pytest
import torch

import nnkit
from nnkit import nn, optim
from nnkit.nn import init
from tests.clear_errors import assert_clear_error

RNG = np.random.default_rng(0)


def copy_params_to_torch(ours, theirs):
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})


class SeededDropout(nn.Dropout):
    """The same mask on every call, so finite differences see one fixed function."""

    def forward(self, x):
        np.random.seed(3)
        return super().forward(x)


# -- gradcheck: every new layer, in train and eval mode -----------------------------------------------------
@pytest.mark.parametrize("make, shape", [
    (lambda: nn.BatchNorm1d(3, dtype=np.float64), (5, 3)),
    (lambda: nn.BatchNorm1d(3, dtype=np.float64), (4, 3, 6)),
    (lambda: nn.BatchNorm2d(2, dtype=np.float64), (3, 2, 4, 5)),
    (lambda: nn.BatchNorm1d(3, affine=False, dtype=np.float64), (6, 3)),
    (lambda: nn.LayerNorm(4, dtype=np.float64), (5, 4)),
    (lambda: nn.LayerNorm((3, 4), dtype=np.float64), (2, 5, 3, 4)),
    (lambda: nn.LayerNorm(4, elementwise_affine=False, dtype=np.float64), (3, 4)),
    (lambda: SeededDropout(0.4), (6, 5)),
    (lambda: nn.Conv3d(2, 3, (2, 3, 2), stride=(1, 2, 1), padding=1, dtype=np.float64), (2, 2, 4, 5, 3)),
], ids=["bn1d", "bn1d-seq", "bn2d", "bn1d-noaffine", "ln", "ln-2d", "ln-noaffine", "dropout", "conv3d"])
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_gradcheck(make, shape, training):
    np.random.seed(1)
    layer = make()
    for parameter in layer.parameters():  # away from the 1/0 start, so a swapped weight/bias would show
        parameter.data[...] = RNG.standard_normal(parameter.data.shape)
    if isinstance(layer, nn.BatchNorm1d | nn.BatchNorm2d):
        layer.running_mean[...] = RNG.standard_normal(layer.num_features)
        layer.running_var[...] = RNG.uniform(0.5, 2, layer.num_features)
    layer.train(training)
    report = nnkit.gradcheck(layer, RNG.standard_normal(shape) * 2 + 1)
    assert report.passed, str(report)


def test_gradcheck_batchnorm_inside_a_network():
    np.random.seed(2)
    model = nn.Sequential(nn.Linear(4, 6, dtype=np.float64), nn.BatchNorm1d(6, dtype=np.float64), nn.Tanh(),
                          nn.Linear(6, 2, dtype=np.float64))
    assert nnkit.gradcheck(model, RNG.standard_normal((7, 4))).passed


# -- agreement with PyTorch -------------------------------------------------------------------------------
@pytest.mark.parametrize("ours, theirs, shape", [
    (lambda: nn.BatchNorm1d(4, momentum=0.2), lambda: torch.nn.BatchNorm1d(4, momentum=0.2), (8, 4)),
    (lambda: nn.BatchNorm1d(3), lambda: torch.nn.BatchNorm1d(3), (5, 3, 7)),
    (lambda: nn.BatchNorm2d(3, eps=1e-3), lambda: torch.nn.BatchNorm2d(3, eps=1e-3), (4, 3, 5, 6)),
], ids=["bn1d", "bn1d-seq", "bn2d"])
def test_batchnorm_matches_pytorch_over_train_steps_then_eval(ours, theirs, shape):
    mine, torchs = ours(), theirs().double()
    for parameter in mine.parameters():
        parameter.data[...] = RNG.standard_normal(parameter.data.shape)
    copy_params_to_torch(mine, torchs)
    for step in range(5):  # running statistics after several steps, from batches with different statistics
        x = RNG.standard_normal(shape) * (step + 1) + step
        grad = RNG.standard_normal(shape)
        xt = torch.tensor(x, requires_grad=True)
        yt = torchs(xt)
        yt.backward(torch.tensor(grad))
        mine.zero_grad()
        y = mine(x)
        np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(mine.backward(grad), xt.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(mine.weight.grad, torchs.weight.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(mine.bias.grad, torchs.bias.grad.numpy(), rtol=1e-8, atol=1e-10)
        torchs.zero_grad()
    theirs_state = torchs.state_dict()
    assert list(mine.state_dict()) == list(theirs_state)
    for key, value in mine.state_dict().items():
        np.testing.assert_allclose(value, theirs_state[key].numpy(), rtol=1e-12)
    assert mine.num_batches_tracked == 5
    mine.eval()
    torchs.eval()
    x = RNG.standard_normal(shape)
    xt = torch.tensor(x, requires_grad=True)
    yt = torchs(xt)
    grad = RNG.standard_normal(shape)
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(mine(x), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine.backward(grad), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    running_before = mine.running_mean.copy()
    mine(x)
    np.testing.assert_array_equal(mine.running_mean, running_before)  # eval leaves the statistics alone
    mine.train()
    mine(x)
    assert not np.array_equal(mine.running_mean, running_before)


def test_batchnorm_without_running_stats_matches_pytorch():
    mine, theirs = nn.BatchNorm2d(2, track_running_stats=False), torch.nn.BatchNorm2d(2, track_running_stats=False)
    theirs = theirs.double()
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    x = RNG.standard_normal((3, 2, 4, 4)) * 2 + 1
    for mode in (True, False):  # batch statistics in both modes
        mine.train(mode)
        theirs.train(mode)
        np.testing.assert_allclose(mine(x), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)
    assert nnkit.gradcheck(mine, x).passed


def test_layernorm_matches_pytorch():
    mine, theirs = nn.LayerNorm((3, 4), eps=1e-4), torch.nn.LayerNorm((3, 4), eps=1e-4).double()
    for parameter in mine.parameters():
        parameter.data[...] = RNG.standard_normal(parameter.data.shape)
    copy_params_to_torch(mine, theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    x, grad = RNG.standard_normal((2, 5, 3, 4)) * 3, RNG.standard_normal((2, 5, 3, 4))
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(mine(x), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine.backward(grad), xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(mine.weight.grad, theirs.weight.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(mine.bias.grad, theirs.bias.grad.numpy(), rtol=1e-8, atol=1e-10)
    mine.eval()
    np.testing.assert_allclose(mine(x), yt.detach().numpy(), rtol=1e-10, atol=1e-12)  # no train/eval difference


def test_conv3d_matches_pytorch():
    np.random.seed(0)
    mine = nn.Conv3d(2, 3, (3, 2, 2), stride=(2, 1, 1), padding=(1, 0, 1), dilation=(1, 2, 1))
    theirs = torch.nn.Conv3d(2, 3, (3, 2, 2), stride=(2, 1, 1), padding=(1, 0, 1), dilation=(1, 2, 1)).double()
    copy_params_to_torch(mine, theirs)
    x = RNG.standard_normal((2, 2, 5, 6, 4))
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    grad = RNG.standard_normal(yt.shape)
    yt.backward(torch.tensor(grad))
    y = mine(x)
    assert y.shape == tuple(yt.shape)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine.backward(grad), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_dropout_behaves_like_pytorch():
    x = np.ones((2000, 50))
    layer = nn.Dropout(0.3)
    y = layer(x)
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01  # about 1 - p survive ...
    np.testing.assert_allclose(y[kept], 1 / 0.7)  # ... scaled by 1/(1-p): the mean stays 1
    grad = RNG.standard_normal(x.shape)
    np.testing.assert_allclose(layer.backward(grad), grad * kept / 0.7)  # the same mask
    layer.eval()
    assert layer(x) is not None and np.array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(grad), grad)
    torch_layer = torch.nn.Dropout(0.3).eval()
    assert torch.equal(torch_layer(torch.tensor(x)), torch.tensor(x))
    layer.train()
    assert np.array_equal(nn.Dropout(1.0)(x), np.zeros_like(x))
    assert np.array_equal(torch.nn.Dropout(1.0)(torch.tensor(x)).numpy(), np.zeros_like(x))
    assert not np.array_equal(layer(x), layer(x))  # a fresh mask every call


def test_train_eval_switch_reaches_dropout_and_batchnorm_in_a_model():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 1))
    x = RNG.standard_normal((16, 3))
    model.eval()
    np.testing.assert_array_equal(model(x), model(x))  # deterministic in eval
    np.testing.assert_allclose(model(x[:1]), model(x)[:1])  # and one sample's output does not depend on others
    model.train()
    assert not np.array_equal(model(x), model(x))


# -- buffers and state_dict -------------------------------------------------------------------------------
def test_state_dict_keys_and_round_trip_match_pytorch():
    def ours():
        return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3),
                             nn.BatchNorm1d(3), nn.Dropout(), nn.LayerNorm(3))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
                                 torch.nn.Flatten(), torch.nn.Linear(8, 3), torch.nn.BatchNorm1d(3),
                                 torch.nn.Dropout(), torch.nn.LayerNorm(3))
    model = ours()
    assert list(model.state_dict()) == list(theirs.state_dict())
    assert [name for name, _ in model.named_buffers()] == [name for name, _ in theirs.named_buffers()]
    model(RNG.standard_normal((4, 1, 4, 4)))  # move the running statistics
    other = ours()
    other.load_state_dict(model.state_dict())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[key], value)
    assert other[1].num_batches_tracked == 1 and other[1].num_batches_tracked.dtype == np.int64
    theirs.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})  # PyTorch accepts ours
    other.load_state_dict(theirs.state_dict())  # and we accept PyTorch's
    assert len(model.parameters()) == len(list(theirs.parameters()))  # buffers are not parameters


def test_register_buffer_on_a_custom_module():
    class Counter(nn.Module):
        def __init__(self):
            self.register_buffer("seen", np.zeros(2))
            self.inner = nn.Linear(2, 2)

        def forward(self, x):
            self.seen += x.sum(axis=0)
            return self.inner(x)

    counter = Counter()
    counter(np.ones((3, 2)))
    assert list(counter.state_dict()) == ["seen", "inner.weight", "inner.bias"]  # PyTorch: own state, then children
    np.testing.assert_array_equal(counter.state_dict()["seen"], [3, 3])
    state = counter.state_dict()
    state["seen"][...] = 0  # a copy: changing it does not change the module
    assert counter.seen[0] == 3
    with pytest.raises(KeyError, match="missing keys \\['seen'\\]"):
        counter.load_state_dict({"inner.weight": np.ones((2, 2)), "inner.bias": np.ones(2)})


# -- nn.init ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(30, 20), (8, 4, 3, 3), (5, 2, 3)])
def test_fans_and_gains_match_pytorch(shape):
    assert init.calculate_fans(np.empty(shape)) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    for nonlinearity in ["linear", "sigmoid", "tanh", "relu", "selu", "conv2d"]:
        assert init.calculate_gain(nonlinearity) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity))
    assert init.calculate_gain("leaky_relu") == pytest.approx(torch.nn.init.calculate_gain("leaky_relu"))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))


@pytest.mark.parametrize("ours, theirs, kwargs", [
    (init.xavier_uniform_, torch.nn.init.xavier_uniform_, {"gain": 5 / 3}),
    (init.xavier_normal_, torch.nn.init.xavier_normal_, {}),
    (init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, {"nonlinearity": "relu"}),
    (init.kaiming_normal_, torch.nn.init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "relu"}),
    (init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, {"a": 0.1}),
])
def test_init_spread_matches_pytorch(ours, theirs, kwargs):
    shape = (200, 100, 3)
    mine = ours(nn.Parameter(np.zeros(shape)), generator=np.random.default_rng(0), **kwargs).data
    torch.manual_seed(0)
    reference = theirs(torch.empty(shape, dtype=torch.float64), **kwargs).numpy()
    assert mine.std() == pytest.approx(reference.std(), rel=0.01)  # 60 000 draws each: 1% is ~5 standard errors
    assert abs(mine.mean()) < 0.01 * mine.std() * 5
    if "uniform" in ours.__name__:
        assert np.abs(mine).max() <= np.abs(reference).max() * 1.001
        assert np.abs(mine).max() >= np.abs(reference).max() * 0.99


def test_init_fills_in_place_and_follows_seeds():
    weight = nn.Linear(4, 3).weight
    same = weight.data
    assert init.zeros_(weight) is weight and weight.data is same and not weight.data.any()
    init.ones_(weight)
    np.testing.assert_array_equal(weight.data, 1)
    init.constant_(weight, 0.5)
    np.testing.assert_array_equal(weight.data, 0.5)
    np.random.seed(7)
    first = init.normal_(np.empty((3, 3)), std=2.0).copy()
    np.random.seed(7)
    np.testing.assert_array_equal(init.normal_(np.empty((3, 3)), std=2.0), first)
    a = init.uniform_(np.empty(5), -1, 1, generator=np.random.default_rng(1))
    b = init.uniform_(np.empty(5), -1, 1, generator=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert np.all((a >= -1) & (a < 1))


# -- clear errors -------------------------------------------------------------------------------------------
ones = np.ones
CASES = [
    ("BatchNorm1d wrong channels", lambda: nn.BatchNorm1d(4)(ones((2, 3))), nnkit.ShapeError,
     ["BatchNorm1d(4", "(N, 4) or (N, 4, L)", "(2, 3)"]),
    ("BatchNorm2d on features", lambda: nn.BatchNorm2d(3)(ones((2, 3))), nnkit.ShapeError,
     ["BatchNorm2d(3", "(N, 3, H, W)", "(2, 3)"]),
    ("BatchNorm one sample", lambda: nn.BatchNorm1d(3)(ones((1, 3))), ValueError,
     ["BatchNorm1d(3", "more than 1 value per channel", "(1, 3)", "eval"]),
    ("BatchNorm unknown option", lambda: nn.BatchNorm1d(3, device="cuda"), TypeError, ["device"]),
    ("BatchNorm momentum", lambda: nn.BatchNorm1d(3, momentum=2), ValueError, ["BatchNorm1d", "momentum", "2"]),
    ("LayerNorm wrong last axis", lambda: nn.LayerNorm(4)(ones((2, 3))), nnkit.ShapeError,
     ["LayerNorm((4,)", "(*, 4)", "(2, 3)"]),
    ("Dropout p above 1", lambda: nn.Dropout(1.5), ValueError, ["Dropout", "p", "1.5"]),
    ("Dropout grad shape", lambda: (lambda d: (d(ones((2, 3))), d.backward(ones((3, 2)))))(nn.Dropout()),
     nnkit.ShapeError, ["Dropout(p=0.5)", "grad_output", "(2, 3)", "(3, 2)"]),
    ("Conv3d on an image", lambda: nn.Conv3d(1, 2, 3)(ones((1, 1, 5, 5))), nnkit.ShapeError,
     ["Conv3d(1, 2", "(N, 1, D, H, W)", "(1, 1, 5, 5)", "batch axis"]),
    ("fans of a vector", lambda: init.xavier_uniform_(ones(3)), ValueError, ["at least 2 dimensions", "(3,)"]),
    ("unknown gain", lambda: init.calculate_gain("swish"), ValueError, ["swish", "tanh"]),
    ("kaiming mode", lambda: init.kaiming_normal_(ones((2, 2)), mode="in"), ValueError, ["mode", "'in'"]),
    ("init a list", lambda: init.zeros_([1.0, 2.0]), TypeError, ["init.", "Parameter or an ndarray", "list"]),
]


@pytest.mark.parametrize(("call", "error", "words"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_clear_error(call, error, words):
    assert_clear_error(call, error, words)


# -- the packaged training loop respects train/eval ----------------------------------------------------------
def test_fit_trains_in_train_mode_and_measures_in_eval_mode():
    from nnkit.data import DataLoader
    from nnkit.training import accuracy, evaluate, fit

    rng = np.random.default_rng(0)
    x, labels = rng.standard_normal((64, 3)), rng.integers(0, 2, 64)
    np.random.seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
    loss_fn = nn.CrossEntropyLoss()
    fit(model, loss_fn, optim.SGD(model.parameters(), lr=0.1), DataLoader(x, labels, batch_size=16, seed=0),
        epochs=2, validation=(x[:10] + 100, labels[:10]))
    assert model[1].num_batches_tracked == 8  # 2 epochs x 4 batches: the validation data left no trace
    assert model.training  # back in the mode it was in
    assert evaluate(model, loss_fn, x, labels) == evaluate(model, loss_fn, x, labels)  # no dropout noise
    model.eval()
    assert accuracy(model, x, labels) == accuracy(model, x, labels) and not model.training


def test_new_layers_work_on_autograd_tensors_with_the_same_gradients():
    x = RNG.standard_normal((6, 3))

    def make():
        np.random.seed(1)
        return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.LayerNorm(4), nn.Tanh(), SeededDropout(0.3),
                             nn.Linear(4, 1))

    by_hand = make()
    output = by_hand(x)
    by_hand.backward(np.ones_like(output))
    recorded = make()
    recorded(nnkit.Tensor(x)).sum().backward()
    for (name, ours), (_, theirs) in zip(by_hand.named_parameters(), recorded.named_parameters()):
        np.testing.assert_allclose(theirs.grad, ours.grad, rtol=1e-12, err_msg=name)
    assert recorded[1].num_batches_tracked == 1
