"""Garbage in, a clear error out: the lesson modules, the widgets and the helpers around them.

The companion of ``test_garbage.py`` (core, ``nn``, ``data``, ``images``) for every public name in
the ``__all__`` of ``cnnhelpers.lessons.*``, ``plotting``, ``digit_pad``, ``live``,
``kernel_editor``, ``slides``, ``costs`` and ``sizes``, and for the methods a slider or a button
calls (``update``, ``set_kernel``, ...). Each call returns or raises ValueError or TypeError
(OSError too for the functions that read or write files), within 10 s and 4 GB
(``garbage_strategies.call_with``). An experiment's ``update`` raising ValueError or
TypeError is what its ``safe_update`` turns into a sentence under the sliders ("This setting
cannot work: ..."); anything else would read "Something went wrong".

The table below holds one valid call per public name; a new public name without one fails
:func:`test_every_public_name_has_a_valid_call`.
"""

from __future__ import annotations

import functools
import importlib
import io
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from garbage_strategies import all_garbage_arguments, call_with, garbage_settings, one_garbage_argument
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from cnnhelpers import live, nn, plotting, reference
from cnnhelpers.costs import OperationCost
from cnnhelpers.lessons import cnn, depth, kernels, padding, playground, pooling, stride

MODULES = [f"cnnhelpers.lessons.{name}" for name in ("welcome", "kernels", "padding", "stride", "depth",
                                                     "pooling", "cnn", "playground")] + \
          [f"cnnhelpers.{name}" for name in ("plotting", "digit_pad", "live", "kernel_editor", "slides",
                                             "costs", "sizes")]
RECORDS = {"cnn.KernelFit", "cnn.TopPatches", "pooling.ReceptiveField", "costs.OperationCost",
           "plotting.ColorScale"}  # plain dataclasses and NamedTuples: no checks of their own
FILE_FUNCTIONS = {"digit_pad.load_network", "digit_pad.save_network"}  # these may also raise OSError
IMAGE = np.arange(64.0).reshape(8, 8) % 7
KERNEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
LAYERS = [pooling.LayerSpec.conv(3), pooling.LayerSpec.max_pool(2)]


def public_names() -> list[str]:
    """``module.name`` of every callable in the ``__all__`` of MODULES (constants and records left out)."""
    names = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        short = module_name.rsplit(".", 1)[-1]
        for name in module.__all__:
            if callable(getattr(module, name)) and f"{short}.{name}" not in RECORDS:
                names.append(f"{short}.{name}")
    return names


def small_model() -> nn.Sequential:
    rng = np.random.default_rng(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(2 * 14 * 14, 10, rng=rng))


DIGITS = np.zeros((3, 28, 28), np.uint8)
DIGITS[:, 6:22, 12:16] = 200
LABELS = np.array([1, 1, 7])


@functools.cache
def shared(name: str):
    """Objects slow to build (photographs, a trained fit, experiments): built once, used by many examples."""
    model = small_model()
    makers = {
        "model": lambda: model,
        "fit": lambda: cnn.learn_kernel(IMAGE, steps=3),
        "history": lambda: nn.fit(model, DIGITS[:, None] / 255.0, LABELS, optimizer=nn.SGD(model.parameters()),
                                  epochs=1, validation=(DIGITS[:, None] / 255.0, LABELS), progress=False),
        "PaddingExperiment": lambda: padding.PaddingExperiment(size=32),
        "StrideExperiment": lambda: stride.StrideExperiment(size=32),
        "ChannelMixer": lambda: depth.ChannelMixer(photos=("astronaut", "coffee"), size=32),
        "PoolingExperiment": lambda: pooling.PoolingExperiment(),
        "ReceptiveFieldExperiment": lambda: pooling.ReceptiveFieldExperiment(max_blocks=2),
        "ShiftRotateExplorer": lambda: cnn.ShiftRotateExplorer(small_model(), DIGITS, LABELS),
        "TrainingScrubber": lambda: cnn.TrainingScrubber(snapshots()),
        "KernelDescent": lambda: cnn.KernelDescent(shared("fit")),
        "NetworkViewsExplorer": lambda: cnn.NetworkViewsExplorer(small_model(), DIGITS, LABELS),
        "KernelPlayground": lambda: playground.KernelPlayground(),
        "KernelGrid": lambda: playground.KernelGrid(),
        "DigitPad": lambda: _digit_pad().DigitPad(small_model(), size=56, pen_width=4, live_every=0),
        "KernelEditor": lambda: _kernel_editor().KernelEditor(size=32),
        "WeightedSumStepper": lambda: kernels.WeightedSumStepper(IMAGE[:3, :3], KERNEL),
    }
    return makers[name]()


def _digit_pad():
    from cnnhelpers import digit_pad
    return digit_pad


def _kernel_editor():
    from cnnhelpers import kernel_editor
    return kernel_editor


def snapshots() -> list[dict]:
    take = cnn.first_layer_snapshot(DIGITS[:1] / 255.0)
    return [take(small_model()), take(small_model())]


def axes(count: int = 1):
    fig, ax = plt.subplots(1, count, figsize=(2 * count, 2))
    return ax


def top_patches():
    return cnn.top_patches(shared("model"), DIGITS, count=2, context=1)


def receptive_field_figure():
    return pooling.ReceptiveFieldFigure(plt.figure())


def live_figure():
    figure = live.LiveFigure(figsize=(3, 2))
    figure.subplots(1, 2)
    return figure


def color_bar():
    ax = axes()
    return plotting.ScaledColorBar(ax.figure, "RdBu_r", ax=ax)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.arange(400, dtype=np.uint8).reshape(20, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


def shown():
    ax = axes()
    return ax.imshow(np.zeros((2, 2)))


def valid_call(name: str, tmp_path):
    """``(function, args, kwargs)``: a valid call of ``name``; objects are made afresh unless shared."""
    return valid_calls(tmp_path)[name]()


def valid_calls(tmp_path) -> dict:
    """Name -> a function of no arguments that returns ``(function, args, kwargs)``, a valid call."""
    from cnnhelpers import costs, digit_pad, kernel_editor, sizes, slides
    from cnnhelpers.lessons import welcome

    model = shared("model")
    maps = np.stack([IMAGE, -IMAGE])
    calls = {
        # -- welcome
        "welcome.missing_packages": lambda: (welcome.missing_packages, (), {}),
        "welcome.blas_info": lambda: (welcome.blas_info, (), {}),
        "welcome.environment_report": lambda: (welcome.environment_report, (), {}),
        # -- kernels
        "kernels.neighbor_correlation": lambda: (kernels.neighbor_correlation, (IMAGE, [1, 2]), {}),
        "kernels.show_neighbor_correlation": lambda: (kernels.show_neighbor_correlation, ({"a": IMAGE}, [1, 2]),
                                                      {}),
        "kernels.show_parameter_growth": lambda: (kernels.show_parameter_growth, ([8, 16],),
                                                  {"kernel_size": 3, "channels": (1, 3), "marks": (8,)}),
        "kernels.show_weighted_sum": lambda: (kernels.show_weighted_sum, (IMAGE[:3, :3], KERNEL),
                                              {"steps": 2, "fig": None}),
        "kernels.WeightedSumStepper": lambda: (kernels.WeightedSumStepper, (IMAGE[:3, :3], KERNEL), {}),
        "WeightedSumStepper.update": lambda: (shared("WeightedSumStepper").update, (), {"steps": 2}),
        "kernels.show_kernel_gallery": lambda: (kernels.show_kernel_gallery, (IMAGE, {"k": KERNEL}),
                                                {"ncols": 2, "size": 2.0}),
        "kernels.show_impulse_responses": lambda: (kernels.show_impulse_responses, (KERNEL, 5), {}),
        "kernels.detector_responses": lambda: (kernels.detector_responses, (IMAGE, {"k": KERNEL}), {}),
        "kernels.show_detector_responses": lambda: (kernels.show_detector_responses, (IMAGE[:4, :4], {"k": KERNEL}),
                                                    {"ncols": 2, "cell": 0.4}),
        "kernels.convolution_matrix": lambda: (kernels.convolution_matrix, ((4, 4), KERNEL),
                                               {"stride": 1, "padding": 0, "dilation": 1, "max_entries": 1000}),
        "kernels.show_convolution_matrix": lambda: (kernels.show_convolution_matrix, (np.eye(4),),
                                                    {"title": "m", "cell": 0.4}),
        "kernels.cost_table": lambda: (kernels.cost_table, ({"a": OperationCost(1, 2, 3)},), {}),
        "kernels.equivariance_error": lambda: (kernels.equivariance_error, (np.negative, np.fliplr, IMAGE),
                                               {"margin": 1}),
        "kernels.equivariance_errors": lambda: (kernels.equivariance_errors, (IMAGE, {"k": KERNEL},
                                                                              {"flip": np.fliplr}), {"margin": 1}),
        "kernels.show_equivariance": lambda: (kernels.show_equivariance, (IMAGE, np.negative, np.fliplr),
                                              {"operation_name": "negate", "transform_name": "flip", "margin": 1}),
        "kernels.load_stock_prices": lambda: (kernels.load_stock_prices, (), {}),
        "kernels.gaussian_1d": lambda: (kernels.gaussian_1d, (1.5,), {"derivative": False}),
        "kernels.show_filtered_signal": lambda: (kernels.show_filtered_signal,
                                                 (np.arange(20.0), np.sin(np.arange(20.0)), {"box": np.ones(3) / 3},
                                                  {"diff": np.array([1.0, -1.0])}),
                                                 {"conv1d": reference.conv1d, "unit": "m"}),
        "kernels.time_correlate2d": lambda: (kernels.time_correlate2d, (reference.correlate2d,
                                                                        reference.correlate2d, IMAGE[:4, :4],
                                                                        np.ones((2, 2))), {"repeat": 1}),
        # -- padding
        "padding.pad2d": lambda: (padding.pad2d, (IMAGE, 1), {"mode": "reflect"}),
        "padding.same_padding": lambda: (padding.same_padding, (3,), {"dilation": 1}),
        "padding.correlate2d_padded": lambda: (padding.correlate2d_padded, (IMAGE, KERNEL),
                                               {"padding": 1, "padding_mode": "circular", "stride": 1,
                                                "dilation": 1}),
        "padding.center_mask": lambda: (padding.center_mask, ((4, 5), 3), {"padding": 0}),
        "padding.show_center_pixels": lambda: (padding.show_center_pixels, (IMAGE, 3), {"paddings": (0, 1),
                                                                                        "fig": None}),
        "padding.padding_mode_errors": lambda: (padding.padding_mode_errors, (IMAGE, np.ones((3, 3)) / 9,
                                                                              (2, 2, 4, 4)),
                                                {"modes": ("zeros", "reflect")}),
        "padding.show_padding_modes": lambda: (padding.show_padding_modes, (IMAGE, KERNEL),
                                               {"padding": 1, "corner": 4, "modes": ("zeros", "reflect"),
                                                "signed": None, "fig": None}),
        "padding.show_layer_sizes": lambda: (padding.show_layer_sizes, (16, 3), {"kernel_sizes": (3, 5),
                                                                                "fig": None}),
        "padding.show_true_size": lambda: (padding.show_true_size, ([IMAGE, IMAGE[:4, :4]],),
                                           {"titles": ["a", "b"], "cmap": "gray", "size": 2.0, "center": True,
                                            "fig": None}),
        "padding.PaddingExperiment": lambda: (padding.PaddingExperiment, (),
                                              {"grid": np.eye(5), "photo": "camera", "size": 32, "corner": 8}),
        "PaddingExperiment.update": lambda: (shared("PaddingExperiment").update, (),
                                             {"kernel_size": 3, "padding": 1, "mode": "zeros"}),
        # -- stride
        "stride.correlate_then_downsample": lambda: (stride.correlate_then_downsample, (IMAGE, KERNEL, 2),
                                                     {"padding": 0, "dilation": 1}),
        "stride.strided_windows": lambda: (stride.strided_windows, (IMAGE, KERNEL),
                                           {"stride": 2, "padding": 0, "dilation": 1}),
        "stride.draw_strided_windows": lambda: (stride.draw_strided_windows, (axes(3), IMAGE[:5, :5], KERNEL),
                                                {"stride": 2, "padding": 0, "dilation": 1, "position": (0, 0),
                                                 "max_numbers": 14}),
        "stride.show_strided_windows": lambda: (stride.show_strided_windows, (IMAGE[:5, :5], KERNEL),
                                                {"stride": 2, "padding": 0, "dilation": 1, "position": None,
                                                 "fig": None}),
        "stride.StrideExperiment": lambda: (stride.StrideExperiment, (), {"photo": "camera", "size": 32}),
        "StrideExperiment.update": lambda: (shared("StrideExperiment").update, (),
                                            {"size": 7, "kernel_size": 3, "stride": 2, "padding": 0,
                                             "dilation": 1}),
        "stride.grid_for_size": lambda: (stride.grid_for_size, (5,), {}),
        "stride.kernel_for_size": lambda: (stride.kernel_for_size, (3,), {}),
        # -- depth
        "depth.channels_first": lambda: (depth.channels_first, (np.zeros((4, 4, 3)),), {}),
        "depth.rgb_to_cmyk": lambda: (depth.rgb_to_cmyk, (np.full((2, 2, 3), 0.5),), {}),
        "depth.gray_weight": lambda: (depth.gray_weight, ((0.3, 0.6, 0.1),), {}),
        "depth.kernel_bank": lambda: (depth.kernel_bank, ([["sobel_x", None, ("box_blur", 1.0)]],),
                                      {"channels": 3}),
        "depth.channel_contributions": lambda: (depth.channel_contributions, (np.zeros((3, 5, 5)),
                                                                              np.ones((3, 3, 3))),
                                                {"stride": 1, "padding": 0}),
        "depth.parameter_table": lambda: (depth.parameter_table, ([("a", 3, 16, 5)],), {}),
        "depth.show_channel_sum": lambda: (depth.show_channel_sum, (np.zeros((3, 5, 5)), np.ones((3, 3, 3))),
                                           {"bias": 0.5, "position": (0, 0), "channel_names": None,
                                            "fig": None}),
        "depth.show_kernel_bank": lambda: (depth.show_kernel_bank, (np.ones((2, 3, 3, 3)),),
                                           {"names": ["a", "b"], "channel_names": ("r", "g", "b"), "fig": None}),
        "depth.show_feature_maps": lambda: (depth.show_feature_maps, (maps,),
                                            {"titles": ["a", "b"], "ncols": 2, "size": 2.0, "box": None,
                                             "limit": None, "shared": True, "fig": None}),
        "depth.ChannelMixer": lambda: (depth.ChannelMixer, (), {"photos": ("astronaut", "coffee"), "size": 32}),
        "ChannelMixer.update": lambda: (shared("ChannelMixer").update, (),
                                        {"photo": "coffee", "red_kernel": "sobel_x", "red_weight": 1.0,
                                         "green_kernel": "identity", "green_weight": 0.5,
                                         "blue_kernel": "box_blur", "blue_weight": -1.0}),
        # -- pooling
        "pooling.pool": lambda: (pooling.pool, (IMAGE, "max", 2), {"stride": None, "padding": 0}),
        "pooling.window_positions": lambda: (pooling.window_positions, ((2, 3), "first"), {}),
        "pooling.draw_pooling": lambda: (pooling.draw_pooling, (axes(), [axes()], IMAGE[:4, :4], 2),
                                         {"stride": None, "modes": ("max",), "windows": "all"}),
        "pooling.show_pooling": lambda: (pooling.show_pooling, (IMAGE[:4, :4], 2),
                                         {"stride": None, "modes": ("max", "avg"), "windows": [(0, 0)],
                                          "cell": 0.5}),
        "pooling.relu": lambda: (pooling.relu, (IMAGE - 3,), {}),
        "pooling.layer_stages": lambda: (pooling.layer_stages, (IMAGE, np.ones((2, 1, 3, 3))),
                                         {"bias": [0.5, -0.5], "padding": 1, "pool_size": 2, "pool_stride": None,
                                          "mode": "max"}),
        "pooling.show_layer_stages": lambda: (pooling.show_layer_stages,
                                              (pooling.layer_stages(IMAGE, np.ones((2, 1, 3, 3))), ["a", "b"]),
                                              {"size": 2.0, "mode": "max"}),
        "pooling.shifted_pair": lambda: (pooling.shifted_pair, (IMAGE, 1, 2), {"axis": 1}),
        "pooling.shift_stability": lambda: (pooling.shift_stability, (IMAGE, [0, 1]),
                                            {"mode": "max", "kernel_size": 2, "stride": None, "axis": 1}),
        "pooling.show_shift_stability": lambda: (pooling.show_shift_stability,
                                                 ({"max": pooling.shift_stability(IMAGE, [0, 1])},),
                                                 {"fig": None}),
        "pooling.adaptive_windows": lambda: (pooling.adaptive_windows, (7, 3), {}),
        "pooling.show_adaptive_pooling": lambda: (pooling.show_adaptive_pooling, ([IMAGE, IMAGE[:6, :5]],
                                                                                 ["a", "b"], 2),
                                                  {"mode": "avg", "size": 2.0}),
        "pooling.LayerSpec": lambda: (pooling.LayerSpec, ("conv", 3), {"stride": 1, "padding": 0, "dilation": 1}),
        "LayerSpec.output_size": lambda: (pooling.LayerSpec.conv(3).output_size, (8,), {}),
        "LayerSpec.conv": lambda: (pooling.LayerSpec.conv, (3,), {"stride": 1, "padding": 1, "dilation": 1}),
        "LayerSpec.max_pool": lambda: (pooling.LayerSpec.max_pool, (2,), {"stride": None, "padding": 0}),
        "LayerSpec.avg_pool": lambda: (pooling.LayerSpec.avg_pool, (2,), {"stride": None, "padding": 0}),
        "pooling.receptive_field": lambda: (pooling.receptive_field, (LAYERS,), {}),
        "pooling.receptive_field_steps": lambda: (pooling.receptive_field_steps, (LAYERS,), {}),
        "pooling.describe_stack": lambda: (pooling.describe_stack, (LAYERS,), {}),
        "pooling.output_shapes": lambda: (pooling.output_shapes, (LAYERS, (8, 8)), {}),
        "pooling.receptive_window": lambda: (pooling.receptive_window, (LAYERS, (1, 1), (8, 8)), {"clip": True}),
        "pooling.center_position": lambda: (pooling.center_position, (LAYERS, (8, 8)), {}),
        "pooling.forward_stack": lambda: (pooling.forward_stack, (LAYERS, IMAGE), {}),
        "pooling.input_gradient": lambda: (pooling.input_gradient, (LAYERS, IMAGE), {"position": (1, 1),
                                                                                     "footprint": False}),
        "pooling.measured_receptive_field": lambda: (pooling.measured_receptive_field, (LAYERS, (8, 8)),
                                                     {"position": (1, 1)}),
        "pooling.nonzero_box": lambda: (pooling.nonzero_box, (np.eye(4),), {"position": None}),
        "pooling.measure_receptive_field": lambda: (pooling.measure_receptive_field, (LAYERS, IMAGE),
                                                    {"position": (1, 1)}),
        "pooling.ReceptiveFieldFigure": lambda: (pooling.ReceptiveFieldFigure, (plt.figure(),), {}),
        "ReceptiveFieldFigure.draw": lambda: (receptive_field_figure().draw, (LAYERS, IMAGE),
                                              {"position": (1, 1), "margin": 2}),
        "pooling.show_receptive_field": lambda: (pooling.show_receptive_field, (LAYERS, IMAGE),
                                                 {"position": (1, 1), "title": "t"}),
        "pooling.show_receptive_field_growth": lambda: (pooling.show_receptive_field_growth, ({"conv": LAYERS}, 3),
                                                        {"fig": None}),
        "pooling.PoolingExperiment": lambda: (pooling.PoolingExperiment, (), {"photo": "camera"}),
        "PoolingExperiment.update": lambda: (shared("PoolingExperiment").update, (),
                                             {"mode": "avg", "kernel_size": 3, "stride": 2}),
        "pooling.ReceptiveFieldExperiment": lambda: (pooling.ReceptiveFieldExperiment, (),
                                                     {"photo": "camera", "max_blocks": 2}),
        "ReceptiveFieldExperiment.update": lambda: (shared("ReceptiveFieldExperiment").update, (),
                                                    {"block": next(iter(pooling.BLOCKS)), "blocks": 2, "row": 0.5,
                                                     "col": 0.5}),
        # -- cnn
        "cnn.show_digits": lambda: (cnn.show_digits, (DIGITS,), {"titles": ["a", "b", "c"], "ncols": 3,
                                                                 "size": 1.0, "suptitle": "s",
                                                                 "title_colors": ["red", "red", "red"]}),
        "cnn.show_learning_curves": lambda: (cnn.show_learning_curves, (shared("history"),), {"title": "t"}),
        "cnn.show_confusion_matrix": lambda: (cnn.show_confusion_matrix, (np.eye(3, dtype=int),), {"title": "t"}),
        "cnn.best_matching_filters": lambda: (cnn.best_matching_filters, (np.ones((2, 1, 3, 3)), {"k": KERNEL}),
                                              {}),
        "cnn.best_matching_kernels": lambda: (cnn.best_matching_kernels, (np.ones((2, 1, 3, 3)), {"k": KERNEL}),
                                              {}),
        "cnn.show_filters_vs_kernels": lambda: (cnn.show_filters_vs_kernels, (np.ones((2, 1, 3, 3)), {"k": KERNEL},
                                                                              DIGITS[0] / 255.0), {}),
        "cnn.show_layer_outputs": lambda: (cnn.show_layer_outputs, (model, DIGITS[:1] / 255.0),
                                           {"gap": 3, "width": 28}),
        "cnn.show_max_pool_gradient": lambda: (cnn.show_max_pool_gradient, (IMAGE[:4, :4], np.ones((2, 2)),
                                                                            np.eye(4)), {"kernel_size": 2}),
        "cnn.show_conv_input_gradient": lambda: (cnn.show_conv_input_gradient, (np.ones((2, 2)), np.ones((3, 3)),
                                                                                np.ones((4, 4))), {}),
        "cnn.draw_probabilities": lambda: (cnn.draw_probabilities, (axes(), np.full(10, 0.1)), {"highlight": 3}),
        "cnn.accuracy_under_moves": lambda: (cnn.accuracy_under_moves, (model, DIGITS, LABELS),
                                             {"shifts": (0.0, 2.0), "angles": (10.0,)}),
        "cnn.show_robustness": lambda: (cnn.show_robustness, ({"shift": {0.0: 0.9, 2.0: 0.5},
                                                               "angle": {0.0: 0.9, 10.0: 0.8}},), {}),
        "cnn.ShiftRotateExplorer": lambda: (cnn.ShiftRotateExplorer, (model, DIGITS, LABELS), {"index": 1}),
        "ShiftRotateExplorer.update": lambda: (shared("ShiftRotateExplorer").update, (),
                                               {"index": 1, "dx": 1.0, "dy": -1.0, "angle": 15.0}),
        "cnn.TrainingScrubber": lambda: (cnn.TrainingScrubber, (snapshots(),), {"accuracies": [0.5, 0.6]}),
        "TrainingScrubber.update": lambda: (shared("TrainingScrubber").update, (), {"epoch": 1}),
        "cnn.first_layer_snapshot": lambda: (cnn.first_layer_snapshot, (DIGITS[:1] / 255.0,), {}),
        "cnn.detector_stages": lambda: (cnn.detector_stages, (model,), {}),
        "cnn.learn_kernel": lambda: (cnn.learn_kernel, (IMAGE,), {"target_kernel": KERNEL, "steps": 3, "lr": 0.05,
                                                                  "momentum": 0.9, "seed": 0}),
        "KernelFit.output": lambda: (shared("fit").output, (2,), {}),
        "cnn.KernelDescent": lambda: (cnn.KernelDescent, (shared("fit"),), {}),
        "KernelDescent.update": lambda: (shared("KernelDescent").update, (), {"step": 2}),
        "cnn.occlusion_map": lambda: (cnn.occlusion_map, (model, DIGITS[0] / 255.0, 1),
                                      {"patch": 6, "stride": 4, "grey": 0.5}),
        "cnn.saliency_map": lambda: (cnn.saliency_map, (model, DIGITS[0] / 255.0, 1), {}),
        "cnn.top_patches": lambda: (cnn.top_patches, (model, DIGITS), {"count": 2, "context": 1, "batch_size": 2}),
        "cnn.misclassified": lambda: (cnn.misclassified, (model, DIGITS, LABELS), {}),
        "cnn.show_top_patches": lambda: (cnn.show_top_patches, (top_patches(), model.layers[0].weight.data), {}),
        "cnn.show_misclassified": lambda: (cnn.show_misclassified, (DIGITS, LABELS, np.array([0, 2]),
                                                                    np.full((2, 10), 0.1)), {"ncols": 2}),
        "cnn.NetworkViewsExplorer": lambda: (cnn.NetworkViewsExplorer, (model, DIGITS, LABELS), {"index": 1}),
        "NetworkViewsExplorer.update": lambda: (shared("NetworkViewsExplorer").update, (),
                                                {"index": 1, "patch": 6}),
        # -- playground
        "playground.KernelPlayground": lambda: (playground.KernelPlayground, (), {"photo": "camera",
                                                                                  "preset": "box_blur"}),
        "KernelPlayground.update": lambda: (shared("KernelPlayground").update, (),
                                            {"photo": "camera", "kernel": KERNEL, "padding": 1, "stride": 2,
                                             "dilation": 1, "pooling": "max", "pool_size": 2}),
        "KernelPlayground.output_sizes": lambda: (shared("KernelPlayground").output_sizes,
                                                  (64, 48, 3, 1, 2, 1, "max", 2), {}),
        "KernelPlayground.load_upload": lambda: (shared("KernelPlayground").load_upload, ("a.png", png_bytes()),
                                                 {}),
        "KernelPlayground.image": lambda: (shared("KernelPlayground").image, ("camera",), {}),
        "playground.KernelGrid": lambda: (playground.KernelGrid, (KERNEL,), {"cell_width": "60px"}),
        "KernelGrid.set_kernel": lambda: (shared("KernelGrid").set_kernel, (np.ones((5, 5)),), {}),
        "playground.decode_upload": lambda: (playground.decode_upload, (png_bytes(),), {"name": "a.png"}),
        "playground.embed_kernel": lambda: (playground.embed_kernel, (KERNEL, 5), {}),
        # -- plotting
        "plotting.color_scale": lambda: (plotting.color_scale, (IMAGE,), {"kernel": None, "signed": None,
                                                                          "robust": True}),
        "ColorScale.rgba": lambda: (plotting.color_scale(IMAGE).rgba, (IMAGE,), {}),
        "plotting.is_signed": lambda: (plotting.is_signed, (IMAGE,), {"kernel": KERNEL}),
        "plotting.text_color": lambda: (plotting.text_color, ((0.1, 0.2, 0.3, 1.0),), {}),
        "plotting.show_map": lambda: (plotting.show_map, (axes(), IMAGE), {"kernel": None, "signed": None,
                                                                           "robust": False, "colorbar": True}),
        "plotting.alt_text": lambda: (plotting.alt_text, (plt.figure(),), {}),
        "plotting.lecture_style": lambda: (plotting.lecture_style, (), {}),
        "plotting.use_lecture_style": lambda: (plotting.use_lecture_style, (False,), {}),
        "plotting.draw_grid": lambda: (plotting.draw_grid, (axes(), IMAGE[:3, :3]),
                                       {"title": "t", "highlight": (0, 0, 2, 2), "fmt": "{:g}", "cmap": None,
                                        "signed": None, "kernel": None, "norm": None, "fontsize": 8,
                                        "highlight_color": "#E69F00"}),
        "plotting.ScaledColorBar": lambda: (plotting.ScaledColorBar, (plt.figure(), "RdBu_r", 2.0),
                                            {"signed": True, "label": "l", "ax": axes()}),
        "ScaledColorBar.set_limit": lambda: (color_bar().set_limit, (3.0,),
                                             {}),
        "plotting.show_images": lambda: (plotting.show_images, ([IMAGE, -IMAGE],),
                                         {"titles": ["a", "b"], "cmaps": None, "signed": None, "kernels": None,
                                          "colorbar": True, "ncols": 2, "size": 2.0, "suptitle": "s",
                                          "robust": False}),
        "plotting.show_kernel_step": lambda: (plotting.show_kernel_step, (IMAGE[:5, :5], KERNEL, (0, 0)),
                                              {"stride": 1, "padding": 0, "titles": ("a", "b", "c"), "fig": None}),
        "plotting.signed_norm": lambda: (plotting.signed_norm, (IMAGE - 3,), {"robust": False}),
        "plotting.check_position": lambda: (plotting.check_position, ((1, 2), (3, 3)), {"name": "position"}),
        "plotting.format_table": lambda: (plotting.format_table, ([{"a": 1, "b": "x"}],),
                                          {"columns": None, "left": 2, "rule": True}),
        "plotting.panel_row": lambda: (plotting.panel_row, (live.LiveFigure(figsize=(3, 2)), 2), {"left": 0.1}),
        # -- digit_pad
        "digit_pad.mnist_style": lambda: (digit_pad.mnist_style, (np.eye(40),), {"box": 20, "size": 28}),
        "digit_pad.render_strokes": lambda: (digit_pad.render_strokes, ([[(5, 5), (30, 30)]],),
                                             {"size": 40, "width": 4}),
        "digit_pad.describe_drawing": lambda: (digit_pad.describe_drawing, (np.eye(40),), {}),
        "digit_pad.save_network": lambda: (digit_pad.save_network, (model, tmp_path / "net.npz"), {}),
        "digit_pad.load_network": lambda: (digit_pad.load_network, (saved_network(tmp_path),),
                                           {"sha256": None, "dtype": np.float32}),
        "digit_pad.load_digit_net": lambda: (digit_pad.load_digit_net, (), {"dtype": np.float32}),
        "digit_pad.classify": lambda: (digit_pad.classify, (model, DIGITS[0] / 255.0), {}),
        "digit_pad.DigitPad": lambda: (digit_pad.DigitPad, (model,), {"size": 56, "pen_width": 4,
                                                                      "live_every": 0.5}),
        "DigitPad.start_stroke": lambda: (shared("DigitPad").start_stroke, (10.0, 10.0), {}),
        "DigitPad.extend_stroke": lambda: (shared("DigitPad").extend_stroke, (20.0, 30.0), {}),
        "DigitPad.add_stroke": lambda: (shared("DigitPad").add_stroke, ([(10, 10), (40, 40)],), {}),
        "DigitPad.show_message": lambda: (shared("DigitPad").show_message, ("hello",), {"kind": "info"}),
        # -- live
        "live.LiveFigure": lambda: (live.LiveFigure, (), {"figsize": (3, 2), "dpi": 50, "picture_format": "png"}),
        "LiveFigure.subplots": lambda: (live.LiveFigure(figsize=(3, 2)).subplots, (1, 2), {}),
        "live.Experiment": lambda: (live.Experiment, (), {}),
        "Experiment.show_message": lambda: (live.Experiment().show_message, ("hello",), {"kind": "error"}),
        "live.empty_axes": lambda: (live.empty_axes, (axes(),), {}),
        "live.place_in_row": lambda: (live.place_in_row, (live_figure().figure.axes, [1, 2]), {"left": 0.1}),
        "live.show_array": lambda: (live.show_array, (shown(), np.zeros((3, 4))), {}),
        "live.stamp_labels": lambda: (live.stamp_labels, (axes(),), {}),
        # -- kernel_editor
        "kernel_editor.KernelEditor": lambda: (kernel_editor.KernelEditor, ("camera", "box_blur"),
                                               {"size": 32, "weight_range": 4.0}),
        "KernelEditor.update": lambda: (shared("KernelEditor").update, (),
                                        {"photo": "camera", **{f"w{i}{j}": float(KERNEL[i, j]) for i in range(3)
                                                               for j in range(3)}}),
        "KernelEditor.apply_preset": lambda: (shared("KernelEditor").apply_preset, ("sobel_y",), {}),
        "KernelEditor.image": lambda: (shared("KernelEditor").image, ("camera",), {}),
        # -- slides, costs, sizes
        "slides.read_only": lambda: (slides.read_only, ([[1, 2], [3, 4]],), {"dtype": np.int64}),
        "costs.dense_parameters": lambda: (costs.dense_parameters, ((28, 28), (10,)), {"bias": True}),
        "costs.conv_parameters": lambda: (costs.conv_parameters, (3, 1, 8), {"bias": True}),
        "costs.convolution_costs": lambda: (costs.convolution_costs, ((28, 28), 3),
                                            {"stride": 1, "padding": 0, "dilation": 1}),
        "costs.median_seconds": lambda: (costs.median_seconds, (sum, [1, 2]), {"repeat": 2, "number": 2}),
        "sizes.explain_output_size": lambda: (sizes.explain_output_size, (28, 3, 2, 1, 1), {}),
        "sizes.layer_sizes": lambda: (sizes.layer_sizes, (28, 3, 3), {"stride": 1, "padding": 0, "dilation": 1}),
        "sizes.settings_for_output_size": lambda: (sizes.settings_for_output_size, (28, 14, 3),
                                                   {"dilation": 1, "max_stride": 3, "max_padding": 2}),
        "sizes.output_size_table": lambda: (sizes.output_size_table, ([8], [3], [1, 2], [0], [1]), {}),
    }
    return calls


def saved_network(tmp_path) -> str:
    from cnnhelpers import digit_pad

    path = tmp_path / "saved.npz"
    if not path.exists():
        digit_pad.save_network(small_model(), path)
    return str(path)


# What the widgets' buttons and sliders call; methods without arguments are left out (nothing to garble).
METHODS = ["WeightedSumStepper.update", "PaddingExperiment.update", "StrideExperiment.update",
           "ChannelMixer.update", "PoolingExperiment.update", "ReceptiveFieldExperiment.update",
           "ShiftRotateExplorer.update", "TrainingScrubber.update", "KernelDescent.update",
           "NetworkViewsExplorer.update", "KernelPlayground.update", "KernelPlayground.output_sizes",
           "KernelPlayground.load_upload", "KernelPlayground.image", "KernelGrid.set_kernel",
           "KernelEditor.update", "KernelEditor.apply_preset", "KernelEditor.image", "DigitPad.start_stroke",
           "DigitPad.extend_stroke", "DigitPad.add_stroke", "DigitPad.show_message", "Experiment.show_message",
           "KernelFit.output", "LayerSpec.output_size", "LayerSpec.conv", "LayerSpec.max_pool", "LayerSpec.avg_pool",
           "ReceptiveFieldFigure.draw", "ColorScale.rgba", "ScaledColorBar.set_limit", "LiveFigure.subplots"]
CALL_NAMES = sorted(set(public_names()) | set(METHODS))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_every_public_name_has_a_valid_call(tmp_path):
    missing = sorted(set(CALL_NAMES) - set(valid_calls(tmp_path)))
    assert not missing, f"add a valid call for {missing}"
    failed = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in CALL_NAMES:
            try:
                function, args, kwargs = valid_call(name, tmp_path)
                function(*args, **kwargs)  # the valid call itself must work
            except Exception as error:  # noqa: BLE001 - listed in the failure
                failed.append(f"{name}: {type(error).__name__}: {error}")
            plt.close("all")
    assert not failed, "\n".join(failed)


def allowed(name: str) -> tuple[type[BaseException], ...]:
    return (ValueError, TypeError, OSError) if name in FILE_FUNCTIONS else (ValueError, TypeError)


SETTINGS = garbage_settings(12)  # about a minute on 2 cores; GARBAGE_EXAMPLES=200 for a deeper search


@pytest.mark.parametrize("name", CALL_NAMES)
@pytest.mark.parametrize("garble", [one_garbage_argument, all_garbage_arguments], ids=["one", "all"])
@SETTINGS
@given(draw=st.data())
def test_garbage_arguments(tmp_path, garble, name, draw):
    """A valid call with one argument garbage (reaches deep into the function), or all of them."""
    function, args, kwargs = valid_call(name, tmp_path)
    args, kwargs = garble(function, args, kwargs, draw)
    problem = call_with(name, function, args, kwargs, allowed(name))
    plt.close("all")
    assert problem is None, problem


EXPERIMENTS = [name for name in METHODS if name.endswith(".update")]  # every one is a live.Experiment


@pytest.mark.parametrize("name", EXPERIMENTS)
@SETTINGS
@given(draw=st.data())
def test_a_slider_given_garbage_answers_in_words(tmp_path, name, draw):
    """``safe_update``, what the sliders call, shows a sentence for a bad value: never a traceback."""
    function, args, kwargs = valid_call(name, tmp_path)
    args, kwargs = one_garbage_argument(function, args, kwargs, draw)
    experiment = function.__self__
    assert isinstance(experiment, live.Experiment)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        experiment.safe_update(*args, **kwargs)
    assert "Something went wrong" not in experiment.message.value, experiment.message.value
