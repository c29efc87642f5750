"""nnkit.datasets: truth tables, seeded toy sets with the right geometry, the notes' table, real digits."""

import dataclasses
import operator
from pathlib import Path

import numpy as np
import pytest

from nnkit.datasets.digits import DIGITS_FILE, load_digits
from nnkit.datasets.logic import logic_gate
from nnkit.datasets.people import people
from nnkit.datasets.toy2d import blobs, circles, moons, spirals
from nnkit.errors import ShapeError

# -- logic gates --------------------------------------------------------------

GATE_RULES = {
    "AND": operator.and_,
    "OR": operator.or_,
    "NAND": lambda a, b: 1 - (a & b),
    "NOR": lambda a, b: 1 - (a | b),
    "XOR": operator.xor,
}


@pytest.mark.parametrize("name", GATE_RULES)
def test_gate_is_its_truth_table(name):
    X, y = logic_gate(name)
    assert X.dtype == np.float64 and X.shape == (4, 2)
    assert np.issubdtype(y.dtype, np.integer) and y.shape == (4,)
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    a, b = X.astype(int).T
    assert y.tolist() == GATE_RULES[name](a, b).tolist()


def test_gate_names_ignore_case_and_arrays_are_fresh():
    X, y = logic_gate("xor")
    assert y.tolist() == logic_gate("Xor")[1].tolist() == [0, 1, 1, 0]
    X[:] = 7
    y[:] = 7
    again_X, again_y = logic_gate("XOR")
    assert again_X.max() == 1 and again_y.tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize("bad", ["XNOR", "", None, 3])
def test_unknown_gate_lists_the_valid_names(bad):
    with pytest.raises(ValueError) as info:
        logic_gate(bad)
    message = str(info.value)
    assert repr(bad) in message
    assert all(name in message for name in GATE_RULES)


# -- 2-D toy sets -------------------------------------------------------------

TOY_SETS = [blobs, moons, circles, spirals]


@pytest.mark.parametrize("make", TOY_SETS, ids=lambda f: f.__name__)
def test_toy_set_shapes_and_types(make):
    X, y = make(n_samples=60)
    assert X.shape == (60, 2) and X.dtype == np.float64
    assert y.shape == (60,) and np.issubdtype(y.dtype, np.integer)
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make", TOY_SETS, ids=lambda f: f.__name__)
def test_toy_set_seed_reproduces_and_differs(make):
    X_a, y_a = make(seed=3)
    X_b, y_b = make(seed=3)
    X_c, _ = make(seed=4)
    np.testing.assert_array_equal(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)
    assert not np.allclose(X_a, X_c)


@pytest.mark.parametrize("make", TOY_SETS, ids=lambda f: f.__name__)
def test_toy_set_leaves_global_random_state_alone(make):
    np.random.seed(123)
    expected_next = np.random.random()
    np.random.seed(123)
    first, _ = make(seed=0)
    assert np.random.random() == expected_next  # the global stream was not consumed
    np.random.seed(999)
    np.testing.assert_array_equal(make(seed=0)[0], first)  # nor does it influence the data


@pytest.mark.parametrize("make", TOY_SETS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("n_samples", [200, 7])
def test_two_class_sets_split_evenly_remainder_to_first_class(make, n_samples):
    _, y = make(n_samples=n_samples)
    counts = np.bincount(y)
    assert counts.tolist() == [n_samples - n_samples // 2, n_samples // 2]
    assert np.all(np.diff(y) >= 0)  # grouped by class, as documented


def test_spirals_and_blobs_with_more_classes_balance_them():
    assert np.bincount(spirals(302, n_classes=3)[1]).tolist() == [101, 101, 100]
    assert np.bincount(blobs(10, centers=4)[1]).tolist() == [3, 3, 2, 2]


def test_moons_geometry_without_noise():
    X, y = moons(n_samples=101, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12
    np.testing.assert_allclose(upper[[0, -1]], [[1, 0], [-1, 0]], atol=1e-12)  # t runs over [0, pi]
    np.testing.assert_allclose(lower[[0, -1]], [[0, 0.5], [2, 0.5]], atol=1e-12)


def test_moons_noise_is_the_standard_deviation():
    clean, _ = moons(n_samples=20000, noise=0.0)
    noisy, _ = moons(n_samples=20000, noise=0.3)
    assert (noisy - clean).std() == pytest.approx(0.3, rel=0.03)


@pytest.mark.parametrize("factor", [0.3, 0.5, 0.8])
def test_circles_inner_radius_is_factor_times_outer(factor):
    X, y = circles(n_samples=100, noise=0.0, factor=factor)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], factor)
    angles = np.sort(np.arctan2(X[y == 1, 1], X[y == 1, 0]))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 50)  # evenly spread around the circle


def test_blobs_sit_around_their_centers_with_the_given_spread():
    X, y = blobs(n_samples=4000, centers=2, std=0.5)
    centers = np.array([X[y == k].mean(axis=0) for k in range(2)])
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 3.0, atol=0.05)
    np.testing.assert_allclose(centers[0], -centers[1], atol=0.1)  # opposite sides of the circle
    assert X[y == 0].std(axis=0) == pytest.approx([0.5, 0.5], rel=0.06)


def test_blobs_accepts_explicit_centers():
    centers = [[0.0, 0.0], [5.0, -1.0], [-2.0, 7.0]]
    X, y = blobs(n_samples=9, centers=centers, std=0.0)
    np.testing.assert_array_equal(X, np.array(centers)[y])
    assert np.bincount(y).tolist() == [3, 3, 3]


def test_spirals_follow_the_documented_curve_without_noise():
    X, y = spirals(n_samples=60, n_classes=3, noise=0.0)
    radius = np.linalg.norm(X, axis=1)
    assert radius.min() == pytest.approx(0.1) and radius.max() == pytest.approx(1.0)
    angle = 2 * np.pi * y / 3 + 3 * np.pi * radius
    np.testing.assert_allclose(X, radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]), atol=1e-12)


def linear_fit_accuracy(X, y):
    """Training accuracy of the best least-squares line w.x + b ~ (2y - 1): what a linear classifier can do."""
    design = np.column_stack([X, np.ones(len(X))])
    weights, *_ = np.linalg.lstsq(design, 2.0 * y - 1, rcond=None)
    return np.mean((design @ weights > 0) == (y == 1))


def test_spirals_defeat_a_linear_classifier_but_blobs_do_not():
    assert linear_fit_accuracy(*spirals(400, noise=0.1)) < 0.7
    assert linear_fit_accuracy(*blobs(400, std=1.0)) > 0.97


BAD_ARGUMENTS = [
    # (call, exception, words the message must contain)
    (lambda: moons(n_samples=0), ValueError, ["moons", "n_samples", "positive integer", "0"]),
    (lambda: circles(n_samples=-5), ValueError, ["circles", "n_samples", "-5"]),
    (lambda: spirals(n_samples=2.5), ValueError, ["spirals", "n_samples", "2.5"]),
    (lambda: blobs(n_samples="100"), ValueError, ["blobs", "n_samples", "'100'"]),
    (lambda: moons(n_samples=1), ValueError, ["moons", "n_samples=1", "2 classes"]),
    (lambda: spirals(n_samples=4, n_classes=5), ValueError, ["spirals", "n_samples=4", "5 classes"]),
    (lambda: spirals(n_classes=0), ValueError, ["spirals", "n_classes", "0"]),
    (lambda: moons(noise=-0.1), ValueError, ["moons", "noise", ">= 0", "-0.1"]),
    (lambda: spirals(noise="lots"), ValueError, ["spirals", "noise", "'lots'"]),
    (lambda: blobs(std=-1), ValueError, ["blobs", "std", "-1"]),
    (lambda: blobs(centers=0), ValueError, ["blobs", "centers", "0"]),
    (lambda: blobs(centers=[[1.0, 2.0, 3.0]]), ShapeError, ["blobs", "centers", "(k, 2)", "(1, 3)"]),
    (lambda: blobs(centers=[["a", "b"]]), TypeError, ["blobs", "centers", "array of numbers"]),
    (lambda: circles(factor=1.0), ValueError, ["circles", "factor", "(0, 1)", "1.0"]),
    (lambda: circles(factor=0), ValueError, ["circles", "factor", "0"]),
    (lambda: moons(seed=-1), ValueError, ["moons", "seed", "integer >= 0", "-1"]),
    (lambda: circles(seed=1.5), ValueError, ["circles", "seed", "1.5"]),
    (lambda: blobs(seed=None), ValueError, ["blobs", "seed", "None"]),
]


@pytest.mark.parametrize(("call", "exception", "words"), BAD_ARGUMENTS)
def test_bad_arguments_raise_clear_errors(call, exception, words):
    with pytest.raises(exception) as info:
        call()
    assert all(word in str(info.value) for word in words), str(info.value)


# -- the lecture notes' four people ---------------------------------------------


def test_people_table_matches_the_notes():
    table = people()
    assert table.names == ("Alice", "Bob", "Charlie", "Diana")
    assert table.weight.tolist() == [133, 160, 152, 120]
    assert table.height.tolist() == [65, 72, 70, 60]
    assert table.gender == ("F", "M", "M", "F")
    assert table.y.tolist() == [1, 0, 0, 1]  # Female = 1, Male = 0
    assert table.X.shape == (4, 2) and table.X.dtype == np.float64
    assert table.X.tolist() == [[-2, -1], [25, 6], [17, 4], [-15, -6]]  # the notes' shifted table
    np.testing.assert_array_equal(table.X, np.column_stack([table.weight - 135, table.height - 66]))


def test_people_reproduce_the_notes_loss_of_always_predicting_male():
    y = people().y
    assert np.mean((y - np.zeros(4)) ** 2) == 0.5  # the notes: MSE = (1 + 0 + 0 + 1) / 4


def test_people_record_is_frozen_and_prints_as_a_table():
    table = people()
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.X = np.zeros((4, 2))
    text = repr(table)
    assert "Alice" in text and "-15" in text and "lb-135" in text


# -- handwritten digits -----------------------------------------------------------


def test_digits_shapes_and_values():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and np.issubdtype(y.dtype, np.integer)
    assert X.min() == 0 and X.max() == 16 and np.all(np.round(X) == X)
    assert sorted(set(y.tolist())) == list(range(10))
    assert np.bincount(y).min() >= 170 and np.bincount(y).max() <= 185
    # the first line of the shipped file is a 0 whose top image row is 0 0 5 13 9 1 0 0
    assert y[0] == 0 and X[0, :8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_digit_images_are_the_rows_reshaped():
    X, y = load_digits()
    images, labels = load_digits(as_images=True)
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(labels, y)
    np.testing.assert_array_equal(images[5, 2], X[5, 16:24])  # image row 2 is pixels 16..23


def test_digits_match_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets", reason="scikit-learn not installed: comparison skipped")
    reference = sklearn_datasets.load_digits()
    X, y = load_digits()
    images, _ = load_digits(as_images=True)
    np.testing.assert_array_equal(X, reference.data)
    np.testing.assert_array_equal(y, reference.target)
    np.testing.assert_array_equal(images, reference.images)


def test_digits_file_ships_with_its_source_and_licence_note():
    note = (Path(DIGITS_FILE).parent / "README.md").read_text()
    for words in ["UCI", "Alpaydin", "Kaynak", "1998", "BSD", "CC BY 4.0", "scikit-learn"]:
        assert words in note


def test_digits_rejects_a_non_boolean_flag():
    with pytest.raises(TypeError, match="as_images"):
        load_digits(as_images="yes")
