"""A progress bar with the running loss: a widget in Jupyter, one line of text anywhere else."""

import os
import time

import ipywidgets as widgets
from IPython import get_ipython
from IPython.display import display

REFRESH_SECONDS = 0.1  # at most 10 updates a second: more only costs messages to the browser


def in_jupyter_kernel():
    """True inside a Jupyter kernel that can show widgets; ``NNKIT_PROGRESS=text`` forces the text bar (e.g. nbval)."""
    if os.environ.get("NNKIT_PROGRESS", "").lower() == "text":
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class Progress:
    """Iterate over ``iterable`` while showing how far along it is and the latest ``set_postfix`` values.

    In a Jupyter kernel: an ``IntProgress`` bar and an ``HTML`` label, updated in
    place (no flicker). Elsewhere: one line of text, rewritten in place on a
    terminal and printed once at the end otherwise (so logs and nbval outputs hold one line).
    The final state (count, time, last loss) stays visible after the loop.
    """

    def __init__(self, iterable, total=None, description="training", use_widget=None):
        self.iterable = iterable
        self.total = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
        self.description = description
        self.count = 0
        self.postfix = {}
        self.use_widget = in_jupyter_kernel() if use_widget is None else use_widget
        self._started = time.monotonic()
        self._last_refresh = 0.0
        if self.use_widget:
            self.bar = widgets.IntProgress(value=0, min=0, max=self.total or 1, description=description,
                                           style={"description_width": "initial"})
            self.label = widgets.HTML()
            self.widget = widgets.HBox([self.bar, self.label])
            display(self.widget)

    def set_postfix(self, **values):
        """Show ``values`` after the bar, e.g. ``bar.set_postfix(loss=0.123)``."""
        self.postfix = values
        self._refresh(force=False)

    def __iter__(self):
        self._started = time.monotonic()
        for item in self.iterable:
            yield item
            self.count += 1
            self._refresh(force=False)
        self._refresh(force=True, final=True)

    def __len__(self):
        return self.total

    def text(self):
        """The status line, e.g. ``training: 30/100 [1.2 s] loss=0.1234``."""
        of_total = f"/{self.total}" if self.total is not None else ""
        extras = " ".join(f"{name}={_format(value)}" for name, value in self.postfix.items())
        return f"{self.description}: {self.count}{of_total} [{time.monotonic() - self._started:.1f} s] {extras}".strip()

    def _refresh(self, force, final=False):
        now = time.monotonic()
        if not force and now - self._last_refresh < REFRESH_SECONDS:
            return
        self._last_refresh = now
        if self.use_widget:
            self.bar.value = min(self.count, self.bar.max)
            self.label.value = self.text().split(": ", 1)[1]
            if final:
                self.bar.bar_style = "success"
        elif os.isatty(1):
            print("\r" + self.text(), end="\n" if final else "", flush=True)
        elif final:
            print(self.text(), flush=True)


def _format(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def progress(iterable, total=None, description="training"):
    """Wrap a loop to show progress and the running loss::

        bar = progress(range(epochs))
        for epoch in bar:
            loss = train_epoch(...)
            bar.set_postfix(loss=loss)

    A widget bar inside Jupyter, a single text line otherwise; see :class:`Progress`.
    """
    return Progress(iterable, total=total, description=description)
