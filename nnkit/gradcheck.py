r"""Checking a backward pass against finite differences.

A derivative is a limit, :math:`f'(a) = \lim_{h\to 0} (f(a+h) - f(a))/h`.
The *central* difference

.. math::  f'(a) \approx \frac{f(a+h) - f(a-h)}{2h}

has an error of order :math:`h^2` instead of :math:`h`, so with
:math:`h = 10^{-6}` in float64 it agrees with a correct analytic gradient to
about :math:`10^{-9}`. A bug in a backward pass shows up as a relative error
near 1; rounding alone gives :math:`10^{-8}` or less.

The relative error of a whole gradient is the one used in Andrew Ng's course:

.. math::  \frac{\lVert g_a - g_n \rVert}{\lVert g_a \rVert + \lVert g_n \rVert}
           \quad (g_a \text{ analytic}, g_n \text{ numeric})
"""

from dataclasses import dataclass

import numpy as np

from nnkit.nn.loss import Loss
from nnkit.nn.module import Module


@dataclass
class GradientComparison:
    """Analytic vs numeric gradient of one array (the input or one parameter)."""

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    rtol: float
    atol: float

    @property
    def difference(self):
        return np.abs(self.analytic - self.numeric)

    @property
    def max_abs_error(self):
        return float(self.difference.max()) if self.difference.size else 0.0

    @property
    def relative_error(self):
        scale = np.linalg.norm(self.analytic) + np.linalg.norm(self.numeric)
        return float(np.linalg.norm(self.analytic - self.numeric) / scale) if scale > 0 else 0.0

    @property
    def worst_index(self):
        return tuple(int(i) for i in np.unravel_index(np.argmax(self.difference), self.difference.shape))

    @property
    def passed(self):
        return self.relative_error < self.rtol or self.max_abs_error < self.atol


class GradcheckReport:
    """The comparisons for every checked array; ``passed`` if all agree. Prints as a table."""

    def __init__(self, title, comparisons):
        self.title = title
        self.comparisons = comparisons

    @property
    def passed(self):
        return all(c.passed for c in self.comparisons)

    def __bool__(self):
        return self.passed

    def __getitem__(self, name):
        return next(c for c in self.comparisons if c.name == name)

    def __str__(self):
        header = (f"{'gradient of':<18}{'shape':<14}{'max abs err':>12}{'rel err':>11}  {'worst entry':<14}"
                  f"{'analytic':>12}{'numeric':>12}  result")
        lines = [f"gradcheck {self.title}", header]
        for c in self.comparisons:
            if c.analytic.size:
                where = c.worst_index
                analytic, numeric = f"{c.analytic[where]:12.5g}", f"{c.numeric[where]:12.5g}"
            else:
                where, analytic, numeric = "-", f"{'-':>12}", f"{'-':>12}"
            lines.append(
                f"{c.name:<18}{str(c.analytic.shape):<14}{c.max_abs_error:12.2e}{c.relative_error:11.2e}  "
                f"{str(where):<14}{analytic}{numeric}  {'ok' if c.passed else 'FAIL'}"
            )
        lines.append("PASSED" if self.passed else "FAILED: the analytic gradient disagrees with finite differences")
        return "\n".join(lines)

    __repr__ = __str__


def numeric_gradient(f, array, eps=1e-6):
    """Central differences of the scalar ``f()`` w.r.t. every entry of ``array`` (changed in place, then restored)."""
    grad = np.zeros_like(array, dtype=np.float64)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        f_plus = f()
        array[index] = original - eps
        f_minus = f()
        array[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def gradcheck(target, x, *args, grad=None, eps=1e-6, rtol=1e-6, atol=1e-8, seed=0):
    """Compare analytic gradients with central finite differences, in float64.

    * ``gradcheck(module, x)``: checks dL/dx and every parameter gradient, for
      the scalar :math:`L = \\sum (\\text{module}(x) \\odot R)` with a fixed random R
      (so every output entry matters, with a different weight).
    * ``gradcheck(loss_fn, pred, target)``: checks ``loss_fn.backward()`` w.r.t. ``pred``.
    * ``gradcheck(f, x, grad=df)``: a scalar function f(x) and your derivative df(x) (same shape as x).

    Returns a :class:`GradcheckReport`; ``report.passed`` says whether all agree within ``rtol``.
    """
    x = np.array(x, dtype=np.float64)
    if isinstance(target, Module):
        return _check_module(target, x, args, eps, rtol, atol, seed)
    if isinstance(target, Loss):
        (loss_target,) = args
        analytic = (target(x, loss_target), target.backward())[1]
        numeric = numeric_gradient(lambda: target(x, loss_target), x, eps)
        return GradcheckReport(repr(target), [GradientComparison("input", analytic, numeric, rtol, atol)])
    if callable(target):
        if grad is None:
            raise TypeError("gradcheck(f, x): pass your derivative as grad=..., a function of x returning dL/dx")
        analytic = np.asarray(grad(x.copy()), dtype=np.float64)
        if analytic.shape != x.shape:
            raise ValueError(f"gradcheck: grad(x) must have the shape of x {x.shape}, got {analytic.shape}")
        numeric = numeric_gradient(lambda: float(target(x)), x, eps)
        comparison = GradientComparison("x", analytic, numeric, rtol, atol)
        return GradcheckReport(getattr(target, "__name__", "function"), [comparison])
    raise TypeError(f"gradcheck: expected a Module, a Loss or a function, got {type(target).__name__}")


def _check_module(module, x, args, eps, rtol, atol, seed):
    for name, parameter in module.named_parameters():
        if parameter.data.dtype != np.float64:
            raise TypeError(
                f"gradcheck {module!r}: parameter {name!r} is {parameter.data.dtype}; finite differences need "
                "float64 (create the module with dtype=np.float64)"
            )
    output = module(x, *args)
    weights = np.random.default_rng(seed).standard_normal(np.shape(output))

    def loss():
        return float(np.sum(module(x, *args) * weights))

    module.zero_grad()
    loss()
    comparisons = [GradientComparison("input", np.asarray(module.backward(weights), dtype=np.float64),
                                      numeric_gradient(loss, x, eps), rtol, atol)]
    analytic = {name: p.grad.copy() for name, p in module.named_parameters()}
    for name, parameter in module.named_parameters():
        numeric = numeric_gradient(loss, parameter.data, eps)
        comparisons.append(GradientComparison(name, analytic[name], numeric, rtol, atol))
    module.zero_grad()
    return GradcheckReport(_one_line(module), comparisons)


def _one_line(module):
    """``Sequential(Linear(3, 4), Tanh())`` instead of the multi-line repr; a module with children and settings of
    its own shows those first, e.g. ``SelfAttention(4, num_heads=2, ...)``."""
    children = module.named_children()
    if not children:
        return repr(module)
    parts = [module.extra_repr()] if module.extra_repr() else [_one_line(child) for _, child in children]
    return f"{type(module).__name__}(" + ", ".join(parts) + ")"
