"""Launch ResNet Explorer in the browser: python app.py [--host H] [--port N] [--auth U:P]
[--device D] [--share]; the same as `python -m explorer serve` (Hugging Face Spaces runs app.py)."""

import sys

from explorer.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
