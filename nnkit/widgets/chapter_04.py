"""Chapter 4 (loss functions): move one prediction away from its target and watch how hard each loss pulls on it."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from nnkit.nn.loss import L1Loss, MSELoss, SmoothL1Loss
from nnkit.viz.animation import animation_html
from nnkit.viz.style import BLUE, FONT_SIZE, GREEN, ORANGE, finish
from nnkit.widgets.interactive import interactive_plot

ORDINARY_ERRORS = (-0.6, 0.3, -0.2, 0.5)  # prediction - target of four well-fitted samples
COLORS = (BLUE, ORANGE, GREEN)


def loss_response(outlier_error, beta=1.0):
    """Errors d (5,) of four ordinary samples and one outlier, and for each loss its value and dL/d(prediction).

    Returns ``(errors, results)`` with ``results[name] = (loss, gradient (5,))`` from nnkit's own backward, for
    the losses "MSE", "MAE (L1)" and "Smooth L1"; the targets are 0, so each prediction equals its error.
    """
    errors = np.array([*ORDINARY_ERRORS, outlier_error], dtype=float)
    targets = np.zeros_like(errors)
    results = {}
    for name, loss_fn in (("MSE", MSELoss()), ("MAE (L1)", L1Loss()), ("Smooth L1", SmoothL1Loss(beta=beta))):
        loss = loss_fn(errors, targets)
        results[name] = (loss, loss_fn.backward())
    return errors, results


def per_sample_losses(d, beta):
    r""":math:`\ell(d)` of each loss for an array of errors d (the curves; the formulas of nnkit's losses)."""
    return {"MSE": d**2, "MAE (L1)": np.abs(d),
            "Smooth L1": np.where(np.abs(d) < beta, 0.5 * d**2 / beta, np.abs(d) - 0.5 * beta)}


def _draw(axes, outlier_error, beta):
    """Draw both panels once; return the artists that change with the outlier (see :func:`_update`)."""
    ax_curve, ax_grad = axes
    errors, results = loss_response(outlier_error, beta)
    d = np.linspace(-6, 6, 241)
    artists = {"dots": [], "curves": [], "bars": []}
    for (name, curve), color in zip(per_sample_losses(d, beta).items(), COLORS):
        artists["curves"] += ax_curve.plot(d, curve, color=color, lw=2, label=name)
        artists["dots"].append(ax_curve.scatter(errors, np.interp(errors, d, curve), color=color, edgecolors="k",
                                                zorder=3, s=30))
    artists["marker"] = ax_curve.axvline(outlier_error, color="0.5", lw=1, ls=":")
    ax_curve.set_ylim(0, 37)
    artists["legend"] = ax_curve.legend(fontsize=FONT_SIZE - 1, loc="upper center")
    ax_curve.grid(alpha=0.3)
    finish(ax_curve, "Per-sample loss; dots = the 5 samples", "error $d = \\hat y - y$", "loss $\\ell(d)$")

    width, positions = 0.27, np.arange(len(errors))
    for k, ((name, (_, gradient)), color) in enumerate(zip(results.items(), COLORS)):
        artists["bars"].append(ax_grad.bar(positions + (k - 1) * width, gradient, width, color=color, label=name,
                                           edgecolor="k", lw=0.5))
    ax_grad.axhline(0, color="k", lw=0.8)
    ax_grad.set_xticks(positions, [f"{i + 1}" for i in range(len(errors) - 1)] + ["5\n(outlier)"])
    ax_grad.set_ylim(-2.6, 2.6)
    ax_grad.legend(fontsize=FONT_SIZE - 1, loc="lower left")
    ax_grad.grid(alpha=0.3, axis="y")
    artists["shares"] = ax_grad.text(0.02, 0.97, "", transform=ax_grad.transAxes, va="top", fontsize=FONT_SIZE - 1,
                                     bbox={"facecolor": "white", "edgecolor": "0.7", "alpha": 0.9})
    finish(ax_grad, "Pull on each prediction", "sample", "gradient $\\partial L / \\partial \\hat y_i$")
    artists["title"] = ax_curve.figure.suptitle("", fontsize=FONT_SIZE + 1)
    artists["beta"] = beta
    _update(artists, outlier_error)
    return artists


def _update(artists, outlier_error):
    """Move the outlier to ``outlier_error``: dots, marker, bar heights, loss values and texts."""
    errors, results = loss_response(outlier_error, artists["beta"])
    curves = per_sample_losses(errors, artists["beta"])
    for dots, bars, text, (name, (loss, gradient)) in zip(artists["dots"], artists["bars"],
                                                          artists["legend"].get_texts(), results.items()):
        dots.set_offsets(np.column_stack([errors, curves[name]]))
        for bar, height in zip(bars, gradient):
            bar.set_height(height)
        text.set_text(f"{name}: L = {loss:.2f}")
    artists["marker"].set_xdata([outlier_error, outlier_error])
    shares = {name: abs(gradient[-1]) / np.abs(gradient).sum() for name, (loss, gradient) in results.items()}
    artists["shares"].set_text("outlier's share of the total pull:\n" + ", ".join(
        f"{name} {share:.0%}" for name, share in shares.items()))
    artists["title"].set_text(f"Outlier error d = {outlier_error:.1f} (β = {artists['beta']:g})")


def draw_loss_response(outlier_error, beta=1.0):
    r"""Left: each loss's per-sample curve :math:`\ell(d)` with the five samples on it (L = the mean loss).
    Right: :math:`\partial L/\partial \hat y_i` for every sample (grouped bars), sample 5 being the outlier.

    Returns the Figure.
    """
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4), layout="constrained")
    _draw(axes, outlier_error, beta)
    return fig


def outlier_explorer(outlier_error=4.0, beta=1.0):
    """A slider for the outlier's error and one for Smooth L1's beta, over :func:`draw_loss_response`."""
    return interactive_plot(
        draw_loss_response,
        outlier_error=widgets.FloatSlider(value=outlier_error, min=-6, max=6, step=0.25, description="outlier d"),
        beta=widgets.FloatSlider(value=beta, min=0.25, max=3, step=0.25, description="β (Smooth L1)"),
        website={"outlier_error": sorted({-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0, outlier_error}),
                 "beta": sorted({0.25, 1.0, 3.0, beta})},
    )


def outlier_animation(outlier_errors=None, beta=1.0):
    """The same picture as the outlier moves through ``outlier_errors`` (default 0, 0.5, ..., 6), pre-rendered.

    Returns self-contained HTML (see ``nnkit.viz.animation_html``): it plays on a page with no kernel behind it.
    """
    outlier_errors = np.linspace(0, 6, 13) if outlier_errors is None else np.asarray(outlier_errors, dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.17, top=0.85, wspace=0.25)  # fixed: no layout pass per frame
    artists = _draw(axes, outlier_errors[0], beta)
    return animation_html(lambda error: _update(artists, error), outlier_errors, fig)
