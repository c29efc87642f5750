r"""The graph autograd records, drawn: one box per tensor, an arrow from each operand to its result.

Each box shows the tensor's name (or the operation that made it), its value going forward (black) and, after
``backward()``, its gradient :math:`\partial L/\partial v` coming back (vermilion). Leaves sit on the left, the
loss on the right; a column holds the tensors the same number of operations away from the leaves.
"""

import numpy as np

from nnkit.viz.style import BACKWARD, BLUE, FONT_SIZE, FORWARD, TITLE_SIZE, axes_or_new


def graph_nodes(output):
    """Every tensor ``output`` was computed from (itself included), each after its operands."""
    return list(output._topological_order())


def _depths(nodes):
    depth = {}
    for node in nodes:  # operands come first, so their depth is known
        operands = [p for p in node.parents if id(p) in depth]
        depth[id(node)] = 1 + max(depth[id(p)] for p in operands) if operands else 0
    return depth


def _short(values):
    values = np.asarray(values)
    if values.size == 1:
        return f"{values.item():.4g}"
    return f"shape {values.shape}"


def draw_autograd_graph(output, ax=None, title="The graph autograd recorded"):
    """Draw the graph of ``output`` (a Tensor); call after ``output.backward()`` to see the gradients too.

    Only tensors that require grad are in the graph (constants are folded into the operations).
    Intermediate gradients show for tensors marked with ``retain_grad()``, as in PyTorch.
    """
    nodes = graph_nodes(output)
    depth = _depths(nodes)
    columns = {}
    for node in nodes:
        columns.setdefault(depth[id(node)], []).append(node)
    width, height = max(columns) + 1, max(len(c) for c in columns.values())
    ax = axes_or_new(ax, figsize=(2.3 * width + 1, 1.3 * height + 1))
    position = {}
    for column, members in columns.items():
        for row, node in enumerate(members):
            position[id(node)] = (column * 2.3, (len(members) - 1) / 2 - row) if len(members) > 1 else (column * 2.3, 0)
    boxes = {}
    for node in nodes:
        x, y = position[id(node)]
        label = node.name or (node.grad_fn if node.grad_fn else "leaf")
        text = f"{label}\n{_short(node.data)}"
        boxes[id(node)] = ax.text(x, y, text, ha="center", va="center", fontsize=FONT_SIZE, color=FORWARD, zorder=3,
                                  bbox={"boxstyle": "round,pad=0.4", "facecolor": "white",
                                        "edgecolor": BLUE if node.is_leaf else FORWARD})
        if node._grad is not None:
            ax.text(x, y - 0.42, f"grad {_short(node._grad)}", ha="center", va="top", fontsize=FONT_SIZE - 1,
                    color=BACKWARD, zorder=3)
    for node in nodes:
        for parent in node.parents:
            if id(parent) in boxes:
                ax.annotate("", xy=(0, 0.5), xycoords=boxes[id(node)], xytext=(1, 0.5),
                            textcoords=boxes[id(parent)], arrowprops={"arrowstyle": "->", "color": FORWARD})
    ax.set_xlim(-1.2, 2.3 * (width - 1) + 1.2)
    ax.set_ylim(-height / 2 - 0.6, height / 2 + 0.4)
    ax.axis("off")
    ax.set_title(title, fontsize=TITLE_SIZE)
    return ax
