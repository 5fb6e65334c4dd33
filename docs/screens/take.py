"""Screenshots of the public site as a reader on a phone sees it (390 px wide, first screen).

    .venv/bin/python docs/screens/take.py BUILD_DIR [OUT_DIR] [WIDTH]

BUILD_DIR is a build of the sample (`python build.py --out BUILD_DIR --as-of 2013-12-20`).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from browser_support import chromium, serve  # noqa: E402

SHOTS = {"home": "", "strand": "sentinel-2013/strands/domestic-abuse/", "get-help": "get-help/"}


def main(build: Path, out: Path, width: int = 390) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with serve(build / "public") as base, chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 844 if width < 600 else 900})
        for name, rel in SHOTS.items():
            page.goto(base + rel)
            page.screenshot(path=str(out / f"{name}-{width}.png"))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screens"),
         int(sys.argv[3]) if len(sys.argv) > 3 else 390)
