"""The check helpers students meet in exercise cells: calm, specific, and never showing expected values."""

import numpy as np
import pytest

from nnkit.course.checks import (
    CheckFailed,
    NotAttempted,
    attempting,
    check_array,
    check_attempted,
    check_gradient,
    check_module,
    check_that,
)
from nnkit.nn.activation import ELU, Activation

REFERENCE = np.array([1.25, -3.5, 0.75, 8.125])


def failure_message(answer, reference=REFERENCE, **kwargs):
    with pytest.raises(CheckFailed) as info:
        check_array("answer", answer, reference, **kwargs)
    return str(info.value)


def test_a_right_answer_prints_a_tick(capsys):
    check_array("answer", REFERENCE.copy(), REFERENCE)
    assert capsys.readouterr().out.strip() == "✓ answer: correct."


@pytest.mark.parametrize("answer", [None, ..., lambda: (_ for _ in ()).throw(NotImplementedError())])
def test_unattempted_answers_are_reported_calmly(answer):
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check_array("answer", answer, REFERENCE)


def test_a_failed_check_renders_as_its_message_without_traceback():
    with pytest.raises(CheckFailed) as info:
        check_array("answer", None, REFERENCE)
    assert info.value._render_traceback_() == [f"✗ {info.value}"]
    assert isinstance(info.value, AssertionError)  # so nbgrader-style graders score the cell 0


@pytest.mark.parametrize("answer", ["1.25", {"a": 1}, ["x", "y", "z", "w"]])
def test_wrong_type_is_named(answer):
    assert f"got {type(answer).__name__}" in failure_message(answer)


def test_wrong_shape_gives_both_shapes_and_a_hint():
    message = failure_message(REFERENCE.reshape(4, 1))
    assert "(4,)" in message and "(4, 1)" in message and "reshape" in message


def test_nan_is_located():
    answer = REFERENCE.copy()
    answer[2] = np.nan
    message = failure_message(answer)
    assert "NaN" in message and "(2,)" in message


def test_wrong_sign_and_constant_factor_are_recognized():
    assert "wrong sign" in failure_message(-REFERENCE)
    assert "2×" in failure_message(2 * REFERENCE)
    assert "0.5×" in failure_message(0.5 * REFERENCE)


def test_wrong_entries_are_given_by_index_never_by_value():
    answer = REFERENCE.copy()
    answer[[1, 3]] += [1.0, -2.0]
    message = failure_message(answer)
    assert "2 of 4" in message and "(1,)" in message and "(3,)" in message
    for value in list(REFERENCE) + list(answer):
        assert f"{value:g}" not in message.replace("(1,)", "").replace("(3,)", "").replace("2 of 4", "")


def test_a_wrong_scalar_says_only_that_it_is_wrong():
    message = failure_message(3.1, reference=3.0)
    assert message == "answer is not right yet."


def test_tolerance_is_respected():
    check_array("answer", 0.953, 1 / (1 + np.exp(-3.0)), rtol=1e-3)
    failure_message(0.95, reference=1 / (1 + np.exp(-3.0)), rtol=1e-3)


def test_check_attempted_and_check_that(capsys):
    with pytest.raises(NotAttempted):
        check_attempted("weights and bias", np.ones(2), None)
    check_attempted("weights and bias", np.ones(2), 0.5)
    check_that(True, "bad", "fine")
    assert capsys.readouterr().out.strip() == "✓ fine"
    with pytest.raises(CheckFailed, match="bad"):
        check_that(False, "bad", "fine")


def tanh_derivative(z):
    return 1 - np.tanh(z) ** 2


def deck_slip(z):
    """Deck 002's tanh'(z) = (1 - sigmoid(z))^2: wrong."""
    return (1 - 1 / (1 + np.exp(-z))) ** 2


def test_check_gradient_passes_a_right_derivative_and_prints_the_table(capsys):
    check_gradient(np.tanh, tanh_derivative, np.linspace(-2, 2, 5))
    out = capsys.readouterr().out
    assert "gradcheck" in out and "PASSED" in out and "✓ tanh_derivative agrees" in out


def test_check_gradient_fails_the_lecture_slip(capsys):
    with pytest.raises(CheckFailed, match="deck_slip disagrees with finite differences"):
        check_gradient(np.tanh, deck_slip, np.linspace(-2, 2, 5))
    assert "FAIL" in capsys.readouterr().out


def test_check_gradient_scalar_function_and_wrong_shape():
    check_gradient(lambda x: np.sum(x ** 2), lambda x: 2 * x, np.arange(3.0))
    with pytest.raises(CheckFailed, match=r"shape of x, \(3,\), got \(1, 3\)"):
        check_gradient(lambda x: np.sum(x ** 2), lambda x: (2 * x)[None], np.arange(3.0))


def test_check_gradient_not_attempted():
    def derivative(x):
        raise NotImplementedError()

    with pytest.raises(NotAttempted, match="derivative: not attempted yet"):
        check_gradient(np.tanh, derivative, np.ones(3))


class GoodELU(Activation):
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def function(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0)))

    def derivative(self, x, y):
        return np.where(x > 0, 1.0, y + self.alpha)


class BackwardForgotAlpha(GoodELU):
    def derivative(self, x, y):
        return np.where(x > 0, 1.0, y)


class BackwardNotWritten(GoodELU):
    def derivative(self, x, y):
        raise NotImplementedError()


X = np.linspace(-3, 3, 13) + 0.05


def test_check_module_passes_a_correct_layer(capsys):
    check_module(GoodELU, X, ELU(alpha=0.5), alpha=0.5)
    out = capsys.readouterr().out
    assert "✓ GoodELU forward: correct." in out and "✓ GoodELU backward agrees" in out


def test_check_module_catches_a_wrong_backward_and_an_unwritten_one():
    with pytest.raises(CheckFailed, match="BackwardForgotAlpha backward disagrees"):
        check_module(BackwardForgotAlpha, X, ELU(alpha=0.5), alpha=0.5)
    with pytest.raises(NotAttempted, match="BackwardNotWritten backward"):
        check_module(BackwardNotWritten, X, ELU(alpha=0.5), alpha=0.5)


def test_check_module_compares_forward_with_the_reference():
    with pytest.raises(CheckFailed, match="GoodELU forward"):
        check_module(GoodELU, X, ELU(alpha=0.5), alpha=1.0)


def test_attempting_turns_not_implemented_into_not_attempted():
    def unwritten():
        raise NotImplementedError()

    with pytest.raises(NotAttempted, match="train_gate: not attempted yet"):
        with attempting("train_gate"):
            unwritten()
    with pytest.raises(ZeroDivisionError):  # any other error is the student's to see
        with attempting("train_gate"):
            raise ZeroDivisionError
