#!/usr/bin/env python3
"""Sentinel campaign publisher: the one entry point. See README.md, or run `python build.py -h`."""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_PYTHON = HERE / ".venv" / "bin" / "python"

# `python build.py ...` from a fresh shell runs with the project's own dependencies: the
# environment `make site` made, when this Python is not already it.
if __name__ == "__main__" and VENV_PYTHON.exists() and Path(sys.prefix).resolve() != (HERE / ".venv").resolve():
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])

sys.path.insert(0, str(HERE))

from sentinel.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(root=HERE))
