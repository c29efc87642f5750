"""nnkit port of karpathy/micrograd demo.ipynb, the moons demo (MIT licence).

The reference is bench/ports/original/micrograd_moons.py; this file changes it as little as nnkit allows (counted
by bench/ports/run.py, which also runs both from the same initial weights and compares the results).
"""
import nnkit
from nnkit import nn

from nnkit.datasets import moons

X, y = moons(n_samples=100, noise=0.1, seed=1337)
y = y * 2 - 1
X, y = nnkit.tensor(X), nnkit.tensor(y)


def build():
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    return model


def loss(model):
    scores = model(X).reshape(-1)
    losses = (1 + -y * scores).relu()
    data_loss = losses.sum() * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = ((y > 0).numpy() == (scores > 0).numpy()).mean()
    return total_loss, accuracy.item()


def run(model, steps=100):
    history = []
    for k in range(steps):
        total_loss, acc = loss(model)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        with nnkit.no_grad():
            for p in model.parameters():
                p -= learning_rate * p.grad
        history.append(total_loss.item())
        if k % 10 == 0:
            print(f"step {k} loss {total_loss.item()}, accuracy {acc*100}%")
    return {"losses": history, "scores": model(X).detach()}


if __name__ == "__main__":
    run(build())
