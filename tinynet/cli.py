"""The ``tinynet`` command line."""
import argparse
import sys
import time

import numpy as np


def _demo(args) -> int:
    """Train an MLP (GELU + LayerNorm) on make_moons with a PyTorch-style loop."""
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    import tinynet as tn
    from tinynet import nn

    tn.manual_seed(args.seed)
    X, y = make_moons(n_samples=1000, noise=0.2, random_state=args.seed)
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float32), y, test_size=0.3, stratify=y, random_state=args.seed)
    model = nn.Sequential(nn.Linear(2, 32), nn.GELU(), nn.LayerNorm(32),
                          nn.Linear(32, 32), nn.GELU(), nn.LayerNorm(32), nn.Linear(32, 2))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = tn.optim.Adam(model.parameters(), lr=0.01)
    Xt, yt = tn.tensor(X_train), tn.tensor(y_train)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    for epoch in range(args.epochs):
        order = rng.permutation(len(X_train))
        for i in range(0, len(order), 32):
            idx = order[i:i + 32]
            optimizer.zero_grad()
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with tn.no_grad():
        accuracy = (model(tn.tensor(X_test)).argmax(dim=1) == tn.tensor(y_test)).float().mean()
    print(f"make_moons: {args.epochs} epochs in {seconds:.2f} s, "
          f"final train loss {loss.item():.4f}, test accuracy {accuracy.item():.3f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tinynet", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="train an MLP on make_moons and print its accuracy")
    demo.add_argument("--epochs", type=int, default=30)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
