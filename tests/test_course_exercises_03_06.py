"""Exercise notebooks 3-6: present, and each exercises the piece of nnkit its chapter asks students to build.

The generic properties (stubs, no secrets, nbgrader metadata, 3-6 graded items, full marks for the solution and zero
for the untouched student version) are parametrized over every source in test_course_release.py and
test_course_grade.py; this file makes sure chapters 3-6 are among those sources and keep their key exercises.
"""

from pathlib import Path

import numpy as np
import pytest

from nnkit.course.release import build_exercise

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "exercises" / "source"

# chapter: text that its graded checks must contain (the helper or nnkit piece the exercise is checked against)
KEY_CHECKS = {
    "03_mlp": ["fewest_layered", "fewest_with_skip", "hidden_layer_for"],
    "04_losses": ["check_loss(HuberLoss", "check_loss(BCEWithLogitsLoss", "nn.CrossEntropyLoss()"],
    "05_gradient_descent": ["check_optimizer(MomentumSGD, optim.SGD", "check_optimizer(MyAdam, optim.Adam"],
    "06_backprop": ["check_module(MyLinear", "check_gradient(loss, loss_gradient", "numeric_gradient"],
}


@pytest.mark.parametrize("name", sorted(KEY_CHECKS))
def test_the_chapter_has_its_exercises_and_key_checks(name):
    exercise = build_exercise(SOURCE / f"{name}.md")
    checks = "\n".join(item.source for item in exercise.graded_items)
    for needle in KEY_CHECKS[name]:
        assert needle in checks, (name, needle)
    assert sum(item.points for item in exercise.graded_items) >= 10
    assert (ROOT / "exercises" / f"{name}.ipynb").is_file() and (ROOT / "solutions" / f"{name}.ipynb").is_file()


# (cell id, correct code, typical mistake, grade_id that must fail, words its feedback must contain)
PLANTED_MISTAKES = {
    "03_mlp": [
        ("ex2-answer", "((n_out, n_in), (n_out,))", "((n_in, n_out), (n_out,))", "ex2", "the shape of W^[1]"),
        ("ex3-answer", "b[:, None]", "b", "ex3", "raised ValueError"),
    ],
    "04_losses": [
        ("ex1-answer", "np.log(1 - 0.3)", "np.log(0.3)", "ex1", "bce is not right yet"),
        ("ex2-answer", "self.delta * np.sign(d)) / pred.size", "self.delta * np.sign(d))", "ex2",
         "disagrees with finite differences"),
        ("ex4-answer", "    shifted = scores - scores.max(axis=1, keepdims=True)", "    shifted = scores", "ex4",
         "overflowed"),
        ("ex5-answer", "return (nn.Sigmoid()(pred) - target) / pred.size",
         "return (target - nn.Sigmoid()(pred)) / pred.size", "ex5", "wrong sign"),
    ],
    "05_gradient_descent": [
        ("ex3-answer", "            self.velocities[index] = velocity", "            pass", "ex3",
         "after step 2 (steps 1 to 1 were right)"),
        ("ex4-answer", "            m_hat = m / (1 - beta1**self.t)", "            m_hat = m", "ex4",
         "after the first step"),
    ],
    "06_backprop": [
        ("ex1-answer", "dL_do = 2 * (o - 1)", "dL_do = 2 * (1 - o)", "ex1", "wrong sign"),
        ("ex4-answer", "    dW1, db1 = dZ1 @ X.T / m,", "    dW1, db1 = dZ1 @ X.T,", "ex4", "4× the expected"),
        ("ex5-answer", "derivative = derivative * w * g_prime(z)", "derivative = derivative * g_prime(z)", "ex5",
         "chain_derivative disagrees with finite differences"),
    ],
}


def test_planted_mistakes_cost_their_exercise_and_get_feedback_that_names_the_problem(tmp_path):
    from nnkit.course.grade import grade
    from nnkit.course.release import render

    for name, mistakes in PLANTED_MISTAKES.items():
        notebook = build_exercise(SOURCE / f"{name}.md").instructor
        for cell_id, right, wrong, _, _ in mistakes:
            cell = next(cell for cell in notebook.cells if cell.id == cell_id)
            assert right in cell.source, (name, cell_id, right)
            cell.source = cell.source.replace(right, wrong)
        (tmp_path / "in" / "careless").mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / "careless" / f"{name}.ipynb").write_text(render(notebook))
    results = {result.notebook: result for result in grade(tmp_path / "in", tmp_path / "out", root=ROOT, workers=2)
               if result.notebook in PLANTED_MISTAKES}
    for name, mistakes in PLANTED_MISTAKES.items():
        items = {item.grade_id: item for item in results[name].items}
        failed = {grade_id for *_, grade_id, _ in mistakes}
        for *_, grade_id, words in mistakes:
            assert items[grade_id].status == "failed" and words in items[grade_id].message, (name, items[grade_id])
        assert all(item.status == "passed" for grade_id, item in items.items() if grade_id not in failed), name
    right_bce = -(np.log(0.8) + np.log(0.7) + np.log(0.9) + np.log(0.6)) / 4
    ex1_feedback = next(item.message for item in results["04_losses"].items if item.grade_id == "ex1")
    assert f"{right_bce:.3g}" not in ex1_feedback and f"{right_bce:.4f}" not in ex1_feedback  # no answer given away
