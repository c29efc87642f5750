"""The training loop the course teaches, packaged for reuse once it has been written out by hand.

Every chapter first writes the five lines of a training step explicitly
(forward, loss, zero_grad, backward, step); ``train_epoch`` is exactly those
lines in a loop over mini-batches, and ``fit`` repeats epochs and keeps the
loss history.

Layers such as dropout and batch norm behave differently in training and in evaluation, so ``train_epoch``
switches the model to ``model.train()``, and ``evaluate`` and ``accuracy`` measure it in ``model.eval()``,
then put it back in the mode it was in (a batch-norm layer would otherwise learn running statistics from the
validation data, and dropout would make every measurement random).
"""

from contextlib import contextmanager

import numpy as np

from nnkit.errors import expect_positive_int


def train_epoch(model, loss_fn, optimizer, batches):
    """One pass over ``batches`` (an iterable of (inputs, targets)); returns the mean training loss."""
    total_loss, total_samples = 0.0, 0
    model.train()
    for inputs, targets in batches:
        prediction = model(inputs)              # forward
        loss = loss_fn(prediction, targets)     # how wrong, as one number
        optimizer.zero_grad()                   # backward() adds, so clear last step's gradients
        model.backward(loss_fn.backward())      # fill every Parameter.grad
        optimizer.step()                        # move each parameter against its gradient
        total_loss += loss * len(inputs)
        total_samples += len(inputs)
    return total_loss / total_samples


def evaluate(model, loss_fn, inputs, targets):
    """The loss on data the model does not learn from (no backward, no step), measured in evaluation mode."""
    with evaluation_mode(model):
        return loss_fn(model(inputs), targets)


@contextmanager
def evaluation_mode(model):
    """``model.eval()`` inside the block, and back to the mode it was in afterwards."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def predict_classes(scores):
    """Class labels from a model's output: argmax of (N, C) scores, or probability > 0.5 for one column."""
    scores = np.asarray(scores)
    if scores.ndim == 2 and scores.shape[1] > 1:
        return scores.argmax(axis=1)
    return (scores.reshape(len(scores)) > 0.5).astype(int)


def accuracy(model, inputs, labels):
    """Fraction of samples whose predicted class equals the label, in evaluation mode; ``labels`` are (N,) indices."""
    labels = np.asarray(labels).reshape(len(labels))
    with evaluation_mode(model):
        return float(np.mean(predict_classes(model(inputs)) == labels))


def fit(model, loss_fn, optimizer, batches, epochs, validation=None, patience=None, callback=None):
    """Train for up to ``epochs`` epochs; returns the history {"train": [...], "validation": [...]}.

    ``validation`` is an (inputs, targets) pair evaluated after every epoch.
    With ``patience``, training stops once the validation loss has not improved
    for that many epochs and the best weights are restored (early stopping).
    ``callback(epoch, history)`` runs after each epoch, e.g. to update a progress bar.
    """
    epochs = expect_positive_int("fit", "epochs", epochs)
    if patience is not None and validation is None:
        raise ValueError("fit: early stopping (patience) needs validation data to watch")
    history = {"train": []} if validation is None else {"train": [], "validation": []}
    best_loss, best_state, epochs_without_improvement = np.inf, None, 0
    for epoch in range(epochs):
        history["train"].append(train_epoch(model, loss_fn, optimizer, batches))
        if validation is not None:
            validation_loss = evaluate(model, loss_fn, *validation)
            history["validation"].append(validation_loss)
            if validation_loss < best_loss:
                best_loss, best_state, epochs_without_improvement = validation_loss, model.state_dict(), 0
            else:
                epochs_without_improvement += 1
        if callback is not None:
            callback(epoch, history)
        if patience is not None and epochs_without_improvement >= patience:
            break
    if patience is not None and best_state is not None:
        model.load_state_dict(best_state)
    return history
