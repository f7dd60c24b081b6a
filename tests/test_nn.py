"""cnnhelpers.nn: gradient checks of every layer, references for the forward passes, loss and optimizers."""

import numpy as np
import pytest

from cnnhelpers import nn


def rng():
    return np.random.default_rng(2024)


def small_cnn(generator, dropout=0.0):
    layers = [nn.Conv2d(2, 3, 3, padding=1, rng=generator), nn.ReLU(), nn.MaxPool2d(2),
              nn.Conv2d(3, 4, 3, rng=generator), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten()]
    if dropout:
        layers.append(nn.Dropout(dropout, rng=generator))
    return nn.Sequential(*layers, nn.Linear(4 * 1 * 1, 5, rng=generator))


# --- gradient checks -----------------------------------------------------------------------------

LAYERS = {
    "conv 3x3": (lambda: nn.Conv2d(2, 3, 3, rng=1), (2, 2, 6, 6)),
    "conv stride 2 padding 1": (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1, rng=1), (2, 2, 7, 7)),
    "conv 3x2 same": (lambda: nn.Conv2d(1, 2, (3, 2), padding="same", rng=1), (2, 1, 5, 6)),
    "max pool 2": (lambda: nn.MaxPool2d(2), (2, 3, 6, 6)),
    "max pool overlapping, padded": (lambda: nn.MaxPool2d(3, stride=2, padding=1), (2, 2, 7, 7)),
    "avg pool 2": (lambda: nn.AvgPool2d(2), (2, 3, 6, 6)),
    "avg pool 3 stride 1": (lambda: nn.AvgPool2d(3, stride=1, padding=1), (1, 2, 5, 5)),
    "relu": (lambda: nn.ReLU(), (3, 2, 4, 4)),
    "flatten": (lambda: nn.Flatten(), (2, 3, 4, 4)),
    "linear": (lambda: nn.Linear(6, 4, rng=1), (5, 6)),
    "dropout": (lambda: nn.Dropout(0.5, rng=1), (4, 10)),
}


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_passes_gradcheck(name):
    make, shape = LAYERS[name]
    result = nn.gradcheck(make(), rng().standard_normal(shape), max_entries=400)
    assert result.passed, result


def test_whole_network_passes_gradcheck_with_cross_entropy():
    model = small_cnn(np.random.default_rng(0), dropout=0.3)
    x, y = rng().random((3, 2, 8, 8)), np.array([0, 3, 4])
    result = nn.gradcheck(model, x, y, max_entries=500)
    assert result.passed, result
    assert set(result.errors) == {"input", *model.parameters()}


class _WrongLinear(nn.Linear):
    def backward(self, grad_out):
        grad_x = super().backward(grad_out)
        self.weight.grad = self.weight.grad * 1.01  # a 1% error
        return grad_x


def test_gradcheck_catches_a_wrong_backward():
    result = nn.gradcheck(_WrongLinear(3, 2, rng=0), rng().standard_normal((4, 3)))
    assert not result.passed
    assert result.errors["0._WrongLinear.weight"] > 1e-3
    assert result.errors["input"] < 1e-6


def test_gradcheck_leaves_out_entries_whose_steps_cross_a_kink():
    x = np.array([[3e-6, 1.0, -2.0, 0.5, 0.7]])  # the first is within eps = 1e-5 of ReLU's kink
    result = nn.gradcheck(nn.ReLU(), x)
    assert result.kinks["input"] == 1
    assert result.passed


def test_gradcheck_fails_where_the_derivative_does_not_exist():
    x = np.array([[0.0, 1.0, -2.0, 0.5, 0.7]])  # exactly on the kink: left and right slopes differ
    result = nn.gradcheck(nn.ReLU(), x)
    assert result.kinks["input"] == 0
    assert result.errors["input"] > 0.1 and not result.passed


def test_gradcheck_leaves_the_model_in_float32():
    model = small_cnn(np.random.default_rng(0))
    nn.gradcheck(model, rng().random((1, 2, 8, 8)), max_entries=3)
    assert all(p.data.dtype == np.float32 for p in model.parameters().values())


# --- forward passes against references ------------------------------------------------------------

def test_conv2d_layer_matches_naive_sum():
    layer = nn.Conv2d(2, 3, 3, padding=1, rng=0, dtype=np.float64)
    layer.bias.data[:] = [0.5, -1.0, 2.0]
    x = rng().standard_normal((1, 2, 4, 5))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = layer.forward(x)
    for o in range(3):
        for i in range(4):
            for j in range(5):
                expected = np.sum(padded[0, :, i:i + 3, j:j + 3] * layer.weight.data[o]) + layer.bias.data[o]
                assert out[0, o, i, j] == pytest.approx(expected)


def test_conv2d_layer_matches_torch_forward_and_backward():
    torch = pytest.importorskip("torch")
    layer = nn.Conv2d(3, 4, 3, stride=2, padding=1, rng=0, dtype=np.float64)
    layer.bias.data[:] = rng().standard_normal(4)
    reference = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1).double()
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.weight.data))
        reference.bias.copy_(torch.from_numpy(layer.bias.data))
    x = rng().standard_normal((2, 3, 9, 8))
    x_torch = torch.from_numpy(x).requires_grad_(True)
    out_torch = reference(x_torch)
    grad_out = rng().standard_normal(tuple(out_torch.shape))
    out_torch.backward(torch.from_numpy(grad_out))
    np.testing.assert_allclose(layer.forward(x), out_torch.detach().numpy(), rtol=1e-12, atol=1e-12)
    grad_x = layer.backward(grad_out)
    np.testing.assert_allclose(grad_x, x_torch.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_linear_is_x_times_weight_transposed_plus_bias():
    layer = nn.Linear(3, 2, rng=0, dtype=np.float64)
    layer.bias.data[:] = [1.0, -1.0]
    x = np.array([[1.0, 2.0, 3.0]])
    w = layer.weight.data
    expected = [sum(x[0, i] * w[o, i] for i in range(3)) + layer.bias.data[o] for o in range(2)]
    np.testing.assert_allclose(layer.forward(x)[0], expected)


def test_flatten_uses_channel_row_column_order():
    x = np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2)
    assert nn.Flatten().forward(x)[1].tolist() == list(range(12, 24))


def test_max_pool_layer_sends_gradient_to_the_maximum_only():
    layer = nn.MaxPool2d(2)
    layer.forward(np.array([[[[1.0, 5.0], [3.0, 2.0]]]]))
    assert layer.backward(np.array([[[[7.0]]]]))[0, 0].tolist() == [[0.0, 7.0], [0.0, 0.0]]


def test_relu_gradient_is_zero_where_input_was_negative():
    layer = nn.ReLU()
    layer.forward(np.array([[-1.0, 0.0, 2.0]]))
    assert layer.backward(np.array([[5.0, 5.0, 5.0]])).tolist() == [[0.0, 0.0, 5.0]]


def test_dropout_scales_kept_values_and_is_identity_in_eval_mode():
    layer = nn.Dropout(0.25, rng=0)
    x = np.ones((200, 200), dtype=np.float32)
    out = layer.forward(x)
    kept = out != 0
    assert np.allclose(out[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.01
    layer.training = False
    assert layer.forward(x) is x


# --- initialisation, dtypes, Sequential ------------------------------------------------------------

def test_he_initialisation_has_std_sqrt_2_over_fan_in():
    layer = nn.Conv2d(16, 64, 3, rng=0)
    assert layer.weight.data.std() == pytest.approx(np.sqrt(2 / (16 * 9)), rel=0.03)
    assert np.all(layer.bias.data == 0)


def test_same_seed_gives_same_weights():
    a, b = nn.Linear(10, 5, rng=7), nn.Linear(10, 5, rng=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)


def test_float32_by_default_and_float64_after_astype():
    model = small_cnn(np.random.default_rng(0))
    x = rng().random((2, 2, 8, 8))  # float64 input is cast to the model's dtype
    assert model.forward(x).dtype == np.float32
    model64 = model.astype(np.float64)
    assert model64.forward(x).dtype == np.float64
    np.testing.assert_allclose(model64.forward(x), model.forward(x), rtol=1e-5, atol=1e-5)


def test_parameterless_model_keeps_its_dtype_after_astype():
    assert nn.Sequential(nn.ReLU()).astype(np.float64).forward(np.ones((1, 2), np.float32)).dtype == np.float64


def test_summary_lists_output_shapes_and_parameter_counts(capsys):
    model = small_cnn(np.random.default_rng(0))
    model.summary((2, 8, 8))
    text = capsys.readouterr().out
    assert "(N, 3, 8, 8)" in text and "(N, 3, 4, 4)" in text and "(N, 4, 2, 2)" in text and "(N, 4)" in text
    assert "3·2·3·3 + 3" in text
    assert f"total parameters: {3 * 2 * 9 + 3 + 4 * 3 * 9 + 4 + 5 * 4 + 5:,}" in text


def test_summary_rows_count_every_parameter():
    model = small_cnn(np.random.default_rng(0))
    rows = model.summary_rows((2, 8, 8))
    assert sum(row["parameters"] for row in rows) == model.count_parameters()
    assert [row["output_shape"] for row in rows][-1] == (5,)


def test_feature_maps_give_every_layer_output_in_eval_mode():
    model = small_cnn(np.random.default_rng(0), dropout=0.5)
    x = rng().random((1, 2, 8, 8))
    maps = model.feature_maps(x)
    assert [name for name, _ in maps] == model.names
    np.testing.assert_array_equal(maps[-1][1], model.eval().forward(x))


def test_sequential_rejects_something_that_is_not_a_layer():
    with pytest.raises(TypeError, match="layer 1"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_conv2d_layer_names_channel_mismatch():
    with pytest.raises(ValueError, match="channels"):
        nn.Conv2d(3, 4, 3, rng=0).forward(np.zeros((1, 1, 5, 5), np.float32))


def test_linear_layer_names_feature_mismatch():
    with pytest.raises(ValueError, match="expects 6 input features"):
        nn.Linear(6, 2, rng=0).forward(np.zeros((1, 5), np.float32))


def test_conv2d_rejects_bad_settings_at_construction():
    with pytest.raises(ValueError, match="stride"):
        nn.Conv2d(1, 1, 3, stride=0)
    with pytest.raises(ValueError, match="out_channels"):
        nn.Conv2d(1, 0, 3)


# --- loss -----------------------------------------------------------------------------------------

def test_cross_entropy_matches_the_definition():
    logits = rng().standard_normal((4, 3))
    labels = np.array([0, 2, 1, 2])
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss, grad = nn.softmax_cross_entropy(logits, labels)
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(4), labels])))
    np.testing.assert_allclose(grad, (probs - np.eye(3)[labels]) / 4)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [5000.0, 5000.0, 0.0]])
    loss, grad = nn.softmax_cross_entropy(logits, np.array([1, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert loss == pytest.approx((1000.0 + np.log(2)) / 2)  # -log p = 1000 for row 0, log 2 for row 1


def test_softmax_rows_sum_to_one_and_ignore_a_shift():
    logits = rng().standard_normal((3, 5))
    np.testing.assert_allclose(nn.softmax(logits).sum(axis=1), 1.0)
    np.testing.assert_allclose(nn.softmax(logits + 1e4), nn.softmax(logits))


def test_cross_entropy_rejects_out_of_range_labels():
    with pytest.raises(ValueError, match="labels must lie in 0..2"):
        nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))


# --- optimizers against hand-computed steps ---------------------------------------------------------

def test_sgd_with_momentum_two_steps_by_hand():
    param = nn.Parameter(np.array([1.0, -2.0]))
    optimizer = nn.SGD([param], lr=0.1, momentum=0.9)
    param.grad = np.array([0.5, 1.0])
    optimizer.step()  # v = g = (0.5, 1); p = (1 - 0.05, -2 - 0.1)
    np.testing.assert_allclose(param.data, [0.95, -2.1])
    param.grad = np.array([1.0, 0.0])
    optimizer.step()  # v = 0.9 v + g = (1.45, 0.9); p -= 0.1 v
    np.testing.assert_allclose(param.data, [0.95 - 0.145, -2.1 - 0.09])


def test_adam_two_steps_by_hand():
    param = nn.Parameter(np.array([1.0]))
    optimizer = nn.Adam([param], lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    grads, value, m, v = [2.0, -1.0], 1.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        param.grad = np.array([g])
        optimizer.step()
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        value -= 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        assert param.data[0] == pytest.approx(value, rel=1e-12)
    # by hand: step 1 moves by lr exactly; m2 = 0.08, v2 = 0.004996, bias corrections 0.19 and 0.001999
    assert value == pytest.approx(1.0 - 0.01 - 0.01 * (0.08 / 0.19) / np.sqrt(0.004996 / 0.001999), rel=1e-9)


def test_adam_matches_torch():
    torch = pytest.importorskip("torch")
    start, grads = np.array([0.5, -1.5, 2.0]), rng().standard_normal((5, 3))
    param = nn.Parameter(start.copy())
    ours = nn.Adam([param], lr=0.05)
    reference = torch.tensor(start.copy(), requires_grad=True)
    theirs = torch.optim.Adam([reference], lr=0.05)
    for g in grads:
        param.grad = g
        ours.step()
        reference.grad = torch.from_numpy(g.copy())
        theirs.step()
    np.testing.assert_allclose(param.data, reference.detach().numpy(), rtol=1e-12)


def test_optimizer_rejects_negative_learning_rate():
    with pytest.raises(ValueError, match="lr"):
        nn.SGD([nn.Parameter(np.zeros(1))], lr=-1)


# --- training loop ---------------------------------------------------------------------------------

def blobs(n=120):
    """Two classes of 1x4x4 images: bright top half or bright bottom half, plus noise."""
    generator = np.random.default_rng(5)
    y = np.arange(n) % 2
    x = generator.normal(0, 0.3, (n, 1, 4, 4)).astype(np.float32)
    x[y == 0, :, :2] += 1
    x[y == 1, :, 2:] += 1
    return x, y


def tiny_model(seed=0):
    generator = np.random.default_rng(seed)
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=generator), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(8, 2, rng=generator))


def test_fit_learns_a_separable_problem():
    x, y = blobs()
    model = tiny_model()
    history = nn.fit(model, x, y, optimizer=nn.Adam(model.parameters(), lr=0.05), epochs=8, batch_size=16, rng=0,
                     progress=False, validation=(x, y))
    assert history.loss[-1] < history.loss[0]
    assert history.val_accuracy[-1] == 1.0
    assert nn.evaluate(model, x, y)[1] == 1.0


def test_fit_with_the_same_seed_is_exactly_reproducible():
    x, y = blobs()
    runs = []
    for _ in range(2):
        model = tiny_model()
        history = nn.fit(model, x, y, optimizer=nn.SGD(model.parameters(), lr=0.1, momentum=0.9), epochs=3,
                         batch_size=16, rng=1, progress=False, augment=lambda b, r: b + r.normal(0, 0.1, b.shape))
        runs.append((history.loss, model.parameters()["4.Linear.weight"].data.copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_fit_records_snapshots_before_and_after_each_epoch_and_follows_the_schedule():
    x, y = blobs()
    model = tiny_model()
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    rates = []
    history = nn.fit(model, x, y, optimizer=optimizer, epochs=3, rng=0, progress=False,
                     lr_schedule=lambda epoch: 0.1 / epoch,
                     snapshot=lambda m: (rates.append(optimizer.lr), m.parameters()["0.Conv2d.weight"].data.copy())[1])
    assert len(history.snapshots) == 4 and history.epochs == 3
    assert rates[1:] == [0.1, 0.05, pytest.approx(0.1 / 3)]
    assert not np.array_equal(history.snapshots[0], history.snapshots[-1])


def test_predict_gives_probabilities_and_evaluate_counts_correct_answers():
    x, y = blobs(40)
    model = tiny_model()
    probs = nn.predict(model, x, batch_size=7)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    _, accuracy = nn.evaluate(model, x, y)
    assert accuracy == np.mean(probs.argmax(axis=1) == y)


def test_confusion_matrix_counts_pairs():
    y_true, y_pred = np.array([0, 1, 2, 2, 1]), np.array([0, 2, 2, 2, 1])
    expected = np.zeros((3, 3), int)
    for t, p in zip(y_true, y_pred, strict=True):
        expected[t, p] += 1
    np.testing.assert_array_equal(nn.confusion_matrix(y_true, y_pred, classes=3), expected)


def test_fit_rejects_labels_of_the_wrong_length():
    x, y = blobs()
    model = tiny_model()
    with pytest.raises(ValueError, match="one per example"):
        nn.fit(model, x, y[:-1], optimizer=nn.SGD(model.parameters()), progress=False)


def test_sequential_backward_can_skip_the_input_gradient():
    rng = np.random.default_rng(3)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=rng), nn.ReLU(), nn.Flatten(), nn.Linear(32, 3, rng=rng))
    x = rng.standard_normal((2, 1, 4, 4))
    model.forward(x)
    grad_x = model.backward(np.ones((2, 3)))
    first_weight_grad = model.layers[0].weight.grad.copy()
    model.forward(x)
    assert model.backward(np.ones((2, 3)), input_grad=False) is None
    assert grad_x.shape == x.shape
    np.testing.assert_array_equal(model.layers[0].weight.grad, first_weight_grad)
