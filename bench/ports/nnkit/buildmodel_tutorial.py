"""nnkit port of pytorch/tutorials beginner_source/basics/buildmodel_tutorial.py (BSD-3-Clause).

The reference is bench/ports/original/buildmodel_tutorial.py; this file changes it as little as nnkit allows (counted
by bench/ports/run.py, which also runs both from the same initial weights and compares the results).
"""
import numpy as np

import nnkit
from nnkit import nn


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28*28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def build():
    model = NeuralNetwork()
    print(model)
    return model


def run(model, images=None):
    X = nnkit.tensor(np.random.rand(3, 28, 28)) if images is None else nnkit.tensor(images)
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.detach().numpy().argmax(1)
    print(f"Predicted class: {y_pred}")
    flatten = nn.Flatten()
    flat_image = flatten(X)
    print(flat_image.shape)
    layer1 = model.linear_relu_stack[0]
    hidden1 = layer1(flat_image)
    hidden1 = nn.ReLU()(hidden1)
    seq_modules = nn.Sequential(
        flatten,
        layer1,
        nn.ReLU(),
    )
    sizes = []
    for name, param in model.named_parameters():
        sizes.append(tuple(param.shape))
        print(f"Layer: {name} | Size: {param.shape} | Values : {param[:2]} \n")
    return {"probabilities": pred_probab.detach(), "hidden": seq_modules(X).detach(), "relu": hidden1.detach(),
            "sizes": sizes, "flat_shape": tuple(flat_image.shape)}


if __name__ == "__main__":
    run(build())
