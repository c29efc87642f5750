"""Bad input gets a clear error: it names the layer and the expected and actual shape or value."""

import numpy as np
import pytest

import nnkit
from nnkit import nn
from tests.clear_errors import assert_clear_error

linear = nn.Linear(3, 2)
ones = np.ones

CASES = [
    # (what goes wrong, call, exception, words the message must contain)
    ("wrong feature count", lambda: linear(ones((4, 5))), nnkit.ShapeError, ["Linear(3, 2)", "(N, 3)", "(4, 5)"]),
    ("unbatched sample", lambda: linear(ones(3)), nnkit.ShapeError, ["Linear(3, 2)", "(N, 3)", "(3,)", "batch axis"]),
    ("3-D input to Linear", lambda: linear(ones((2, 3, 1))), nnkit.ShapeError, ["Linear(3, 2)", "(2, 3, 1)"]),
    ("text instead of numbers", lambda: linear([["a", "b", "c"]]), TypeError, ["Linear(3, 2)", "input"]),
    ("grad_output wrong shape", lambda: (linear(ones((4, 3))), linear.backward(ones((4, 3)))), nnkit.ShapeError,
     ["Linear(3, 2)", "grad_output", "(4, 2)", "(4, 3)"]),
    ("zero features", lambda: nn.Linear(0, 2), ValueError, ["Linear", "in_features", "positive integer", "0"]),
    ("float size", lambda: nn.Linear(2.5, 2), ValueError, ["Linear", "in_features", "2.5"]),
    ("negative slope", lambda: nn.LeakyReLU(-0.1), ValueError, ["LeakyReLU", "negative_slope", "-0.1"]),
    ("MSE shapes differ", lambda: nn.MSELoss()(ones((4, 1)), ones(4)), nnkit.ShapeError,
     ["MSELoss()", "(4, 1)", "(4,)"]),
    ("BCE on logits", lambda: nn.BCELoss()(np.array([-1.0, 2.0]), np.array([0.0, 1.0])), ValueError,
     ["BCELoss()", "probabilities", "-1", "Sigmoid"]),
    ("BCE target out of range", lambda: nn.BCELoss()(np.array([0.2, 0.7]), np.array([0.0, 2.0])), ValueError,
     ["BCELoss()", "target", "2"]),
    ("class index too large", lambda: nn.CrossEntropyLoss()(ones((2, 3)), np.array([0, 3])), ValueError,
     ["CrossEntropyLoss()", "[0, 2]", "3 classes", "3"]),
    ("1-D logits", lambda: nn.CrossEntropyLoss()(ones(3), np.array([0])), nnkit.ShapeError,
     ["CrossEntropyLoss()", "(N, C)", "(3,)"]),
    ("one-hot wrong width", lambda: nn.CrossEntropyLoss()(ones((2, 3)), ones((2, 4))), nnkit.ShapeError,
     ["CrossEntropyLoss()", "(2,)", "(2, 3)", "(2, 4)"]),
    ("fractional class index", lambda: nn.CrossEntropyLoss()(ones((2, 3)), np.array([0.5, 1.0])), ValueError,
     ["CrossEntropyLoss()", "integers"]),
    ("diverged predictions", lambda: nn.MSELoss()(np.array([1.0, np.nan]), ones(2)), ValueError,
     ["MSELoss()", "nan", "(1,)"]),
    ("infinite target", lambda: nn.L1Loss()(ones(2), np.array([1.0, np.inf])), ValueError,
     ["L1Loss()", "target", "inf"]),
    ("empty optimizer", lambda: nnkit.optim.SGD([], lr=0.1), ValueError, ["SGD", "empty", "model.parameters()"]),
    ("array instead of parameters", lambda: nnkit.optim.Adam([ones(3)]), TypeError, ["Adam", "ndarray", "Parameter"]),
    ("negative learning rate", lambda: nnkit.optim.SGD(linear.parameters(), lr=-1), ValueError, ["SGD", "lr", "-1"]),
    ("Adam beta of 1", lambda: nnkit.optim.Adam(linear.parameters(), betas=(0.9, 1.0)), ValueError,
     ["Adam", "betas[1]", "1.0"]),
    ("Sequential of a function", lambda: nn.Sequential(nn.ReLU(), np.tanh), TypeError, ["Sequential", "argument 1"]),
    ("perceptron wrong width", lambda: nnkit.Perceptron(2).predict(ones((1, 3))), nnkit.ShapeError,
     ["Perceptron", "(N, 2)", "(1, 3)"]),
    ("state_dict wrong shape", lambda: nn.Linear(2, 3).load_state_dict({"weight": ones((2, 3)), "bias": ones(3)}),
     ValueError, ["'weight'", "(3, 2)", "(2, 3)"]),
]


@pytest.mark.parametrize(("call", "error", "words"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_clear_error(call, error, words):
    assert_clear_error(call, error, words)


def test_table_is_large_enough():
    assert len(CASES) >= 15
