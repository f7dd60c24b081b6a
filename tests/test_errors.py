"""Bad calls: each raises ValueError or TypeError naming the argument, before any work is done."""

import numpy as np
import pytest

import cnnhelpers as ch

IMG = np.zeros((5, 5))
K3 = np.zeros((3, 3))
X4 = np.zeros((2, 3, 8, 8))
W4 = np.zeros((4, 3, 3, 3))

BAD_CALLS = [
    # (call, expected exception, words the message must contain)
    (lambda: ch.correlate2d(IMG, np.zeros((7, 7))), ValueError, ["kernel", "larger", "5x5"]),
    (lambda: ch.correlate2d(IMG, np.zeros((3, 3)), dilation=3), ValueError, ["dilated", "larger"]),
    (lambda: ch.correlate2d(np.zeros(5), K3), ValueError, ["image", "2-D", "1-D"]),
    (lambda: ch.correlate2d(IMG, np.zeros((3, 3, 3))), ValueError, ["kernel", "2-D", "3-D"]),
    (lambda: ch.correlate2d(IMG, K3, stride=0), ValueError, ["stride", ">= 1", "0"]),
    (lambda: ch.correlate2d(IMG, K3, stride=1.5), TypeError, ["stride", "int", "1.5"]),
    (lambda: ch.correlate2d(IMG, K3, stride=True), TypeError, ["stride", "int"]),
    (lambda: ch.correlate2d(IMG, K3, stride=(1, 2, 3)), ValueError, ["stride", "pair", "3 values"]),
    (lambda: ch.correlate2d(IMG, K3, padding=-1), ValueError, ["padding", ">= 0", "-1"]),
    (lambda: ch.correlate2d(IMG, K3, padding="sideways"), ValueError, ["padding", "'sideways'", "same"]),
    (lambda: ch.correlate2d(IMG, K3, padding="same", stride=2), ValueError, ["same", "stride"]),
    (lambda: ch.correlate2d(IMG, K3, dilation=0), ValueError, ["dilation", ">= 1"]),
    (lambda: ch.correlate2d("an image", K3), TypeError, ["image", "real numbers"]),
    (lambda: ch.correlate2d(IMG.astype(complex), K3), TypeError, ["image", "complex"]),
    (lambda: ch.conv2d(X4, np.zeros((4, 2, 3, 3))), ValueError, ["channels", "3", "2", "weight"]),
    (lambda: ch.conv2d(np.zeros((1, 2, 3, 8, 8)), W4), ValueError, ["x", "4-D", "5-D"]),
    (lambda: ch.conv2d(np.zeros((8, 8)), W4), ValueError, ["x", "(C, H, W)", "2-D"]),
    (lambda: ch.conv2d(X4, np.zeros((4, 3, 3))), ValueError, ["weight", "4-D", "3-D"]),
    (lambda: ch.conv2d(X4, W4, np.zeros(3)), ValueError, ["bias", "(4,)", "(3,)"]),
    (lambda: ch.conv2d(X4, W4, padding="full"), ValueError, ["padding", "'full'"]),
    (lambda: ch.conv2d(X4, W4, padding="same", stride=(1, 2)), ValueError, ["same", "stride"]),
    (lambda: ch.conv2d(X4, np.zeros((4, 3, 9, 9))), ValueError, ["kernel", "larger", "8x8"]),
    (lambda: ch.conv2d_backward(np.zeros((2, 4, 5, 5)), X4, W4), ValueError, ["grad_out", "(2, 4, 6, 6)"]),
    (lambda: ch.max_pool2d(IMG, 0), ValueError, ["kernel_size", ">= 1"]),
    (lambda: ch.max_pool2d(IMG, float("inf")), TypeError, ["kernel_size", "int", "inf"]),
    (lambda: ch.max_pool2d(IMG, float("nan")), TypeError, ["kernel_size", "nan"]),
    (lambda: ch.max_pool2d(IMG, 2, padding=2), ValueError, ["padding", "half", "kernel_size"]),
    (lambda: ch.avg_pool2d(IMG, 6), ValueError, ["pooling window", "larger", "5x5"]),
    (lambda: ch.avg_pool2d(np.zeros((1, 1, 1, 4, 4)), 2), ValueError, ["x", "5-D"]),
    (lambda: ch.max_pool2d(IMG, 2, stride=-1), ValueError, ["stride", ">= 1", "-1"]),
    (lambda: ch.max_pool2d_backward(np.zeros((3, 3)), IMG, 2), ValueError, ["grad_out", "(2, 2)", "(3, 3)"]),
    (lambda: ch.avg_pool2d_backward(np.zeros((2, 2)), IMG, "2"), TypeError, ["kernel_size", "'2'"]),
    (lambda: ch.adaptive_avg_pool2d(IMG, 0), ValueError, ["output_size", ">= 1"]),
    (lambda: ch.adaptive_max_pool2d(IMG, (2, 2, 2)), ValueError, ["output_size", "3 values"]),
    (lambda: ch.adaptive_max_pool2d(np.zeros(5), 2), ValueError, ["x", "1-D"]),
    (lambda: ch.conv_output_size(5, 7), ValueError, ["kernel", "larger"]),
    (lambda: ch.conv_output_size(0, 3), ValueError, ["size", "positive", "0"]),
    (lambda: ch.conv_output_size(5, 3, stride=2, padding="same"), ValueError, ["same", "stride"]),
    # one axis at a time: a pair would silently drop its second value
    (lambda: ch.conv_output_size((5, 7), 3), TypeError, ["size must be a positive int", "(5, 7)"]),
    (lambda: ch.conv_output_size(5, (3, 3)), TypeError, ["kernel_size", "int"]),
    (lambda: ch.conv_output_size(5, 3, padding=(1, 1)), TypeError, ["padding", "int"]),
    (lambda: ch.conv_output_size(5, np.array(3.5)), TypeError, ["kernel_size", "int", "float64"]),
    (lambda: ch.max_pool2d(IMG, np.array(2.5)), TypeError, ["kernel_size", "2.5"]),
    (lambda: ch.max_pool2d(IMG, np.array([2, 2, 2])), ValueError, ["kernel_size", "3 values"]),
    (lambda: ch.conv2d(X4, W4, dilation=2**61), ValueError, ["dilated", "larger"]),
    (lambda: ch.max_pool2d(IMG, 2**61), ValueError, ["pooling window", "larger"]),
    # sizes that would not fit in memory: refused before anything is allocated, naming the cause
    (lambda: ch.correlate2d(np.ones((7, 9)), K3, padding=10**6), ValueError, ["padding=1000000", "GiB", "padded"]),
    (lambda: ch.correlate2d(np.ones((7, 9)), K3, padding=10**12), ValueError, ["padding=1000000000000", "GiB"]),
    (lambda: ch.conv2d(X4, W4, padding=(2, 10**9)), ValueError, ["padding=(2, 1000000000)", "GiB"]),
    (lambda: ch.conv2d_backward(np.zeros((2, 4, 6, 6)), X4, W4, padding=10**7), ValueError, ["padding", "GiB"]),
    (lambda: ch.conv2d(np.broadcast_to(np.zeros(1), (1000, 1, 1000, 1000)), np.zeros((10**4, 1, 1, 1))),
     ValueError, ["weight of shape (10000, 1, 1, 1)", "output", "GiB"]),
    (lambda: ch.adaptive_avg_pool2d(IMG, 10**7), ValueError, ["output_size=10000000", "GiB"]),
    (lambda: ch.adaptive_max_pool2d(X4, (10**6, 10**6)), ValueError, ["output_size", "GiB"]),
]


@pytest.mark.parametrize("call, error, words", BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_call_raises_clear_error(call, error, words):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"


def test_no_index_error_for_kernel_just_larger_than_padded_input():
    with pytest.raises(ValueError):
        ch.conv2d(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 7, 7)), padding=1)
    assert ch.conv2d(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 6, 6)), padding=1).shape == (1, 1, 1, 1)
