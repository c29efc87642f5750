"""check_loss and check_optimizer: a right answer passes, a wrong one names what is wrong, never the expected values."""

import numpy as np
import pytest

from nnkit import nn, optim
from nnkit.course.checks import CheckFailed, NotAttempted, check_array, check_loss, check_optimizer
from nnkit.nn.loss import Loss
from nnkit.optim.optimizer import Optimizer

PRED = np.array([[0.5, -1.25], [2.0, 0.125], [-0.75, 1.5]])
TARGET = np.array([[0.0, 1.0], [1.5, 0.0], [-1.0, 3.0]])


class RightMSE(Loss):
    def forward(self, pred, target):
        return np.mean((pred - target) ** 2)

    def gradient(self, pred, target):
        return 2 * (pred - target) / pred.size


class HalfGradientMSE(RightMSE):
    def gradient(self, pred, target):
        return (pred - target) / pred.size


class TransposedGradientMSE(RightMSE):
    def gradient(self, pred, target):
        return super().gradient(pred, target).T


class NoBackwardMSE(RightMSE):
    def gradient(self, pred, target):
        raise NotImplementedError()


class NotStarted(Loss):
    def __init__(self):
        raise NotImplementedError()


def test_a_right_loss_passes_with_a_gradcheck_table(capsys):
    check_loss(RightMSE, PRED, TARGET, nn.MSELoss())
    out = capsys.readouterr().out
    assert "✓ RightMSE value: correct." in out and "PASSED" in out and "agrees with finite differences" in out


def test_a_wrong_gradient_fails_the_gradcheck():
    with pytest.raises(CheckFailed, match="disagrees with finite differences"):
        check_loss(HalfGradientMSE, PRED, TARGET, nn.MSELoss())


def test_a_gradient_of_the_wrong_shape_names_both_shapes():
    with pytest.raises(CheckFailed, match=r"\(3, 2\), got \(2, 3\)"):
        check_loss(TransposedGradientMSE, PRED, TARGET, nn.MSELoss())


def test_a_wrong_value_is_reported_without_the_expected_value():
    class DoubledMSE(RightMSE):
        def forward(self, pred, target):
            return 2 * super().forward(pred, target)

    with pytest.raises(CheckFailed) as info:
        check_loss(DoubledMSE, PRED, TARGET, nn.MSELoss())
    expected = nn.MSELoss()(PRED, TARGET)
    assert "value is not right yet" in str(info.value) and f"{expected:.3g}" not in str(info.value)


@pytest.mark.parametrize("loss_cls", [NoBackwardMSE, NotStarted])
def test_unattempted_losses_are_reported_calmly(loss_cls):
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check_loss(loss_cls, PRED, TARGET, nn.MSELoss())


def test_a_loss_that_is_not_a_loss_is_named():
    with pytest.raises(CheckFailed, match="subclass of nnkit's Loss"):
        check_loss(lambda: nn.MSELoss, PRED, TARGET, nn.MSELoss())


class RightMomentum(Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(params, lr)
        self.momentum, self.velocities = momentum, [None] * len(self.params)

    def step(self):
        for index, param in enumerate(self.params):
            velocity = self.velocities[index]
            velocity = param.grad.copy() if velocity is None else self.momentum * velocity + param.grad
            self.velocities[index] = velocity
            param.data -= self.lr * velocity


class ForgetfulMomentum(RightMomentum):
    """Right on the first step, then forgets the velocity: plain SGD."""

    def step(self):
        self.velocities = [None] * len(self.params)
        super().step()


class NoStep(Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(params, lr)

    def step(self):
        raise NotImplementedError()


def test_a_right_optimizer_agrees_at_every_step(capsys):
    check_optimizer(RightMomentum, optim.SGD, steps=12, lr=0.1, momentum=0.9)
    assert "✓ RightMomentum agrees with SGD at every one of 12 steps." in capsys.readouterr().out


def test_a_wrong_optimizer_names_the_first_wrong_step_and_parameter():
    with pytest.raises(CheckFailed, match=r"after step 2 \(steps 1 to 1 were right\)\. 'weight'"):
        check_optimizer(ForgetfulMomentum, optim.SGD, lr=0.1, momentum=0.9)


def test_an_unattempted_step_is_reported_calmly():
    with pytest.raises(NotAttempted, match="NoStep.step: not attempted yet"):
        check_optimizer(NoStep, optim.SGD, lr=0.1, momentum=0.9)


def test_the_check_leaves_the_global_random_state_alone():
    np.random.seed(5)
    expected = np.random.random()
    np.random.seed(5)
    check_optimizer(RightMomentum, optim.SGD, steps=2, lr=0.1, momentum=0.9)
    assert np.random.random() == expected


def test_a_gradient_off_by_a_factor_or_sign_says_so():
    with pytest.raises(CheckFailed, match="0.5× the finite differences"):
        check_loss(HalfGradientMSE, PRED, TARGET, nn.MSELoss())

    class SignFlippedMSE(RightMSE):
        def gradient(self, pred, target):
            return -super().gradient(pred, target)

    with pytest.raises(CheckFailed, match="wrong sign"):
        check_loss(SignFlippedMSE, PRED, TARGET, nn.MSELoss())


def test_answers_slightly_off_are_not_called_off_by_a_factor_of_one():
    with pytest.raises(CheckFailed) as info:
        check_array("answer", PRED.ravel() * 1.0004, PRED.ravel(), rtol=0, atol=1e-6)
    assert "×" not in str(info.value) and "entries are wrong" in str(info.value)


def test_all_entries_wrong_is_said_plainly():
    with pytest.raises(CheckFailed, match="answer: all 6 entries are wrong.$"):
        check_array("answer", PRED + 1, PRED)
