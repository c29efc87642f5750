"""Reference (PyTorch) for pytorch/tutorials beginner_source/basics/buildmodel_tutorial.py (BSD-3-Clause).

Re-expressed, not copied: the tutorial's NeuralNetwork (Flatten, then Linear/ReLU stack on 28x28 inputs), moved
to the device, called on random images, Softmax(dim=1) and argmax, then each layer alone (Flatten, Linear,
ReLU, Sequential, Softmax) and named_parameters(). No dataset is needed (the tutorial only feeds torch.rand).
build()/run() let bench/ports/run.py start both versions from one set of weights; `images` is the input the
harness hands both versions (the tutorial draws it with torch.rand).
"""
import torch
from torch import nn


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
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    model = NeuralNetwork().to(device)
    print(model)
    return model


def run(model, images=None):
    X = torch.rand(3, 28, 28) if images is None else torch.tensor(images)
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    print(f"Predicted class: {y_pred}")
    flatten = nn.Flatten()
    flat_image = flatten(X)
    print(flat_image.size())
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
        sizes.append(tuple(param.size()))
        print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
    return {"probabilities": pred_probab.detach(), "hidden": seq_modules(X).detach(), "relu": hidden1.detach(),
            "sizes": sizes, "flat_shape": tuple(flat_image.shape)}


if __name__ == "__main__":
    run(build())
