"""Reference (PyTorch) for pytorch/tutorials beginner_source/nn_tutorial.py, "What is torch.nn really?" (BSD-3).

Re-expressed, not copied: the tutorial's refactoring steps, each kept as one function: logistic regression from
scratch (raw tensors with requires_grad, hand-written log_softmax and nll, update under no_grad, grad.zero_());
F.cross_entropy; an nn.Module with nn.Parameter; nn.Linear; optim.SGD; TensorDataset slicing; DataLoader;
validation with model.train()/model.eval() and no_grad; loss_batch/fit/get_data. Not covered: the CNN steps
(Conv2d, Lambda, avg_pool2d, AdaptiveAvgPool2d, GPU).
Substitutions: MNIST (a download) becomes the course's 8x8 digits (nnkit.datasets.load_digits): 64 features, not
784; first 1,500 images train, the rest validate. The training DataLoader does not shuffle (the tutorial's
validation step does), so both versions see the same batches. The same in both versions.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from nnkit.datasets import load_digits

x_all, y_all = load_digits()
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_all[:1500] / 16, y_all[:1500], x_all[1500:] / 16,
                                                        y_all[1500:]))
n, c = x_train.shape
bs = 64
lr = 0.5
epochs = 2


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


def from_scratch(weights, bias):
    def model(xb):
        return log_softmax(xb @ weights + bias)
    loss_func = nll
    losses = []
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
            losses.append(loss.item())
    return losses, accuracy(model(xb), yb).item()


def with_functional(weights, bias):
    loss_func = F.cross_entropy

    def model(xb):
        return xb @ weights + bias
    return [loss_func(model(x_valid), y_valid).item(), accuracy(model(x_valid), y_valid).item()]


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(64, 10) / math.sqrt(64))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


class Mnist_Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(64, 10)

    def forward(self, xb):
        return self.lin(xb)


def fit_by_hand(model):
    loss_func = F.cross_entropy
    losses = []
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()
            losses.append(loss.item())
    return losses


def fit_with_optim(model):
    loss_func = F.cross_entropy
    opt = optim.SGD(model.parameters(), lr=lr)
    train_ds = TensorDataset(x_train, y_train)
    losses = []
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            xb, yb = train_ds[i * bs: i * bs + bs]
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
    return losses


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs),
        DataLoader(valid_ds, batch_size=bs * 2),
    )


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    history = []
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, val_loss)
        history.append(val_loss)
    return history


def build():
    weights = torch.randn(64, 10) / math.sqrt(64)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)
    return [weights, bias], Mnist_Logistic(), Mnist_Linear(), Mnist_Linear(), Mnist_Linear()


def run(models):
    (weights, bias), logistic, linear, linear_optim, linear_fit = models
    results = dict(zip(("from_scratch", "accuracy"), from_scratch(weights, bias)))
    results.update(zip(("functional_loss", "functional_accuracy"), with_functional(weights, bias)))
    results.update({"module": fit_by_hand(logistic), "linear": fit_by_hand(linear),
               "optim": fit_with_optim(linear_optim)})
    train_dl, valid_dl = get_data(TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid), bs)
    opt = optim.SGD(linear_fit.parameters(), lr=lr)
    results["fit"] = fit(epochs, linear_fit, F.cross_entropy, opt, train_dl, valid_dl)
    return results


if __name__ == "__main__":
    run(build())
