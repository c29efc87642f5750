"""Pick any activation in nnkit.nn and see it with the derivative its backward pass computes."""

import ipywidgets as widgets

from nnkit import nn
from nnkit.nn.activation import Activation, PReLU, Softmax
from nnkit.viz.activation import plot_activation
from nnkit.viz.style import axes_or_new
from nnkit.widgets.interactive import interactive_plot


def activation_classes():
    """{name: class} of every activation exported by ``nnkit.nn`` (elementwise ones, PReLU and Softmax)."""
    found = {}
    for name in nn.__all__:
        cls = getattr(nn, name)
        if isinstance(cls, type) and (issubclass(cls, Activation) and cls is not Activation or cls in (PReLU, Softmax)):
            found[name] = cls
    return found


def draw_activation(name, derivative=True, ax=None):
    """:func:`nnkit.viz.plot_activation` of ``nnkit.nn.<name>()`` with default arguments; returns the Axes."""
    return plot_activation(activation_classes()[name](), ax=axes_or_new(ax, figsize=(5.5, 4)), derivative=derivative)


def activation_explorer(name="ReLU"):
    """A dropdown of all activations and a checkbox for the derivative, over :func:`draw_activation`."""
    return interactive_plot(draw_activation,
                            name=widgets.Dropdown(options=sorted(activation_classes()), value=name,
                                                  description="activation"),
                            derivative=widgets.Checkbox(value=True, description="show f'(x)"))
