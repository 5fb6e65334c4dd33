#!/usr/bin/env python3
"""Sentinel campaign publisher: the one entry point. See README.md, or run `python build.py -h`."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sentinel.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(root=Path(__file__).resolve().parent))
