r"""Feeding data to a model: split it, scale it, cut it into mini-batches, encode its labels.

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    scaler = Standardizer().fit(X_train)          # statistics of the training split only
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    for xb, yb in DataLoader(X_train, y_train, batch_size=32, seed=0):
        ...                                       # one training step per mini-batch

Everything random here draws from its own ``np.random.default_rng(seed)``,
never from numpy's global state, so the same seed gives the same split and
the same batches whatever else the notebook has done with ``np.random``.
Samples are never visited one by one: a split or an epoch is one random
permutation of the indices, and a batch is ``X[indices]``.
"""

import numbers

import numpy as np

from nnkit.autograd import Tensor
from nnkit.errors import ShapeError, as_array, expect_positive_int


def seeded_rng(who, seed):
    """``np.random.default_rng(seed)`` after checking that ``seed`` is an integer >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"{who}: seed must be an integer >= 0, got {seed!r}")
    return np.random.default_rng(int(seed))


def samples_and_targets(who, X, y):
    """Check that X is (N, ...) and y is (N,) or (N, k) with the same N; return both as arrays."""
    X = as_array(who, "X", X)
    y = as_array(who, "y", y)
    if X.ndim == 0:
        raise ShapeError(f"{who}: X must have a batch axis, shape (N, ...), got a scalar")
    if y.ndim not in (1, 2):
        raise ShapeError(f"{who}: y must have shape (N,) or (N, k), got {tuple(y.shape)}")
    if len(X) != len(y):
        raise ShapeError(f"{who}: X and y must hold the same number of samples, got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{who}: X and y hold no samples")
    return X, y


def train_test_split(X, y, test_size=0.25, seed=0, stratify=False):
    r"""Split (X, y) at random into a training part and a held-out test part.

    Returns ``X_train, X_test, y_train, y_test`` (scikit-learn's order). The test
    part gets :math:`\lceil \text{test\_size} \cdot N \rceil` samples, the training
    part the rest (the sizes scikit-learn gives); both must be non-empty. The split is one random permutation of
    the N indices drawn from ``np.random.default_rng(seed)``: the same seed gives
    the same split.

    With ``stratify=True`` (y must be (N,) class labels) every class is split on its
    own, :math:`\mathrm{round}(\text{test\_size} \cdot N_c)` of its :math:`N_c`
    samples going to the test part, so both parts keep the class proportions of y
    (the total may then differ by a sample or so from the unstratified count).

    Shapes: X (N, ...), y (N,) or (N, k).
    """
    who = "train_test_split"
    X, y = samples_and_targets(who, X, y)
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real) or not 0 < test_size < 1:
        raise ValueError(f"{who}: test_size is the fraction of samples held out, a number in (0, 1); got {test_size!r}")
    rng = seeded_rng(who, seed)
    n = len(X)
    order = rng.permutation(n)
    if stratify:
        if y.ndim != 1:
            raise ShapeError(f"{who}: stratify=True needs y as (N,) class labels, got shape {tuple(y.shape)}")
        # Group the shuffled indices by class (stable sort keeps the random order inside a class),
        # then send the first round(test_size * N_c) of each class to the test part.
        order = order[np.argsort(y[order], kind="stable")]
        _, class_counts = np.unique(y, return_counts=True)
        rank_in_class = np.arange(n) - np.repeat(np.cumsum(class_counts) - class_counts, class_counts)
        is_test = rank_in_class < np.repeat(np.round(test_size * class_counts), class_counts)
        test_idx, train_idx = rng.permutation(order[is_test]), rng.permutation(order[~is_test])
    else:
        n_test = int(np.ceil(test_size * n))
        test_idx, train_idx = order[:n_test], order[n_test:]
    if len(test_idx) == 0 or len(train_idx) == 0:
        raise ValueError(
            f"{who}: test_size={test_size} of {n} samples leaves {len(train_idx)} for training and "
            f"{len(test_idx)} for testing; both parts need at least one sample"
        )
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


class Standardizer:
    r"""Shift and scale every feature to mean 0 and standard deviation 1.

    .. math::  \hat x = (x - \mu) / \sigma

    ``fit(X_train)`` computes :math:`\mu` and :math:`\sigma` per feature over the
    batch axis (axis 0) of the **training split only**; ``transform`` then applies
    those same numbers to any split. Computing them on all the data would let the
    test set leak into training (its mean would shape the inputs the model learns
    from), and the test score would no longer measure data the model has never seen.

    A feature with :math:`\sigma = 0` (constant, e.g. an always-blank pixel) is
    only shifted, not divided by zero. Shapes: X (N, ...) -> same shape; ``mean``
    and ``std`` have the shape of one sample, X.shape[1:].
    """

    def __init__(self):
        self.mean = None
        self.std = None

    def fit(self, X):
        X = as_array(self, "X", X)
        if X.ndim == 0 or len(X) == 0:
            raise ShapeError(f"{self!r}: fit needs a non-empty batch X of shape (N, ...), got {tuple(X.shape)}")
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X):
        if self.mean is None:
            raise RuntimeError(f"{self!r}: call fit(X_train) before transform()")
        X = as_array(self, "X", X)
        if X.shape[1:] != self.mean.shape:
            raise ShapeError(
                f"{self!r}: X must have shape (N, {', '.join(map(str, self.mean.shape))}) like the data it was fitted "
                f"on, got {tuple(X.shape)}"
            )
        return (X - self.mean) / self.std

    def fit_transform(self, X):
        return self.fit(X).transform(X)

    def __repr__(self):
        return "Standardizer()" if self.mean is None else f"Standardizer(features={self.mean.shape})"


class Dataset:
    """A collection of samples, as ``torch.utils.data.Dataset``: subclasses define ``__len__`` and ``__getitem__``.

    ``dataset[i]`` returns sample i, usually a tuple ``(input, target)``.
    """

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ (the number of samples)")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__ (sample number index)")


class TensorDataset(Dataset):
    """Arrays (or Tensors) with the same first axis N, as ``torch.utils.data.TensorDataset(X, y)``.

    ``dataset[i]`` is the tuple ``(X[i], y[i], ...)`` of Tensors, as in PyTorch; ``i`` may also be a slice or an
    array of indices, which gives a whole batch in one indexing operation.
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: pass at least one array, e.g. TensorDataset(X, y)")
        self.arrays = [as_array("TensorDataset", f"array {k}", getattr(a, "data", a)) for k, a in enumerate(arrays)]
        lengths = [len(a) if a.ndim else None for a in self.arrays]
        if None in lengths or len(set(lengths)) != 1:
            raise ShapeError(f"TensorDataset: every array needs the same first axis (the samples), got shapes "
                             f"{[a.shape for a in self.arrays]}")

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(Tensor(a[index]) for a in self.arrays)


class DataLoader:
    """Mini-batches of a dataset, as ``torch.utils.data.DataLoader``; or nnkit's short form for two arrays.

    * ``DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False)``: PyTorch's form and defaults. A
      ``Dataset`` (e.g. ``TensorDataset(X, y)``) gives batches of ``nnkit.Tensor``, so ``loss.backward()`` works
      on what the model computes from them.
    * ``DataLoader(X, y, batch_size=32, shuffle=True, seed=0, drop_last=False)``: nnkit's short form of the
      chapters, with its own defaults (it shuffles); batches are ndarrays ``(X[idx], y[idx])``.

    Each ``for batch in loader`` is one epoch: every sample appears exactly once.
    With ``shuffle=True`` an epoch visits the samples in a fresh random order drawn
    from the loader's own ``np.random.default_rng(seed)``, so consecutive epochs
    differ while a new loader with the same seed repeats the same sequence of epochs.
    The last batch holds the remaining ``N % batch_size`` samples unless
    ``drop_last=True`` leaves it out; ``len(loader)`` is the number of batches per epoch.

    Shapes: X (N, ...) of any rank and y (N,) or (N, k); a batch is
    ``X[idx]`` (B, ...) and ``y[idx]`` with B <= batch_size.
    """

    def __init__(self, dataset, y=None, batch_size=None, shuffle=None, seed=0, drop_last=False, num_workers=0,
                 **unsupported):
        if unsupported:
            raise TypeError(f"DataLoader: nnkit does not support {sorted(unsupported)}; batches are drawn in order "
                            "or shuffled (shuffle=True, seed=...) from a Dataset and stacked into arrays")
        if isinstance(dataset, Dataset):
            if y is not None:  # PyTorch's second positional argument is batch_size
                if not isinstance(y, numbers.Integral) or batch_size is not None:
                    raise TypeError("DataLoader(dataset, batch_size, ...): the second argument of the Dataset form is "
                                    "batch_size; for two arrays use DataLoader(X, y, ...) or TensorDataset(X, y)")
                batch_size = y
            self.dataset, self.as_tensors = dataset, True
            batch_size, shuffle = 1 if batch_size is None else batch_size, bool(shuffle)
            if len(dataset) == 0:
                raise ValueError("DataLoader: the dataset holds no samples")
        elif y is None:
            raise TypeError(f"DataLoader: got one {type(dataset).__name__} and no targets; pass a Dataset "
                            "(TensorDataset(X, y) or TensorDataset(X)), or nnkit's short form DataLoader(X, y, ...)")
        else:
            self.X, self.y = samples_and_targets("DataLoader", dataset, y)
            self.dataset, self.as_tensors = TensorDataset(self.X, self.y), False
            batch_size, shuffle = 32 if batch_size is None else batch_size, True if shuffle is None else shuffle
        self.batch_size = expect_positive_int("DataLoader", "batch_size", batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.rng = seeded_rng("DataLoader", seed)
        if self.drop_last and len(self) == 0:
            raise ValueError(f"{self!r}: drop_last=True with {len(self.dataset)} samples leaves no full batch")

    def __len__(self):
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self):
        n = len(self.dataset)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = self._batch(order[start:start + self.batch_size])
            if self.as_tensors:
                batch = tuple(Tensor(part) for part in batch) if isinstance(batch, tuple) else Tensor(batch)
            yield batch

    def _batch(self, indices):
        """The samples at ``indices``, each field stacked along a new first axis."""
        if isinstance(self.dataset, TensorDataset):
            return tuple(a[indices] for a in self.dataset.arrays)  # one indexing operation per array
        samples = [self.dataset[int(i)] for i in indices]  # a general Dataset: one sample at a time, as PyTorch
        if not isinstance(samples[0], tuple):
            return np.stack([getattr(s, "data", s) for s in samples])
        return tuple(np.stack([getattr(s, "data", s) for s in field]) for field in zip(*samples))

    def __repr__(self):
        return (f"DataLoader(samples={len(self.dataset)}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")


def one_hot(labels, num_classes=-1):
    r"""Class indices -> one-hot rows, like ``torch.nn.functional.one_hot``.

    .. math::  \text{out}[\dots, c] = 1 \text{ if labels}[\dots] = c \text{ else } 0

    ``labels`` (...) of integers in [0, num_classes) -> int64 array (..., num_classes);
    ``num_classes=-1`` means ``labels.max() + 1``. Used where a target must be a
    vector per sample (e.g. MSE on class scores); CrossEntropyLoss takes the
    indices directly.
    """
    who = "one_hot"
    labels = as_array(who, "labels", labels)
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"{who}: labels must be integer class indices, got dtype {labels.dtype}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"{who}: labels are class indices, so they must be >= 0; got {labels.min()}")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError(f"{who}: cannot infer num_classes from empty labels; pass num_classes")
        num_classes = int(labels.max()) + 1
    num_classes = expect_positive_int(who, "num_classes", num_classes)
    if labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"{who}: labels must be in [0, {num_classes}) for num_classes={num_classes}, got a label {labels.max()}"
        )
    return (labels[..., None] == np.arange(num_classes)).astype(np.int64)
