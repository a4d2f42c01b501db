"""The progress bar of the long commands: in place on a terminal, a line per tenth in a log."""

from __future__ import annotations

import io

from explorer.progress import ProgressBar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_a_line_per_tenth_and_the_last():
    log = io.StringIO()
    bar = ProgressBar(25, "images", stream=log)
    for _ in range(25):
        bar.advance(1)
    bar.close()
    lines = log.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("[" + "#" * 28 + "] 25/25 images 100%")


def test_a_terminal_redraws_one_line():
    term = _Terminal()
    bar = ProgressBar(4, "pages", stream=term)
    bar.advance(2, "en/index.html")
    bar.close()
    assert term.getvalue().startswith("\r\x1b[2K[##############..............] 2/4 pages  50%")
    assert term.getvalue().endswith("en/index.html\n")


def test_stopped_early_it_says_where_and_quiet_says_nothing():
    log = io.StringIO()
    bar = ProgressBar(100, "images", stream=log, done=40)  # a resumed run starts at 40
    bar.advance(3)
    bar.close()
    assert log.getvalue().splitlines()[-1].startswith("[############................] 43/100")
    quiet = io.StringIO()
    ProgressBar(5, "x", stream=quiet, quiet=True).advance(5)
    assert quiet.getvalue() == ""
