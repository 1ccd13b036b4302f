"""`make bench`: every benchmark at full size, then benchmarks/README.md from the results.

    python -m benchmarks.run_all [--skip-scale]

Takes tens of minutes on 2 cores (the 100k-chunk index dominates).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks import baseline, load, report, scale, speed
from benchmarks.common import machine, save
from kb.evaluation import evaluate_index
from kb.index import open_index

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run_all", description=__doc__.splitlines()[0])
    p.add_argument("--skip-scale", action="store_true")
    args = p.parse_args(argv)
    speed.main([])  # fresh full ingest into /tmp/kb-bench/speed
    index = open_index_at(Path("/tmp/kb-bench/speed"))
    result = evaluate_index(index)
    result["machine"] = machine()
    save("eval", result)
    print(json.dumps(result["overall"], ensure_ascii=False))
    baseline.main(["--seed-home", "/tmp/kb-bench/speed"])
    load.main(["--home", "/tmp/kb-bench/speed"])
    if not args.skip_scale:
        scale.main(["--plot", str(HERE / report.PLOT)])
    return report.main()


def open_index_at(home: Path):
    from kb.config import settings

    return open_index(settings(home=home))


if __name__ == "__main__":
    sys.exit(main())
