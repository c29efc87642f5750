"""A training playground in the spirit of TensorFlow Playground: pick data and a network, press Train, watch it learn.

Training must not block the kernel, or the Pause button could never be
pressed. An ``ipywidgets.Play`` (hidden) ticks in the browser every 250 ms;
each tick runs a few steps (at most ~0.1 s of work) and the kernel handles
button clicks between ticks. Ticks that queued up while the kernel was busy are
skipped, and the figure is redrawn at most 4 times a second and at most a third
of the time (a redraw costs a few hundred ms); the status line updates every tick.
"""

import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import clear_output, display

from nnkit.viz.curves import plot_loss_curves
from nnkit.viz.decision_boundary import plot_decision_boundary
from nnkit.viz.network import draw_network
from nnkit.widgets.optimizers import OPTIMIZERS
from nnkit.widgets.playground_model import ACTIVATIONS, DATASETS, PlaygroundModel
from nnkit.widgets.prerendered import still_with_note, website_mode

TICK_MS = 250
WORK_PER_TICK_SECONDS = 0.1
MAX_STEPS_PER_TICK = 20
MIN_SECONDS_BETWEEN_DRAWS = 0.25  # at most 4 redraws a second ...
DRAW_SHARE = 1 / 3  # ... and drawing takes at most a third of the kernel's time (a redraw takes ~0.3-0.5 s here)


def draw_playground(model, resolution=80):
    """The playground's picture of ``model`` (a PlaygroundModel): network, decision regions, loss curves. A Figure."""
    # fixed margins instead of a layout engine: this figure is redrawn during training and must render fast
    fig, (network_ax, regions_ax, loss_ax) = plt.subplots(1, 3, figsize=(14, 4.6), width_ratios=[1.25, 1, 1],
                                                          gridspec_kw={"left": 0.01, "right": 0.99, "bottom": 0.12,
                                                                           "top": 0.86, "wspace": 0.22})
    draw_network(model.network, ax=network_ax, max_neurons=10)
    plot_decision_boundary(model.network, model.X_train, model.y_train, ax=regions_ax, resolution=resolution)
    regions_ax.set_title(f"Training data and decision regions (test accuracy {model.accuracy('test'):.0%})",
                         fontsize=11)
    plot_loss_curves(model.history, ax=loss_ax, first_epoch=0)
    loss_ax.set_xlabel("step (0 = before training)")
    loss_ax.set_title(f"Cross-entropy after {model.steps} steps", fontsize=12)
    return fig


def status_text(model):
    """One line: step, train and test loss, test accuracy (the browser test reads the train loss from it)."""
    return (f"step <b>{model.steps}</b> &nbsp; train loss <b class='train-loss'>{model.history['train'][-1]:.4f}</b>"
            f" &nbsp; test loss {model.history['test'][-1]:.4f} &nbsp; test accuracy {model.accuracy('test'):.0%}")


class Playground:
    """The playground widget over a :class:`PlaygroundModel` (``self.model``).

    ``controls``: the settings (dataset, hidden, activation, lr, batch_size,
    optimizer, weight_decay) and the buttons (train, pause, step, reset);
    ``status`` (HTML line), ``output`` (showing ``figure``), ``clock`` (the hidden Play
    that drives training), ``widget`` (the whole VBox). Displays itself.
    """

    def __init__(self, dataset="moons", **settings):
        self.model = PlaygroundModel(dataset=dataset, **settings)
        s = self.model.settings
        wide = {"description_width": "initial"}
        self.controls = {
            "dataset": widgets.Dropdown(options=list(DATASETS), value=s["dataset"], description="data", style=wide),
            "hidden": widgets.Text(value=str(s["hidden"]), description="hidden layers", continuous_update=False,
                                   placeholder="e.g. 8,8", style=wide, layout=widgets.Layout(width="180px")),
            "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=s["activation"], description="activation",
                                           style=wide),
            "lr": widgets.Dropdown(options=[0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], value=s["lr"],
                                   description="learning rate", style=wide),
            "batch_size": widgets.Dropdown(options=[1, 4, 8, 16, 32, 64, 140], value=s["batch_size"],
                                           description="batch size", style=wide),
            "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=s["optimizer"], description="optimizer",
                                          style=wide),
            "weight_decay": widgets.Dropdown(options=[0.0, 1e-4, 1e-3, 1e-2, 0.1], value=s["weight_decay"],
                                             description="L2 (weight decay)", style=wide),
            "train": widgets.Button(description="Train", icon="play", button_style="success"),
            "pause": widgets.Button(description="Pause", icon="pause"),
            "step": widgets.Button(description="Step", icon="step-forward"),
            "reset": widgets.Button(description="Reset", icon="undo", button_style="warning"),
        }
        for name in s:
            if name in self.controls:
                self.controls[name].observe(self._on_setting, names="value")
        for name, action in (("train", self.train), ("pause", self.pause), ("step", self.step), ("reset", self.reset)):
            self.controls[name].on_click(lambda _button, action=action: action())
        self.status = widgets.HTML()
        self.output = widgets.Output()
        self.clock = widgets.Play(value=0, min=0, max=10**9, interval=TICK_MS, layout=widgets.Layout(display="none"))
        self.clock.observe(self._on_tick, names="value")
        settings_row = [self.controls[name] for name in s if name in self.controls]
        buttons_row = [self.controls[name] for name in ("train", "pause", "step", "reset")] + [self.status]
        self.widget = widgets.VBox([widgets.HBox(settings_row, layout=widgets.Layout(flex_flow="row wrap")),
                                    widgets.HBox(buttons_row, layout=widgets.Layout(align_items="center")),
                                    self.clock, self.output])
        self.draw_count = 0
        self._last_draw = self._last_tick_end = self._draw_seconds = 0.0
        self.redraw()

    # -- actions -------------------------------------------------------------
    def train(self):
        self.clock.playing = True

    def pause(self):
        self.clock.playing = False
        self.redraw()

    def step(self):
        """Advance exactly one mini-batch and redraw."""
        self._train(1)
        self.redraw()

    def reset(self):
        self.clock.playing = False
        self.model.reset()
        self.redraw()

    # -- drawing -------------------------------------------------------------
    def redraw(self):
        started = time.monotonic()
        self.status.value = status_text(self.model)
        with self.output:
            clear_output(wait=True)
            figure = draw_playground(self.model)
            display(figure)
            plt.close(figure)
        self.figure = figure
        self.draw_count += 1
        self._draw_seconds = time.monotonic() - started
        self._last_draw = time.monotonic()

    # -- events --------------------------------------------------------------
    def _train(self, n_steps):
        try:
            self.model.step(n_steps)
            return True
        except ValueError as error:  # outputs overflowed: the learning rate is too large
            self.clock.playing = False
            self.status.value = f"<b>training diverged</b> ({error}); lower the learning rate and press Reset"
            return False

    def _on_tick(self, change):
        if not self.clock.playing or time.monotonic() - self._last_tick_end < TICK_MS / 2000:
            return  # paused, or a tick that queued up while the kernel was busy
        started = time.monotonic()
        for _ in range(MAX_STEPS_PER_TICK):
            if not self._train(1) or time.monotonic() - started > WORK_PER_TICK_SECONDS:
                break
        if self.clock.playing:
            self.status.value = status_text(self.model)
            pause_between_draws = max(MIN_SECONDS_BETWEEN_DRAWS, self._draw_seconds * (1 / DRAW_SHARE - 1))
            if time.monotonic() - self._last_draw >= pause_between_draws:
                self.redraw()
        self._last_tick_end = time.monotonic()

    def _on_setting(self, change):
        name = next(key for key, control in self.controls.items() if control is change["owner"])
        self.clock.playing = False
        try:
            self.model.update(**{name: change["new"]})
        except ValueError as error:
            self.status.value = f"<b>not applied:</b> {error}"
            return
        self.redraw()

    def _ipython_display_(self):
        display(self._website_still() if website_mode() else self.widget)

    def _repr_mimebundle_(self, **kwargs):
        if website_mode():  # Train, Step, Reset need a kernel: the website shows the picture and says so
            return {"text/html": self._website_still().data}
        return self.widget._repr_mimebundle_(**kwargs)

    def _website_still(self):
        return still_with_note(self.figure, "train this network")
