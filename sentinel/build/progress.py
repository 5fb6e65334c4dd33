"""Progress lines on stderr for long builds; silent with -q."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, quiet: bool = False, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()

    def step(self, what: str, done: int | None = None, total: int | None = None) -> None:
        if self.quiet:
            return
        count = f" [{done}/{total}]" if total else ""
        self.stream.write(f"{time.perf_counter() - self.started:6.1f}s  {what}{count}\n")
        self.stream.flush()

    def done(self, what: str) -> None:
        self.step(what)
