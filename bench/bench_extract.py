"""Extraction throughput: documents per second on one core, by stage and by source format.

    .venv/bin/python bench/bench_extract.py [--docs 500] [--seed 2026] [--repeat 3] [--medline 3000]
                                            [--corpus FOLDER [--limit N]]

Times, for invented documents in the seed formats (bench/synthetic.py) and
in-process (no file I/O):
* parse: `reading.decode_text` (detect the format, mark the body), then
  metadata, arms, endpoints and checks, as `record.build_record` runs them;
* validate: the contract-schema check `build_record` ends with;
* whole: `build_record(decode_text(...))` itself, timed on its own run.
A last case reads one MEDLINE export of `--medline` invented records (bench/synthetic.py):
`decode_bytes` of the whole file, then `build_record` of every entry, in documents/s.
Each stage runs over all documents `--repeat` times and each document's
fastest run is kept, which takes out most of the noise from other work
sharing the cores (the vocabulary's lru caches also serve repeated passes, so the
`--corpus` case times one cold pass instead). `--corpus FOLDER` times decode_bytes + build_record
of every file in a folder of real documents (one pass, CPU time), in documents/s and MB/s.
The process is pinned to one core where the OS allows. A script, not a test: it prints a
table and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from livingreview.extract import record as record_module  # noqa: E402
from livingreview.extract.document import SourceError  # noqa: E402
from livingreview.extract.readers import decode_bytes, decode_text  # noqa: E402
from livingreview.extract.record import build_record, schema_errors  # noqa: E402


def parse(text: str, name: str) -> dict:
    """build_record(decode_text(...)) without its schema check: the same code, with
    record.schema_errors standing aside for the call."""
    check = record_module.schema_errors
    record_module.schema_errors = lambda record: []
    try:
        return build_record(decode_text(text, name))
    finally:
        record_module.schema_errors = check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500, help="documents to generate (default 500)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="passes, each document's fastest kept (default 3)")
    parser.add_argument("--medline", type=int, default=3000, help="records in the MEDLINE export case (0: skip)")
    parser.add_argument("--corpus", type=Path, help="a folder of real documents to time as well")
    parser.add_argument("--limit", type=int, default=0, help="at most this many files of --corpus (0: all)")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    documents = synthetic.documents(args.docs, args.seed)
    for name, _, text in documents[:20]:  # warm up: regex compilation, schema validators
        try:
            build_record(decode_text(text, name))
        except SourceError:
            pass

    # Stage by stage over all documents, `repeat` passes, each document's fastest pass kept.
    # A document's stages never run back to back, so the caches that serve repeated text
    # within one document (sentence splits, lower-cased sentences) start cold, as in use.
    n = len(documents)
    best = {stage: [float("inf")] * n for stage in ("parse", "validate", "whole")}
    records: list[dict | None] = [None] * n
    for _ in range(args.repeat):
        for i, (name, _, text) in enumerate(documents):
            started = time.perf_counter()
            try:
                records[i] = parse(text, name)
            except SourceError:
                records[i] = None
            best["parse"][i] = min(best["parse"][i], time.perf_counter() - started)
        for i, record in enumerate(records):
            if record is not None:
                started = time.perf_counter()
                schema_errors(record)
                best["validate"][i] = min(best["validate"][i], time.perf_counter() - started)
        for i, (name, _, text) in enumerate(documents):
            started = time.perf_counter()
            try:
                build_record(decode_text(text, name))
            except SourceError:
                pass
            best["whole"][i] = min(best["whole"][i], time.perf_counter() - started)

    timings: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for i, (_, fmt, _) in enumerate(documents):
        row = timings[fmt]
        if records[i] is None:
            row["errors"] += 1
            continue
        row["docs"] += 1
        for stage in ("parse", "validate", "whole"):
            row[stage] += best[stage][i]
        row["endpoints"] += len(records[i]["endpoints"])
        row["invalid"] += bool(schema_errors(records[i]))

    def rate(docs: float, seconds: float) -> str:
        return f"{docs / seconds:>9.0f}" if seconds else f"{'-':>9}"

    header = (f"{'format':<22} {'docs':>5} {'errors':>6} {'parse ms':>9} {'valid ms':>9} {'whole ms':>9} "
              f"{'parse/s':>9} {'valid/s':>9} {'whole/s':>9} {'endpts/doc':>10}")
    print(header)
    print("-" * len(header))
    total: dict[str, float] = defaultdict(float)
    for fmt in [*synthetic.FORMATS, "all"]:
        row = total if fmt == "all" else timings[fmt]
        if fmt != "all":
            for key, value in row.items():
                total[key] += value
        n = row["docs"] or 1
        print(
            f"{fmt:<22} {int(row['docs']):>5} {int(row['errors']):>6} "
            f"{1000 * row['parse'] / n:>9.3f} {1000 * row['validate'] / n:>9.3f} {1000 * row['whole'] / n:>9.3f} "
            f"{rate(row['docs'], row['parse'])} {rate(row['docs'], row['validate'])} {rate(row['docs'], row['whole'])} "
            f"{row['endpoints'] / n:>10.1f}"
        )
    if total["invalid"]:
        print(f"\n{int(total['invalid'])} records broke the schema")
    print(f"\ndocs/s on one core (each document's fastest of {args.repeat} passes); "
          "parse = decode + metadata + arms + endpoints + checks; valid = schema validation")
    if args.medline:
        bench_medline(args.medline, args.seed, args.repeat)
    if args.corpus:
        bench_corpus(args.corpus, args.limit)
    return 0


def bench_corpus(folder: Path, limit: int) -> None:
    """decode_bytes + build_record of each file in `folder`, one pass in CPU time (a cold
    cache, as in use), in documents/s and MB/s; unreadable files count as documents."""
    paths = sorted(p for p in folder.iterdir() if p.is_file())[:limit or None]
    raws = [(str(p), p.read_bytes()) for p in paths]
    started = time.process_time()
    errors = 0
    for path, raw in raws:
        try:
            for doc in decode_bytes(raw, path):
                build_record(doc)
        except SourceError:
            errors += 1
    seconds = time.process_time() - started
    size = sum(len(raw) for _, raw in raws) / 1e6
    print(f"\n{folder}: {len(raws)} files, {size:.1f} MB, {errors} refused: "
          f"{len(raws) / seconds:,.0f} docs/s, {size / seconds:.2f} MB/s (one pass, CPU time)")


def bench_medline(n: int, seed: int, repeat: int) -> None:
    """One MEDLINE export of `n` records: decode_bytes of the file, build_record of each entry
    (fastest of `repeat` passes of each stage)."""
    raw = synthetic.medline_export(n, seed).encode("utf-8")
    read_s = whole_s = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        docs = decode_bytes(raw, "bench_export.nbib")
        read_s = min(read_s, time.perf_counter() - started)
        started = time.perf_counter()
        records = [build_record(doc) for doc in docs]
        whole_s = min(whole_s, time.perf_counter() - started)
    whole_s += read_s
    print(f"\nMEDLINE export, {len(raw) / 1e6:.1f} MB, {len(docs)} records "
          f"({sum(len(r['endpoints']) for r in records) / len(records):.1f} endpoints each): "
          f"read {len(docs) / read_s:,.0f} docs/s, read + records {len(docs) / whole_s:,.0f} docs/s, "
          f"{len(raw) / 1e6 / whole_s:.2f} MB/s")


if __name__ == "__main__":
    sys.exit(main())
