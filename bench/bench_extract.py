"""Extraction throughput: documents per second, per source format, on synthetic documents.

    .venv/bin/python bench/bench_extract.py [--docs 500] [--seed 2026]

Times `read_source` (decode, detect the format, mark the body) and
`record.build_record` (metadata, arms, endpoints, checks, schema validation)
separately, on invented documents in the seed formats (bench/synthetic.py).
A script, not a test: it prints a table and asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from livingreview.document import SourceError  # noqa: E402
from livingreview.reading import read_source  # noqa: E402
from livingreview.record import build_record  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500, help="documents to generate (default 500)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    timings: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        paths = []
        for name, fmt, text in synthetic.documents(args.docs, args.seed):
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            paths.append((fmt, str(path)))
        for fmt, path in paths:
            row = timings[fmt]
            started = time.perf_counter()
            try:
                doc = read_source(path)
                read = time.perf_counter()
                record = build_record(doc)
            except SourceError:
                row["errors"] += 1
                continue
            done = time.perf_counter()
            row["docs"] += 1
            row["read"] += read - started
            row["build"] += done - read
            row["endpoints"] += len(record["endpoints"])

    header = f"{'format':<22} {'docs':>5} {'errors':>6} {'read ms':>8} {'build ms':>9} {'docs/s':>8} {'endpoints/doc':>13}"
    print(header)
    print("-" * len(header))
    total = defaultdict(float)
    for fmt in [*synthetic.FORMATS, "all"]:
        row = total if fmt == "all" else timings[fmt]
        if fmt != "all":
            for key, value in row.items():
                total[key] += value
        n = row["docs"] or 1
        seconds = row["read"] + row["build"]
        print(
            f"{fmt:<22} {int(row['docs']):>5} {int(row['errors']):>6} "
            f"{1000 * row['read'] / n:>8.2f} {1000 * row['build'] / n:>9.2f} "
            f"{(row['docs'] / seconds if seconds else 0):>8.1f} {row['endpoints'] / n:>13.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
