"""Exercises 9: the solutions pass, an untouched notebook says "not attempted", typical mistakes are named."""

import contextlib
import io

import numpy as np
import pytest

from nnkit.course.checks import NotAttempted
from nnkit.course.release import build_exercise
from tests.test_course_exercises_8_to_12 import SOURCES, run_until

CHAPTER = "09_training_toolkit"


def test_the_solutions_pass_every_check_with_ticks():
    message, printed = run_until(CHAPTER, "ex4")
    assert message is None and printed.count("✓") >= 15 and "✗" not in printed


MISTAKES = {
    "He with fan_out": ("ex1", [("ex1-answer", "fan_in, _ = fans(shape)", "_, fan_in = fans(shape)")],
                        ["he_std"]),
    "dropout without the 1/(1-p) scaling": (
        "ex2", [("ex2-answer", "keep * (0.0 if p == 1 else 1.0 / (1.0 - p))", "keep * 1.0")],
        ["the scaled mask", "factor"]),
    "backward without the mask": ("ex2", [("ex2-answer", "return grad_output * scaled_mask", "return grad_output")],
                                  ["dropout_backward"]),
    "running variance with the biased variance": (
        "ex3", [("ex3-answer", "momentum * variance * n / (n - 1)", "momentum * variance")],
        ["running variance after step 1"]),
    "normalizing with the unbiased variance": (
        "ex3", [("ex3-answer", "mean, variance = x.mean(axis=0), x.var(axis=0)",
                 "mean, variance = x.mean(axis=0), x.var(axis=0, ddof=1)")],
        ["y at step 1"]),
    "warm-up off by one epoch": ("ex4", [("ex4-answer", "base_lr * (epoch + 1) / warmup", "base_lr * epoch / warmup")],
                                 ["warm-up epochs"]),
}


@pytest.mark.parametrize("case", MISTAKES, ids=list(MISTAKES))
def test_a_typical_mistake_gets_feedback_that_names_it(case):
    check_id, mistakes, words = MISTAKES[case]
    message, _ = run_until(CHAPTER, check_id, mistakes)
    assert message is not None, "the mistake was not caught"
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"


def test_in_the_untouched_student_notebook_every_check_says_not_attempted():
    exercise = build_exercise(SOURCES / f"{CHAPTER}.md")
    namespace, outcomes = {"__name__": "__main__"}, {}
    np.random.seed(0)
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in exercise.student.cells:
            if cell.cell_type != "code":
                continue
            try:
                exec(compile(cell.source, f"{CHAPTER}:{cell.id}", "exec"), namespace)
                outcomes[cell.id] = "ran"
            except NotAttempted:
                outcomes[cell.id] = "not attempted"
    graded = [item.grade_id for item in exercise.graded_items]  # the autograded check cells
    assert len(graded) == 4 and {outcomes[cell_id] for cell_id in graded} == {"not attempted"}, outcomes
