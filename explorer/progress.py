"""A progress bar on stderr for the long commands (export-site, batch): redrawn in place on a
terminal, a line per tenth of the work in a log (CI, a pipe), silent with `quiet`. No
dependency: the commands run where tqdm is not installed.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 28  # characters of the bar itself


class ProgressBar:
    """`bar.advance(n, note)` after each piece of work; `bar.close()` once at the end."""

    def __init__(self, total: int, what: str, *, done: int = 0, quiet: bool = False,
                 stream: TextIO | None = None) -> None:  # fmt: skip
        self.total, self.what, self.done = max(total, 0), what, done
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.start_done = done
        self.start = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._tenth = self._tenths()
        self.note = ""

    def _tenths(self) -> int:
        return 10 * self.done // self.total if self.total else 10

    def line(self) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = round(WIDTH * share)
        seconds = time.perf_counter() - self.start
        rate = (self.done - self.start_done) / seconds if seconds > 0 else 0.0
        text = (f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} {self.what}"
                f" {share:4.0%}  {rate:.1f}/s")  # fmt: skip
        return f"{text}  {self.note}" if self.note else text

    def advance(self, n: int = 1, note: str = "") -> None:
        self.done = min(self.done + n, self.total) if self.total else self.done + n
        self.note = note
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r\x1b[2K" + self.line())
            self.stream.flush()
        elif self._tenths() > self._tenth:
            self._tenth = self._tenths()
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
        elif self._tenth < 10 and self.done < self.total:  # stopped early: say where
            print(self.line(), file=self.stream, flush=True)


class Reported:
    """A ProgressBar opened when the work first reports how much there is: call it with (done,
    total, note) at the start and after each piece; a command that fails before it starts
    (a folder that exists, no images) draws nothing."""

    def __init__(self, what: str, quiet: bool = False) -> None:
        self.what, self.quiet = what, quiet
        self.bar: ProgressBar | None = None

    def __call__(self, done: int, total: int, note: str = "") -> None:
        if self.bar is None:
            self.bar = ProgressBar(total, self.what, done=done, quiet=self.quiet)
        else:
            self.bar.advance(done - self.bar.done, note)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
