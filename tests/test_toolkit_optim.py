"""RMSprop, AdamW and the learning-rate schedules, step by step against torch.optim."""

import numpy as np
import pytest
import torch

from nnkit import nn, optim
from nnkit.optim import lr_scheduler
from tests.clear_errors import assert_clear_error


def run_both(make_ours, make_theirs, steps=20, make_scheduler=None):
    """Train the same tiny regression model with nnkit and PyTorch; compare every parameter after every step."""
    rng = np.random.default_rng(0)
    np.random.seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    reference.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})
    ours, theirs = make_ours(model.parameters()), make_theirs(reference.parameters())
    schedulers = make_scheduler(ours, theirs) if make_scheduler else None
    loss_fn = nn.MSELoss()
    for _ in range(steps):
        x, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 1))
        ours.zero_grad()
        loss_fn(model(x), y)
        model.backward(loss_fn.backward())
        ours.step()
        theirs.zero_grad()
        torch.nn.functional.mse_loss(reference(torch.tensor(x)), torch.tensor(y)).backward()
        theirs.step()
        if schedulers:
            for scheduler in schedulers:
                scheduler.step()
            assert schedulers[0].get_last_lr() == pytest.approx(schedulers[1].get_last_lr(), rel=1e-12)
        for key, value in model.state_dict().items():
            np.testing.assert_allclose(value, reference.state_dict()[key].numpy(), rtol=1e-9, atol=1e-12)
    return model, ours


@pytest.mark.parametrize("kwargs", [
    {}, {"lr": 0.05, "alpha": 0.9}, {"momentum": 0.8}, {"centered": True}, {"centered": True, "momentum": 0.5},
    {"weight_decay": 0.1, "eps": 1e-4},
], ids=["default", "alpha", "momentum", "centered", "centered-momentum", "weight-decay"])
def test_rmsprop_matches_pytorch(kwargs):
    run_both(lambda p: optim.RMSprop(p, **kwargs), lambda p: torch.optim.RMSprop(p, **kwargs))


@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.01, "weight_decay": 0.5}, {"betas": (0.8, 0.99), "eps": 1e-6}],
                         ids=["default", "strong-decay", "betas"])
def test_adamw_matches_pytorch(kwargs):
    run_both(lambda p: optim.AdamW(p, **kwargs), lambda p: torch.optim.AdamW(p, **kwargs))


def test_adamw_decay_differs_from_adam_l2():
    """Same decay strength, different rules: AdamW's is not Adam's L2 term divided by sqrt(v)."""
    adamw, _ = run_both(lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.5),
                        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.5), steps=5)
    adam_l2, _ = run_both(lambda p: optim.Adam(p, lr=0.01, weight_decay=0.5),
                          lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.5), steps=5)
    assert not np.allclose(adamw[0].weight.data, adam_l2[0].weight.data, rtol=1e-4)


@pytest.mark.parametrize("ours, theirs", [
    (lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5)),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9), lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.001),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.001)),  # 20 steps: past T_max too
], ids=["step", "exponential", "cosine"])
def test_schedulers_match_pytorch_with_sgd_momentum(ours, theirs):
    run_both(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
             make_scheduler=lambda a, b: (ours(a), theirs(b)))


def test_scheduler_with_adam_and_state_dict_resume():
    model = nn.Linear(2, 1)
    optimizer = optim.Adam(model.parameters(), lr=0.2)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    assert scheduler.get_last_lr() == [0.2] and scheduler.last_epoch == 0
    reference = torch.optim.lr_scheduler.StepLR(torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.2), 2, 0.1)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    assert optimizer.lr == pytest.approx(0.02) and scheduler.get_last_lr() == [optimizer.lr]
    state = scheduler.state_dict()
    assert set(state) <= set(reference.state_dict())  # PyTorch's keys (it keeps a few more of its own)
    assert state["last_epoch"] == 3 and state["base_lrs"] == [0.2]
    resumed_optimizer = optim.Adam(model.parameters(), lr=0.2)
    resumed = lr_scheduler.StepLR(resumed_optimizer, step_size=2, gamma=0.1)
    resumed.load_state_dict(state)
    assert resumed_optimizer.lr == pytest.approx(0.02)
    resumed.step()
    scheduler.step()
    assert resumed.get_last_lr() == scheduler.get_last_lr() == [pytest.approx(0.002)]


CASES = [
    ("RMSprop alpha", lambda: optim.RMSprop(nn.Linear(2, 1).parameters(), alpha=1.5), ValueError,
     ["RMSprop", "alpha", "1.5"]),
    ("AdamW decay", lambda: optim.AdamW(nn.Linear(2, 1).parameters(), weight_decay=-1), ValueError,
     ["AdamW", "weight_decay", "-1"]),
    ("AdamW beta", lambda: optim.AdamW(nn.Linear(2, 1).parameters(), betas=(1.0, 0.9)), ValueError,
     ["AdamW", "betas[0]", "1.0"]),
    ("StepLR step size", lambda: lr_scheduler.StepLR(optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1), 0),
     ValueError, ["StepLR", "step_size", "0"]),
    ("scheduler on torch", lambda: lr_scheduler.ExponentialLR(torch.optim.SGD([torch.zeros(1)], lr=0.1), 0.9),
     TypeError, ["ExponentialLR", "nnkit optimizer", "SGD"]),
]


@pytest.mark.parametrize(("call", "error", "words"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_clear_error(call, error, words):
    assert_clear_error(call, error, words)
