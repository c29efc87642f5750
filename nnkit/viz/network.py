"""Draw a fully connected network: neurons in columns, weights as coloured edges, optional per-neuron values."""

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from nnkit.nn.container import Sequential
from nnkit.nn.linear import Linear
from nnkit.viz.style import (
    BLACK,
    DIVERGING_CMAP,
    FONT_SIZE,
    NEGATIVE,
    POSITIVE,
    SEQUENTIAL_CMAP,
    TITLE_SIZE,
    axes_or_new,
    finish,
)

TINY_NETWORK_EDGES = 12  # up to this many weights, each edge is labelled with its value


def linear_blocks(model):
    """Split a Sequential into blocks [Linear, activation, ...]: one block per column of neurons after the input.

    Raises TypeError for anything but Linear layers with activations (or other shape-keeping modules) between them.
    """
    layers = list(model) if isinstance(model, Sequential) else [model]
    if not layers or not isinstance(layers[0], Linear):
        raise TypeError(f"draw_network: expected a Sequential starting with Linear, got {model!r}")
    blocks = []
    for layer in layers:
        if isinstance(layer, Linear):
            if blocks and blocks[-1][0].out_features != layer.in_features:
                raise ValueError(f"draw_network: {blocks[-1][0]!r} feeds {layer!r}, sizes differ")
            blocks.append([layer])
        elif isinstance(layer, Sequential):
            raise TypeError(f"draw_network: nested Sequential {layer!r} is not supported; flatten the model")
        else:
            blocks[-1].append(layer)
    return blocks


def network_values(model, x, loss_fn=None, target=None):
    """Per-column neuron values of ``model`` for one sample ``x`` (in_features,): (activations, gradients).

    ``activations[k]`` is column k's output (column 0 is x itself; column k >= 1
    is Linear k followed by its activation). With ``loss_fn`` and ``target``,
    ``gradients[k]`` is :math:`\\partial L/\\partial` (column k's output), found by
    running backward block by block; like ``model.backward`` this *adds* into
    every ``Parameter.grad``. Without a loss, ``gradients`` is None.
    """
    blocks = linear_blocks(model)
    value = np.asarray(x, dtype=np.float64).reshape(1, -1)
    activations = [value[0]]
    for block in blocks:
        for layer in block:
            value = layer(value)
        activations.append(value[0])
    if loss_fn is None:
        return activations, None
    target = np.asarray(target)
    # a target for one sample: reshape it to the batch of one (class indices become shape (1,))
    loss_fn(value, target.reshape(value.shape) if target.size == value.size else target.reshape(-1))
    grad = loss_fn.backward()
    gradients = [grad[0]]
    for block in reversed(blocks):
        for layer in reversed(block):
            grad = layer.backward(grad)
        gradients.append(grad[0])
    return activations, gradients[::-1]


def shown_neurons(width, max_neurons):
    """Indices of the neurons drawn in a column of ``width``: all, or the first and last few around an ellipsis."""
    if width <= max_neurons:
        return np.arange(width)
    keep = max(1, (max_neurons - 2) // 2)
    return np.concatenate([np.arange(keep), np.arange(width - keep, width)])


def neuron_heights(width, max_neurons):
    """y of each shown neuron (top to bottom, centred on 0) and of the ellipsis (None if all are shown)."""
    shown = shown_neurons(width, max_neurons)
    if len(shown) == width:
        return (len(shown) - 1) / 2 - np.arange(width, dtype=float), None
    keep = len(shown) // 2
    slots = np.concatenate([np.arange(keep), np.arange(keep + 1, 2 * keep + 1)])  # slot ``keep`` is the ellipsis
    return keep - slots.astype(float), 0.0


def _column_values(values, widths, what):
    """Check per-column values (one sample) and align them with the columns (the input column may be omitted)."""
    if values is None:
        return None
    values = [None if v is None else np.asarray(v, dtype=float) for v in values]
    if len(values) == len(widths) - 1:
        values = [None] + values
    if len(values) != len(widths):
        raise ValueError(f"draw_network: {what} needs one array per column ({len(widths)} with the input), "
                         f"got {len(values)}")
    aligned = []
    for k, (v, width) in enumerate(zip(values, widths)):
        if v is not None:
            if v.size != width:
                raise ValueError(f"draw_network: {what}[{k}] must hold {width} values (one sample; for a batch pass "
                                 f"e.g. values[0]), got shape {v.shape}")
            v = v.reshape(width)
        aligned.append(v)
    return aligned


def draw_network(model, ax=None, activations=None, gradients=None, max_neurons=12):
    """Draw a fully connected ``Sequential`` (Linear layers with activations between them); returns the Axes.

    * Neurons are circles, one column per layer; each column is labelled with its size and activation.
    * Edge colour is the weight's sign (blue positive, vermilion negative), edge width :math:`\\propto |w|`.
      With at most 12 weights, each edge carries its value and each neuron its bias.
    * Columns wider than ``max_neurons`` show their first and last few neurons around a "⋮ k more" marker,
      and only edges among shown neurons are drawn, faintly.
    * ``activations`` / ``gradients``: optional per-column values for one sample (see :func:`network_values`),
      shown as the neurons' fill colour (activations; viridis) or, if both are given, gradients as a coloured ring
      (diverging purple-orange, white = 0), each with a colorbar.
    """
    blocks = linear_blocks(model)
    linears = [block[0] for block in blocks]
    widths = [linears[0].in_features] + [layer.out_features for layer in linears]
    activations = _column_values(activations, widths, "activations")
    gradients = _column_values(gradients, widths, "gradients")
    shown = [shown_neurons(width, max_neurons) for width in widths]
    heights = [neuron_heights(width, max_neurons) for width in widths]
    n_slots = max(len(h) + (e is not None) for h, e in heights)
    tiny = sum(layer.weight.data.size for layer in linears) <= TINY_NETWORK_EDGES
    has_values = activations is not None or gradients is not None
    height = 0.8 * (n_slots + 3) if tiny else max(3.2, 0.48 * n_slots + 1.8)  # tiny: room for edge labels
    ax = axes_or_new(ax, figsize=(max(4.5, 2.0 * len(widths) + 1.5 + 1.3 * has_values), height))

    for k, (weights, colors, linewidths) in enumerate(_edge_styles(linears, shown)):
        sources, targets = shown[k], shown[k + 1]
        y_from, y_to = heights[k][0], heights[k + 1][0]
        start = np.column_stack([np.full(weights.size, k), np.tile(y_from, len(targets))])
        end = np.column_stack([np.full(weights.size, k + 1), np.repeat(y_to, len(sources))])
        summarized = len(sources) < widths[k] or len(targets) < widths[k + 1]
        edges = LineCollection(np.stack([start, end], axis=1), colors=colors, linewidths=linewidths,
                               alpha=0.3 if summarized else 0.8, zorder=1, gid="edges")
        ax.add_collection(edges)
        if tiny:
            # each source's labels at its own distance along the edges, so labels of crossing edges never meet
            along = 0.3 + 0.4 * np.tile(np.arange(len(sources)), len(targets)) / max(1, len(sources) - 1)
            label_at = start + along[:, None] * (end - start)
            for (x_text, y_text), w in zip(label_at, weights.ravel()):
                ax.text(x_text, y_text, f"{w:.2f}", fontsize=FONT_SIZE - 1, ha="center", va="center", zorder=4,
                        gid="weight", bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})

    # fill = activations if given, else gradients; ring = gradients when both are given
    if activations is not None:
        fill = (activations, SEQUENTIAL_CMAP, _norm(activations, centred=False), "activation")
        ring = (gradients, DIVERGING_CMAP, _norm(gradients, centred=True), "gradient ∂L/∂(output) (ring)")
    else:
        fill = (gradients, DIVERGING_CMAP, _norm(gradients, centred=True), "gradient ∂L/∂(output)")
        ring = (None, None, None, None)
    node_area = min(900.0, (0.55 * 72 * ax.figure.get_figheight() / (n_slots + 2)) ** 2)
    for k, (width, (y, ellipsis_y)) in enumerate(zip(widths, heights)):
        faces = _colors(*fill[:3], k, shown[k], default="white")
        rings = _colors(*ring[:3], k, shown[k], default=BLACK)
        ax.scatter(np.full(len(y), k), y, s=node_area, c=faces, edgecolors=rings,
                   linewidths=3.5 if ring[0] is not None else 1.3, zorder=3, gid="neurons")
        if ellipsis_y is not None:
            ax.text(k, ellipsis_y, f"⋮ {width - len(shown[k])} more", fontsize=FONT_SIZE, ha="center", va="center",
                    zorder=4, gid="ellipsis",
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "0.7"})
        if tiny and k > 0 and linears[k - 1].bias is not None:
            for neuron, neuron_y in zip(shown[k], y):
                ax.text(k, neuron_y - 0.33, f"b={linears[k - 1].bias.data[neuron]:.2f}", fontsize=FONT_SIZE - 1,
                        color="0.25", ha="center", va="top", gid="bias",
                        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        ax.text(k, -(n_slots - 1) / 2 - 0.75, _column_label(k, width, blocks), fontsize=FONT_SIZE, ha="center",
                va="top", gid="layer_label")

    for values, cmap, norm, label in (fill, ring):
        if values is not None:
            colorbar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, pad=0.02)
            colorbar.set_label(label, fontsize=FONT_SIZE)
            colorbar.ax.tick_params(labelsize=FONT_SIZE - 1)

    ax.legend(handles=[Line2D([], [], color=POSITIVE, linewidth=2.5, label="weight > 0"),
                       Line2D([], [], color=NEGATIVE, linewidth=2.5, label="weight < 0")],
              loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=FONT_SIZE - 1, frameon=False,
              borderaxespad=0.1)
    ax.set_xlim(-0.5, len(widths) - 0.5)
    ax.set_ylim(-(n_slots - 1) / 2 - 2.0, (n_slots - 1) / 2 + 0.6)
    ax.set_axis_off()
    n_parameters = sum(p.data.size for layer in linears for p in layer.parameters())
    finish(ax, f"{'-'.join(map(str, widths))} network, {n_parameters} parameters", "", "")
    ax.set_title(ax.get_title(), fontsize=TITLE_SIZE, pad=2.2 * FONT_SIZE)  # room for the legend above the axes
    return ax


def _edge_styles(linears, shown):
    """Per Linear layer: its shown weights (shown out, shown in), their edge colours (the sign) and widths (∝ |w|)."""
    largest_weight = max(float(np.abs(layer.weight.data).max()) for layer in linears) or 1.0
    for k, layer in enumerate(linears):
        weights = layer.weight.data[np.ix_(shown[k + 1], shown[k])]  # row-major = drawing order
        yield (weights, np.where(weights.ravel() >= 0, POSITIVE, NEGATIVE),
               0.4 + 3.2 * np.abs(weights.ravel()) / largest_weight)


def update_network_weights(ax, model, max_neurons=12):
    """Recolour and resize the edges (and rewrite the weight and bias labels) that :func:`draw_network` drew on
    ``ax`` for ``model``, from its current weights: a frame of training without drawing the network anew.
    Returns the artists changed."""
    linears = [block[0] for block in linear_blocks(model)]
    widths = [linears[0].in_features] + [layer.out_features for layer in linears]
    shown = [shown_neurons(width, max_neurons) for width in widths]
    edges = [artist for artist in ax.collections if artist.get_gid() == "edges"]
    weight_texts = iter([text for text in ax.texts if text.get_gid() == "weight"])
    bias_texts = iter([text for text in ax.texts if text.get_gid() == "bias"])
    changed = []
    for collection, (weights, colors, linewidths) in zip(edges, _edge_styles(linears, shown), strict=True):
        collection.set_color(colors)
        collection.set_linewidth(linewidths)
        changed.append(collection)
        for w, text in zip(weights.ravel(), weight_texts):
            text.set_text(f"{w:.2f}")
            changed.append(text)
    for k, layer in enumerate(linears, start=1):
        for neuron, text in zip(shown[k], bias_texts):
            text.set_text(f"b={layer.bias.data[neuron]:.2f}")
            changed.append(text)
    return changed


def _column_label(k, width, blocks):
    if k == 0:
        return f"input\n{width} features"
    names = [type(layer).__name__ for layer in blocks[k - 1][1:]] or ["(linear)"]
    role = "output" if k == len(blocks) else f"hidden {k}"
    return f"{role}\n{width} neuron{'s' * (width > 1)}\n{', '.join(names)}"


def _norm(values, centred):
    if values is None:
        return None
    present = np.concatenate([v for v in values if v is not None])
    if centred:
        largest = float(np.abs(present).max()) or 1.0
        return Normalize(-largest, largest)
    low, high = float(present.min()), float(present.max())
    return Normalize(low, high if high > low else low + 1.0)


def _colors(values, cmap, norm, k, shown, default):
    if values is None or values[k] is None:
        return [default] * len(shown)
    return ScalarMappable(norm=norm, cmap=cmap).to_rgba(values[k][shown])
