"""Cases 1 and 2: multilayer perceptrons trained with plain SGD, nnkit beside PyTorch, scikit-learn and the floor.

Every framework sees the same batches in the same order (scikit-learn shuffles on its own), and nnkit starts
from PyTorch's initial weights, so the two compute the same training run and their accuracies are comparable.
The *floor* is what no implementation can avoid: the same matrix products alone, in numpy, on the same
batches (forward, weight gradients, and input gradients of every layer but the first). *plain* is the same
training step as straight-line numpy without modules or checks (bench.plain), also from PyTorch's weights.
"""

import numpy as np

from bench.measure import summary, timed, timings
from bench.plain import PlainMLP
from nnkit.data import Standardizer, train_test_split
from nnkit.datasets import load_digits
from nnkit.nn import CrossEntropyLoss, Linear, ReLU, Sequential
from nnkit.optim import SGD
from nnkit.training import accuracy

DIGITS_SIZES = (64, 128, 64, 10)
BIG_SIZES = (784, 256, 256, 10)
LEARNING_RATE = 0.05


def epoch_orders(samples, batch_size, epochs, seed=0):
    """One list of index batches per epoch (a fresh permutation each), shared by every framework."""
    rng = np.random.default_rng(seed)
    orders = []
    for _ in range(epochs):
        order = rng.permutation(samples)
        orders.append([order[start:start + batch_size] for start in range(0, samples, batch_size)])
    return orders


def torch_mlp(sizes, dtype, seed=0):
    import torch

    torch.manual_seed(seed)
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if index < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).to(getattr(torch, np.dtype(dtype).name))


def nnkit_mlp(sizes, dtype, like=None):
    """The same MLP in nnkit; with ``like`` (a torch model) it starts from the same weights."""
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(fan_in, fan_out, dtype=dtype))
        if index < len(sizes) - 2:
            layers.append(ReLU())
    model = Sequential(*layers)
    if like is not None:
        model.load_state_dict(like.state_dict())
    return model


class NnkitRun:
    """Train an nnkit MLP one epoch at a time: the course's five-line training step.

    It is ``nnkit.training.train_epoch`` but for ``input_grad=False``: like PyTorch, whose input tensors do
    not require gradients, it does not compute dL/d(data), which training never uses.
    """

    def __init__(self, sizes, dtype, X, y, like=None, lr=LEARNING_RATE):
        self.X, self.y = X.astype(dtype, copy=False), y
        self.model = nnkit_mlp(sizes, dtype, like)
        self.loss_fn = CrossEntropyLoss()
        self.optimizer = SGD(self.model.parameters(), lr=lr)

    def batches(self, order):
        return [(self.X[batch], self.y[batch]) for batch in order]

    def epoch(self, batches):
        model, loss_fn, optimizer = self.model, self.loss_fn, self.optimizer
        for inputs, targets in batches:
            loss_fn(model(inputs), targets)
            optimizer.zero_grad()
            model.backward(loss_fn.backward(), input_grad=False)
            optimizer.step()

    def accuracy(self, X, y):
        return accuracy(self.model, X.astype(self.X.dtype), y)


class TorchRun:
    """The same training loop in PyTorch: forward, loss, zero_grad, backward, step."""

    def __init__(self, sizes, dtype, X, y, lr=LEARNING_RATE):
        import torch

        self.torch = torch
        self.model = torch_mlp(sizes, dtype)
        self.X, self.y = torch.from_numpy(X.astype(dtype, copy=False)), torch.from_numpy(y)
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)

    def batches(self, order):
        return [(self.X[batch], self.y[batch]) for batch in (self.torch.from_numpy(b) for b in order)]

    def epoch(self, batches):
        for inputs, targets in batches:
            loss = self.loss_fn(self.model(inputs), targets)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()

    def accuracy(self, X, y):
        with self.torch.no_grad():
            scores = self.model(self.torch.from_numpy(X.astype(self.X.numpy().dtype)))
        return float((scores.argmax(1).numpy() == y).mean())


class FloorRun:
    """Only the matrix products of a training step, in numpy: what any implementation must compute."""

    def __init__(self, sizes, dtype, X, y, seed=0):
        rng = np.random.default_rng(seed)
        self.X = X.astype(dtype, copy=False)
        self.weights = [rng.uniform(-0.1, 0.1, (fan_out, fan_in)).astype(dtype)
                        for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
        self.grad_out = rng.standard_normal((1, sizes[-1])).astype(dtype)

    def batches(self, order):
        return [self.X[batch] for batch in order]

    def epoch(self, batches):
        weights = self.weights
        for inputs in batches:
            activations = [inputs]
            for weight in weights:
                activations.append(activations[-1] @ weight.T)
            grad = np.broadcast_to(self.grad_out, activations[-1].shape)
            for layer in reversed(range(len(weights))):
                _ = grad.T @ activations[layer]
                if layer:
                    grad = grad @ weights[layer]


def digits_split():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def sklearn_digits(X_train, y_train, X_test, y_test, epochs, warmup):
    """scikit-learn's MLPClassifier with the same architecture and schedule, one ``partial_fit`` per epoch."""
    import warnings

    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=DIGITS_SIZES[1:-1], activation="relu", solver="sgd", batch_size=32,
                          learning_rate="constant", learning_rate_init=LEARNING_RATE, momentum=0.0,
                          nesterovs_momentum=False, alpha=0.0, shuffle=True, random_state=0)
    seconds = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index in range(epochs):
            sample = timed(lambda: model.partial_fit(X_train, y_train, classes=np.arange(10)))
            if index >= warmup:
                seconds.append(sample)
    return seconds, float(model.score(X_test, y_test))


def digits_case(epochs, warmup):
    """Case 1: seconds per epoch and test accuracy after ``epochs`` epochs of the digits MLP."""
    X_train, X_test, y_train, y_test = digits_split()
    orders = epoch_orders(len(X_train), 32, epochs)
    rows = {}
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        reference = TorchRun(DIGITS_SIZES, dtype, X_train, y_train)
        ours = NnkitRun(DIGITS_SIZES, dtype, X_train, y_train, like=reference.model)
        floor = FloorRun(DIGITS_SIZES, dtype, X_train, y_train)
        plain = PlainMLP(DIGITS_SIZES, dtype, X_train, y_train, like=reference.model)
        # interleave the frameworks epoch by epoch, so that a burst of load elsewhere hits all of them
        times = {"nnkit": [], "torch": [], "floor": [], "plain": []}
        for index, order in enumerate(orders):
            for label, run in (("nnkit", ours), ("torch", reference), ("floor", floor), ("plain", plain)):
                batches = run.batches(order)
                sample = timed(lambda run=run, batches=batches: run.epoch(batches))
                if index >= warmup:
                    times[label].append(sample)
        rows[f"nnkit {name}"] = {**summary(times["nnkit"]), "accuracy": ours.accuracy(X_test, y_test)}
        rows[f"torch {name}"] = {**summary(times["torch"]), "accuracy": reference.accuracy(X_test, y_test)}
        rows[f"floor {name}"] = summary(times["floor"])
        rows[f"plain {name}"] = {**summary(times["plain"]), "accuracy": plain.accuracy(X_test, y_test)}
    seconds, score = sklearn_digits(X_train, y_train, X_test, y_test, epochs, warmup)
    rows["scikit-learn float64"] = {**summary(seconds), "accuracy": score}
    return rows


def big_data(samples=60_000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((samples, BIG_SIZES[0]), dtype=np.float32)
    y = rng.integers(0, BIG_SIZES[-1], samples)
    return X, y


def big_case(repeats, warmup):
    """Case 2: one epoch of the 784-256-256-10 MLP over 60,000 random samples, batch 128, float32."""
    X, y = big_data()
    order = epoch_orders(len(X), 128, 1)[0]
    reference = TorchRun(BIG_SIZES, np.float32, X, y)
    runs = {"nnkit float32": NnkitRun(BIG_SIZES, np.float32, X, y, like=reference.model),
            "torch float32": reference, "floor float32": FloorRun(BIG_SIZES, np.float32, X, y),
            "plain float32": PlainMLP(BIG_SIZES, np.float32, X, y, like=reference.model)}
    prepared = {label: run.batches(order) for label, run in runs.items() if label.split()[0] in ("nnkit", "torch")}
    prepared["floor float32"] = [inputs for inputs, _ in prepared["nnkit float32"]]  # the same arrays
    prepared["plain float32"] = prepared["nnkit float32"]
    times = {label: [] for label in runs}
    for _ in range(warmup):
        for label, run in runs.items():
            run.epoch(prepared[label])
    for _ in range(repeats):
        for label, run in runs.items():
            times[label] += timings(lambda run=run, label=label: run.epoch(prepared[label]), 1, warmup=0)
    return {label: summary(seconds) for label, seconds in times.items()}


def big_peak_memory(framework):
    """Peak memory of one big-MLP epoch, run in this (fresh) process: ``python -m bench.mlp FRAMEWORK``."""
    from bench.measure import peak_rss_delta, tracemalloc_peak

    X, y = big_data()
    order = epoch_orders(len(X), 128, 1)[0]
    run = {"nnkit": lambda: NnkitRun(BIG_SIZES, np.float32, X, y),
           "torch": lambda: TorchRun(BIG_SIZES, np.float32, X, y)}[framework]()
    batch_starts = order[:1]  # a first step outside the measurement allocates what lives for the whole run
    run.epoch(run.batches(batch_starts))
    batches = run.batches(order)
    result = {"rss_peak_bytes": peak_rss_delta(lambda: run.epoch(batches))}
    if framework == "nnkit":
        result["tracemalloc_peak_bytes"] = tracemalloc_peak(lambda: run.epoch(batches))
    return result


if __name__ == "__main__":
    import json
    import sys

    from bench.measure import threads

    with threads(1):
        print(json.dumps(big_peak_memory(sys.argv[1])))
