"""nnkit.data: splits that partition the data, scaling without test leakage, batches that cover every sample."""

import numpy as np
import pytest

from nnkit.data import DataLoader, Standardizer, one_hot, seeded_rng, train_test_split
from nnkit.errors import ShapeError


def numbered(n, features=3):
    """X whose row i is [i, i, ...] and y = i: every sample can be traced through a split or a batch."""
    y = np.arange(n)
    return np.repeat(y[:, None], features, axis=1).astype(float), y


# -- train_test_split -------------------------------------------------------------


@pytest.mark.parametrize(("n", "test_size", "n_test"), [(100, 0.25, 25), (10, 0.25, 3), (7, 0.5, 4), (2, 0.1, 1)])
def test_split_sizes_round_the_test_part_up(n, test_size, n_test):
    X_train, X_test, y_train, y_test = train_test_split(*numbered(n), test_size=test_size)
    assert len(X_test) == len(y_test) == n_test
    assert len(X_train) == len(y_train) == n - n_test


def test_split_partitions_the_samples_and_keeps_pairs():
    X, y = numbered(50)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, seed=1)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(50))  # each sample exactly once
    np.testing.assert_array_equal(X_train[:, 0], y_train)  # rows stay with their labels
    np.testing.assert_array_equal(X_test[:, 0], y_test)
    assert y_test.tolist() != sorted(y_test.tolist())  # drawn at random, not the last rows


def test_split_is_deterministic_per_seed():
    X, y = numbered(40)
    first = train_test_split(X, y, seed=5)
    again = train_test_split(X, y, seed=5)
    other = train_test_split(X, y, seed=6)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert first[3].tolist() != other[3].tolist()


def test_split_accepts_any_sample_rank_and_two_dimensional_targets():
    images, targets = np.zeros((20, 1, 8, 8)), np.zeros((20, 3))
    X_train, X_test, y_train, y_test = train_test_split(images, targets, test_size=0.2)
    assert X_train.shape == (16, 1, 8, 8) and X_test.shape == (4, 1, 8, 8)
    assert y_train.shape == (16, 3) and y_test.shape == (4, 3)


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [120, 40, 40])
    X = np.arange(200.0)[:, None]
    _, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=2, stratify=True)
    assert np.bincount(y_test).tolist() == [30, 10, 10]
    assert np.bincount(y_train).tolist() == [90, 30, 30]
    np.testing.assert_array_equal(y[X_test[:, 0].astype(int)], y_test)  # pairs intact
    assert np.any(np.diff(y_test) < 0)  # shuffled, not grouped by class


def test_unstratified_split_of_a_small_imbalanced_set_can_miss_the_proportions():
    # why stratify exists: over many seeds a plain split of 18 + 6 samples often puts 0 or >= 3 minority samples in test
    y = np.repeat([0, 1], [18, 6])
    counts = [np.sum(train_test_split(np.zeros((24, 1)), y, seed=s)[3]) for s in range(40)]
    assert min(counts) != max(counts)
    stratified = [np.sum(train_test_split(np.zeros((24, 1)), y, seed=s, stratify=True)[3]) for s in range(40)]
    assert set(stratified) == {2}  # round(0.25 * 6)


SPLIT_ERRORS = [
    (lambda: train_test_split(np.zeros((5, 2)), np.zeros(4)), ShapeError, ["train_test_split", "5", "4", "same"]),
    (lambda: train_test_split(np.zeros((5, 2)), np.zeros((5, 2, 1))), ShapeError, ["y", "(N,)", "(5, 2, 1)"]),
    (lambda: train_test_split(np.float64(1.0), np.zeros(1)), ShapeError, ["X", "batch axis"]),
    (lambda: train_test_split(np.zeros((0, 2)), np.zeros(0)), ValueError, ["train_test_split", "no samples"]),
    (lambda: train_test_split(*numbered(10), test_size=0), ValueError, ["test_size", "(0, 1)", "0"]),
    (lambda: train_test_split(*numbered(10), test_size=1.0), ValueError, ["test_size", "1.0"]),
    (lambda: train_test_split(*numbered(10), test_size=25), ValueError, ["test_size", "25"]),
    (lambda: train_test_split(*numbered(10), test_size=-0.2), ValueError, ["test_size", "-0.2"]),
    (lambda: train_test_split(*numbered(10), test_size="0.2"), ValueError, ["test_size", "'0.2'"]),
    (lambda: train_test_split(*numbered(1), test_size=0.5), ValueError, ["1 samples", "0 for training"]),
    (lambda: train_test_split(*numbered(10), seed=-3), ValueError, ["seed", "integer >= 0", "-3"]),
    (lambda: train_test_split(np.zeros((4, 2)), np.zeros((4, 2)), stratify=True), ShapeError,
     ["stratify", "(N,)", "(4, 2)"]),
    (lambda: train_test_split([["a", None]], [0]), TypeError, ["train_test_split", "X", "numbers"]),
]


@pytest.mark.parametrize(("call", "exception", "words"), SPLIT_ERRORS)
def test_split_rejects_bad_input_clearly(call, exception, words):
    with pytest.raises(exception) as info:
        call()
    assert all(word in str(info.value) for word in words), str(info.value)


# -- Standardizer -----------------------------------------------------------------


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal(loc=[5.0, -3.0], scale=[2.0, 0.5], size=(500, 2))
    test = rng.normal(loc=[7.0, -3.0], scale=[2.0, 0.5], size=(100, 2))  # shifted: the test mean must NOT become 0
    scaler = Standardizer().fit(train)
    scaled_train, scaled_test = scaler.transform(train), scaler.transform(test)
    np.testing.assert_allclose(scaled_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scaled_train.std(axis=0), 1)
    np.testing.assert_allclose(scaled_test, (test - train.mean(axis=0)) / train.std(axis=0))
    assert scaled_test[:, 0].mean() > 0.5


def test_standardizer_leaves_constant_features_finite_and_handles_images():
    images = np.random.default_rng(1).integers(0, 17, size=(30, 8, 8)).astype(float)
    images[:, 0, 0] = 0.0  # a pixel that is always blank, like the digits' corners
    scaled = Standardizer().fit_transform(images)
    assert scaled.shape == (30, 8, 8) and np.all(np.isfinite(scaled))
    assert np.all(scaled[:, 0, 0] == 0)
    other_pixels = scaled.reshape(30, 64)[:, 1:]
    np.testing.assert_allclose(other_pixels.std(axis=0), 1)


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match=r"Standardizer\(\).*fit"):
        Standardizer().transform(np.zeros((2, 3)))
    fitted = Standardizer().fit(np.ones((4, 3)))
    with pytest.raises(ShapeError, match=r"\(N, 3\).*\(4, 5\)"):
        fitted.transform(np.ones((4, 5)))
    with pytest.raises(ShapeError, match="non-empty"):
        Standardizer().fit(np.zeros((0, 3)))


# -- DataLoader -------------------------------------------------------------------


def epoch_labels(loader):
    return np.concatenate([yb for _, yb in loader])


def test_every_epoch_visits_every_sample_once_in_a_new_order():
    loader = DataLoader(*numbered(103), batch_size=10, seed=0)
    first, second = epoch_labels(loader), epoch_labels(loader)
    assert sorted(first.tolist()) == sorted(second.tolist()) == list(range(103))
    assert first.tolist() != second.tolist()  # reshuffled between epochs
    assert first.tolist() != list(range(103))


def test_batches_keep_inputs_with_their_targets():
    for xb, yb in DataLoader(*numbered(37, features=4), batch_size=8, seed=3):
        np.testing.assert_array_equal(xb, np.repeat(yb[:, None], 4, axis=1))


def test_same_seed_repeats_the_sequence_of_epochs():
    a, b = DataLoader(*numbered(20), batch_size=6, seed=7), DataLoader(*numbered(20), batch_size=6, seed=7)
    c = DataLoader(*numbered(20), batch_size=6, seed=8)
    assert [epoch_labels(a).tolist() for _ in range(3)] == [epoch_labels(b).tolist() for _ in range(3)]
    assert epoch_labels(c).tolist() != epoch_labels(DataLoader(*numbered(20), batch_size=6, seed=7)).tolist()


def test_loader_does_not_touch_the_global_random_state():
    np.random.seed(11)
    expected = np.random.random()
    np.random.seed(11)
    epoch_labels(DataLoader(*numbered(30), seed=0))
    assert np.random.random() == expected


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "sizes"),
    [(10, 4, False, [4, 4, 2]), (10, 4, True, [4, 4]), (12, 4, False, [4, 4, 4]), (3, 32, False, [3])],
)
def test_batch_sizes_and_len(n, batch_size, drop_last, sizes):
    loader = DataLoader(*numbered(n), batch_size=batch_size, drop_last=drop_last)
    assert [len(yb) for _, yb in loader] == sizes
    assert len(loader) == len(sizes)


def test_drop_last_drops_different_samples_each_epoch():
    loader = DataLoader(*numbered(10), batch_size=4, drop_last=True, seed=0)
    seen = set()
    for _ in range(10):
        epoch = epoch_labels(loader)
        assert len(epoch) == 8 and len(set(epoch.tolist())) == 8
        seen |= set(epoch.tolist())
    assert seen == set(range(10))


def test_without_shuffle_batches_come_in_order():
    loader = DataLoader(*numbered(7), batch_size=3, shuffle=False)
    assert [yb.tolist() for _, yb in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert epoch_labels(loader).tolist() == list(range(7))


def test_loader_handles_images_and_vector_targets():
    images = np.arange(10 * 1 * 8 * 8, dtype=float).reshape(10, 1, 8, 8)
    targets = one_hot(np.arange(10) % 3, 3)
    shapes = [(xb.shape, yb.shape) for xb, yb in DataLoader(images, targets, batch_size=4)]
    assert shapes == [((4, 1, 8, 8), (4, 3)), ((4, 1, 8, 8), (4, 3)), ((2, 1, 8, 8), (2, 3))]


LOADER_ERRORS = [
    (lambda: DataLoader(np.zeros((5, 2)), np.zeros(6)), ShapeError, ["DataLoader", "5", "6"]),
    (lambda: DataLoader(np.zeros((5, 2)), np.zeros((5, 1, 1))), ShapeError, ["DataLoader", "y", "(5, 1, 1)"]),
    (lambda: DataLoader(*numbered(5), batch_size=0), ValueError, ["DataLoader", "batch_size", "positive", "0"]),
    (lambda: DataLoader(*numbered(5), batch_size=-2), ValueError, ["batch_size", "-2"]),
    (lambda: DataLoader(*numbered(5), batch_size=2.5), ValueError, ["batch_size", "2.5"]),
    (lambda: DataLoader(*numbered(5), seed=-1), ValueError, ["DataLoader", "seed", "-1"]),
    (lambda: DataLoader(*numbered(5), batch_size=8, drop_last=True), ValueError, ["drop_last", "5 samples"]),
]


@pytest.mark.parametrize(("call", "exception", "words"), LOADER_ERRORS)
def test_loader_rejects_bad_input_clearly(call, exception, words):
    with pytest.raises(exception) as info:
        call()
    assert all(word in str(info.value) for word in words), str(info.value)


# -- one_hot ----------------------------------------------------------------------


def test_one_hot_rows():
    encoded = one_hot(np.array([2, 0, 1, 2]), 4)
    assert encoded.shape == (4, 4) and np.issubdtype(encoded.dtype, np.integer)
    assert encoded.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]


def test_one_hot_infers_the_class_count_and_keeps_extra_axes():
    assert one_hot([0, 3]).shape == (2, 4)
    labels = np.array([[0, 1, 2], [2, 2, 0]])
    encoded = one_hot(labels)
    assert encoded.shape == (2, 3, 3)
    np.testing.assert_array_equal(encoded.argmax(axis=-1), labels)
    np.testing.assert_array_equal(encoded.sum(axis=-1), 1)


def test_one_hot_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: comparison skipped")
    labels = np.random.default_rng(0).integers(0, 5, size=17)
    expected = torch.nn.functional.one_hot(torch.as_tensor(labels), num_classes=6).numpy()
    np.testing.assert_array_equal(one_hot(labels, 6), expected)


ONE_HOT_ERRORS = [
    (lambda: one_hot([0, 5], 3), ValueError, ["one_hot", "[0, 3)", "5"]),
    (lambda: one_hot([-1, 0]), ValueError, ["one_hot", ">= 0", "-1"]),
    (lambda: one_hot([0.0, 1.0], 2), TypeError, ["one_hot", "integer", "float64"]),
    (lambda: one_hot([0, 1], 0), ValueError, ["one_hot", "num_classes", "0"]),
    (lambda: one_hot(np.array([], dtype=int)), ValueError, ["one_hot", "empty", "num_classes"]),
]


@pytest.mark.parametrize(("call", "exception", "words"), ONE_HOT_ERRORS)
def test_one_hot_rejects_bad_input_clearly(call, exception, words):
    with pytest.raises(exception) as info:
        call()
    assert all(word in str(info.value) for word in words), str(info.value)


def test_seeded_rng_accepts_numpy_integers_and_rejects_bools():
    assert seeded_rng("x", np.int64(3)).integers(1000) == np.random.default_rng(3).integers(1000)
    with pytest.raises(ValueError, match="seed"):
        seeded_rng("x", True)


# -- all together: the pieces feed a model ------------------------------------------


def test_digits_pipeline_trains_a_linear_classifier():
    from nnkit.datasets.digits import load_digits
    from nnkit.nn.linear import Linear
    from nnkit.nn.loss import CrossEntropyLoss
    from nnkit.optim.sgd import SGD

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0, stratify=True)
    scaler = Standardizer().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    np.random.seed(0)
    model, loss_fn = Linear(64, 10), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    loader = DataLoader(X_train, y_train, batch_size=32, seed=0)
    for _ in range(5):
        for xb, yb in loader:
            loss_fn(model(xb), yb)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
    assert np.mean(model(X_test).argmax(axis=1) == y_test) > 0.9
