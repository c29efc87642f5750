"""nnkit.viz.conv1d, image_grid, cnn_stages: the 1-D convolution drawing shows the layer's own numbers, the grids
and the CNN diagram show what they are given, and the explorer and the animation draw on creation."""

import matplotlib

matplotlib.use("Agg")

import re

import numpy as np
import pytest

from nnkit import nn
from nnkit.viz.cnn_stages import draw_cnn_stages
from nnkit.viz.conv1d import EXAMPLE_SIGNAL, conv1d_animation, draw_conv1d, example_kernel, output_length_text
from nnkit.viz.image_grid import draw_image_grid
from nnkit.widgets.conv1d_explorer import conv1d_explorer


def conv1d_with(kernel, stride=1, padding=0, dilation=1):
    """The chapter's layer factory (notebooks/10_cnn.md): a bias-free Conv1d(1, 1, K) whose weight is ``kernel``."""
    kernel = np.asarray(kernel, dtype=float)
    layer = nn.Conv1d(1, 1, len(kernel), stride=stride, padding=padding, dilation=dilation, bias=False)
    layer.load_state_dict({"weight": kernel.reshape(1, 1, -1)})
    return layer


def texts(ax):
    return [text.get_text() for text in ax.texts]


def output_cells(ax):
    """The numbers written in the output row of draw_conv1d (y = -0.85), left to right."""
    row = sorted((text.get_position()[0], text.get_text()) for text in ax.texts
                 if text.get_position()[1] == -0.85 and text.get_text() != "output $y$")
    return [float(value.replace("−", "-")) for _, value in row]


def highlighted_cells(ax):
    """Patches filled orange (the taps of the highlighted window and its output)."""
    return [patch for patch in ax.patches if matplotlib.colors.to_hex(patch.get_facecolor()) == "#e69f00"]


def test_example_kernel_cuts_or_extends_the_example_kernel():
    assert example_kernel(4).tolist() == [2, 0, 1, 1]
    assert example_kernel(2).tolist() == [2, 0]
    assert example_kernel(6).tolist() == [2, 0, 1, 1, 1, 1]


@pytest.mark.parametrize(("settings", "length"), [((12, 4, 1, 0, 1), 9), ((12, 4, 3, 0, 1), 3),
                                                   ((12, 4, 1, 2, 1), 13), ((12, 4, 1, 0, 2), 6)])
def test_output_length_text_substitutes_the_settings_and_agrees_with_the_layer(settings, length):
    L, K, stride, padding, dilation = settings
    text = output_length_text(*settings)
    numerator = L + 2 * padding - dilation * (K - 1) - 1
    assert f"({L} + 2\\cdot{padding} - {dilation}\\cdot({K} - 1) - 1) / {stride}" in text
    assert f"\\lfloor {numerator}/{stride} \\rfloor + 1 = {length}$" in text
    assert conv1d_with(example_kernel(K), stride, padding, dilation)(np.zeros((1, 1, L))).shape[-1] == length


def test_draw_conv1d_writes_the_layers_outputs_and_the_highlighted_sum():
    ax = draw_conv1d(conv1d_with, kernel_size=4, position=1)
    assert output_cells(ax) == [9, 4, 2, 9, 0, 9, 0, 3, 6]
    assert "$y_{1}$ = 1·2 + 0·0 + 3·1 + (−1)·1 = 4" in texts(ax)
    assert len(highlighted_cells(ax)) == 4 + 1            # four taps and their output
    assert "= 9$" in ax.get_title() and "kernel (2, 0, 1, 1)" in ax.get_title()


def test_draw_conv1d_with_stride_padding_and_dilation():
    ax = draw_conv1d(conv1d_with, kernel_size=4, stride=2, padding=1, dilation=2, position=0)
    expected = conv1d_with([2, 0, 1, 1], 2, 1, 2)(np.array(EXAMPLE_SIGNAL, dtype=float)[None, None])[0, 0]
    assert output_cells(ax) == expected.tolist()
    assert len(output_cells(ax)) == 4 and output_length_text(12, 4, 2, 1, 2).endswith("= 4$")  # floor(7/2) + 1
    assert "$y_{0}$ = 0·2 + 1·0 + 3·1 + 3·1 = 6" in texts(ax)   # taps at padded 0, 2, 4, 6: the pad, x1, x3, x5
    dashed = [patch for patch in ax.patches if patch.get_linestyle() == "--"]
    assert len(dashed) == 1                                # the last window reads padded 12: the right pad is unread


def test_draw_conv1d_marks_the_inputs_no_window_reads():
    ax = draw_conv1d(conv1d_with, kernel_size=4, stride=3, position=5)  # position past the end shows the last output
    assert output_cells(ax) == [9, 9, 0]
    assert "$y_{2}$" in texts(ax)[-1]
    dashed = [patch for patch in ax.patches if patch.get_linestyle() == "--"]
    assert len(dashed) == 2                                # inputs 10 and 11


def test_draw_conv1d_shows_the_layers_error_when_the_kernel_does_not_fit():
    ax = draw_conv1d(conv1d_with, kernel_size=6, dilation=3)
    assert output_cells(ax) == []
    assert "no output" in ax.get_title()
    assert any("smaller than the dilated kernel 16" in text for text in texts(ax))


def test_conv1d_explorer_draws_on_creation_and_redraws_for_each_setting():
    view = conv1d_explorer(conv1d_with)
    assert view.draw_count == 1 and "= 9$" in view.figure.axes[0].get_title()
    assert set(view.controls) == {"kernel_size", "stride", "padding", "dilation", "position"}
    view.controls["stride"].value = 2
    assert view.draw_count == 2 and "= 5$" in view.figure.axes[0].get_title()
    view.controls["padding"].value = 3
    assert re.search(r"= 8\$$", view.figure.axes[0].get_title())   # floor((12 + 6 - 3 - 1) / 2) + 1 = 8


def test_conv1d_animation_has_one_frame_per_output():
    html = conv1d_animation(conv1d_with)
    assert html.count("data:image/png") == 9 and "<script" in html
    assert "font-awesome" not in html and "https://" not in html      # offline: nothing fetched
    assert conv1d_animation(conv1d_with, stride=3).count("data:image/png") == 3


def test_draw_image_grid_one_panel_per_image_and_a_shared_colorbar():
    images = np.arange(5 * 4 * 4, dtype=float).reshape(5, 4, 4) - 30
    fig = draw_image_grid(images, titles=list("abcde"), ncols=3, title="grid", signed=True, colorbar_label="weight")
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 5 and [ax.get_title() for ax in panels] == list("abcde")
    assert fig.axes[-1].get_ylabel() == "weight"                      # the colorbar
    limit = np.abs(images).max()
    assert all(ax.images[0].get_clim() == (-limit, limit) for ax in panels)   # signed: centred at 0, one scale
    assert np.array_equal(panels[2].images[0].get_array(), images[2])
    assert fig._suptitle.get_text() == "grid"


def test_draw_image_grid_own_scales_without_colorbar():
    images = np.stack([np.eye(3), 5 * np.eye(3)])
    fig = draw_image_grid(images, ncols=2, shared=False)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 2 and [ax.images[0].get_clim() for ax in panels] == [(0, 1), (0, 5)]


def test_draw_cnn_stages_labels_every_stage_with_its_real_shape():
    np.random.seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3), nn.ReLU(),
                          nn.AvgPool2d(2, stride=1), nn.Flatten(), nn.Linear(6, 3))
    labels = [text for text in texts(draw_cnn_stages(model, input_shape=(1, 8, 8))) if text]   # arrows have none
    assert labels == ["input\n1 × 8 × 8", "conv 3×3\n+ ReLU\n4 × 8 × 8", "max pool 2×2\n4 × 4 × 4",
                      "conv 3×3\n+ ReLU\n6 × 2 × 2", "avg pool 2×2\n6 × 1 × 1", "flatten\n6", "linear\n3"]
