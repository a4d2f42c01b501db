"""The installed package's smoke test refuses to pass when explorer comes from the checkout:
in CI that is what keeps an editable install from filling in what the wheel lacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import explorer


def test_refuses_a_package_imported_from_inside_the_given_folder(tmp_path):
    checkout = Path(explorer.__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-m", "explorer.tools.smoke", "--outside", str(checkout)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.startswith(f"FAILED  import explorer {explorer.__version__} from {checkout}")
