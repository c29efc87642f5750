"""nnkit port of pytorch/tutorials beginner_source/basics/optimization_tutorial.py (BSD-3-Clause).

The reference is bench/ports/original/optimization_tutorial.py; this file changes it as little as nnkit allows (counted
by bench/ports/run.py, which also runs both from the same initial weights and compares the results).
"""
import nnkit
from nnkit import nn
from nnkit.data import DataLoader, TensorDataset

from nnkit.datasets import load_digits

images, labels = load_digits(as_images=True)
training_data = TensorDataset(nnkit.tensor(images[:1500] / 16), nnkit.tensor(labels[:1500]))
test_data = TensorDataset(nnkit.tensor(images[1500:] / 16), nnkit.tensor(labels[1500:]))

learning_rate = 1e-3
batch_size = 64
epochs = 5

train_dataloader = DataLoader(training_data, batch_size=64)
test_dataloader = DataLoader(test_data, batch_size=64)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8*8, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def train_loop(dataloader, model, loss_fn, optimizer, losses):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if batch % 100 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with nnkit.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.numpy().argmax(1) == y.numpy()).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return test_loss, correct


def build():
    return NeuralNetwork()


def run(model, epochs=epochs):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = nnkit.optim.SGD(model.parameters(), lr=learning_rate)
    losses, tests = [], []
    for t in range(epochs):
        print(f"Epoch {t+1}\n-------------------------------")
        train_loop(train_dataloader, model, loss_fn, optimizer, losses)
        tests.extend(test_loop(test_dataloader, model, loss_fn))
    print("Done!")
    return {"losses": losses, "test_loss_and_accuracy": tests}


if __name__ == "__main__":
    run(build())
