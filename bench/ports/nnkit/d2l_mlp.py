"""nnkit port of d2l-ai/d2l-en chapter_multilayer-perceptrons/mlp-implementation.md (MIT-0 code).

The reference is bench/ports/original/d2l_mlp.py; this file changes it as little as nnkit allows (counted
by bench/ports/run.py, which also runs both from the same initial weights and compares the results).
"""
import numpy as np

import nnkit
from nnkit import nn
from nnkit.nn import functional as F

from nnkit.datasets import load_digits

images, labels = load_digits(as_images=True)
X_train, y_train = nnkit.tensor(images[:1500] / 16), nnkit.tensor(labels[:1500])


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs, self.lr = num_inputs, lr
        self.W1 = nn.Parameter(np.random.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(np.zeros(num_hiddens))
        self.W2 = nn.Parameter(np.random.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(np.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = relu(X @ self.W1 + self.b1)
        return H @ self.W2 + self.b2


def relu(X):
    return X * (X > 0)


class MLP(nn.Module):
    def __init__(self, num_outputs, num_hiddens, lr):
        super().__init__()
        self.lr = lr
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, num_hiddens),
                                 nn.ReLU(), nn.Linear(num_hiddens, num_outputs))

    def forward(self, X):
        return self.net(X)


def fit(model, max_epochs, batch_size=256):
    optimizer = nnkit.optim.SGD(model.parameters(), lr=model.lr)
    losses = []
    for epoch in range(max_epochs):
        for start in range(0, len(X_train), batch_size):
            X, y = X_train[start:start + batch_size], y_train[start:start + batch_size]
            loss = F.cross_entropy(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def build():
    return (MLPScratch(num_inputs=64, num_outputs=10, num_hiddens=256, lr=0.1),
            MLP(num_outputs=10, num_hiddens=256, lr=0.1))


def run(models, max_epochs=10):
    scratch, concise = models
    return {"scratch_losses": fit(scratch, max_epochs), "concise_losses": fit(concise, max_epochs)}


if __name__ == "__main__":
    run(build())
