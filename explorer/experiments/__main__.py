"""python -m explorer.experiments degradation [--steps N] [--out FILE]

Trains plain20, plain56, resnet20 and resnet56 with one recipe and writes their training and
test error curves as JSON (by default over the record shipped with the package, which is what
`explorer.degradation_curves()` and the page's "Why shortcuts" view read).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..errors import ExplorerError
from .degradation import Recipe, progress_bar, run, save, shipped_path, summary_lines


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
    args = parser.parse_args(argv)
    recipe = Recipe(models=tuple(m.strip() for m in args.models.split(",") if m.strip()),
                    steps=args.steps, batch=args.batch, lr=args.lr,
                    train_samples=args.train_samples, test_samples=args.test_samples,
                    record_every=args.record_every, seed=args.seed)  # fmt: skip
    try:
        result = run(recipe, args.device, progress_bar())
    except ExplorerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    path = save(result, args.out or shipped_path())
    print("\n".join(summary_lines(result)))
    print(f"{result.device}; written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
