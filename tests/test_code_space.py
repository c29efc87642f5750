"""The code-space drawing and widget (nnkit.viz.code_space, nnkit.widgets.code_interpolation_explorer): the path,
the decoded image, the controls and the offline animation."""

import matplotlib

matplotlib.use("Agg")

import numpy as np

from nnkit.viz.code_space import draw_code_interpolation, interpolation_animation, representative_codes
from nnkit.widgets.code_interpolation_explorer import code_interpolation_explorer

LABELS = np.repeat(np.arange(10), 3)
CODES = np.column_stack([LABELS, -LABELS]).astype(float) + np.tile([0.0, 0.1, -0.1], 10)[:, None]


def decoder(codes):
    """A stand-in decoder whose image records where it was asked: pixel 0 = c1 / 10, pixel 1 = -c2 / 10."""
    images = np.zeros((len(codes), 64))
    images[:, 0], images[:, 1] = codes[:, 0] / 10, -codes[:, 1] / 10
    return images


def interpolate_codes(code_a, code_b, t):
    """The chapter's straight line (notebooks/12_beyond.md): (1 - t) c_a + t c_b."""
    return (1 - t) * np.asarray(code_a) + t * np.asarray(code_b)


def test_representative_codes_are_the_mean_code_of_each_digit():
    centres = representative_codes(CODES, LABELS)
    assert centres.shape == (10, 2) and np.allclose(centres, np.column_stack([np.arange(10), -np.arange(10)]))


def test_drawing_decodes_the_point_at_t():
    fig = draw_code_interpolation(decoder, interpolate_codes, CODES, LABELS, np.array([0.0, 0.0]),
                                  np.array([8.0, -8.0]),
                                  t=0.25)
    image = fig.axes[1].images[0].get_array()
    assert np.isclose(image[0, 0], 0.2) and np.isclose(image[0, 1], 0.2)     # decoded at (2, -2)
    assert "0.75" in fig.axes[1].get_title() and "0.25" in fig.axes[1].get_title()
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel() and fig.axes[0].get_title()


def test_explorer_draws_on_creation_and_follows_its_controls():
    view = code_interpolation_explorer(decoder, interpolate_codes, CODES, LABELS, digit_a=0, digit_b=6, t=0.5)
    assert view.draw_count == 1
    assert np.isclose(view.figure.axes[1].images[0].get_array()[0, 0], 0.3)   # halfway from digit 0 to digit 6
    view.controls["t"].value = 1.0
    assert view.draw_count == 2 and np.isclose(view.figure.axes[1].images[0].get_array()[0, 0], 0.6)
    view.controls["digit_b"].value = 9
    assert np.isclose(view.figure.axes[1].images[0].get_array()[0, 0], 0.9)


def test_animation_is_self_contained():
    html = interpolation_animation(decoder, interpolate_codes, CODES, LABELS, steps=3)
    assert "<img" in html or "data:image/png;base64" in html
    assert "https://" not in html and "font-awesome" not in html
