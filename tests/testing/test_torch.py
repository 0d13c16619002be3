"""PyTorch train steps, where PyTorch is installed (it is no dependency of shiftwatch)."""

import numpy as np
import pytest

from shiftwatch.testing import (
    assert_overfits,
    assert_reproducible,
    assert_trains,
    torch_train_step,
)

torch = pytest.importorskip("torch")


def make_model(hidden: int = 16):
    return torch.nn.Sequential(
        torch.nn.Linear(4, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 3)
    )


def make_batches(n_batches: int = 20, size: int = 32):
    generator = torch.Generator().manual_seed(0)
    centers = torch.tensor([[2.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 2.0, 0]])
    batches = []
    for _ in range(n_batches):
        labels = torch.randint(0, 3, (size,), generator=generator)
        inputs = centers[labels] + torch.randn(size, 4, generator=generator)
        batches.append((inputs, labels))
    return batches


def step_for(model, learning_rate: float = 0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    return torch_train_step(model, optimizer, torch.nn.CrossEntropyLoss())


def test_a_pytorch_model_trains():
    torch.manual_seed(0)
    run = assert_trains(step_for(make_model()), make_batches(), max_steps=60, window=3)
    assert run.losses[0] > 0.9  # about log(3) at the start


def test_a_pytorch_model_with_a_frozen_optimizer_fails():
    torch.manual_seed(0)
    model = make_model()
    step = step_for(model, learning_rate=0.0)
    with pytest.raises(AssertionError, match=r"did not fall to 0.5 x its start within 40 steps"):
        assert_trains(step, make_batches(), max_steps=40, window=3)


def test_a_pytorch_model_overfits_one_batch():
    torch.manual_seed(0)
    batch = make_batches(n_batches=1, size=8)[0]
    optimizer_model = make_model(hidden=32)
    optimizer = torch.optim.Adam(optimizer_model.parameters(), lr=0.05)
    step = torch_train_step(optimizer_model, optimizer, torch.nn.CrossEntropyLoss())
    run = assert_overfits(step, batch, max_steps=300, target=0.01)
    assert run.passed_at < 300


def test_the_step_reports_the_loss_before_the_update():
    torch.manual_seed(0)
    model = make_model()
    inputs, labels = make_batches(n_batches=1)[0]
    with torch.no_grad():
        before = torch.nn.functional.cross_entropy(model(inputs), labels).item()
    assert step_for(model)((inputs, labels)) == pytest.approx(before)


def test_pytorch_training_is_reproducible_when_seeded():
    def train(seed):
        model = make_model()  # initial weights from torch's global generator
        step = step_for(model)
        return np.array([step(batch) for batch in make_batches(n_batches=5)])

    runs = assert_reproducible(train, seed=4)
    assert runs[0]["result"].shape == (5,)
    with pytest.raises(AssertionError, match=r"Runs 1 and 2 with seed 4 differ in 5 of 5 values"):
        assert_reproducible(train, seed=4, seed_globals=False)
