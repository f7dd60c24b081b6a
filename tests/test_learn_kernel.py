"""cnnhelpers.learn_kernel: gradient descent turns random weights into the Sobel kernel."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from cnnhelpers import reference  # noqa: E402
from cnnhelpers.kernels import sobel_x, sobel_y  # noqa: E402
from cnnhelpers.learn_kernel import KernelDescent, learn_kernel  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def fit():
    return learn_kernel(steps=300)


def test_the_loss_falls_by_orders_of_magnitude(fit):
    assert fit.losses[-1] < 1e-6 * fit.losses[0]
    assert fit.losses[0] > 1  # the random start is far off


def test_the_kernel_turns_into_sobel(fit):
    assert np.abs(fit.kernels[0] - sobel_x).max() > 0.5
    np.testing.assert_allclose(fit.kernels[-1], sobel_x, atol=1e-3)


def test_the_losses_are_those_of_the_recorded_kernels(fit):
    """Checked with the plain-loop reference, not the conv2d the descent used."""
    for step in (0, 7, fit.steps):
        output = reference.correlate2d(fit.image, fit.kernels[step])
        target = reference.correlate2d(fit.image, sobel_x)
        assert fit.losses[step] == pytest.approx(np.mean((output - target) ** 2), rel=1e-9)
        np.testing.assert_allclose(fit.output(step), output, atol=1e-9)


def test_any_target_kernel_and_photograph():
    rng = np.random.default_rng(0)
    image = rng.random((20, 24))
    fit = learn_kernel(image, sobel_y, steps=300, seed=3)
    np.testing.assert_allclose(fit.kernels[-1], sobel_y, atol=1e-3)


@pytest.mark.parametrize("arguments, match", [({"steps": 0}, "steps"), ({"momentum": 1.0}, "momentum"),
                                              ({"image": np.ones((8, 8))}, "constant"),
                                              ({"image": np.ones(8)}, "2-D")])
def test_bad_arguments_are_named(arguments, match):
    with pytest.raises(ValueError, match=match):
        learn_kernel(**arguments)


def test_the_slider_shows_each_step(fit):
    descent = KernelDescent(fit)
    for step in (0, 25, fit.steps):
        result = descent.update(step=step)
        np.testing.assert_array_equal(result["kernel"], fit.kernels[step])
        assert result["loss"] == fit.losses[step]
        assert result["output"].shape == result["target"].shape == fit.target.shape
    picture = descent.live.render()
    assert picture.ndim == 3 and picture.std() > 0


def test_a_step_outside_the_run_is_refused_in_words(fit):
    descent = KernelDescent(fit)
    assert not descent.safe_update(step=fit.steps + 1)
    assert "step" in descent.message.value
