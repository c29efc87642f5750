r"""The chain rule made visible: one neuron's computation graph with forward values and backward gradients.

The neuron computes :math:`z = \sum_i w_i x_i + b`, :math:`a = f(z)` and, against a
target y, :math:`L = (a - y)^2`. Backward multiplies local derivatives along the graph:

.. math::  \frac{\partial L}{\partial a} = 2(a - y), \quad
           \frac{\partial L}{\partial z} = \frac{\partial L}{\partial a} f'(z), \quad
           \frac{\partial L}{\partial w_i} = \frac{\partial L}{\partial z}\, x_i, \quad
           \frac{\partial L}{\partial b} = \frac{\partial L}{\partial z}, \quad
           \frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial z}\, w_i

All numbers come from nnkit's own modules (Linear, the activation, MSELoss and their ``backward``).
"""

import matplotlib.pyplot as plt
import numpy as np

from nnkit.nn import activation as activation_functions
from nnkit.nn.linear import Linear
from nnkit.nn.loss import MSELoss
from nnkit.nn.module import Module
from nnkit.viz.style import BACKWARD, BLUE, FONT_SIZE, FORWARD, TITLE_SIZE


def activation_module(activation):
    """An activation Module from a name such as "relu" or "Sigmoid" (case-insensitive), or the Module itself."""
    if isinstance(activation, Module):
        return activation
    by_name = {name.lower(): cls for name, cls in vars(activation_functions).items()
               if isinstance(cls, type) and issubclass(cls, Module)
               and cls not in (Module, activation_functions.Activation)}
    key = str(activation).lower().replace("_", "")
    if key not in by_name:
        raise ValueError(f"draw_neuron_graph: unknown activation {activation!r}; choose from {sorted(by_name)}")
    return by_name[key]()


def neuron_graph_values(x, w, b, activation="relu", target=None):
    """Forward values and gradients of every node of the neuron's graph, computed by nnkit modules.

    ``x`` and ``w`` are (n,) arrays, ``b`` a number. Returns two dicts keyed by node
    name ("x1", "w1", "x1*w1", ..., "b", "z", "a" and, with a ``target``, "L"):
    ``forward[name]`` is the node's value and ``gradient[name]`` is
    :math:`\\partial L/\\partial` node (without a target, :math:`\\partial a/\\partial` node).
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    w = np.asarray(w, dtype=np.float64).reshape(-1)
    if x.shape != w.shape:
        raise ValueError(f"draw_neuron_graph: x and w must have the same length, got {x.shape} and {w.shape}")
    # Linear draws random initial weights: keep np.random's global state, so that drawing the graph (e.g. from a
    # slider) does not change what a notebook's later unseeded cells compute
    state = np.random.get_state()
    neuron = Linear(len(x), 1, dtype=np.float64)
    np.random.set_state(state)
    neuron.weight.data = w.reshape(1, -1).copy()
    neuron.bias.data = np.array([float(b)])
    act = activation_module(activation)

    z = neuron(x.reshape(1, -1))
    a = act(z)
    if target is None:
        grad_a = np.ones_like(a)
    else:
        loss_fn = MSELoss()
        loss = loss_fn(a, np.array([[float(target)]]))
        grad_a = loss_fn.backward()
    grad_z = act.backward(grad_a)
    grad_x = neuron.backward(grad_z)

    forward, gradient = {}, {}
    for i, (x_i, w_i) in enumerate(zip(x, w), start=1):
        forward[f"x{i}"], gradient[f"x{i}"] = x_i, grad_x[0, i - 1]
        forward[f"w{i}"], gradient[f"w{i}"] = w_i, neuron.weight.grad[0, i - 1]
        forward[f"x{i}*w{i}"], gradient[f"x{i}*w{i}"] = x_i * w_i, grad_z[0, 0]  # a sum passes its gradient on
    forward["b"], gradient["b"] = float(b), neuron.bias.grad[0]
    forward["z"], gradient["z"] = z[0, 0], grad_z[0, 0]
    forward["a"], gradient["a"] = a[0, 0], grad_a[0, 0]
    if target is not None:
        forward["y"] = float(target)
        forward["L"], gradient["L"] = loss, 1.0
    return forward, {name: float(value) for name, value in gradient.items()}


def draw_neuron_graph(x, w, b, activation="relu", target=None):
    """Draw the computation graph of one neuron with forward values above each node and gradients below.

    Inputs :math:`x_i` and weights :math:`w_i` feed products, their sum plus b gives z, the
    activation gives a, and with ``target`` the MSE loss L. Values are black, above
    each node; gradients :math:`\\partial L/\\partial\\cdot` are vermilion, below it
    (see :func:`neuron_graph_values`). Returns the Figure.
    """
    forward, gradient = neuron_graph_values(x, w, b, activation, target)
    act = activation_module(activation)
    n = len(np.asarray(x).reshape(-1))
    of = "L" if target is not None else "a"
    spacing = 1.5  # between stacked nodes, in data units (about an inch): room for a value above and a gradient below
    top = (2 * n - 1) * spacing / 2
    fig, ax = plt.subplots(figsize=(11.5, 1.0 * (2 * top + 2 * spacing) + 1.0), layout="constrained")
    boxes = {}

    def node(name, label, position, color=BLUE):
        x_pos, y_pos = position
        boxes[name] = ax.text(x_pos, y_pos, label, fontsize=FONT_SIZE + 2, ha="center", va="center", zorder=3,
                              gid=f"node:{name}", bbox={"boxstyle": "round,pad=0.35", "facecolor": "white",
                                                            "edgecolor": color, "linewidth": 1.8})
        if name in forward:
            ax.text(x_pos, y_pos + 0.3, _number(forward[name]), fontsize=FONT_SIZE, color=FORWARD, ha="center",
                    va="bottom", gid=f"value:{name}")
        if name in gradient:
            ax.text(x_pos, y_pos - 0.3, rf"$\partial {of}/\partial {_symbol(name)}$ = "
                    f"{_number(gradient[name])}", fontsize=FONT_SIZE, color=BACKWARD, ha="center", va="top",
                    gid=f"grad:{name}")

    def arrow(source, target_node):
        # from the right edge of one box to the left edge of the next
        ax.annotate("", xy=(0, 0.5), xycoords=boxes[target_node], xytext=(1, 0.5), textcoords=boxes[source],
                    arrowprops={"arrowstyle": "-|>", "color": "0.35", "linewidth": 1.3, "shrinkA": 6, "shrinkB": 6},
                    zorder=1)

    for i in range(1, n + 1):
        y_x = top - (2 * i - 2) * spacing
        node(f"x{i}", f"$x_{i}$", (0.0, y_x))
        node(f"w{i}", f"$w_{i}$", (0.0, y_x - spacing))
        node(f"x{i}*w{i}", rf"$x_{i} \cdot w_{i}$", (2.2, y_x - spacing / 2))
    node("b", "$b$", (2.2, -top - spacing))
    node("z", r"$z = \Sigma + b$", (4.4, 0.0))
    node("a", f"$a$ = {type(act).__name__}(z)", (6.6, 0.0))
    for i in range(1, n + 1):
        arrow(f"x{i}", f"x{i}*w{i}")
        arrow(f"w{i}", f"x{i}*w{i}")
        arrow(f"x{i}*w{i}", "z")
    arrow("b", "z")
    arrow("z", "a")
    if target is not None:
        node("y", "target $y$", (6.6, -top - spacing), color="0.5")
        node("L", r"$L = (a - y)^2$", (8.8, 0.0))
        arrow("a", "L")
        arrow("y", "L")

    ax.set_xlim(-0.9, 9.8 if target is not None else 7.6)
    ax.set_ylim(-top - spacing - 0.8, top + 0.8)
    ax.set_axis_off()
    ax.set_title(f"One neuron: forward values (black, above) and gradients $\\partial {of}/\\partial\\cdot$ "
                 "(vermilion, below)", fontsize=TITLE_SIZE)
    return fig


def _symbol(name):
    """Node name -> the LaTeX after the partial sign: "x1" -> "x_1", "x1*w1" -> "(x_1 w_1)"."""
    if "*" in name:
        left, right = name.split("*")
        return f"({_symbol(left)} {_symbol(right)})"
    return f"{name[0]}_{name[1:]}" if len(name) > 1 else name


def _number(value):
    """4 significant digits; round-off dust like 2.8e-17 (0.5 - 0.6 + 0.1) shows as 0."""
    return "0" if abs(value) < 1e-12 else f"{value:.4g}"
