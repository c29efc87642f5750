"""Interactive views for the notebooks, built on ipywidgets.

Each widget is a thin view over a plain function (in ``nnkit.viz`` or here) that
tests call directly; controls are exposed as ``widget.controls[name]``, and every
widget draws once when created, so a static page without a kernel shows a meaningful picture.
"""

from nnkit.widgets.activation_explorer import activation_explorer, draw_activation
from nnkit.widgets.interactive import InteractivePlot, interactive_plot
from nnkit.widgets.learning_rate_explorer import descent_path, draw_descent, learning_rate_explorer
from nnkit.widgets.neuron_explorer import draw_neuron, neuron_explorer
from nnkit.widgets.playground import Playground
from nnkit.widgets.playground_model import PlaygroundModel
from nnkit.widgets.progress import Progress, progress

__all__ = [
    "InteractivePlot", "Playground", "PlaygroundModel", "Progress", "activation_explorer", "descent_path",
    "draw_activation", "draw_descent", "draw_neuron", "interactive_plot", "learning_rate_explorer",
    "neuron_explorer", "progress",
]
