"""Progress lines on stderr for long builds; silent with -q."""
from __future__ import annotations

import sys
import time
from collections import Counter


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

    def done(self, what: str, detail: str = "") -> None:
        """The last line, and under it `detail` (what the build made and what it reused)."""
        self.step(what)
        if detail and not self.quiet:
            self.stream.write(f"{'':8}{detail}\n")
            self.stream.flush()


#: What the summary counts: the cache kind that stands for one of each thing (a poster's print-shop
#: copy, an issue's e-mail, a report's PDF), its name for the reader, and the word for making it.
COUNTED = (("site-page", "pages", "rendered"),
           ("activity-card", "activity cards", "drawn"),
           ("poster-print", "posters", "laid out"),
           ("aide-memoire", "aide-memoires", "laid out"),
           ("social-image", "social images", "drawn"),
           ("newsletter-email-html", "newsletters", "rendered"),
           ("report-pdf", "evaluation reports", "made"),
           ("command-report-pdf", "command reports", "made"))


def made_and_reused(lookups: Counter) -> str:
    """'pages: 2 rendered, 45 unchanged; posters: 0 laid out, 15 unchanged; ...': what the build
    made afresh and what it took unchanged from the cache, for each kind of thing it has."""
    said = []
    for kind, things, verb in COUNTED:
        made, reused = lookups[kind, "made"], lookups[kind, "reused"]
        if made or reused:
            said.append(f"{things}: {made} {verb}, {reused} unchanged")
    return "; ".join(said)
