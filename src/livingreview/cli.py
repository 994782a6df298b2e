"""Command line: `python -m livingreview COMMAND ...` (extract, toc, assets, build)."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from . import registry
from .document import SourceError
from .record import extract

# The book's modules (papermill, Altair, Vega) load only for the commands that
# need them, so `extract` starts fast.


def _fail(message: str) -> None:
    print(f"livingreview: {message}", file=sys.stderr)


def cmd_extract(args: argparse.Namespace) -> int:
    """Print each document's study record; a bad document costs one stderr line, not the rest."""
    records, status = [], 0
    for path in args.paths:
        try:
            records.append(extract(path))
        except SourceError as err:
            _fail(str(err))
            status = 1
    if args.json:
        payload = records[0] if len(args.paths) == 1 and records else records
        if len(args.paths) > 1 or records:
            print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for record in records:
            print(
                f"{record['id']}: {record['source_format']}, design {record['design']}, "
                f"n={record['n_patients']}, {len(record['endpoints'])} endpoints, "
                f"{len(record['flags'])} flags"
            )
    return status


def write_if_changed(path: Path, text: str) -> bool:
    from . import execute

    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    execute.write_atomically(path, text)
    return True


def cmd_toc(args: argparse.Namespace) -> int:
    from . import book

    root = registry.project_root()
    entries = registry.load(root)
    write_if_changed(root / "_toc.yml", book.toc_text(entries, book.records_for(root, entries), root))
    return 0


def cmd_assets(args: argparse.Namespace) -> int:
    from . import render

    root = registry.project_root()
    write_if_changed(root / "_static" / "vega-bundle.js", render.vega_bundle())
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Execute every chapter with papermill, then build the site with Jupyter Book."""
    from . import book, execute, render

    root = registry.project_root()
    entries = registry.load(root)
    records = book.records_for(root, entries)
    status = 0
    for entry_id, record in records.items():
        if isinstance(record, SourceError):
            _fail(f"{record} (chapter {entry_id} not rebuilt)")
            status = 1
    write_if_changed(root / "_static" / "vega-bundle.js", render.vega_bundle())
    write_if_changed(root / "_toc.yml", book.toc_text(entries, records, root))
    if not args.no_execute:
        started = time.monotonic()
        jobs = [
            job for job in book.chapter_jobs(root, entries, records)
            if not isinstance(records.get(job.parameters.get("source_id")), SourceError)
        ]
        for job in jobs:
            outcome = execute.run(job)
            if not outcome.ok:
                _fail(f"{job.output.relative_to(root)}: {outcome.error}")
                status = 1
        print(f"livingreview: executed {len(jobs)} notebooks in {time.monotonic() - started:.1f} s")
    jb = Path(sys.executable).with_name("jupyter-book")
    built = subprocess.run([str(jb), "build", str(root), "-W", "-n", "--keep-going"], check=False)
    return status or built.returncode


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="livingreview", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="print the study record of each source document")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print JSON records (the contract)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("toc", help="write _toc.yml from the registry")
    p.set_defaults(func=cmd_toc)

    p = sub.add_parser("assets", help="write the offline Vega bundle into _static/")
    p.set_defaults(func=cmd_assets)

    p = sub.add_parser("build", help="execute the chapters and build the site")
    p.add_argument("--no-execute", action="store_true", help="build from the committed notebooks")
    p.set_defaults(func=cmd_build)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
