"""What the network sees: occlusion, saliency (against finite differences), top patches, mistakes."""

import numpy as np
import pytest

from cnnhelpers import nn
from cnnhelpers.data import load_mnist5k
from cnnhelpers.digit_pad import load_digit_net
from cnnhelpers.network_views import (
    NetworkViewsExplorer,
    misclassified,
    occlusion_map,
    saliency_map,
    show_misclassified,
    show_top_patches,
    top_patches,
)


@pytest.fixture(scope="module")
def model():
    return load_digit_net(dtype=np.float64)


@pytest.fixture(scope="module")
def digits():
    return load_mnist5k()


def test_saliency_is_the_gradient_of_the_class_score(model):
    """Central differences of the logit, pixel by pixel, on noise (no ReLU sits exactly on its kink)."""
    rng = np.random.default_rng(0)
    image = rng.random((28, 28))
    label, eps = 3, 1e-6
    saliency = saliency_map(model, image, label)
    assert saliency.shape == (28, 28)
    for row, col in [(5, 7), (14, 14), (20, 3), (27, 27), (0, 12)]:
        plus, minus = image.copy(), image.copy()
        plus[row, col] += eps
        minus[row, col] -= eps
        numeric = (model.forward(plus[None, None])[0, label] - model.forward(minus[None, None])[0, label]) / (2 * eps)
        assert saliency[row, col] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_occlusion_of_non_overlapping_tiles_is_each_tiles_probability_drop(model, digits):
    image, label = digits.x_test[0] / 255.0, int(digits.y_test[0])
    drops = occlusion_map(model, image, label, patch=7, stride=7, grey=0.5)
    assert drops.shape == (28, 28)
    before = nn.predict(model, image[None, None])[0, label]
    for top, left in [(0, 0), (7, 14), (21, 21)]:
        covered = image.copy()
        covered[top:top + 7, left:left + 7] = 0.5
        expected = before - nn.predict(model, covered[None, None])[0, label]
        np.testing.assert_allclose(drops[top:top + 7, left:left + 7], expected, atol=1e-12)


def test_covering_background_with_background_changes_nothing(model):
    image = np.zeros((28, 28))
    image[8:20, 12:16] = 1.0
    drops = occlusion_map(model, image, 1, patch=4, stride=4, grey=0.0)
    assert np.all(drops[:4, :] == 0) and drops[8:20, 12:16].max() > 0


def test_occlusion_checks_its_arguments(model):
    with pytest.raises(ValueError, match="patch"):
        occlusion_map(model, np.zeros((28, 28)), 1, patch=40)
    with pytest.raises(ValueError, match="label"):
        saliency_map(model, np.zeros((28, 28)), 12)


def test_top_patches_are_the_strongest_responses_one_per_image(model, digits):
    images = digits.x_train[:300]
    result = top_patches(model, images, count=9, context=2)
    conv = model.layers[0]
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


def test_misclassified_are_exactly_the_wrong_answers(model, digits):
    wrong, probabilities = misclassified(model, digits.x_test, digits.y_test)
    answers = model.forward(digits.x_test[:, None] / 255.0).argmax(axis=1)  # one plain forward pass
    assert wrong.tolist() == [i for i, a in enumerate(answers) if a != digits.y_test[i]]
    assert probabilities.shape == (len(wrong), 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1)


def test_figures_and_explorer_draw(model, digits):
    import matplotlib.pyplot as plt

    result = top_patches(model, digits.x_train[:50], count=3)
    fig = show_top_patches(result, model.layers[0].weight.data)
    assert len(fig.axes) == model.layers[0].out_channels * 4
    wrong, probabilities = misclassified(model, digits.x_test[:200], digits.y_test[:200])
    fig2 = show_misclassified(digits.x_test, digits.y_test, wrong, probabilities)
    assert len(fig2.axes) == 2 * len(wrong)
    plt.close("all")
    explorer = NetworkViewsExplorer(model, digits.x_test, digits.y_test, index=3)
    shown = explorer.update(index=3, patch=6)
    assert shown["label"] == digits.y_test[3] and shown["occlusion"].shape == (28, 28)
    assert not explorer.safe_update(index=5000, patch=6) and "index" in explorer.message.value
