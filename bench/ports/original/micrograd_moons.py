"""Reference (PyTorch) for karpathy/micrograd demo.ipynb, the moons demo (MIT licence).

Re-expressed, not copied, and in PyTorch rather than micrograd's scalar Value engine: the demo's MLP(2, [16, 16,
1]) (ReLU hidden layers, linear output), labels mapped to -1/+1, the max-margin loss relu(1 - y * score)
averaged over the batch plus 1e-4 * sum of squared parameters, accuracy from the sign of the score, and plain
gradient descent with the learning rate decaying from 1.0 by 0.9 * k / 100, updated by hand under no_grad.
Substitution: scikit-learn's make_moons(n_samples=100, noise=0.1) becomes nnkit.datasets.moons (the same
construction, shipped with nnkit); the same in both versions.
"""
import torch
from torch import nn

from nnkit.datasets import moons

X, y = moons(n_samples=100, noise=0.1, seed=1337)
y = y * 2 - 1
X, y = torch.tensor(X), torch.tensor(y)


def build():
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    return model


def loss(model):
    scores = model(X).squeeze(1)
    losses = (1 + -y * scores).relu()
    data_loss = losses.sum() * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = ((y > 0) == (scores > 0)).float().mean()
    return total_loss, accuracy.item()


def run(model, steps=100):
    history = []
    for k in range(steps):
        total_loss, acc = loss(model)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        with torch.no_grad():
            for p in model.parameters():
                p -= learning_rate * p.grad
        history.append(total_loss.item())
        if k % 10 == 0:
            print(f"step {k} loss {total_loss.item()}, accuracy {acc*100}%")
    return {"losses": history, "scores": model(X).detach()}


if __name__ == "__main__":
    run(build())
