#!/usr/bin/env python3
"""The preview's rebuild after an edit, as `build.py serve` runs it: in one process, build PROJECT
into a fresh folder (as the preview does when it starts), change one file, build again.

    python bench/run_preview.py PROJECT FILE OLD NEW AS_OF

FILE (relative to PROJECT) has its first OLD replaced by NEW between the two builds. With
SENTINEL_BENCH_FIGURES=FILE in the environment, the second build's per-stage seconds are written
there: its `total` is what a comms officer waits for after saving.
"""
import gc
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from run_build import _record_figures  # puts the code beside it on the path, as for every build



def main() -> int:
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    project, rel, old, new, as_of = Path(sys.argv[1]).resolve(), *sys.argv[2:5], date.fromisoformat(sys.argv[5])
    from sentinel.build.pipeline import build
    from sentinel.tools.serve import compile_templates
    with tempfile.TemporaryDirectory(prefix="sentinel-preview-") as folder:
        build(project, Path(folder) / "build", as_of)
        gc.unfreeze()   # as the preview does after each build,
        compile_templates(project)   # and once while it waits for the first save
        path = project / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        if os.environ.get("SENTINEL_BENCH_FIGURES"):
            _record_figures(os.environ["SENTINEL_BENCH_FIGURES"])
            from sentinel.build import pipeline
            build = pipeline.build
        build(project, Path(folder) / "build", as_of)
    return 0


if __name__ == "__main__":
    sys.exit(main())
