"""cnnhelpers.sizes: the output-size formula explained, stacks of layers, settings for a size."""


import itertools

import numpy as np
import pytest
from reference import naive_correlate2d

from cnnhelpers.sizes import explain_output_size, layer_sizes, output_size_table, settings_for_output_size


def measured_size(size, kernel, stride=1, padding=0, dilation=1):
    """Length of a real output, from the naive loop reference."""
    out = naive_correlate2d(np.zeros((size, 1)), np.ones((kernel, 1)), stride=(stride, 1),
                            pads=(padding, padding, 0, 0), dilation=(dilation, 1))
    return out.shape[0]


def test_explain_output_size_spells_out_the_slide_example():
    assert explain_output_size(5, 3, stride=2, padding=1) == \
        "floor((5 + 2·1 − 1·(3 − 1) − 1) / 2) + 1 = floor(4 / 2) + 1 = 3"


@pytest.mark.parametrize("size, kernel, stride, padding, dilation",
                         [s for s in itertools.product([4, 7, 10], [1, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2])
                          if s[0] + 2 * s[3] >= s[4] * (s[1] - 1) + 1])
def test_explain_output_size_ends_with_the_measured_size(size, kernel, stride, padding, dilation):
    text = explain_output_size(size, kernel, stride, padding, dilation)
    assert text.endswith(f"= {measured_size(size, kernel, stride, padding, dilation)}")


def test_explain_output_size_shows_the_same_padding():
    assert explain_output_size(6, 4, padding="same").startswith("padding 'same' = 1 + 2: ")
    assert explain_output_size(6, 4, padding="same").endswith("= 6")


def test_explain_output_size_refuses_same_with_a_stride():
    with pytest.raises(ValueError, match="'same' keeps the size only at stride 1.*stride 2"):
        explain_output_size(8, 3, stride=2, padding="same")


def test_explain_output_size_says_why_a_kernel_does_not_fit():
    with pytest.raises(ValueError, match=r"floor\(\(3 \+ 2·0 − 2·\(3 − 1\) − 1\) / 1\) \+ 1 = floor\(-2 / 1\) "
                                         r"\+ 1 gives no output: the kernel spans 5 pixels.*only 3"):
        explain_output_size(3, 3, dilation=2)


def test_explain_output_size_rejects_a_float():
    with pytest.raises(TypeError, match="kernel_size"):
        explain_output_size(5, 2.5)


def test_layer_sizes_match_repeated_real_convolutions():
    image, sizes = np.zeros((20, 20)), [20]
    for _ in range(4):
        image = naive_correlate2d(image, np.ones((3, 3)), stride=(2, 2), pads=(1, 1, 1, 1))
        sizes.append(image.shape[0])
    assert layer_sizes(20, 4, 3, stride=2, padding=1) == sizes


def test_layer_sizes_stop_when_the_kernel_no_longer_fits():
    assert layer_sizes(11, 10, 5) == [11, 7, 3]


def test_layer_sizes_with_same_padding_stay_constant():
    assert layer_sizes(9, 6, 5, padding="same") == [9] * 7


def test_settings_for_output_size_lists_exactly_the_working_settings():
    found = settings_for_output_size(20, 7, 3, max_stride=5, max_padding=3)
    expected = [(s, p) for s in range(1, 6) for p in range(4) if measured_size(20, 3, s, p) == 7]
    assert found == expected and found  # sorted by stride, then padding, and not empty


def test_settings_for_output_size_with_dilation():
    for stride, padding in settings_for_output_size(16, 8, 3, dilation=2):
        assert measured_size(16, 3, stride, padding, 2) == 8


def test_output_size_table_formula_equals_measured_and_skips_impossible():
    rows = output_size_table([3, 6], [3, 5], [1, 2], [0, 1, "same"], [1, 2])
    assert all(row["formula"] == row["measured"] for row in rows)
    assert not any(row["size"] == 3 and row["kernel"] == 5 and row["padding"] == 0 for row in rows)
    assert not any(row["padding"] == "same" and row["stride"] == 2 for row in rows)


def test_output_size_table_measured_matches_naive_reference():
    for row in output_size_table([7], [3], [1, 2, 3], [0, 2], [1, 2]):
        assert row["measured"] == measured_size(7, 3, row["stride"], row["padding"], row["dilation"])
