#!/usr/bin/env python3
"""Run the Sentinel command line on another project folder (build.py always builds its own).

    python bench/run_build.py PROJECT [build.py arguments...]

With SENTINEL_BENCH_FIGURES=FILE in the environment, the per-stage seconds that the pipeline
returns are written to FILE as JSON, so the benchmark can show where each build spent its time.
"""
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _record_figures(path: str) -> None:
    from sentinel.build import pipeline
    build = pipeline.build

    def build_and_record(*args, **kwargs):
        figures = build(*args, **kwargs)
        if isinstance(figures, dict):
            Path(path).write_text(json.dumps(figures), encoding="utf-8")
        return figures

    pipeline.build = build_and_record  # the CLI imports it at call time


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if os.environ.get("SENTINEL_BENCH_FIGURES"):
        _record_figures(os.environ["SENTINEL_BENCH_FIGURES"])
    from sentinel.cli import main as cli_main
    return cli_main(sys.argv[2:], root=Path(sys.argv[1]).resolve())


if __name__ == "__main__":
    sys.exit(main())
