"""cnnhelpers.lessons.cnn: notebook 06's experiments (shift and rotate a digit, the training scrubber) and figures."""


import numpy as np
import pytest

from cnnhelpers import nn
from cnnhelpers.data import load_mnist5k, shift_and_rotate
from cnnhelpers.digit_pad import load_digit_net
from cnnhelpers.lessons.cnn import (
    NetworkViewsExplorer,
    ShiftRotateExplorer,
    TrainingScrubber,
    accuracy_under_moves,
    detector_stages,
    first_layer_snapshot,
    misclassified,
    occlusion_map,
    saliency_map,
    show_digits,
    show_misclassified,
    show_top_patches,
    top_patches,
)


def small_model():
    rng = np.random.default_rng(0)
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(3, 4, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 7 * 7, 10, rng=rng))


@pytest.fixture(scope="module")
def digits():
    rng = np.random.default_rng(1)
    images = np.zeros((3, 28, 28), np.uint8)
    images[:, 6:22, 12:16] = rng.integers(150, 256, (3, 16, 4))  # a bar, like a 1
    return images, np.array([1, 1, 7])


@pytest.fixture(scope="module")
def explorer(digits):
    return ShiftRotateExplorer(small_model(), *digits)


def test_detector_stages_are_the_relus_after_convolutions():
    assert detector_stages(small_model()) == [1, 4]


def test_explorer_feeds_the_moved_digit_to_the_network(explorer, digits):
    result = explorer.update(index=2, dx=3.0, dy=-2.0, angle=30.0)
    moved = shift_and_rotate(digits[0][2] / 255.0, dx=3, dy=-2, angle=30)
    np.testing.assert_allclose(result["image"], moved)
    expected = nn.predict(explorer.model, moved[None, None].astype(np.float32))[0]
    np.testing.assert_allclose(result["probabilities"], expected, rtol=1e-5)
    assert result["prediction"] == int(np.argmax(expected)) and result["label"] == 7


def test_explorer_maps_are_the_detector_stages(explorer):
    result = explorer.update(index=0, dx=0.0, dy=0.0, angle=0.0)
    maps = dict(explorer.model.feature_maps(result["image"][None, None]))
    np.testing.assert_array_equal(result["maps"][0], maps["1.ReLU"][0])
    np.testing.assert_array_equal(result["maps"][1], maps["4.ReLU"][0])
    assert [m.shape for m in result["maps"]] == [(3, 28, 28), (4, 14, 14)]


def test_first_stage_maps_shift_with_the_digit(explorer):
    """Equivariance: away from the borders, moving the digit moves the first-stage maps with it."""
    still = explorer.update(index=0, dx=0.0, dy=0.0, angle=0.0)["maps"][0]
    moved = explorer.update(index=0, dx=2.0, dy=0.0, angle=0.0)["maps"][0]
    np.testing.assert_allclose(moved[:, :, 4:24], still[:, :, 2:22], atol=1e-5)


def test_explorer_draws_the_moved_digit_and_every_map(explorer):
    result = explorer.update(index=1, dx=-4.0, dy=0.0, angle=0.0)
    axes = explorer.live.figure.axes
    np.testing.assert_array_equal(axes[0].images[0].get_array(), result["image"])
    first_stage = axes[2].images[0].get_array()  # 3 maps of 28x28 side by side, 2 blank pixels apart
    np.testing.assert_array_equal(first_stage[:, 30:58], result["maps"][0][1])


def test_explorer_index_out_of_range_is_a_message(explorer):
    assert explorer.safe_update(index=5, dx=0.0, dy=0.0, angle=0.0) is False
    assert "index must be an int from 0 to 2; got 5" in explorer.message.value


def test_snapshot_records_first_layer_filters_and_maps(digits):
    model = small_model()
    digit = digits[0][0][None] / 255.0
    shot = first_layer_snapshot(digit)(model)
    np.testing.assert_array_equal(shot["filters"], model.layers[0].weight.data)
    expected = np.maximum(model.layers[0].forward(digit[None].astype(np.float32)), 0)[0]
    np.testing.assert_allclose(shot["maps"], expected, rtol=1e-6)


def test_scrubber_shows_the_chosen_epoch():
    shots = [{"filters": np.full((4, 1, 3, 3), float(e)), "maps": np.full((4, 6, 6), float(e))} for e in range(4)]
    scrubber = TrainingScrubber(shots, accuracies=[0.5, 0.7, 0.9])
    result = scrubber.update(epoch=2)
    assert result is shots[2]
    np.testing.assert_array_equal(scrubber.live.figure.axes[1].images[0].get_array(), np.full((3, 3), 2.0))
    assert "after epoch 2: test accuracy 70.0%" in scrubber.live.figure.axes[0].texts[0].get_text()


def test_scrubber_epoch_out_of_range_is_a_message():
    shots = [{"filters": np.zeros((2, 1, 3, 3)), "maps": np.zeros((2, 4, 4))}]
    scrubber = TrainingScrubber(shots)
    assert scrubber.safe_update(epoch=3) is False
    assert "epoch must be an int from 0 to 0; got 3" in scrubber.message.value


def test_scrubber_rejects_snapshots_without_filters():
    with pytest.raises(ValueError, match="first_layer_snapshot"):
        TrainingScrubber([{"maps": np.zeros((2, 4, 4))}])


# -- what the network sees (section 12) --


@pytest.fixture(scope="module")
def digit_net():
    return load_digit_net(dtype=np.float64)


@pytest.fixture(scope="module")
def mnist():
    return load_mnist5k()


def test_saliency_is_the_gradient_of_the_class_score(digit_net):
    """Central differences of the logit, pixel by pixel, on noise (no ReLU sits exactly on its kink)."""
    rng = np.random.default_rng(0)
    image = rng.random((28, 28))
    label, eps = 3, 1e-6
    saliency = saliency_map(digit_net, image, label)
    assert saliency.shape == (28, 28)
    for row, col in [(5, 7), (14, 14), (20, 3), (27, 27), (0, 12)]:
        plus, minus = image.copy(), image.copy()
        plus[row, col] += eps
        minus[row, col] -= eps
        logit = lambda image: digit_net.forward(image[None, None])[0, label]  # noqa: E731
        numeric = (logit(plus) - logit(minus)) / (2 * eps)
        assert saliency[row, col] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_occlusion_of_non_overlapping_tiles_is_each_tiles_probability_drop(digit_net, mnist):
    image, label = mnist.x_test[0] / 255.0, int(mnist.y_test[0])
    drops = occlusion_map(digit_net, image, label, patch=7, stride=7, grey=0.5)
    assert drops.shape == (28, 28)
    before = nn.predict(digit_net, image[None, None])[0, label]
    for top, left in [(0, 0), (7, 14), (21, 21)]:
        covered = image.copy()
        covered[top:top + 7, left:left + 7] = 0.5
        expected = before - nn.predict(digit_net, covered[None, None])[0, label]
        np.testing.assert_allclose(drops[top:top + 7, left:left + 7], expected, atol=1e-12)


def test_covering_background_with_background_changes_nothing(digit_net):
    image = np.zeros((28, 28))
    image[8:20, 12:16] = 1.0
    drops = occlusion_map(digit_net, image, 1, patch=4, stride=4, grey=0.0)
    assert np.all(drops[:4, :] == 0) and drops[8:20, 12:16].max() > 0


def test_occlusion_checks_its_arguments(digit_net):
    with pytest.raises(ValueError, match="patch"):
        occlusion_map(digit_net, np.zeros((28, 28)), 1, patch=40)
    with pytest.raises(ValueError, match="label"):
        saliency_map(digit_net, np.zeros((28, 28)), 12)


def test_top_patches_are_the_strongest_responses_one_per_image(digit_net, mnist):
    images = mnist.x_train[:300]
    result = top_patches(digit_net, images, count=9, context=2)
    conv = digit_net.layers[0]
    out = conv.forward(images[:, None] / 255.0)  # (N, O, 28, 28): every response of every filter
    per_image_best = out.reshape(len(images), conv.out_channels, -1).max(axis=2)  # (N, O)
    weight, bias = conv.weight.data, conv.bias.data
    padded = np.pad(images / 255.0, ((0, 0), (1, 1), (1, 1)))
    for o in range(conv.out_channels):
        np.testing.assert_allclose(result.activations[o], np.sort(per_image_best[:, o])[::-1][:9])
        assert len(set(result.where[o, :, 0])) == 9
        for k in range(9):
            n, row, col = result.where[o, k]
            assert out[n, o, row, col] == pytest.approx(result.activations[o, k])
            window = result.patches[o, k, 2:5, 2:5]  # the 3x3 the kernel saw, inside its context
            np.testing.assert_allclose(window, padded[n, row:row + 3, col:col + 3])
            assert (window * weight[o, 0]).sum() + bias[o] == pytest.approx(result.activations[o, k])


def test_misclassified_are_exactly_the_wrong_answers(digit_net, mnist):
    wrong, probabilities = misclassified(digit_net, mnist.x_test, mnist.y_test)
    answers = digit_net.forward(mnist.x_test[:, None] / 255.0).argmax(axis=1)  # one plain forward pass
    assert wrong.tolist() == [i for i, a in enumerate(answers) if a != mnist.y_test[i]]
    assert probabilities.shape == (len(wrong), 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1)


def test_figures_and_explorer_draw(digit_net, mnist):
    import matplotlib.pyplot as plt

    result = top_patches(digit_net, mnist.x_train[:50], count=3)
    fig = show_top_patches(result, digit_net.layers[0].weight.data)
    assert len(fig.axes) == digit_net.layers[0].out_channels * 4
    wrong, probabilities = misclassified(digit_net, mnist.x_test[:200], mnist.y_test[:200])
    fig2 = show_misclassified(mnist.x_test, mnist.y_test, wrong, probabilities)
    assert len(fig2.axes) == 2 * len(wrong)
    plt.close("all")
    explorer = NetworkViewsExplorer(digit_net, mnist.x_test, mnist.y_test, index=3)
    shown = explorer.update(index=3, patch=6)
    assert shown["label"] == mnist.y_test[3] and shown["occlusion"].shape == (28, 28)
    assert not explorer.safe_update(index=5000, patch=6) and "index" in explorer.message.value


# --- issue 12: honest figures ---------------------------------------------------------------------

def test_max_pool_gradient_figure_says_where_a_tied_gradient_goes():
    from cnnhelpers import max_pool2d_backward
    from cnnhelpers.lessons.cnn import show_max_pool_gradient

    x = np.array([[7.0, 7.0, 1.0, 2.0], [3.0, 0.0, 4.0, 0.0], [1.0, 1.0, 0.0, 5.0], [2.0, 0.0, 0.0, 0.0]])
    grad_out = np.array([[1.0, -2.0], [3.0, 0.5]])
    grad_x = max_pool2d_backward(grad_out, x, 2)
    assert grad_x[0, 0] == 1.0 and grad_x[0, 1] == 0.0  # the first 7 in reading order, as PyTorch
    fig = show_max_pool_gradient(x, grad_out, grad_x)
    assert "first maximum in reading order" in fig._suptitle.get_text()
    dotted = [patch for patch in fig.axes[0].patches if patch.get_linestyle() == ":"]
    assert [(patch.get_x() + 0.5, patch.get_y() + 0.5) for patch in dotted] == [(1.0, 0.0)]  # the other 7


def test_max_pool_gradient_figure_without_ties_says_nothing_about_them():
    from cnnhelpers import max_pool2d_backward
    from cnnhelpers.lessons.cnn import show_max_pool_gradient

    x = np.arange(16.0).reshape(4, 4)
    grad_out = np.ones((2, 2))
    fig = show_max_pool_gradient(x, grad_out, max_pool2d_backward(grad_out, x, 2))
    assert "tie" not in fig._suptitle.get_text()


def test_filters_figure_shows_every_learned_filter_with_its_best_kernel_and_score():
    from cnnhelpers import kernels
    from cnnhelpers.lessons.cnn import STRONG_MATCH, best_matching_kernels, show_filters_vs_kernels

    rng = np.random.default_rng(0)
    weight = rng.standard_normal((12, 1, 3, 3))
    weight[3, 0] = kernels.sobel_x * 0.5  # one learned filter that is a Sobel up to scale
    named = {name: kernels.KERNELS[name] for name in ("vertical_line", "corner", "sobel_x", "sobel_y")}
    matches = best_matching_kernels(weight, named)
    assert [index for index, _, _ in matches] == list(range(12))
    assert matches[3][1:] == ("sobel_x", pytest.approx(1.0))
    fig = show_filters_vs_kernels(weight, named, rng.random((28, 28)))
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert sum(title.startswith("learned filter") for title in titles) == 12
    kernel_titles = [title for title in titles if "similarity" in title]
    assert len(kernel_titles) == 12 and kernel_titles[3] == "like sobel_x\nsimilarity 1.00"
    weak = [title for (_, _, score), title in zip(matches, kernel_titles, strict=True) if score < STRONG_MATCH]
    assert weak and all(title.startswith("weak match:") for title in weak)


def test_layer_outputs_enlarge_small_maps_and_draw_unsigned_rows_gray():
    from cnnhelpers.lessons.cnn import show_layer_outputs

    digit = np.zeros((1, 28, 28))
    digit[0, 6:22, 12:16] = 1.0
    fig = show_layer_outputs(small_model(), digit, width=28)
    canvas = fig.axes[0].images[0].get_array()
    labels = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert any("7×7" in label for label in labels)
    assert canvas.shape[1] >= 4 * 28  # 4 maps in a row, each enlarged to 28 pixels wide
    relu_rows = [k for k, label in enumerate(labels) if "ReLU" in label]
    assert relu_rows  # ReLU outputs are >= 0: grey pixels (R = G = B) only
    tick = fig.axes[0].get_yticks()[relu_rows[0]]
    row = np.asarray(canvas)[int(tick)]
    assert np.allclose(row[:, 0], row[:, 1]) and np.allclose(row[:, 1], row[:, 2])


def test_training_scrubber_redraws_while_dragging():
    shots = [{"filters": np.zeros((2, 1, 3, 3)), "maps": np.zeros((2, 4, 4))} for _ in range(3)]
    assert TrainingScrubber(shots).controls["epoch"].continuous_update is True


def test_digits_titled_by_their_integer_labels(digits):
    images, labels = digits
    fig = show_digits(images, labels, ncols=3)
    assert [ax.get_title() for ax in fig.axes] == ["1", "1", "7"]


def test_accuracy_under_moves_keys_are_the_moves_as_given(digits):
    images, labels = digits
    moves = accuracy_under_moves(small_model(), images, labels, shifts=[0, 2], angles=[np.float32(15.0)])
    assert list(moves["shift"]) == [0, 2] and all(type(key) is int for key in moves["shift"])
    assert list(moves["angle"]) == [15.0] and all(0 <= value <= 1 for value in moves["shift"].values())
