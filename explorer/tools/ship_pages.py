"""`python -m explorer.tools.ship_pages`: render every registry model's Architecture page (both
languages, its own input size, with its downloads) with the live engine and write them into the
package (explorer/web/shipped/), where the first view reads them without torch. Run it after a
change to what the page shows; tests/web/test_shipped.py says when it is due.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from ..arch.registry import list_models
from ..web import shipped

HERE = Path(shipped.__file__).parent / shipped.FOLDER


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m explorer.tools.ship_pages")
    parser.add_argument("--out", type=Path, default=HERE, help="folder (default: the package's)")
    parser.add_argument("models", nargs="*", help="registry names (default: all)")
    args = parser.parse_args(argv)
    names = args.models or list_models()
    start = time.perf_counter()
    written = shipped.write(args.out, names)
    size = sum(p.stat().st_size for p in written)
    print(f"{len(written)} pages written to {args.out} ({size / 1024:.0f} KiB) in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
