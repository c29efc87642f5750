"""What the training playground trains: a small classifier on a 2-D toy set, one mini-batch per step.

Plain Python (no widgets), so tests drive it directly; the Playground widget is a view on it.
"""

import itertools

import numpy as np

from nnkit import nn
from nnkit.data import DataLoader, train_test_split
from nnkit.datasets import blobs, circles, logic_gate, moons, spirals
from nnkit.training import accuracy
from nnkit.widgets.optimizers import make_optimizer


def xor_clusters(n_samples=200, noise=0.3, seed=0):
    """The XOR gate as a cloud: each sample is a truth-table row mapped to (±1, ±1) plus Gaussian noise; (X, y)."""
    gate_inputs, gate_outputs = logic_gate("XOR")
    rows = np.random.default_rng(seed).integers(0, 4, n_samples)
    jitter = noise * np.random.default_rng(seed + 1).normal(size=(n_samples, 2))
    return 2 * gate_inputs[rows] - 1 + jitter, gate_outputs[rows]


DATASETS = {
    "moons": lambda seed: moons(200, noise=0.15, seed=seed),
    "circles": lambda seed: circles(200, noise=0.08, factor=0.5, seed=seed),
    "blobs": lambda seed: blobs(200, centers=2, std=1.0, seed=seed),
    "spirals": lambda seed: spirals(200, n_classes=2, noise=0.2, seed=seed),
    "XOR": lambda seed: xor_clusters(200, noise=0.3, seed=seed),
}
ACTIVATIONS = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid, "LeakyReLU": nn.LeakyReLU, "ELU": nn.ELU,
               "Identity": nn.Identity}


def parse_hidden(hidden):
    """Hidden layer widths from "8,8" (or a list): [8, 8]; "" means no hidden layer (logistic regression)."""
    if isinstance(hidden, str):
        parts = [part.strip() for part in hidden.split(",") if part.strip()]
        if not all(part.isdigit() and int(part) > 0 for part in parts):
            raise ValueError(f"hidden layers must be positive integers separated by commas, e.g. '8,8'; got {hidden!r}")
        return [int(part) for part in parts]
    widths = [int(width) for width in hidden]
    if any(width <= 0 for width in widths):
        raise ValueError(f"hidden layer widths must be positive, got {hidden!r}")
    return widths


class PlaygroundModel:
    """A classifier ``Linear(2, h1) -> act -> ... -> Linear(hk, C)`` trained with cross-entropy on a toy set.

    ``step(n)`` takes n optimizer steps, each on the next mini-batch of the
    training split (reshuffled every epoch), and records the loss on the whole
    training and test splits after it in ``history`` (entry 0 is before training).
    ``reset()`` restores the initial weights, so the initial loss comes back exactly.
    Architecture settings (dataset, hidden, activation, seed) rebuild the model;
    training settings (lr, batch_size, optimizer, weight_decay) keep the weights.
    """

    ARCHITECTURE = ("dataset", "hidden", "activation", "seed")

    def __init__(self, dataset="moons", hidden="8,8", activation="Tanh", lr=0.1, batch_size=16, optimizer="SGD",
                 weight_decay=0.0, seed=0):
        self.settings = {"dataset": dataset, "hidden": hidden, "activation": activation, "lr": lr,
                         "batch_size": batch_size, "optimizer": optimizer, "weight_decay": weight_decay, "seed": seed}
        self.build()

    def build(self):
        """Make the data splits and a freshly initialized network from ``settings`` (seeded, global RNG untouched)."""
        s = self.settings
        if s["dataset"] not in DATASETS:
            raise ValueError(f"unknown dataset {s['dataset']!r}; choose from {list(DATASETS)}")
        if s["activation"] not in ACTIVATIONS:
            raise ValueError(f"unknown activation {s['activation']!r}; choose from {list(ACTIVATIONS)}")
        X, y = DATASETS[s["dataset"]](s["seed"])
        self.X_train, self.X_test, self.y_train, self.y_test = train_test_split(X, y, test_size=0.3, seed=s["seed"])
        widths = [2] + parse_hidden(s["hidden"]) + [int(y.max()) + 1]
        layers = []
        saved_state = np.random.get_state()  # Linear draws from np.random: seed it here without disturbing the caller
        np.random.seed(s["seed"])
        for k, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
            layers.append(nn.Linear(n_in, n_out))
            if k < len(widths) - 2:
                layers.append(ACTIVATIONS[s["activation"]]())
        np.random.set_state(saved_state)
        self.network = nn.Sequential(*layers)
        self.loss_fn = nn.CrossEntropyLoss()
        self.initial_state = self.network.state_dict()
        self.reset()

    def reset(self):
        """Initial weights, a fresh optimizer and data order, and a history holding only the initial losses."""
        self.network.load_state_dict(self.initial_state)
        self._start_training()
        self.steps = 0
        self.last_batch = None
        self.history = {"train": [self.loss("train")], "test": [self.loss("test")]}

    def _start_training(self):
        s = self.settings
        self.optimizer = make_optimizer(s["optimizer"], self.network.parameters(), s["lr"], s["weight_decay"])
        self.loader = DataLoader(self.X_train, self.y_train, batch_size=int(s["batch_size"]), shuffle=True,
                                 seed=s["seed"])
        self._batches = iter(self.loader)

    def update(self, **settings):
        """Change settings: an architecture change rebuilds (new weights), others only restart optimizer and batches."""
        unknown = set(settings) - set(self.settings)
        if unknown:
            raise ValueError(f"PlaygroundModel: unknown settings {sorted(unknown)}; known: {sorted(self.settings)}")
        old = dict(self.settings)
        self.settings.update(settings)
        try:
            if any(self.settings[name] != old[name] for name in self.ARCHITECTURE):
                self.build()
            else:
                self._start_training()
        except ValueError:
            self.settings = old  # keep a working model when a setting is rejected
            raise

    def next_batch(self):
        try:
            return next(self._batches)
        except StopIteration:  # end of an epoch: the loader reshuffles on the next pass
            self._batches = iter(self.loader)
            return next(self._batches)

    def step(self, n_steps=1):
        """Take ``n_steps`` optimizer steps, one mini-batch each; returns ``history``."""
        for _ in range(n_steps):
            inputs, labels = self.last_batch = self.next_batch()
            self.loss_fn(self.network(inputs), labels)  # forward (raises ValueError once outputs overflow)
            self.optimizer.zero_grad()
            self.network.backward(self.loss_fn.backward())  # backward
            self.optimizer.step()  # update
            self.steps += 1
            self.history["train"].append(self.loss("train"))
            self.history["test"].append(self.loss("test"))
        return self.history

    def loss(self, split="train"):
        inputs, labels = (self.X_train, self.y_train) if split == "train" else (self.X_test, self.y_test)
        return self.loss_fn(self.network(inputs), labels)

    def accuracy(self, split="test"):
        inputs, labels = (self.X_train, self.y_train) if split == "train" else (self.X_test, self.y_test)
        return accuracy(self.network, inputs, labels)
