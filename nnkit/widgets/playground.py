"""A training playground in the spirit of TensorFlow Playground: pick data and a network, press Train, watch it learn.

Training must not block the kernel, or the Pause button could never be
pressed. An ``ipywidgets.Play`` (hidden) ticks in the browser every 75 ms;
each tick runs a few steps (at most ~25 ms of work) and redraws the picture, and
the kernel handles button clicks between ticks. Ticks that queued up while the
kernel was busy are skipped. The picture (``nnkit.viz.playground_picture``) is
drawn once and then only its moving parts are redrawn, so a frame costs tens of
milliseconds; it is sent to the browser as the PNG of an ``ipywidgets.Image``.
"""

import time

import ipywidgets as widgets
from IPython.display import display

from nnkit.viz.playground_picture import PlaygroundPicture
from nnkit.widgets.optimizers import OPTIMIZERS
from nnkit.widgets.playground_model import ACTIVATIONS, DATASETS, PlaygroundModel
from nnkit.widgets.prerendered import still_with_note, website_mode

TICK_MS = 75  # ~13 ticks a second: each one trains a little and redraws
WORK_PER_TICK_SECONDS = 0.025
MAX_STEPS_PER_TICK = 10
# a tick handled this soon after the previous one ended had queued up while the kernel was busy: it is dropped
QUEUED_TICK_SECONDS = 0.01


def status_text(model):
    """One line: step, train and test loss, test accuracy (the browser test reads the train loss from it)."""
    return (f"step <b>{model.steps}</b> &nbsp; train loss <b class='train-loss'>{model.history['train'][-1]:.4f}</b>"
            f" &nbsp; test loss {model.history['test'][-1]:.4f} &nbsp; test accuracy {model.accuracy('test'):.0%}")


class Playground:
    """The playground widget over a :class:`PlaygroundModel` (``self.model``).

    ``controls``: the settings (dataset, hidden, activation, lr, batch_size,
    optimizer, weight_decay) and the buttons (train, pause, step, reset);
    ``status`` (HTML line), ``image`` (the picture's PNG; ``picture`` draws it, ``figure`` is its
    matplotlib Figure), ``clock`` (the hidden Play
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
        self.image = widgets.Image(format="png")
        self.picture = None
        self.clock = widgets.Play(value=0, min=0, max=10**9, interval=TICK_MS, layout=widgets.Layout(display="none"))
        self.clock.observe(self._on_tick, names="value")
        settings_row = [self.controls[name] for name in s if name in self.controls]
        buttons_row = [self.controls[name] for name in ("train", "pause", "step", "reset")] + [self.status]
        self.widget = widgets.VBox([widgets.HBox(settings_row, layout=widgets.Layout(flex_flow="row wrap")),
                                    widgets.HBox(buttons_row, layout=widgets.Layout(align_items="center")),
                                    self.clock, self.image])
        self.draw_count = 0
        self._last_tick_end = 0.0
        self.redraw(new_picture=True)

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
        self.redraw(new_picture=True)

    # -- drawing -------------------------------------------------------------
    def redraw(self, new_picture=False):
        """Show the model's current state; ``new_picture`` draws the picture from scratch (a new network)."""
        self.status.value = status_text(self.model)
        if new_picture or self.picture is None:
            self.picture = PlaygroundPicture(self.model)
            self.figure = self.picture.figure
        else:
            self.picture.update()
        self.image.value = self.picture.png()
        self.draw_count += 1

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
        if not self.clock.playing or time.monotonic() - self._last_tick_end < QUEUED_TICK_SECONDS:
            return  # paused, or a tick that queued up while the kernel was busy
        started = time.monotonic()
        for _ in range(MAX_STEPS_PER_TICK):
            if not self._train(1) or time.monotonic() - started > WORK_PER_TICK_SECONDS:
                break
        if self.clock.playing:
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
        self.redraw(new_picture=True)

    def _ipython_display_(self):
        display(self._website_still() if website_mode() else self.widget)

    def _repr_mimebundle_(self, **kwargs):
        if website_mode():  # Train, Step, Reset need a kernel: the website shows the picture and says so
            return {"text/html": self._website_still().data}
        return self.widget._repr_mimebundle_(**kwargs)

    def _website_still(self):
        return still_with_note(self.figure, "train this network")
