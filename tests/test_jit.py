"""tg.jit.capture: replays give exactly what eager execution gives, and unsafe steps are refused."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn, optim
from tinygrad_fr.jit import CaptureError

RNG = np.random.default_rng(0)
IMAGES = RNG.random((64, 12))
LABELS = RNG.integers(0, 3, 64)
ONE_HOT = np.eye(3)[LABELS]


def _model(dropout: float = 0.0, dtype=tg.float64):
    tg.manual_seed(0)
    layers = [nn.Linear(12, 8), nn.Sigmoid()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(8, 3)).to(dtype)


def _train(step, batches):
    losses = []
    for x, y in batches:
        losses.append(step(x, y))
    return losses


def _compare(make_step, batches):
    """Train twice from the same state, eagerly and captured: everything must be identical."""
    eager_model, eager_step = make_step()
    captured_model, step = make_step()
    captured = tg.jit.capture(step)
    tg.manual_seed(5)  # the same random draws (dropout masks) for both runs
    eager_losses = _train(eager_step, batches)
    tg.manual_seed(5)
    captured_losses = _train(captured, batches)
    assert captured.replays == len(batches) - 2
    for mine, reference in zip(captured_losses, eager_losses):
        assert np.array_equal(np.asarray(mine.numpy()), np.asarray(reference.numpy()))
    for mine, reference in zip(captured_model.parameters(), eager_model.parameters()):
        assert np.array_equal(mine.numpy(), reference.numpy())
        assert np.array_equal(mine.grad.numpy(), reference.grad.numpy())


def _training(make_optimizer, loss_of, **model_options):
    """A ``make`` for _compare: a fresh model and optimizer, and the usual step (zero_grad,
    loss, backward, step) returning the loss."""

    def make():
        model = _model(**model_options)
        optimizer = make_optimizer(model.parameters())

        def step(x, y):
            optimizer.zero_grad()
            loss = loss_of(model, x, y)
            loss.backward()
            optimizer.step()
            return loss

        return model, step

    return make


def _sigmoid_mse(model, x, y):
    return nn.functional.mse_loss(model(x).sigmoid(), y)


def _per_sample_batches():
    return [(tg.from_numpy(IMAGES[i]), tg.from_numpy(ONE_HOT[i])) for i in range(20)]


def _mini_batches(dtype=np.float64):
    loader = tg.data.DataLoader(
        tg.data.TensorDataset(IMAGES.astype(dtype), ONE_HOT.astype(dtype)), batch_size=8,
        shuffle=True, seed=1,
    )  # fmt: skip
    return list(loader)


def test_per_sample_sgd_replays_bit_identically():
    make = _training(lambda params: optim.SGD(params, lr=0.1), _sigmoid_mse)
    _compare(make, _per_sample_batches())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_row_batches_replay_bit_identically_whatever_the_layout(dtype):
    # One-row products are generated as np.dot (eager calls matmul): the same BLAS call
    # only on contiguous arrays, so a strided input or a non-contiguous p.data records again.
    make = _training(lambda params: optim.SGD(params, lr=0.5), _sigmoid_mse, dtype=dtype)
    images, targets = IMAGES.astype(dtype), ONE_HOT.astype(dtype)
    wide = np.repeat(images, 2, axis=1)
    batches = [(images[i : i + 1], targets[i : i + 1]) for i in range(12)]
    batches += [(wide[i : i + 1, ::2], targets[i : i + 1]) for i in range(12, 16)]
    batches += [(images[i : i + 1], targets[i : i + 1]) for i in range(16, 24)]
    (eager_model, eager_step), (model, step) = make(), make()
    captured = tg.jit.capture(step)
    for index, (x, y) in enumerate(batches):
        if index == 20:  # the same values, another layout
            for m in (eager_model, model):
                strided = np.repeat(m[2].weight.numpy(), 2, axis=1)[:, ::2]
                m[2].weight.data = tg.from_numpy(strided)  # shares the strided memory
        mine = captured(tg.from_numpy(x), tg.from_numpy(y))
        reference = eager_step(tg.from_numpy(x), tg.from_numpy(y))
        assert mine.numpy().tobytes() == reference.numpy().tobytes()
        if index in (11, 19, 23):
            code = captured.code
            assert ("np.dot(x, layer0_weight.T" in code) == (index != 19)
            assert ("np.dot(a, layer2_weight.T" in code) == (index != 23)
    assert [r for r in captured.reasons if "contiguous" in r or "layout" in r] == [
        "argument 0 (x) is no longer contiguous",
        "2.weight has a new shape, dtype or layout (was (3, 8) " + np.dtype(dtype).name + ")",
    ]
    for mine, reference in zip(model.parameters(), eager_model.parameters()):
        assert mine.numpy().tobytes() == reference.numpy().tobytes()
        assert mine.grad.numpy().tobytes() == reference.grad.numpy().tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mini_batch_adam_with_quadratic_cost_replays_bit_identically(dtype):
    def make():
        model = _model(dtype=dtype)
        optimizer = optim.Adam(model.parameters(), lr=0.01)

        def step(x, y):
            model.zero_grad()
            loss = 0.5 * ((model(x) - y) ** 2).sum(dim=1).mean()
            loss.backward()
            optimizer.step()
            return loss

        return model, step

    _compare(make, _mini_batches(dtype))


def test_dropout_draws_a_new_mask_on_every_replay():
    make = _training(
        lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
        lambda model, x, y: nn.functional.mse_loss(model(x), y),
        dropout=0.5,
    )
    _compare(make, _mini_batches())
    _, step = make()
    tg.manual_seed(5)
    state = tg.rng.generator().bit_generator.state
    step(*_mini_batches()[0])
    assert tg.rng.generator().bit_generator.state != state  # a mask was drawn


def test_cross_entropy_and_accuracy_inside_the_step_replay_bit_identically():
    def make():
        model = _model()
        optimizer = optim.SGD(model.parameters(), lr=0.5)

        def step(x, labels):
            optimizer.zero_grad()
            logits = model(x)
            loss = nn.functional.cross_entropy(logits, labels)
            loss.backward()
            optimizer.step()
            accuracy = (logits.argmax(1) == labels).float().mean()
            return loss, accuracy

        return model, step

    batches = [
        (tg.from_numpy(IMAGES[i : i + 8]), tg.from_numpy(LABELS[i : i + 8]))
        for i in range(0, 64, 8)
    ]
    eager_model, eager_step = make()
    captured_model, step = make()
    captured = tg.jit.capture(step)
    for x, labels in batches:
        mine, reference = captured(x, labels), eager_step(x, labels)
        assert [t.item() for t in mine] == [t.item() for t in reference]
    assert captured.replays == len(batches) - 2
    for mine, reference in zip(captured_model.parameters(), eager_model.parameters()):
        assert np.array_equal(mine.numpy(), reference.numpy())


def test_input_gradients_are_filled_on_replay():
    weight = tg.Tensor(RNG.random(4), requires_grad=True)

    @tg.jit.capture
    def step(x):
        (x * weight).sum().backward()

    for _ in range(4):
        x = tg.Tensor(RNG.random(4), requires_grad=True)
        step(x)
        np.testing.assert_array_equal(x.grad.numpy(), weight.numpy())


def test_a_new_shape_records_again():
    model = _model()

    @tg.jit.capture
    def forward(x):
        return model(x)

    for rows in (4, 4, 4, 2, 2, 2):
        x = tg.from_numpy(IMAGES[:rows])
        out = forward(x)
        with tg.no_grad():
            np.testing.assert_array_equal(out.numpy(), model(x).numpy())
    assert forward.replays == 2


def test_returned_structures_are_rebuilt_with_detached_tensors():
    @tg.jit.capture
    def step(x):
        doubled = x * 2
        return {"double": doubled, "pair": (doubled + 1, None)}

    for value in (1.0, 2.0, 3.0):
        result = step(tg.Tensor([value]))
    assert result["double"].item() == 6.0 and result["pair"][0].item() == 7.0
    assert result["pair"][1] is None and result["double"].grad_fn is None


def test_a_step_that_branches_on_data_is_refused():
    @tg.jit.capture
    def step(x):
        if float(x.sum()._data) > 0:  # branching on a value read behind the library's back
            return x * 2
        return x.exp()

    step(tg.Tensor([1.0]))
    with pytest.raises(CaptureError, match="differs between the first two calls"):
        step(tg.Tensor([-1.0]))


def test_a_constant_computed_from_the_data_is_refused():
    @tg.jit.capture
    def step(x):
        return x * (x._data > 0)  # a mask made with NumPy, outside tensor ops

    step(tg.Tensor([1.0, -1.0]))
    with pytest.raises(CaptureError, match="argument 1 of Mul changed"):
        step(tg.Tensor([-1.0, 1.0]))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (lambda x: x.sum().item(), r"item\(\) is not allowed"),
        (lambda x: x.numpy(), r"\.data is not allowed"),
        (lambda x: bool((x > 0).all()), r"bool\(\) is not allowed"),
        (lambda x: (x * 1).add_(1), "add_ is not allowed"),
        (lambda x: tg.grad(x.sum(), x), "tg.grad cannot be captured"),
        (lambda x: tg.backward(x.sum(), create_graph=True), "create_graph"),
        (lambda x: x.sum().backward(create_graph=True), "create_graph"),
        (lambda x: 3.0, "returned float"),
    ],
    ids=["item", "numpy", "bool", "in-place", "grad", "tg.backward", "create_graph", "float"],
)
def test_what_a_replay_could_not_redo_is_refused(body, message):
    step = tg.jit.capture(body)
    with pytest.raises(CaptureError, match=message):
        step(tg.Tensor([1.0, 2.0], requires_grad=True))
    assert not tg.autograd.grad_mode.state.observers


def test_custom_functions_are_refused():
    class Double(tg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    step = tg.jit.capture(lambda x: Double.apply(x))
    with pytest.raises(CaptureError, match="custom Function Double"):
        step(tg.Tensor([1.0], requires_grad=True))


def test_capture_leaves_the_library_as_it_was():
    step = tg.jit.capture(lambda x: x.sum().item())
    with pytest.raises(CaptureError):
        step(tg.Tensor([1.0]))
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()  # ops and backward work normally again
    assert x.grad.tolist() == [2.0, 4.0] and x.sum().item() == 3.0


def test_numpy_arrays_as_inputs_are_replayed():
    model = _model()

    @tg.jit.capture
    def forward(x):
        return model(x)

    for _ in range(4):
        out = forward(IMAGES[:4])
    assert forward.replays == 2 and forward.recompiles == 0
    with tg.no_grad():
        np.testing.assert_array_equal(out.numpy(), model(tg.from_numpy(IMAGES[:4])).numpy())


def test_a_captured_function_called_inside_another_runs_in_it():
    model = _model()
    inner = tg.jit.capture(lambda x: model(x).sigmoid())

    @tg.jit.capture
    def outer(x):
        return inner(x) * 2

    for _ in range(4):
        out = outer(tg.from_numpy(IMAGES[:3]))
    assert outer.replays == 2
    with tg.no_grad():
        np.testing.assert_array_equal(
            out.numpy(), (model(tg.from_numpy(IMAGES[:3])).sigmoid() * 2).numpy()
        )


def test_a_scheduler_stepped_inside_the_step_changes_the_rate_at_each_call():
    def make():
        model = _model()
        optimizer = optim.SGD(model.parameters(), lr=0.5)
        scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)

        def step(x, y):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            return loss

        return model, step

    _compare(make, _mini_batches())


def test_gradients_accumulated_over_calls_match_eager():
    def make():
        model = _model()
        optimizer = optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):  # no zero_grad: every call adds to .grad
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
            return model[0].weight.grad

        return model, step

    _compare(make, _mini_batches())


def _nielsen_epoch(captured, images, targets):
    model = _model()
    optimizer = optim.SGD(model.parameters(), lr=3.0)

    def step(x, y):
        optimizer.zero_grad()
        cost = 0.5 * ((model(x).sigmoid() - y) ** 2).sum(dim=1).mean()
        cost.backward()
        optimizer.step()
        return cost

    run = tg.jit.capture(step) if captured else step
    losses = [
        run(tg.from_numpy(images[i : i + 10]), tg.from_numpy(targets[i : i + 10])).item()
        for i in range(0, len(images), 10)
    ]
    if captured:
        assert run.replays == len(images) // 10 - 2
    return losses, [p.numpy().copy() for p in model.parameters()]


def test_a_whole_epoch_of_nielsen_training_is_bit_identical():
    """Nielsen's network (sigmoid, quadratic cost, eta 3.0, mini-batches of 10), 100 steps."""
    rng = np.random.default_rng(3)
    images, labels = rng.random((1000, 12)), rng.integers(0, 3, 1000)
    targets = np.eye(3)[labels]
    eager_losses, eager_params = _nielsen_epoch(False, images, targets)
    losses, params = _nielsen_epoch(True, images, targets)
    assert losses == eager_losses
    for mine, reference in zip(params, eager_params):
        np.testing.assert_array_equal(mine, reference)


def test_step_code_is_numpy_with_names_from_parameters_and_maths_in_comments():
    model = nn.Sequential()
    model.add_module("fc1", nn.Linear(12, 8))
    model.add_module("act", nn.Sigmoid())
    model.add_module("fc2", nn.Linear(8, 3))
    optimizer = optim.SGD(model.parameters(), lr=0.1)

    @tg.jit.capture
    def step(x, y):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    assert step.code.startswith("# nothing generated yet")
    for i in range(3):
        step(
            tg.from_numpy(IMAGES[i : i + 4].astype(np.float32)),
            tg.from_numpy(ONE_HOT[i : i + 4].astype(np.float32)),
        )
    code = step.code
    assert "def step(x, y):" in code
    for name in ("grad_fc1_weight", "grad_fc2_bias", "fc1_weight -= ", "np.matmul(x, fc1_weight.T"):
        assert name in code, name
    assert "σ(z)" in code and 'lr = float(optimizer_group0["lr"])' in code
    assert "fc1.weight" in step.guards and "def guard(*args):" in step.guard_code
    step.reset()
    assert step.code.startswith("# nothing generated yet")


def test_a_concurrent_call_runs_eagerly():
    import threading

    model = _model()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    results = {}

    def step(x, y):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        if threading.current_thread() is threading.main_thread() and "other" not in results:
            thread = threading.Thread(target=lambda: results.setdefault("other", captured(x, y)))
            thread.start()
            thread.join()
        optimizer.step()
        return loss

    captured = tg.jit.capture(step)
    for _ in range(3):
        captured(tg.from_numpy(IMAGES[:4]), tg.from_numpy(ONE_HOT[:4]))
    assert "other" in results


def test_a_function_defined_by_exec_is_captured():
    # exec'd code has no module name (__module__ is None): the recording must not need one
    namespace: dict = {}
    source = "import tinygrad_fr as tg\n@tg.jit.capture\ndef f(x):\n    return x * 2\n"
    exec(source, namespace)
    for _ in range(3):
        assert namespace["f"](tg.ones(2)).tolist() == [2.0, 2.0]
