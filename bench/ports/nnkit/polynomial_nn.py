"""nnkit port of pytorch/tutorials beginner_source/examples_nn/polynomial_nn.py (BSD-3-Clause).

The reference is bench/ports/original/polynomial_nn.py; this file changes it as little as nnkit allows (counted
by bench/ports/run.py, which also runs both from the same initial weights and compares the results).
"""
import math

import numpy as np

import nnkit


def build():
    model = nnkit.nn.Sequential(
        nnkit.nn.Linear(3, 1),
        nnkit.nn.Flatten(0, 1)
    )
    return model


def run(model, steps=2000):
    x = np.linspace(-math.pi, math.pi, 2000)
    y = nnkit.tensor(np.sin(x))
    p = np.array([1, 2, 3])
    xx = nnkit.tensor(x[:, None] ** p)
    loss_fn = nnkit.nn.MSELoss(reduction='sum')
    learning_rate = 1e-6
    losses = []
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with nnkit.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
          f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
    return {"losses": losses, "prediction": model(xx).detach()}


if __name__ == "__main__":
    run(build())
