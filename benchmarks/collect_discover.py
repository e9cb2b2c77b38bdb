"""The discover and collect stages alone, on a portal's source folder.

    python benchmarks/collect_discover.py /tmp/site-10k            # best of 5
    python benchmarks/collect_discover.py /tmp/site-10k --profile  # + cProfile of each
    python benchmarks/collect_discover.py /tmp/site-10k --engine /other/checkout

Both stages run on every build, `serve` edit and CI run, whatever changed: at 10,000
items they must cost a small part of the 1.5 s a build with nothing changed may take.
The models are read once (not timed); bodies are not converted, which collect does
not need. Prints wall and CPU seconds (the best of the runs: on a shared machine the
best is the least disturbed), and a 1,000,000-step Python loop's CPU time, so that
numbers taken under different loads can be compared.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--engine", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    sys.path.insert(0, str(args.engine))
    from portal.models import Visibility
    from portal.site.collection import collect
    from portal.config import load_config
    from portal.content.discover import discover
    from portal.errors import ErrorLog
    from portal.content.model import ModelContext, document_from, news_from, page_from
    from portal.content.parse import read_source

    root = args.source
    errors = ErrorLog(root)
    config = load_config(root, errors)
    ctx = ModelContext(errors, config.zone, root / "static", config.urls)
    builders = {"news": news_from, "page": page_from, "document": document_from}
    models: dict[str, list] = {kind: [] for kind in builders}
    for source in discover(root, errors):
        entry = read_source(source, errors)
        model = builders[source.kind](entry, ctx) if entry is not None else None
        if model is not None:
            models[source.kind].append(model)
    visibility = Visibility(False, False, dt.datetime.now(dt.timezone.utc))
    stages = {
        "discover": lambda: discover(root, ErrorLog(root)),
        "collect": lambda: collect(models["news"], models["page"], models["document"], config,
                                   visibility, ErrorLog(root)),
    }
    print(f"{root}: {len(models['news'])} news, {len(models['document'])} documents, "
          f"{len(models['page'])} pages; engine {args.engine}")
    for name, stage in stages.items():
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            stage()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(f"  {name:<9} wall {min(walls):.3f} s  cpu {min(cpus):.3f} s  (best of {args.runs})")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(stage)
            pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    print(f"  1,000,000-step loop: cpu {_calibration():.3f} s")


def _calibration() -> float:
    start, total = time.process_time(), 0
    for step in range(1_000_000):
        total += step
    return time.process_time() - start


if __name__ == "__main__":
    main()
