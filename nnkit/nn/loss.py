r"""Loss functions: how far the predictions are from the targets, as one number.

By default every loss takes the mean over all entries (PyTorch's ``reduction='mean'``; ``'sum'`` and ``'none'``
work too):
``loss_fn(pred, target)`` returns a float and remembers what it needs, and
``loss_fn.backward()`` returns :math:`\partial L / \partial \mathrm{pred}` of
that call, an array shaped like ``pred`` — the start of backpropagation.

Unlike PyTorch, ``pred`` and ``target`` must have identical shapes: (N,) against
(N, 1) would broadcast to an (N, N) table of errors and train on nonsense.
"""

import numpy as np

from nnkit import autograd
from nnkit.errors import ShapeError, as_array, expect_finite, expect_nonnegative_number, expect_same_shape
from nnkit.nn.activation import log_softmax, softmax


class Loss:
    """Base class: ``__call__`` validates and runs ``forward``; ``backward()`` returns dL/dpred.

    ``reduction`` is PyTorch's: ``'mean'`` (the default) averages the per-entry losses (per sample for
    CrossEntropyLoss), ``'sum'`` adds them up, ``'none'`` returns them all, shaped like ``pred`` (``(N,)`` for
    CrossEntropyLoss). Subclasses state the mean (``forward``), its gradient (``gradient``) and the per-entry
    losses (``elementwise``); sum and none follow from those, because the mean is the sum over ``count`` entries.
    """

    reduction = "mean"  # a class default, so subclasses need not call Loss.__init__

    def __init__(self, reduction="mean"):
        self.reduction = expect_reduction(self, reduction)

    def __call__(self, pred, target):
        """The loss as a float (arrays in) or as a Tensor with a graph node (a Tensor in).

        On a Tensor, the node's backward is this loss's own ``gradient`` with the arrays of this call, so
        ``loss.backward()`` works however many losses were computed in between.
        """
        if isinstance(target, autograd.Tensor) and target.requires_grad:
            raise ValueError(f"{self}: nnkit's losses differentiate w.r.t. the input (predictions) only; pass "
                             "target.detach(), or write the loss with Tensor arithmetic: ((pred - target)**2).mean()")
        pred_tensor = pred if isinstance(pred, autograd.Tensor) else None
        pred, target = self._checked(getattr(pred, "data", pred), getattr(target, "data", target))
        value = self.forward(pred, target) if self.reduction != "none" else self.elementwise(pred, target)
        if self.reduction == "sum":
            value = value * self.count(pred)
        self._saved = (pred, target)
        self._tick = autograd.next_tick()
        if pred_tensor is not None:
            saved = (pred, target)
            return autograd.Tensor.from_operation(
                np.asarray(value, dtype=pred.dtype), (pred_tensor,),
                lambda grad_output: (self.reduced_gradient(*saved, grad_output),), type(self).__name__)
        return LossValue(value) if self.reduction != "none" else value

    def _checked(self, pred, target):
        who = self
        pred = as_array(who, "input (predictions)", pred)
        if not np.issubdtype(pred.dtype, np.floating):
            pred = pred.astype(np.float64)
        expect_finite(who, "input (predictions)", pred)
        return pred, self.check_target(pred, as_array(who, "target", target))

    def check_target(self, pred, target):
        expect_same_shape(self, "input (predictions)", pred, "target", target)
        expect_finite(self, "target", target)
        return target.astype(pred.dtype)

    def forward(self, pred, target):
        """The mean loss."""
        raise NotImplementedError

    def gradient(self, pred, target):
        """d(mean loss)/dpred."""
        raise NotImplementedError

    def elementwise(self, pred, target):
        """The per-entry losses whose mean ``forward`` is."""
        raise NotImplementedError

    def count(self, pred):
        """How many entries the mean divides by: every entry of pred."""
        return pred.size

    def reduced_gradient(self, pred, target, grad_output=1.0):
        r"""dL/dpred for this ``reduction``, times the upstream gradient ``grad_output``.

        ``'sum'``: ``count`` times the mean's gradient. ``'none'``: entry i's loss depends on entry i of pred only
        (row i for CrossEntropyLoss), so dL/dpred is ``count`` times the mean's gradient, times entry i of
        ``grad_output`` (dL/d(loss_i)).
        """
        gradient = self.gradient(pred, target)
        if self.reduction == "mean":
            return gradient * grad_output if np.ndim(grad_output) == 0 and grad_output != 1.0 else gradient
        gradient = gradient * self.count(pred)
        if self.reduction == "sum":
            return gradient * grad_output
        grad_output = np.asarray(grad_output)
        return gradient * grad_output.reshape(grad_output.shape + (1,) * (pred.ndim - grad_output.ndim))

    def backward(self, grad_output=None):
        """dL/dpred of the *last* call (arrays in). For the loss of an earlier call, run on Tensors and call
        ``loss.backward()`` on the loss you mean: each Tensor loss keeps its own values.

        With ``reduction='none'`` pass ``grad_output``, dL/d(each loss), shaped like the losses.
        """
        saved = getattr(self, "_saved", None)
        if saved is None:
            raise RuntimeError(f"{self!r}: backward() was called before the loss was computed")
        if grad_output is None:
            if self.reduction == "none":
                raise ValueError(f"{self!r}: with reduction='none' the loss is an array; pass backward(grad_output) "
                                 "with dL/d(each loss), e.g. np.ones(...) / n for their mean")
            gradient = self.gradient(*saved) if self.reduction == "mean" else self.reduced_gradient(*saved)
        else:
            gradient = self.reduced_gradient(*saved, grad_output)
        return autograd.tag_loss_gradient(gradient, self._tick)

    def __repr__(self):
        extra = self.extra_repr()
        if self.reduction != "mean":
            extra = ", ".join(filter(None, [extra, f"reduction={self.reduction!r}"]))
        return f"{type(self).__name__}({extra})"

    def extra_repr(self):
        return ""


class LossValue(float):
    """The float a loss returns on plain arrays; ``.item()`` works, and ``.backward()`` says what to do instead."""

    def item(self):
        return float(self)

    def backward(self):
        raise RuntimeError(
            "this loss was computed from plain arrays, so no graph was recorded: run the model on nnkit.tensor(x) "
            "(or on the batches of a DataLoader over a TensorDataset) for loss.backward(), or use the explicit path "
            "model.backward(loss_fn.backward())"
        )


def expect_reduction(who, reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{who}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


class MSELoss(Loss):
    r"""Mean squared error :math:`L = \frac{1}{n}\sum_i (\hat y_i - y_i)^2`,
    with gradient :math:`\partial L/\partial \hat y_i = \frac{2}{n}(\hat y_i - y_i)`.

    n counts every entry of ``pred``. Squaring makes large errors (outliers) dominate.
    """

    def forward(self, pred, target):
        return np.mean((pred - target) ** 2)

    def elementwise(self, pred, target):
        return (pred - target) ** 2

    def gradient(self, pred, target):
        return 2 * (pred - target) / pred.size


class L1Loss(Loss):
    r"""Mean absolute error :math:`L = \frac{1}{n}\sum_i |\hat y_i - y_i|`,
    with gradient :math:`\mathrm{sign}(\hat y_i - y_i)/n`.

    The gradient has the same size for every error, so outliers pull no harder
    than other points; at exactly zero error it is taken as 0 (as PyTorch does).
    """

    def forward(self, pred, target):
        return np.mean(np.abs(pred - target))

    def elementwise(self, pred, target):
        return np.abs(pred - target)

    def gradient(self, pred, target):
        return np.sign(pred - target) / pred.size


class SmoothL1Loss(Loss):
    r"""Quadratic near zero, linear far away (``beta`` is where it switches):

    .. math::  \ell(d) = \begin{cases} 0.5\, d^2/\beta & |d| < \beta \\ |d| - 0.5\,\beta & \text{otherwise}\end{cases}
               \qquad \ell'(d) = \begin{cases} d/\beta & |d| < \beta \\ \mathrm{sign}(d) & \text{otherwise}\end{cases}

    with :math:`d = \hat y - y`, averaged over all entries. ``beta=0`` is the L1 loss.
    """

    def __init__(self, beta=1.0, reduction="mean"):
        super().__init__(reduction)
        self.beta = expect_nonnegative_number("SmoothL1Loss", "beta", beta)

    def forward(self, pred, target):
        return np.mean(self.elementwise(pred, target))

    def elementwise(self, pred, target):
        d = np.abs(pred - target)
        if self.beta == 0:
            return d
        return np.where(d < self.beta, 0.5 * d**2 / self.beta, d - 0.5 * self.beta)

    def gradient(self, pred, target):
        d = pred - target
        if self.beta == 0:
            return np.sign(d) / pred.size
        return np.where(np.abs(d) < self.beta, d / self.beta, np.sign(d)) / pred.size

    def extra_repr(self):
        return f"beta={self.beta}"


class BCELoss(Loss):
    r"""Binary cross-entropy on probabilities :math:`p` (the output of a Sigmoid) and targets :math:`y \in [0, 1]`:

    .. math::  L = -\frac{1}{n}\sum_i \big[y_i \ln p_i + (1-y_i)\ln(1-p_i)\big], \qquad
               \frac{\partial L}{\partial p_i} = \frac{1}{n}\,\frac{p_i - y_i}{p_i(1-p_i)}

    As in PyTorch, each log is clamped at -100 and the gradient's denominator at
    1e-12, so a saturated sigmoid (p exactly 0 or 1) gives a large but finite loss.
    """

    def check_target(self, pred, target):
        who = self
        if pred.size and (pred.min() < 0 or pred.max() > 1):
            raise ValueError(
                f"{who}: input must be probabilities in [0, 1], got values from {pred.min():.4g} to {pred.max():.4g}; "
                "apply a Sigmoid first, or use CrossEntropyLoss on raw scores"
            )
        target = super().check_target(pred, target)
        if target.size and (target.min() < 0 or target.max() > 1):
            low, high = target.min(), target.max()
            raise ValueError(f"{who}: target must be in [0, 1], got values from {low:.4g} to {high:.4g}")
        return target

    def forward(self, pred, target):
        return np.mean(self.elementwise(pred, target))

    def elementwise(self, pred, target):
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped on the next line
            log_p = np.maximum(np.log(pred), -100)
            log_1mp = np.maximum(np.log1p(-pred), -100)
        return -(target * log_p + (1 - target) * log_1mp)

    def gradient(self, pred, target):
        return (pred - target) / np.maximum(pred * (1 - pred), 1e-12) / pred.size


class CrossEntropyLoss(Loss):
    r"""Softmax followed by cross-entropy, on raw scores (logits) ``pred`` of shape (N, C).

    ``target`` is either (N,) class indices in [0, C) or (N, C) rows of
    probabilities (one-hot for hard labels; indices are used as such, which
    is the same sum without building the one-hot rows). With :math:`p = \mathrm{softmax}(z)`
    and :math:`t` the target row:

    .. math::  L = -\frac{1}{N}\sum_n \sum_c t_{nc} \ln p_{nc}, \qquad
               \frac{\partial L}{\partial z_{nc}} = \frac{1}{N}\,(p_{nc} - t_{nc})

    That gradient is why softmax and cross-entropy are fused: it is simple and
    exact, while ``log(softmax(z))`` computed separately underflows to
    :math:`\log 0` for confident wrong answers. Here :math:`\ln p` is
    computed as ``log_softmax``, finite for any finite score.
    """

    def check_target(self, pred, target):
        who = self
        if pred.ndim != 2:
            raise ShapeError(f"{who}: input must be scores of shape (N, C), got {pred.shape}")
        n, num_classes = pred.shape
        if target.shape == (n,):
            if not np.issubdtype(target.dtype, np.integer):
                if not np.all(np.mod(target, 1) == 0):
                    raise ValueError(f"{who}: a (N,) target holds class indices, so it must be integers")
                target = target.astype(np.int64)
            if n and (target.min() < 0 or target.max() >= num_classes):
                raise ValueError(
                    f"{who}: class indices must be in [0, {num_classes - 1}] for {num_classes} classes, "
                    f"got values from {target.min()} to {target.max()}"
                )
            return target  # class indices stay indices: the one-hot rows are never built
        if target.shape != pred.shape:
            raise ShapeError(
                f"{who}: target must be class indices of shape ({n},) or probabilities of shape {pred.shape}, "
                f"got {target.shape}"
            )
        return super().check_target(pred, target)

    def forward(self, pred, target):
        log_probs = log_softmax(pred, dim=1)
        self._log_probs = (pred, log_probs)  # for gradient(): p = exp(ln p), without a second softmax
        if target.ndim == 1:  # one-hot t: the sum over c keeps only ln p of the labelled class
            return -log_probs[np.arange(len(target)), target].sum() / pred.shape[0]
        return -np.sum(target * log_probs) / pred.shape[0]

    def elementwise(self, pred, target):
        """One loss per sample (N,): :math:`-\\sum_c t_{nc} \\ln p_{nc}`."""
        log_probs = log_softmax(pred, dim=1)
        if target.ndim == 1:
            return -log_probs[np.arange(len(target)), target]
        return -np.sum(target * log_probs, axis=1)

    def count(self, pred):
        """The mean is over the N samples."""
        return pred.shape[0]

    def gradient(self, pred, target):
        scores, log_probs = getattr(self, "_log_probs", (None, None))
        probs = np.exp(log_probs) if scores is pred else softmax(pred, dim=1)
        if target.ndim == 1:  # p - t with one-hot t: subtract 1 at each row's label
            probs[np.arange(len(target)), target] -= 1
            return probs / pred.shape[0]
        # p * sum_c t_c - t, which is p - t when each target row sums to 1
        return (probs * target.sum(axis=1, keepdims=True) - target) / pred.shape[0]
