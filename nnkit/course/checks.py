"""Check cells that teach: say *what* is wrong with an answer without giving the answer away.

Used in the exercise notebooks::

    from nnkit.course.checks import check_array, check_gradient, check_module

    check_array("z", z, reference)            # a number or an array
    with attempting("train_gate"):            # NotImplementedError -> "not attempted yet"
        trained = train_gate("AND")
    check_gradient(np.tanh, tanh_derivative, x)
    check_module(ELU, x, nn.ELU(alpha=0.5), alpha=0.5)

Each check prints ``✓ ...`` when the answer is right. Otherwise it raises
:class:`CheckFailed` (an AssertionError, so the autograder scores the cell 0) whose
message is one or two calm sentences, shown in Jupyter *instead of* a traceback:
not attempted yet, wrong type, wrong shape, NaN or infinity, wrong sign, off by a
constant factor, or which entries (by index, never by value) are wrong.
"""

from contextlib import contextmanager

import numpy as np

from nnkit.gradcheck import gradcheck
from nnkit.nn.linear import Linear
from nnkit.nn.loss import Loss, MSELoss
from nnkit.nn.module import Module

MAX_INDICES_SHOWN = 5


class CheckFailed(AssertionError):
    """A check that did not pass. IPython prints only its message (via ``_render_traceback_``), no traceback."""

    def _render_traceback_(self):
        return [f"✗ {self}"]


class NotAttempted(CheckFailed):
    """The exercise still raises NotImplementedError (or its answer is None): nothing to check yet."""

    def __init__(self, name):
        super().__init__(f"{name}: not attempted yet. Replace `raise NotImplementedError()` with your code, "
                         "run that cell, then run this check again.")


def check_attempted(name, *answers):
    """Raise NotAttempted unless every answer is filled in (not None)."""
    if any(answer is None or answer is Ellipsis for answer in answers):
        raise NotAttempted(name)


@contextmanager
def attempting(name):
    """Inside this block a NotImplementedError from the student's code means "not attempted yet", not a traceback."""
    try:
        yield
    except NotImplementedError:
        raise NotAttempted(name) from None


def answer_of(name, answer):
    """The value to check: ``answer`` itself, or ``answer()`` when it is a function of no arguments.

    Passing ``lambda: f(x)`` lets the check report "not attempted" instead of a traceback
    when ``f`` still raises NotImplementedError.
    """
    if callable(answer) and not isinstance(answer, (np.ndarray, Module)):
        try:
            answer = answer()
        except NotImplementedError:
            raise NotAttempted(name) from None
    if answer is None or answer is Ellipsis:
        raise NotAttempted(name)
    return answer


def as_numbers(name, answer):
    """``answer`` as a float array, or CheckFailed naming the type that was given instead."""
    try:
        if isinstance(answer, (str, bytes, dict, set)):
            raise TypeError
        return np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be a number or an array of numbers, got {type(answer).__name__}.") from None


def format_indices(indices):
    shown = ", ".join(str(tuple(int(i) for i in index)) for index in indices[:MAX_INDICES_SHOWN])
    return shown + (", ..." if len(indices) > MAX_INDICES_SHOWN else "")


def check_array(name, answer, reference, rtol=1e-6, atol=1e-8):
    """Compare ``answer`` with ``reference`` elementwise (``np.isclose(answer, reference, rtol, atol)``).

    On failure the message names the first problem found, in this order: not attempted,
    not numbers, shape, NaN/inf, sign, a constant factor, the indices of the wrong entries.
    """
    answer = as_numbers(name, answer_of(name, answer))
    reference = np.asarray(reference, dtype=np.float64)
    if answer.shape != reference.shape:
        hint = ""
        if answer.size == reference.size:
            hint = " Same number of entries: check a reshape, a transpose or a missing batch axis."
        raise CheckFailed(f"{name} should have shape {reference.shape}, got {answer.shape}.{hint}")
    if not np.isfinite(answer).all():
        bad = np.argwhere(~np.isfinite(answer))
        raise CheckFailed(f"{name} contains NaN or infinity at {len(bad)} entr{'y' if len(bad) == 1 else 'ies'}"
                          f"{' ' + format_indices(bad) if answer.ndim else ''}. Look for exp overflowing, "
                          "log(0) or 0/0.")
    close = np.isclose(answer, reference, rtol=rtol, atol=atol)
    if close.all():
        print(f"✓ {name}: correct.")
        return
    if np.allclose(answer, -reference, rtol=rtol, atol=atol):
        raise CheckFailed(f"{name} has the right size but the wrong sign. Check a minus sign.")
    nonzero = np.abs(reference) > atol
    if nonzero.sum() >= 2:  # one number is always some factor times another: that would be no evidence
        factor = float(np.median(answer[nonzero] / reference[nonzero]))
        # a factor near 1 is a small inaccuracy, not a forgotten constant: "1× the expected" would mislead
        if abs(factor - 1) > 1e-2 and np.allclose(answer, factor * reference, rtol=rtol, atol=atol):
            raise CheckFailed(f"Your values of {name} are {factor:.3g}× the expected ones. "
                              "Check a constant factor in the formula.")
    if answer.ndim == 0:
        raise CheckFailed(f"{name} is not right yet.")
    wrong = np.argwhere(~close)
    if len(wrong) == answer.size:
        raise CheckFailed(f"{name}: all {answer.size} entries are wrong.")
    raise CheckFailed(f"{name}: {len(wrong)} of {answer.size} entries are wrong, at indices {format_indices(wrong)}. "
                      "The others are right.")


def check_that(condition, failure, success):
    """A property check: print ``✓ success`` if ``condition`` holds, else raise CheckFailed(failure)."""
    if not condition:
        raise CheckFailed(failure)
    print(f"✓ {success}")


def check_gradient(fn, grad_fn, x):
    """Check ``grad_fn`` against central finite differences of ``fn`` at ``x`` (with :func:`nnkit.gradcheck`).

    ``fn`` is elementwise (same output shape as x; then the checked gradient is that of
    :math:`\\sum_i fn(x)_i`, which is :math:`fn'(x_i)` entry by entry) or scalar-valued.
    ``grad_fn(x)`` must have the shape of x. Prints gradcheck's table: it shows *your*
    function's numbers, which is fine, since the finite differences come from ``fn`` itself.
    """
    x = np.array(x, dtype=np.float64)
    name = getattr(grad_fn, "__name__", "your derivative")
    gradient = as_numbers(name, answer_of(name, lambda: grad_fn(x.copy())))
    values = np.asarray(fn(x.copy()), dtype=np.float64)
    if values.ndim == 0:
        scalar_fn = fn
    else:
        def scalar_fn(x):
            return np.sum(fn(x))
        scalar_fn.__name__ = f"sum({getattr(fn, '__name__', 'f')}(x))"
    if gradient.shape != x.shape:
        raise CheckFailed(f"{name}(x) should have the shape of x, {x.shape}, got {gradient.shape}.")
    if not np.isfinite(gradient).all():
        raise CheckFailed(f"{name}(x) contains NaN or infinity. Look for exp overflowing, log(0) or 0/0.")
    report = gradcheck(scalar_fn, x, grad=grad_fn)
    print(report)
    check_that(report.passed, f"{name} disagrees with finite differences (relative error "
                              f"{report.comparisons[0].relative_error:.1e}); the table shows the worst entry.",
               f"{name} agrees with finite differences.")


def check_module(module_cls, x, reference, **init_kwargs):
    """Build ``module_cls(**init_kwargs)``; compare its forward on ``x`` with ``reference``, then gradcheck it.

    ``reference`` is a function (or module) giving the expected output for ``x``, or that output.
    """
    name = module_cls.__name__
    module = answer_of(name, lambda: module_cls(**init_kwargs))
    if not isinstance(module, Module):
        raise CheckFailed(f"{name} should be a subclass of nnkit's Module, got {type(module).__name__}.")
    x = np.array(x, dtype=np.float64)
    expected = reference(x.copy()) if callable(reference) else reference
    check_array(f"{name} forward", lambda: module(x.copy()), expected)
    try:
        report = gradcheck(module, x)
    except NotImplementedError:
        raise NotAttempted(f"{name} backward") from None
    print(report)
    check_that(report.passed, f"{name} backward disagrees with finite differences of its forward; "
                              "the table shows the worst entry.",
               f"{name} backward agrees with finite differences.")


def check_loss(loss_cls, pred, target, reference, **init_kwargs):
    """Build ``loss_cls(**init_kwargs)`` (a :class:`nnkit.nn.loss.Loss`); compare its value on ``(pred, target)``
    with ``reference``, then check its ``backward()`` against finite differences of its value.

    ``reference`` is a function of ``(pred, target)`` (e.g. an nnkit loss) or the expected value itself.
    """
    name = loss_cls.__name__
    loss_fn = answer_of(name, lambda: loss_cls(**init_kwargs))
    if not isinstance(loss_fn, Loss):
        raise CheckFailed(f"{name} should be a subclass of nnkit's Loss, got {type(loss_fn).__name__}.")
    pred, target = np.array(pred, dtype=np.float64), np.array(target, dtype=np.float64)
    expected = reference(pred.copy(), target.copy()) if callable(reference) else reference
    check_array(f"{name} value", lambda: loss_fn(pred.copy(), target.copy()), expected)
    gradient = as_numbers(f"{name} backward()", answer_of(f"{name} backward", loss_fn.backward))
    if gradient.shape != pred.shape:
        raise CheckFailed(f"{name} backward() should return an array shaped like the predictions, {pred.shape}, "
                          f"got {gradient.shape}.")
    report = gradcheck(loss_fn, pred, target)
    print(report)
    comparison = report.comparisons[0]
    check_that(report.passed, f"{name} backward disagrees with finite differences of its value"
                              f"{gradient_hint(comparison.analytic, comparison.numeric)}; "
                              "the table shows the worst entry.",
               f"{name} backward agrees with finite differences.")


def gradient_hint(analytic, numeric, rtol=1e-4):
    """", with the wrong sign" or ", off by a factor of 6" when that explains the disagreement, else ""."""
    if np.allclose(analytic, -numeric, rtol=rtol, atol=1e-10):
        return ", with the wrong sign"
    nonzero = np.abs(numeric) > 1e-10
    if nonzero.sum() >= 2:
        factor = float(np.median(analytic[nonzero] / numeric[nonzero]))
        if factor and np.allclose(analytic, factor * numeric, rtol=rtol, atol=1e-10):
            return f" by a constant factor: yours is {factor:.3g}× the finite differences"
    return ""


def check_optimizer(optimizer_cls, reference_cls, steps=10, seed=0, **kwargs):
    """Train two identical small models, one with ``optimizer_cls(params, **kwargs)``, one with ``reference_cls``,
    and compare every parameter after every step.

    On failure the message names the first step and the parameter that differ, and which entries (never the
    expected values); right steps before it are said to be right, so a wrong first step points at the update rule
    and a wrong later one at the state (velocity, moments, step counter) kept between steps.
    """
    name = optimizer_cls.__name__
    rng = np.random.default_rng(seed)
    inputs, targets = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    state = {"weight": rng.normal(size=(2, 3)), "bias": rng.normal(size=2)}
    models, random_state = [], np.random.get_state()  # Linear() draws its initial weights from np.random
    for _ in range(2):
        model = Linear(3, 2, dtype=np.float64)
        model.load_state_dict(state)
        models.append(model)
    np.random.set_state(random_state)  # so a check leaves the student's random sequence as it found it
    mine = answer_of(name, lambda: optimizer_cls(models[0].parameters(), **kwargs))
    reference = reference_cls(models[1].parameters(), **kwargs)
    loss_fn = MSELoss()
    for step in range(1, steps + 1):
        for model, optimizer in zip(models, (mine, reference)):
            loss_fn(model(inputs), targets)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            try:
                optimizer.step()
            except NotImplementedError:
                raise NotAttempted(f"{name}.step") from None
        for (parameter, value), expected in zip(models[0].named_parameters(), models[1].parameters()):
            if not np.allclose(value.data, expected.data, rtol=1e-6, atol=1e-9):
                where = "the first step" if step == 1 else f"step {step} (steps 1 to {step - 1} were right)"
                try:
                    check_array(f"{parameter!r}", value.data, expected.data, rtol=1e-6, atol=1e-9)
                except CheckFailed as err:
                    raise CheckFailed(f"{name}: the parameters differ from {reference_cls.__name__}'s after {where}. "
                                      f"{err}") from None
    print(f"✓ {name} agrees with {reference_cls.__name__} at every one of {steps} steps.")
