"""Extraction throughput: documents per second on one core, by stage and by source format.

    .venv/bin/python bench/bench_extract.py [--docs 500] [--seed 2026] [--repeat 3] [--medline 3000]
                                            [--corpus FOLDER ... [--limit N]] [--json]

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
`--corpus` may be given several times. The process is pinned to one core where the OS allows.

Targets (issue 9), checked in a closing summary: >= 1,000 abstracts/s and >= 2 MB/s of full
text. A corpus folder whose files average under 10 kB is held to the documents/s target, a
larger one (full texts) to the MB/s target; the MEDLINE export to both. `--json` prints the
figures as one JSON object instead of the tables. A script, not a test: it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
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
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="a folder of real documents to time as well (may be repeated)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many files of each --corpus (0: all)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    say = (lambda *a, **k: None) if args.json else print
    figures: dict = {"targets": {"abstracts_per_s": ABSTRACTS_PER_S, "fulltext_mb_per_s": FULLTEXT_MB_PER_S}}
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    documents = synthetic.documents(args.docs, args.seed)
    # Warm up (regex compilation, the schema validators' one-time build) even with --docs 0:
    # throughput is per document, not the process's start-up.
    for name, _, text in (documents or synthetic.documents(5, args.seed))[:20]:
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
            started = time.process_time()
            try:
                records[i] = parse(text, name)
            except SourceError:
                records[i] = None
            best["parse"][i] = min(best["parse"][i], time.process_time() - started)
        for i, record in enumerate(records):
            if record is not None:
                started = time.process_time()
                schema_errors(record)
                best["validate"][i] = min(best["validate"][i], time.process_time() - started)
        for i, (name, _, text) in enumerate(documents):
            started = time.process_time()
            try:
                build_record(decode_text(text, name))
            except SourceError:
                pass
            best["whole"][i] = min(best["whole"][i], time.process_time() - started)

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
    say(header)
    say("-" * len(header))
    total: dict[str, float] = defaultdict(float)
    for fmt in [*synthetic.FORMATS, "all"]:
        row = total if fmt == "all" else timings[fmt]
        if fmt != "all":
            for key, value in row.items():
                total[key] += value
        n = row["docs"] or 1
        say(
            f"{fmt:<22} {int(row['docs']):>5} {int(row['errors']):>6} "
            f"{1000 * row['parse'] / n:>9.3f} {1000 * row['validate'] / n:>9.3f} {1000 * row['whole'] / n:>9.3f} "
            f"{rate(row['docs'], row['parse'])} {rate(row['docs'], row['validate'])} {rate(row['docs'], row['whole'])} "
            f"{row['endpoints'] / n:>10.1f}"
        )
    if documents:
        figures["synthetic"] = {"docs": int(total["docs"]), "errors": int(total["errors"]),
                                "invalid": int(total["invalid"]),
                                "docs_per_s": round(total["docs"] / total["whole"], 1) if total["whole"] else None}
    if total["invalid"]:
        say(f"\n{int(total['invalid'])} records broke the schema")
    say(f"\ndocs/s on one core (each document's fastest of {args.repeat} passes); "
          "parse = decode + metadata + arms + endpoints + checks; valid = schema validation")
    if args.medline:
        figures["medline"] = bench_medline(args.medline, args.seed, args.repeat, say)
    figures["corpora"] = [bench_corpus(folder, args.limit, say) for folder in args.corpus]
    figures["summary"] = summary(figures)
    say("\nTargets (one core): >= {:,} abstracts/s, >= {} MB/s of full text".format(ABSTRACTS_PER_S, FULLTEXT_MB_PER_S))
    for line in figures["summary"]:
        say(f"  {'met    ' if line['met'] else 'NOT MET'}  {line['case']}: {line['figure']}")
    if args.json:
        print(json.dumps(figures, sort_keys=True))
    return 0


ABSTRACTS_PER_S = 1000
FULLTEXT_MB_PER_S = 2.0
FULLTEXT_MEAN_BYTES = 10_000  # a corpus whose files average this or more is one of full texts


def summary(figures: dict) -> list[dict]:
    """One line per case and target: whether the figure reaches it."""
    lines = []

    def check(case: str, value: float, target: float, unit: str) -> None:
        lines.append({"case": case, "target": target, "value": value, "met": value >= target,
                      "figure": f"{value:,.2f} {unit} (target {target:,} {unit})"})

    medline = figures.get("medline")
    if medline:
        check("MEDLINE export", medline["docs_per_s"], ABSTRACTS_PER_S, "docs/s")
        check("MEDLINE export", medline["mb_per_s"], FULLTEXT_MB_PER_S, "MB/s")
    for corpus in figures.get("corpora", []):
        if corpus["kind"] == "full text":
            check(corpus["folder"], corpus["mb_per_s"], FULLTEXT_MB_PER_S, "MB/s")
        else:
            check(corpus["folder"], corpus["docs_per_s"], ABSTRACTS_PER_S, "docs/s")
    return lines


def bench_corpus(folder: Path, limit: int, say=print) -> dict:
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
    kind = "full text" if raws and size * 1e6 / len(raws) >= FULLTEXT_MEAN_BYTES else "abstracts"
    say(f"\n{folder} ({kind}): {len(raws)} files, {size:.1f} MB, {errors} refused: "
        f"{len(raws) / seconds:,.0f} docs/s, {size / seconds:.2f} MB/s (one pass, CPU time)")
    return {"folder": str(folder), "kind": kind, "files": len(raws), "mb": round(size, 3), "refused": errors,
            "cpu_s": round(seconds, 3), "docs_per_s": round(len(raws) / seconds, 1),
            "mb_per_s": round(size / seconds, 3)}


def bench_medline(n: int, seed: int, repeat: int, say=print) -> dict:
    """One MEDLINE export of `n` records: decode_bytes of the file, build_record of each entry,
    in CPU time (other work on the cores adds none). Each of the `repeat` passes reads a fresh
    export (seed, seed + 1, ...), so no cache holds its texts; the fastest pass is reported."""
    best = None
    for k in range(repeat):
        raw = synthetic.medline_export(n, seed + k).encode("utf-8")
        started = time.process_time()
        docs = decode_bytes(raw, "bench_export.nbib")
        read_s = time.process_time() - started
        records = [build_record(doc) for doc in docs]
        whole_s = time.process_time() - started
        if best is None or whole_s < best[2]:
            best = (raw, read_s, whole_s, docs, records)
    raw, read_s, whole_s, docs, records = best
    say(f"\nMEDLINE export, {len(raw) / 1e6:.1f} MB, {len(docs)} records "
        f"({sum(len(r['endpoints']) for r in records) / len(records):.1f} endpoints each): "
        f"read {len(docs) / read_s:,.0f} docs/s, read + records {len(docs) / whole_s:,.0f} docs/s, "
        f"{len(raw) / 1e6 / whole_s:.2f} MB/s (fastest of {repeat} fresh exports, CPU time)")
    return {"records": len(docs), "mb": round(len(raw) / 1e6, 3), "read_docs_per_s": round(len(docs) / read_s, 1),
            "docs_per_s": round(len(docs) / whole_s, 1), "mb_per_s": round(len(raw) / 1e6 / whole_s, 3)}


if __name__ == "__main__":
    sys.exit(main())
