"""A training loop written exactly as for PyTorch, run with ``import tinynet as torch``,
trains make_moons; and the ``tinynet demo`` command prints its test accuracy."""
import re

import pytest
from sklearn.datasets import make_moons
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

import tinynet.cli


def _split(seed):
    # noise=0.1: the two moons barely touch, but a straight line still gets only ~88%
    X, y = make_moons(n_samples=1000, noise=0.1, random_state=seed)
    return train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)


def fit_moons(torch, seed, epochs=15, batch_size=32):
    """PyTorch code: nothing below names tinynet. Returns (untrained, trained) accuracy."""
    torch.manual_seed(seed)
    X_train, X_test, y_train, y_test = _split(seed)
    X_train = torch.tensor(X_train, dtype=torch.float32)
    y_train = torch.tensor(y_train)
    X_test = torch.tensor(X_test, dtype=torch.float32)
    y_test = torch.tensor(y_test)

    model = torch.nn.Sequential(
        torch.nn.Linear(2, 32), torch.nn.GELU(), torch.nn.LayerNorm(32),
        torch.nn.Linear(32, 32), torch.nn.GELU(), torch.nn.LayerNorm(32),
        torch.nn.Linear(32, 2),
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

    def evaluate():
        model.eval()
        with torch.no_grad():
            predictions = model(X_test).argmax(dim=1)
            return (predictions == y_test).float().mean().item()

    untrained = evaluate()
    for epoch in range(epochs):
        model.train()
        permutation = torch.randperm(len(X_train))
        for i in range(0, len(X_train), batch_size):
            idx = permutation[i:i + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
    return untrained, evaluate()


@pytest.mark.parametrize("seed", [0, 1])
def test_pytorch_style_loop_trains_make_moons(seed):
    import tinynet as torch

    untrained, accuracy = fit_moons(torch, seed)
    assert accuracy >= 0.97
    assert untrained < 0.9  # the accuracy was learned, not there from the start
    X_train, X_test, y_train, y_test = _split(seed)
    assert LogisticRegression().fit(X_train, y_train).score(X_test, y_test) < 0.93


def test_the_same_loop_runs_under_pytorch():
    """The loop above is genuine PyTorch code: real torch runs it to the same standard."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: threads only add overhead
    try:
        untrained, accuracy = fit_moons(torch, seed=0)
    finally:
        torch.set_num_threads(threads)
    assert accuracy >= 0.97 and untrained < 0.9


def test_cli_demo_prints_a_test_accuracy(capsys):
    assert tinynet.cli.main(["demo", "--epochs", "5"]) == 0
    output = capsys.readouterr().out
    match = re.search(r"test accuracy (\d\.\d+)", output)
    assert match, output
    assert 0.8 <= float(match.group(1)) <= 1.0
    assert "5 epochs" in output
