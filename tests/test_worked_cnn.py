"""The CNN section of the lecture notes (deck 002), reproduced with nnkit's public API.

Each test names what the deck prints and checks it against the layers. Where the deck slips, the test states the
slip and checks the correct version; chapter 10 (notebooks/10_cnn.md) shows the same numbers.
"""

import numpy as np
import pytest

from nnkit import nn

DECK_INPUT = np.array([3, 1, 0, 3, -1, 3, 0, 2, 1, -1, 0, 4], dtype=float)  # 002: the 12-entry input
DECK_KERNEL = np.array([2, 0, 1, 1], dtype=float)  # 002: the 4-tap kernel


def deck_conv1d(**settings):
    layer = nn.Conv1d(1, 1, kernel_size=4, bias=False, **settings)
    layer.load_state_dict({"weight": DECK_KERNEL.reshape(1, 1, 4)})
    return layer


def run(layer, signal=DECK_INPUT):
    """One sample, one channel: (L,) -> the layer's (L_out,) output."""
    return layer(signal.reshape(1, 1, -1))[0, 0]


def deck_output_length(L, K, stride=1, padding=0, dilation=1):
    """002's L_out, with the floor it leaves out: floor((L + 2p - d(K - 1) - 1) / s) + 1."""
    return (L + 2 * padding - dilation * (K - 1) - 1) // stride + 1


# -- convolution --------------------------------------------------------------------------------------------------
def test_conv1d_deck_example_outputs_9_4_2_9_0_9_0_3_6():
    # 002: output (9, 4, 2, 9, 0, 9, 0, 3, 6): 12 inputs, kernel of 4, no padding -> 9 outputs
    y = run(deck_conv1d())
    assert y.tolist() == [9, 4, 2, 9, 0, 9, 0, 3, 6]
    assert y.dtype == np.float64


@pytest.mark.parametrize(("position", "products", "value"), [
    (0, [3 * 2, 1 * 0, 0 * 1, 3 * 1], 9),       # 002: 3·2 + 1·0 + 0·1 + 3·1 = 9
    (1, [1 * 2, 0 * 0, 3 * 1, -1 * 1], 4),      # 002: 1·2 + 0·0 + 3·1 + (−1)·1 = 4
    (2, [0 * 2, 3 * 0, -1 * 1, 3 * 1], 2),      # 002: 0·2 + 3·0 + (−1)·1 + 3·1 = 2
    (8, [1 * 2, -1 * 0, 0 * 1, 4 * 1], 6),      # 002: 1·2 + (−1)·0 + 0·1 + 4·1 = 6 (the last window)
])
def test_conv1d_deck_steps_are_the_windows_of_the_layer(position, products, value):
    window = DECK_INPUT[position:position + 4]
    assert (window * DECK_KERNEL).tolist() == products
    assert sum(products) == value == run(deck_conv1d())[position]


def test_conv1d_does_not_flip_the_kernel():
    # deep learning's convolution is cross-correlation: np.correlate, not np.convolve
    y = run(deck_conv1d())
    assert np.array_equal(y, np.correlate(DECK_INPUT, DECK_KERNEL, mode="valid"))
    assert not np.array_equal(y, np.convolve(DECK_INPUT, DECK_KERNEL, mode="valid"))
    assert np.array_equal(y, np.convolve(DECK_INPUT, DECK_KERNEL[::-1], mode="valid"))


def test_padding_stride_and_dilation_on_the_deck_example():
    # chapter 10's numbers: padding adds zeros at both ends, stride keeps every s-th window, dilation spreads the taps
    assert run(deck_conv1d(padding=1)).tolist() == [1, 9, 4, 2, 9, 0, 9, 0, 3, 6, 2]
    assert run(deck_conv1d(padding=1))[0] == 0 * 2 + 3 * 0 + 1 * 1 + 0 * 1       # window (0, 3, 1, 0): one zero pad
    assert run(deck_conv1d(stride=2)).tolist() == [9, 2, 0, 0, 6]                 # every second of the 9
    assert run(deck_conv1d(stride=3)).tolist() == [9, 9, 0]                       # entries 10, 11 are never read
    dilated = run(deck_conv1d(dilation=2))
    assert dilated.tolist() == [5, 7, 1, 7, -1, 9]
    assert dilated[1] == 1 * 2 + 3 * 0 + 3 * 1 + 2 * 1                             # taps x1, x3, x5, x7


def test_same_length_output_for_the_even_kernel_needs_uneven_padding():
    # K = 4 needs K - 1 = 3 zeros in all: 1 on the left and 2 on the right (PyTorch's padding="same")
    same = run(deck_conv1d(), np.pad(DECK_INPUT, (1, 2)))
    assert len(same) == len(DECK_INPUT) and same[1:10].tolist() == [9, 4, 2, 9, 0, 9, 0, 3, 6]


def test_the_keyword_is_dilation_not_dilatation():
    # 002 writes torch.nn.Conv1d(..., dilatation) and Conv2d(..., dilatation); the argument is `dilation`
    with pytest.raises(TypeError, match="dilatation"):
        nn.Conv1d(1, 1, kernel_size=4, dilatation=2)
    with pytest.raises(TypeError, match="dilatation"):
        nn.Conv2d(1, 1, kernel_size=3, dilatation=2)
    assert nn.Conv1d(1, 1, 4, dilation=2).dilation == (2,) and nn.Conv2d(1, 1, 3, dilation=2).dilation == (2, 2)


# -- output size --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("L", [5, 12, 28])
def test_conv1d_output_length_formula(L):
    # 002: L_out = (L_in + 2·padding − dilation·(kernel_size − 1) − 1) / stride + 1, rounded down
    checked = 0
    for K in (1, 2, 3, 4, 5):
        for stride in (1, 2, 3):
            for padding in (0, 1, 2):
                for dilation in (1, 2, 3):
                    if L + 2 * padding < dilation * (K - 1) + 1:
                        continue                                   # the dilated kernel does not fit
                    layer = nn.Conv1d(1, 1, K, stride=stride, padding=padding, dilation=dilation)
                    assert layer(np.zeros((2, 1, L))).shape == (2, 1, deck_output_length(L, K, stride, padding,
                                                                                        dilation))
                    checked += 1
    assert checked > 100


def test_output_length_needs_the_floor():
    # 002 prints a plain fraction; for L = 12, K = 4, s = 3 it is 8/3 + 1 = 3.67, and the layer gives 3
    fraction = (12 + 2 * 0 - 1 * (4 - 1) - 1) / 3 + 1
    assert round(fraction, 2) == 3.67
    assert len(run(deck_conv1d(stride=3))) == deck_output_length(12, 4, stride=3) == 3


def test_conv2d_output_size_has_plus_one_on_both_axes():
    # 002 prints H_out with "+ 1" and W_out without it; both axes follow the same formula
    for (H, W), kernel, stride, padding, dilation in [((8, 8), 3, 1, 0, 1), ((8, 11), (3, 2), (1, 2), (1, 0), 1),
                                                       ((9, 7), (2, 3), 2, (0, 1), (2, 1)), ((28, 28), 5, 3, 2, 2)]:
        layer = nn.Conv2d(1, 2, kernel, stride=stride, padding=padding, dilation=dilation)
        pairs = [layer.kernel_size, layer.stride, layer.padding, layer.dilation]
        expected = tuple(deck_output_length(size, *axis) for size, axis in zip((H, W), zip(*pairs)))
        assert layer(np.zeros((1, 1, H, W))).shape == (1, 2, *expected)
    slide_width = (8 + 2 * 0 - 1 * (3 - 1) - 1) / 1                          # the slide's W_out: 5, not 6
    assert slide_width == 5 and nn.Conv2d(1, 1, 3)(np.zeros((1, 1, 8, 8))).shape[2:] == (6, 6)


def test_pooling_output_size_formulas():
    # 002: L_out = (L_in + 2·padding − kernel_size) / stride + 1 (rounded down); H_out and W_out alike
    for K in (1, 2, 3, 4):
        for stride in (1, 2, 3):
            for padding in range(K // 2 + 1):
                out = nn.MaxPool1d(K, stride=stride, padding=padding)(np.zeros((1, 1, 12)))
                assert out.shape[-1] == (12 + 2 * padding - K) // stride + 1
    assert nn.MaxPool1d(3, stride=2)(np.zeros((1, 1, 12))).shape[-1] == 5                  # floor(9 / 2) + 1, not 5.5
    assert nn.MaxPool2d((2, 3), stride=(2, 1), padding=(1, 1))(np.zeros((1, 1, 7, 9))).shape[2:] == (4, 9)
    assert nn.AvgPool2d(3, stride=2, padding=1)(np.zeros((1, 1, 8, 5))).shape[2:] == (4, 3)


# -- pooling ------------------------------------------------------------------------------------------------------
def test_max_pooling_deck_example_outputs_3_3_3_2_1_4():
    # 002: windows of 2 on the same input -> (3, 3, 3, 2, 1, 4)
    pool = nn.MaxPool1d(kernel_size=2)
    assert pool.stride == 2
    assert run(pool).tolist() == [3, 3, 3, 2, 1, 4]


def test_max_pooling_deck_steps():
    # 002's steps: "max(3, 0) = 3" (first), "max(0, 3) = 3" (second), "max(0, 4) = 4" (last). The first window
    # holds the first two inputs, (3, 1): the step is max(3, 1) = 3 (same result; (3, 0) is no window at all).
    windows = DECK_INPUT.reshape(-1, 2)
    assert windows[0].tolist() == [3, 1] and windows[1].tolist() == [0, 3] and windows[-1].tolist() == [0, 4]
    assert [3, 0] not in windows.tolist()
    pooled = run(nn.MaxPool1d(2))
    assert pooled[0] == max(3, 1) == 3 and pooled[1] == max(0, 3) == 3 and pooled[-1] == max(0, 4) == 4


def test_average_pooling_of_the_deck_input():
    # the same windows averaged: (3+1)/2, (0+3)/2, (−1+3)/2, (0+2)/2, (1−1)/2, (0+4)/2; a 1-D signal is a 1-row image
    averaged = nn.AvgPool2d(kernel_size=(1, 2))(DECK_INPUT.reshape(1, 1, 1, -1))[0, 0, 0]
    assert averaged.tolist() == [2, 1.5, 1, 1, 0, 2]


def test_max_pooling_keeps_the_maximum_wherever_it_sits_in_the_window():
    pool = nn.MaxPool1d(2)
    spikes = np.zeros((3, 1, 12))
    spikes[[0, 1, 2], 0, [2, 3, 4]] = 5.0                  # a spike at 2 and at 3 share a window; 4 starts the next
    pooled = pool(spikes)[:, 0]
    assert np.array_equal(pooled[0], pooled[1]) and not np.array_equal(pooled[1], pooled[2])
    assert pooled[2].tolist() == [0, 0, 5, 0, 0, 0]
