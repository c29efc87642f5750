"""The training playground's picture, kept from frame to frame: network, decision regions and loss curves.

Redrawing a whole figure costs ~0.1-0.3 s, most of it text (tick labels, legends, titles) that training never
changes. So the picture is drawn once, without the parts that move, and kept as a background; every frame then
pastes the background and draws only the moving parts (matplotlib's "blitting"): the edges (colour = sign of the
weight, width ∝ |w|), the shaded regions (one small image), the training points on top of them, the loss curves
and the titles. When a curve leaves the loss axes' limits (many more steps, a loss above the start), the limits
grow and the background is drawn again.

``model`` is anything with ``network`` (an nnkit ``Sequential``), ``X_train`` (N, 2), ``y_train`` (N,),
``history`` ({"train": [...], "test": [...]}, entry 0 before training), ``steps`` and ``accuracy("test")``.
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from nnkit.viz.decision_boundary import MARKERS, predict_labels
from nnkit.viz.network import draw_network, update_network_weights
from nnkit.viz.render import rgba_png
from nnkit.viz.style import BLACK, CLASS_COLORS, FONT_SIZE, TITLE_SIZE, class_color, finish

REGION_ALPHA = 0.25  # class colour over white, as plot_decision_boundary shades its regions
NETWORK_PARTS = {"edges", "weight", "neurons", "ellipsis", "bias"}  # what moves (or sits on what moves) in training


class PlaygroundPicture:
    """The figure of one model, redrawn cheaply as it trains; :meth:`png` gives the current frame.

    ``resolution`` is the side of the grid of points the regions are computed on; ``dpi`` and ``figsize`` set
    the canvas (default 1000 × 328 pixels).
    """

    def __init__(self, model, resolution=60, figsize=(12.5, 4.1), dpi=80, max_neurons=10):
        self.model, self.resolution, self.max_neurons = model, resolution, max_neurons
        self.figure = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.network_ax, self.regions_ax, self.loss_ax = self.figure.subplots(
            1, 3, width_ratios=[1.25, 1, 1],
            gridspec_kw={"left": 0.01, "right": 0.99, "bottom": 0.13, "top": 0.85, "wspace": 0.22})
        draw_network(model.network, ax=self.network_ax, max_neurons=max_neurons)
        self._draw_regions_axes()
        self.loss_lines = [self.loss_ax.plot([], [], color=color, linewidth=2, label=name)[0]
                           for name, color in zip(model.history, CLASS_COLORS)]
        self.loss_ax.legend(fontsize=FONT_SIZE - 1, loc="upper right")
        self.loss_ax.grid(alpha=0.3)
        finish(self.loss_ax, "", "step (0 = before training)", "loss")
        self.loss_ax.title.set_fontsize(TITLE_SIZE)
        self.moving = sorted([artist for artist in self.network_ax.get_children() if artist.get_gid() in NETWORK_PARTS]
                             + [self.regions, *self.points, self.regions_ax.get_legend(), self.regions_ax.title,
                                *self.loss_lines, self.loss_ax.title], key=lambda artist: artist.get_zorder())
        for artist in self.moving:
            artist.set_animated(True)
        self.background = None
        self.full_draws = 0
        self.update()

    def _draw_regions_axes(self):
        X, y = self.model.X_train, self.model.y_train
        (x_min, y_min), (x_max, y_max) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
        grid_x, grid_y = np.meshgrid(np.linspace(x_min, x_max, self.resolution),
                                     np.linspace(y_min, y_max, self.resolution))
        self.grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
        # class k's shade: its colour at REGION_ALPHA over white
        self.shades = np.array([1 - REGION_ALPHA + REGION_ALPHA * np.array(to_rgb(color)) for color in CLASS_COLORS])
        self.regions = self.regions_ax.imshow(np.ones((self.resolution, self.resolution, 3)), origin="lower",
                                              extent=(x_min, x_max, y_min, y_max), aspect="auto",
                                              interpolation="bilinear")
        self.points = [self.regions_ax.scatter(X[y == label, 0], X[y == label, 1], s=30, color=class_color(label),
                                               marker=MARKERS[label % len(MARKERS)], edgecolors=BLACK,
                                               linewidths=0.6, label=f"class {label}") for label in np.unique(y)]
        self.regions_ax.set(xlim=(x_min, x_max), ylim=(y_min, y_max))
        self.regions_ax.legend(fontsize=FONT_SIZE - 1, loc="upper right", framealpha=0.85)
        finish(self.regions_ax, "", "$x_1$", "$x_2$")

    def update(self):
        """Bring every moving part up to the model's current state (no rendering)."""
        model = self.model
        update_network_weights(self.network_ax, model.network, self.max_neurons)
        labels = predict_labels(model.network, self.grid).reshape(self.resolution, self.resolution)
        self.regions.set_data(self.shades[labels % len(self.shades)])
        self.regions_ax.set_title(f"Training data and decision regions (test accuracy {model.accuracy('test'):.0%})",
                                  fontsize=TITLE_SIZE - 1)
        for line, values in zip(self.loss_lines, model.history.values()):
            line.set_data(np.arange(len(values)), values)
        self.loss_ax.set_title(f"Cross-entropy after {model.steps} steps", fontsize=TITLE_SIZE)
        highest = max(max(values) for values in model.history.values())
        x_high, y_high = self.loss_ax.get_xlim()[1], self.loss_ax.get_ylim()[1]
        if self.background is None or model.steps > x_high or highest > y_high:
            # the limits grow in jumps (x doubles), so the background is drawn anew only now and then
            self.loss_ax.set_xlim(0, max(20, 2 * model.steps))
            self.loss_ax.set_ylim(0, 1.1 * highest)
            self.background = None

    def render(self):
        """Draw the current frame on the canvas: the background (drawn again if stale), then the moving parts."""
        canvas = self.figure.canvas
        if self.background is None:
            canvas.draw()  # everything not animated
            self.background = canvas.copy_from_bbox(self.figure.bbox)
            self.full_draws += 1
        else:
            canvas.restore_region(self.background)
        for artist in self.moving:
            self.figure.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())

    def png(self):
        """The current frame as PNG bytes (after :meth:`update`)."""
        return rgba_png(self.render())
