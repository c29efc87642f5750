"""Exercises 8 and 10-12: typical wrong answers get feedback that names the mistake, never the expected values.

Each case takes the instructor's notebook, plants one mistake in an answer cell, runs the cells in-process up to
the check cell and reads the check's message. (The grader test, test_course_grade.py, already shows that every
solution gets full marks and every untouched student notebook zero, "not attempted".)
"""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

from nnkit.course.checks import CheckFailed
from nnkit.course.release import build_exercise

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "exercises" / "source"


def run_until(chapter, check_id, mistakes=()):
    """Run the instructor notebook of ``chapter`` through cell ``check_id``, after the (cell id, old, new)
    replacements in ``mistakes``; return (message of the CheckFailed raised there or None, printed output)."""
    cells = build_exercise(SOURCES / f"{chapter}.md").instructor.cells
    sources = {cell.id: cell.source for cell in cells}
    for cell_id, old, new in mistakes:
        assert old in sources[cell_id], (cell_id, old)
        sources[cell_id] = sources[cell_id].replace(old, new)
    namespace, printed = {"__name__": "__main__"}, io.StringIO()
    np.random.seed(0)
    with contextlib.redirect_stdout(printed):
        for cell in cells:
            if cell.cell_type == "code":
                try:
                    exec(compile(sources[cell.id], f"{chapter}:{cell.id}", "exec"), namespace)
                except CheckFailed as failure:
                    assert cell.id == check_id, f"{cell.id} failed before {check_id}: {failure}"
                    return str(failure), printed.getvalue()
            if cell.id == check_id:
                return None, printed.getvalue()
    raise AssertionError(f"no cell {check_id} in {chapter}")


@pytest.mark.parametrize("chapter, check_id", [
    ("08_training_in_practice", "ex5"), ("10_cnn", "ex5"), ("11_rnn", "ex5"), ("12_beyond", "ex5"),
])
def test_the_solutions_pass_every_check_with_ticks(chapter, check_id):
    message, printed = run_until(chapter, check_id)
    assert message is None and "✓" in printed and "✗" not in printed


CASES = {
    "a scaler fitted on all the data is called a leak": (
        "08_training_in_practice", "ex1",
        [("ex1-answer", "scaler = Standardizer().fit(X_train)",
          "scaler = Standardizer().fit(np.concatenate([X_train, X_val, X_test]))")],
        ["leak", "training split only"]),
    "a split that reuses rows is caught": (
        "08_training_in_practice", "ex1",
        [("ex1-answer", "train_test_split(X_rest, y_rest, test_size=0.25", "train_test_split(X, y, test_size=0.25")],
        ["should hold 60 %"]),
    "a penalty without the 1/2 is off by a factor 2": (
        "08_training_in_practice", "ex2", [("ex2-answer", "return lam / 2 * sum", "return lam * sum")], ["2×"]),
    "a wrong penalty gradient fails the gradient check": (
        "08_training_in_practice", "ex2", [("ex2-answer", "return lam * weight", "return 2 * lam * weight")],
        ["disagrees with finite differences"]),
    "weight decay with the wrong sign": (
        "08_training_in_practice", "ex2",
        [("ex2-answer", "weight - lr * (grad + lam * weight)", "weight - lr * (grad - lam * weight)")],
        ["weight_decay_step(...)", "entries are wrong"]),
    "early stopping one epoch late": (
        "08_training_in_practice", "ex3", [("ex3-answer", "if waited >= patience:", "if waited > patience:")],
        ["stopped at the wrong epoch"]),
    "ties counted as improvements are caught by the hidden tests": (
        "08_training_in_practice", "ex3", [("ex3-answer", "if loss < best_loss:", "if loss <= best_loss:")],
        ["equal to the best so far"]),
    "lambda chosen on the training split": (
        "08_training_in_practice", "ex4",
        [("ex4-answer", "mse(features_val, y_val, fits[lam])", "mse(features_train, y_train, fits[lam])")],
        ["*training* error"]),
    "a ridge fit without the penalty leaves a gradient": (
        "08_training_in_practice", "ex4", [("ex4-answer", "+ lam * np.eye(n_features)", "")],
        ["the gradient of J at ridge_fit"]),
    "variance of the average fit instead of across the training sets": (
        "08_training_in_practice", "ex5", [("ex5-answer", "float(np.mean(predictions.var(axis=0)))", "0.0")],
        ["The variance should shrink"]),
    "the per-fit error taken for the squared bias": (
        "08_training_in_practice", "ex5",
        [("ex5-answer", "np.mean((average_fit - truth_on_grid) ** 2)", "np.mean((predictions - truth_on_grid) ** 2)")],
        ["bias_and_variance(0.01, n_sets=30)"]),
    "true division in the output-size formula": (
        "10_cnn", "ex1", [("ex1-answer", ") // stride + 1", ") / stride + 1")],
        ["entries are wrong, at indices (1,)"]),
    "a flipped kernel is a convolution, not nnkit's cross-correlation": (
        "10_cnn", "ex2", [("ex2-answer", "weight[:, :, k])", "weight[:, :, kernel_size - 1 - k])")],
        ["kernel flipped"]),
    "= instead of += in the input gradient fails gradcheck": (
        "10_cnn", "ex3", [("ex3-answer", "grad_x[:, :, window] +=", "grad_x[:, :, window] =")],
        ["MyConv1d backward disagrees with finite differences", "FAIL"]),
    "max-pool gradient spread over the window": (
        "10_cnn", "ex4", [("ex4-answer", "np.put_along_axis(grad_windows, winners, grad_output[..., None], axis=-1)",
                      "grad_windows += grad_output[..., None]")],
        ["entries are wrong"]),
    "receptive field that ignores strides": (
        "10_cnn", "ex5", [("ex5-answer", "jump *= stride", "jump *= 1")], ["2 of 6 entries are wrong"]),
    "a weight shape given transposed": (
        "11_rnn", "ex1", [("ex1-answer", "shape_weight_ih = (5, 3)", "shape_weight_ih = (3, 5)")],
        ["shape_weight_ih is not right yet"]),
    "BPTT with a wrong bias gradient": (
        "11_rnn", "ex4", [("ex4-answer", 'gradients["bias_hh_l0"] = gradients["bias_ih_l0"].copy()',
                           'gradients["bias_hh_l0"] = 0 * gradients["bias_ih_l0"]')],
        ["dL/dbias_hh_l0"]),
    "an RNN step missing a bias": (
        "11_rnn", "ex2", [("ex2-answer", ' + params["bias_hh_l0"])', ")")], ["rnn_step(x_t, h_previous, params)"]),
    "BPTT without the gradient from later steps": (
        "11_rnn", "ex4", [("ex4-answer", "from_later = delta @ w_hh", "from_later = 0 * delta @ w_hh")],
        ["right at the last step only"]),
    "LSTM gates in the wrong order": (
        "11_rnn", "ex5", [("ex5-answer", "a_i, a_f, a_g, a_o = np.split", "a_f, a_i, a_g, a_o = np.split")],
        ["c_t"]),
    "an encoder that does not end at the bottleneck": (
        "12_beyond", "ex1", [("ex1-answer", "nn.Linear(hidden, bottleneck))", "nn.Linear(hidden, hidden))")],
        ["the encoder ends at the bottleneck"]),
    "attention without the 1/sqrt(d)": (
        "12_beyond", "ex2", [("ex2-answer", "query @ key.T / np.sqrt(query.shape[-1])", "query @ key.T")],
        ["divide the scores by sqrt(d)"]),
    "a naive softmax overflows and is told so": (
        "12_beyond", "ex2",
        [("ex2-answer", "np.exp(scores - scores.max(axis=-1, keepdims=True))", "np.exp(scores)")],
        ["NaN or infinity", "exp overflowing"]),
    "attention backward without the softmax's row sum": (
        "12_beyond", "ex5", [("ex5-answer", "(grad_weights - np.sum(weights * grad_weights, axis=1, keepdims=True))",
                              "grad_weights")],
        ["MyAttention backward disagrees with finite differences", "FAIL"]),
    "an autoencoder trained for one epoch only": (
        "12_beyond", "ex4", [("ex4-answer", "for epoch in range(40):", "for epoch in range(1):")],
        ["baseline's; it should be below 50 %"]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_typical_mistake_gets_feedback_that_names_it(case):
    chapter, check_id, mistakes, phrases = CASES[case]
    message, printed = run_until(chapter, check_id, mistakes)
    assert message is not None, f"{case}: the check passed"
    for phrase in phrases:  # in the message, or in the gradcheck table printed before it
        assert phrase in message + printed, (case, message)
    assert not re.search(r"\d\.\d{4}", message), f"{case}: a message shows precise numbers: {message}"


def test_the_causal_mask_check_points_at_the_weights_above_the_diagonal():
    unmasked = [("ex3-answer", "    scores = np.where(np.tril(np.ones(scores.shape, dtype=bool)), scores, -np.inf)\n",
                 "")]
    message, _ = run_until("12_beyond", "ex3", unmasked)
    assert message.startswith("the weights above the diagonal")


def solution_function(chapter, cell_id, name):
    cells = {cell.id: cell.source for cell in build_exercise(SOURCES / f"{chapter}.md").instructor.cells}
    namespace = {}
    for source in (cells["setup"], cells[cell_id]):
        exec(source, namespace)
    return namespace[name]


@pytest.mark.parametrize("losses, patience", [
    ([3.0, 2.0, 2.0, 2.0, 1.0], 2), ([5.0, 4.0, 3.0, 2.0], 1), ([1.0, 2.0, 3.0], 1),
    (list(np.random.default_rng(0).normal(size=30)), 4), (list(np.random.default_rng(1).normal(size=30)), 1),
])
def test_the_early_stopping_solution_is_the_rule_of_nnkit_fit(losses, patience):
    """Exercise 8.3 says its rule is nnkit.training.fit's: run fit on a scripted validation curve and compare."""
    from nnkit import nn
    from nnkit.training import fit

    class Counter(nn.Module):
        """One parameter that the 'optimizer' sets to the epoch number, so the restored value names the epoch."""

        def __init__(self):
            self.epoch = nn.Parameter(np.array([-1.0]))

        def forward(self, x):
            return np.zeros(len(x))

        def backward(self, grad_output):
            return None

    class OneStepPerEpoch:
        def __init__(self, model):
            self.model = model

        def zero_grad(self):
            pass

        def step(self):
            self.model.epoch.data += 1

    validation_inputs = np.zeros(1)

    class ScriptedLoss:
        """0 on the training batch; on the validation inputs, the next value of the scripted curve."""

        def __init__(self):
            self.curve = iter(losses)

        def __call__(self, prediction, targets):
            return next(self.curve) if targets is validation_inputs else 0.0

        def backward(self):
            return np.zeros(1)

    model = Counter()
    history = fit(model, ScriptedLoss(), OneStepPerEpoch(model), [(np.zeros(1), np.zeros(1))], epochs=len(losses),
                  validation=(validation_inputs, validation_inputs), patience=patience)
    early_stopping = solution_function("08_training_in_practice", "ex3-answer", "early_stopping")
    assert early_stopping(losses, patience) == (len(history["validation"]), int(model.epoch.data[0]))


@pytest.mark.parametrize("chapter", ["08_training_in_practice", "10_cnn", "11_rnn", "12_beyond"])
def test_in_the_untouched_student_notebook_every_check_says_not_attempted(chapter):
    """What a student sees on running everything before writing a line: calm "not attempted yet", no traceback."""
    from nnkit.course.checks import NotAttempted

    namespace, outcomes = {"__name__": "__main__"}, {}
    np.random.seed(0)
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in build_exercise(SOURCES / f"{chapter}.md").student.cells:
            if cell.cell_type != "code":
                continue
            try:
                exec(compile(cell.source, f"{chapter}:{cell.id}", "exec"), namespace)
                outcomes[cell.id] = "ran"
            except NotAttempted:
                outcomes[cell.id] = "not attempted"
            except NotImplementedError:
                outcomes[cell.id] = "stub"
    graded = [item.grade_id for item in build_exercise(SOURCES / f"{chapter}.md").graded_items]
    assert len(graded) >= 3 and {outcomes[cell_id] for cell_id in graded} == {"not attempted"}, outcomes


def test_the_max_pool_solution_breaks_ties_as_nnkit_does():
    from nnkit import nn

    maxpool1d_backward = solution_function("10_cnn", "ex4-answer", "maxpool1d_backward")
    x = np.array([[[1.0, 1.0, 0.0, 2.0, 2.0, 2.0], [5.0, 5.0, 5.0, 5.0, -1.0, -1.0]]])  # ties in every window
    pool = nn.MaxPool1d(2)
    grad_output = np.arange(1.0, 1.0 + pool(x).size).reshape(pool(x).shape)
    np.testing.assert_array_equal(maxpool1d_backward(x, grad_output, 2), pool.backward(grad_output))
