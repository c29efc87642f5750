"""Rosenblatt's perceptron and its learning rule."""

import numpy as np

from nnkit.errors import as_array, expect_nonnegative_number, expect_positive_int, expect_shape


class Perceptron:
    r"""A single neuron with a step activation, trained by Rosenblatt's rule.

    Prediction: :math:`\hat y = 1` if :math:`\mathbf w \cdot \mathbf x + b > 0` else 0.

    Learning rule, applied to one sample at a time:

    .. math::  \mathbf w \leftarrow \mathbf w + \eta\,(y - \hat y)\,\mathbf x, \qquad
               b \leftarrow b + \eta\,(y - \hat y)

    A correctly classified sample (:math:`y = \hat y`) changes nothing. If the
    classes can be split by a straight line (a hyperplane), the rule finds
    one after finitely many mistakes (the perceptron convergence theorem);
    on XOR it never stops making them.

    ``weights`` (n_inputs,) and ``bias`` start at zero, so training is fully
    determined by the data order.
    """

    def __init__(self, n_inputs, lr=1.0):
        self.n_inputs = expect_positive_int("Perceptron", "n_inputs", n_inputs)
        self.lr = expect_nonnegative_number("Perceptron", "lr", lr)
        self.weights = np.zeros(self.n_inputs)
        self.bias = 0.0
        self.history = [(self.weights.copy(), self.bias)]

    def weighted_sum(self, X):
        """:math:`z = X\\mathbf w + b` for a batch X of shape (N, n_inputs) -> (N,)."""
        X = expect_shape(self, "X", as_array(self, "X", X, dtype=float), (None, self.n_inputs))
        return X @ self.weights + self.bias

    def predict(self, X):
        """1 where :math:`\\mathbf w\\cdot\\mathbf x + b > 0`, else 0; X (N, n_inputs) -> (N,) ints."""
        return (self.weighted_sum(X) > 0).astype(int)

    def fit(self, X, y, epochs=100):
        """Apply the rule to each sample in the given order, for up to ``epochs`` passes.

        Returns the number of misclassified samples in each epoch; stops after
        the first epoch with none. ``history`` records (weights, bias) after every update.
        """
        who = self
        X = expect_shape(who, "X", as_array(who, "X", X, dtype=float), (None, self.n_inputs))
        y = expect_shape(who, "y", as_array(who, "y", y), (X.shape[0],))
        if not np.isin(y, (0, 1)).all():
            raise ValueError(f"{who}: labels y must be 0 or 1, got {sorted(set(np.unique(y).tolist()))}")
        epochs = expect_positive_int(who, "epochs", epochs)
        mistakes_per_epoch = []
        for _ in range(epochs):
            mistakes = 0
            # one sample at a time, on purpose: each update changes the next prediction
            for x_i, y_i in zip(X, y):
                error = y_i - int(x_i @ self.weights + self.bias > 0)
                if error != 0:
                    self.weights = self.weights + self.lr * error * x_i
                    self.bias = float(self.bias + self.lr * error)
                    self.history.append((self.weights.copy(), self.bias))
                    mistakes += 1
            mistakes_per_epoch.append(mistakes)
            if mistakes == 0:
                break
        return mistakes_per_epoch

    def __repr__(self):
        return f"Perceptron(n_inputs={self.n_inputs}, lr={self.lr})"
