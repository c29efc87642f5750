"""Exercise notebooks 3-6: present, and each exercises the piece of nnkit its chapter asks students to build.

The generic properties (stubs, no secrets, nbgrader metadata, 3-6 graded items, full marks for the solution and zero
for the untouched student version) are parametrized over every source in test_course_release.py and
test_course_grade.py; this file makes sure chapters 3-6 are among those sources and keep their key exercises.
"""

from pathlib import Path

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
