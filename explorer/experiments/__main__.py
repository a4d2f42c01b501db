"""python -m explorer.experiments degradation [--steps N] [--out FILE] [--weights DIR]
python -m explorer.experiments card

`degradation` trains plain20, plain56, resnet20 and resnet56 with one recipe and writes their
training and test error curves as JSON and their weights (by default over the record, the
weights and the model card shipped with the package, which `explorer.degradation_curves()`,
`load_model(name, "DEFAULT")` and the page read). `card` writes the model card again from the
shipped record and weights.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import ExplorerError
from .degradation import (
    Recipe,
    progress_bar,
    run,
    save,
    shipped_path,
    shipped_weights,
    summary_lines,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer.experiments")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("degradation", help="Figure 6 of the paper: plain vs residual, 20 vs 56")
    default = Recipe()
    d.add_argument("--models", default=",".join(default.models),
                   help="comma-separated registry names (default: %(default)s)")  # fmt: skip
    for option in ("steps", "batch", "train_samples", "test_samples", "record_every", "seed"):
        d.add_argument(f"--{option.replace('_', '-')}", type=int, default=getattr(default, option))
    d.add_argument("--lr", type=float, default=default.lr)
    d.add_argument("--device", default="cpu", help="cpu, or cuda when a GPU is there")
    d.add_argument("--out", default=None,
                   help="where to write the JSON (default: the package's own record)")  # fmt: skip
    d.add_argument("--weights", default=None,
                   help="a folder for the trained models' weights (default: the package's own "
                        "when --out is not given, else none); the model card is written beside "
                        "the package's own")  # fmt: skip
    sub.add_parser("card", help="write the shipped networks' model card from their files")
    args = parser.parse_args(argv)
    if args.command == "card":
        from .card import write_card
        from .degradation import load

        print(f"written to {write_card(load())}")
        return 0
    recipe = Recipe(models=tuple(m.strip() for m in args.models.split(",") if m.strip()),
                    steps=args.steps, batch=args.batch, lr=args.lr,
                    train_samples=args.train_samples, test_samples=args.test_samples,
                    record_every=args.record_every, seed=args.seed)  # fmt: skip
    try:
        weights = args.weights or (None if args.out else shipped_weights())
        result = run(recipe, args.device, progress_bar(), weights)
    except ExplorerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    path = save(result, args.out or shipped_path())
    print("\n".join(summary_lines(result)))
    print(f"{result.device}; written to {path}")
    shipped = weights is not None and Path(weights).resolve() == shipped_weights().resolve()
    if shipped and not args.out and set(result.models) == set(Recipe().models):
        from .card import write_card

        print(f"model card: {write_card(result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
