"""Reference (PyTorch) for pytorch/tutorials beginner_source/examples_nn/polynomial_nn.py (BSD-3-Clause).

Re-expressed, not copied: the same steps and the same torch calls as the tutorial (a cubic fitted to sin(x)
with nn.Linear(3, 1) + nn.Flatten(0, 1), MSELoss(reduction='sum'), a hand-written update under no_grad),
without its prose, cut into build()/run() so bench/ports/run.py can start both versions from one set of weights.
"""
import math

import torch


def build():
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 1),
        torch.nn.Flatten(0, 1)
    )
    return model


def run(model, steps=2000):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    loss_fn = torch.nn.MSELoss(reduction='sum')
    learning_rate = 1e-6
    losses = []
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
          f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
    return {"losses": losses, "prediction": model(xx).detach()}


if __name__ == "__main__":
    run(build())
