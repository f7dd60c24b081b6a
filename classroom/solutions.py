"""The model answers of the series' exercises, for the nbgrader course (never shipped to students).

The notebooks' checkers know the right answers but never reveal them, and the student package
must not grow an answer key. This module computes each answer again from the exercise's data
(the constants in ``cnnhelpers.exercises.<topic>``) with the package's public operations or plain
NumPy, the way a lecturer would write the model solution. ``make_assignments.py`` writes each
value as a literal into the source notebook's solution region and refuses to build the course
unless the exercise's own checker accepts it, so a checker and its solution cannot drift apart.

``ANSWERS`` maps a checker's name to a function returning ``{variable: value}``, the variables of
the notebook's answer line (``answer = None`` or ``dense, conv = None, None``). ``POINTS`` gives
each exercise's points; Build-it functions (their model solution is the function of the same name
in ``cnnhelpers.reference``) earn ``BUILD_POINTS`` unless listed.
"""

from __future__ import annotations

import numpy as np

from cnnhelpers import (
    conv2d,
    conv2d_backward,
    conv_output_size,
    convolve2d,
    correlate2d,
    max_pool2d,
    max_pool2d_backward,
)

__all__ = ["ANSWERS", "POINTS", "BUILD_POINTS", "DEFAULT_POINTS", "points_for"]

DEFAULT_POINTS = 1  # a one-number or one-choice exercise
BUILD_POINTS = 5  # a Build-it function, checked on many inputs
POINTS = {  # exercises whose answer is an array or two numbers: more to get right
    "check_parameter_counts": 2,
    "check_flipped_kernel": 2,
    "check_reflect_padding": 2,
    "check_stride_and_padding": 2,
    "check_two_channel_pixel": 2,
    "check_average_weight": 2,
    "check_max_pool_grid": 2,
    "check_overlapping_pool": 2,
    "check_max_pool_gradient": 2,
    "check_conv_input_gradient": 3,
    "check_cross_entropy_gradient": 3,
}


def points_for(checker_name: str, build_it: bool = False) -> int:
    """The points of the exercise checked by ``checker_name``."""
    return POINTS.get(checker_name, BUILD_POINTS if build_it else DEFAULT_POINTS)


# --- 01 kernels -------------------------------------------------------------------------------

def _output_value():
    from cnnhelpers.exercises.kernels import OUTPUT_IMAGE, OUTPUT_KERNEL, OUTPUT_POSITION
    return {"answer": correlate2d(OUTPUT_IMAGE, OUTPUT_KERNEL)[OUTPUT_POSITION]}


def _corner_patch():
    from cnnhelpers.exercises.kernels import CORNER_PATCHES
    from cnnhelpers.kernels import corner
    responses = {name: float(np.sum(patch * corner)) for name, patch in CORNER_PATCHES.items()}
    return {"answer": max(responses, key=responses.get)}


def _parameter_counts():
    from cnnhelpers.exercises.kernels import PARAMETER_IMAGE_SHAPE
    pixels = int(np.prod(PARAMETER_IMAGE_SHAPE))
    return {"dense": pixels * pixels, "conv": 3 * 3}  # every (input, output) pair; one shared 3x3 kernel


def _flipped_kernel():
    from cnnhelpers.exercises.kernels import FLIP_KERNEL
    return {"answer": FLIP_KERNEL[::-1, ::-1]}


# --- 02 padding -------------------------------------------------------------------------------

def _padded_output_size():
    from cnnhelpers.exercises.padding import SIZE_QUESTION as q
    return {"answer": conv_output_size(q["size"], q["kernel_size"], padding=q["padding"])}


def _same_padding():
    from cnnhelpers.exercises.padding import SAME_KERNEL_SIZE
    return {"answer": (SAME_KERNEL_SIZE - 1) // 2}


def _padded_cell():
    from cnnhelpers.exercises.padding import CELL_POSITION
    from cnnhelpers.slides import SLIDE_INPUT, SLIDE_KERNEL
    padded = np.pad(np.asarray(SLIDE_INPUT, float), 1)
    return {"answer": correlate2d(padded, SLIDE_KERNEL)[CELL_POSITION]}


def _reflect_padding():
    from cnnhelpers.exercises.padding import REFLECT_PADDING, REFLECT_ROW
    return {"answer": np.pad(np.array(REFLECT_ROW), REFLECT_PADDING, mode="reflect")}


# --- 03 stride --------------------------------------------------------------------------------

def _strided_output_size():
    from cnnhelpers.exercises.stride import STRIDE_QUESTION as q
    return {"answer": conv_output_size(q["size"], q["kernel_size"], q["stride"], q["padding"])}


def _dilated_output_size():
    from cnnhelpers.exercises.stride import DILATION_QUESTION as q
    return {"answer": conv_output_size(q["size"], q["kernel_size"], dilation=q["dilation"])}


def _stride_and_padding():
    from cnnhelpers.exercises.stride import TARGET_QUESTION as q
    for stride in range(2, q["kernel_size"] + 1):  # the smallest stride, then the smallest padding
        for padding in range(q["kernel_size"]):
            if conv_output_size(q["size"], q["kernel_size"], stride, padding) == q["output_size"]:
                return {"stride": stride, "padding": padding}
    raise ValueError(f"no stride and padding give {q}")


# --- 04 depth ---------------------------------------------------------------------------------

def _layer_parameters(layer):
    return layer["out_channels"] * (layer["in_channels"] * layer["kernel_size"] ** 2 + 1)  # weights + biases


def _first_layer_parameters():
    from cnnhelpers.exercises.depth import FIRST_LAYER
    return {"answer": _layer_parameters(FIRST_LAYER)}


def _second_layer_parameters():
    from cnnhelpers.exercises.depth import SECOND_LAYER
    return {"answer": _layer_parameters(SECOND_LAYER)}


def _two_channel_pixel():
    from cnnhelpers.exercises.depth import TWO_CHANNEL_BIAS, TWO_CHANNEL_INPUT, TWO_CHANNEL_KERNEL, TWO_CHANNEL_POSITION
    x = np.asarray(TWO_CHANNEL_INPUT, float)[None]  # (1, 2, H, W)
    w = np.asarray(TWO_CHANNEL_KERNEL, float)[None]  # (1, 2, 3, 3)
    return {"answer": conv2d(x, w, np.array([TWO_CHANNEL_BIAS], float))[(0, 0, *TWO_CHANNEL_POSITION)]}


def _average_weight():
    return {"answer": np.full((1, 3, 1, 1), 1 / 3)}


# --- 05 pooling -------------------------------------------------------------------------------

def _max_pool_grid():
    from cnnhelpers.exercises.pooling import POOL_GRID
    return {"answer": max_pool2d(np.asarray(POOL_GRID, float)[None, None], 2)[0, 0]}


def _overlapping_pool():
    from cnnhelpers.exercises.pooling import OVERLAP_GRID
    return {"answer": max_pool2d(np.asarray(OVERLAP_GRID, float)[None, None], 3, 2)[0, 0]}


def _pooled_size():
    from cnnhelpers.exercises.pooling import SIZE_QUESTION as q
    return {"answer": conv_output_size(q["size"], q["kernel_size"], q["stride"])}


def _receptive_field():
    # RF_STACK: conv 3x3, conv 3x3, max pool 2x2 stride 2, conv 3x3 (no padding); walk back from one output unit
    size = 1
    for kernel, stride in reversed([(3, 1), (3, 1), (2, 2), (3, 1)]):
        size = (size - 1) * stride + kernel
    return {"answer": size}


# --- 06 full CNN ------------------------------------------------------------------------------

def _flatten_size():
    from cnnhelpers.exercises.cnn import LENET
    size = LENET["input"][1]
    for conv, pool in (("conv1", "pool1"), ("conv2", "pool2")):
        size = conv_output_size(size, LENET[conv][1]) // LENET[pool]
    return {"answer": LENET["conv2"][0] * size * size}


def _max_pool_gradient():
    from cnnhelpers.exercises.cnn import POOL_GRAD, POOL_INPUT
    x = np.asarray(POOL_INPUT, float)[None, None]
    grad = np.asarray(POOL_GRAD, float)[None, None]
    return {"answer": max_pool2d_backward(grad, x, 2)[0, 0]}


def _conv_input_gradient():
    from cnnhelpers.exercises.cnn import CONV_GRAD_OUT, CONV_INPUT_SHAPE, CONV_KERNEL
    # each input pixel collects grad_out times the weight that joined them: a full convolution
    grad = np.pad(np.asarray(CONV_GRAD_OUT, float), 1)
    full = convolve2d(grad, CONV_KERNEL)
    assert full.shape == CONV_INPUT_SHAPE
    check = conv2d_backward(np.asarray(CONV_GRAD_OUT, float)[None, None], np.zeros((1, 1, *CONV_INPUT_SHAPE)),
                            np.asarray(CONV_KERNEL, float)[None, None])[0][0, 0]
    assert np.allclose(full, check)
    return {"answer": full}


def _cross_entropy_gradient():
    from cnnhelpers.exercises.cnn import LABEL, LOGITS
    probabilities = np.exp(LOGITS - np.max(LOGITS))
    probabilities /= probabilities.sum()
    return {"answer": probabilities - np.eye(len(LOGITS))[LABEL]}


ANSWERS = {
    "check_output_value": _output_value,
    "check_corner_patch": _corner_patch,
    "check_parameter_counts": _parameter_counts,
    "check_flipped_kernel": _flipped_kernel,
    "check_padded_output_size": _padded_output_size,
    "check_same_padding": _same_padding,
    "check_padded_cell": _padded_cell,
    "check_reflect_padding": _reflect_padding,
    "check_strided_output_size": _strided_output_size,
    "check_dilated_output_size": _dilated_output_size,
    "check_stride_and_padding": _stride_and_padding,
    "check_first_layer_parameters": _first_layer_parameters,
    "check_second_layer_parameters": _second_layer_parameters,
    "check_two_channel_pixel": _two_channel_pixel,
    "check_average_weight": _average_weight,
    "check_max_pool_grid": _max_pool_grid,
    "check_overlapping_pool": _overlapping_pool,
    "check_pooled_size": _pooled_size,
    "check_receptive_field": _receptive_field,
    "check_flatten_size": _flatten_size,
    "check_max_pool_gradient": _max_pool_gradient,
    "check_conv_input_gradient": _conv_input_gradient,
    "check_cross_entropy_gradient": _cross_entropy_gradient,
}
