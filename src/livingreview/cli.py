"""Command line: `python -m livingreview COMMAND ...` (extract, text, review, pool, reconstruct, add, remove, toc, assets, build)."""
from __future__ import annotations

import argparse
import json
import sys

from livingreview.book import registry
from livingreview.extract.document import SourceError
from livingreview.book.sources import extract_file, read_documents

# The book's modules (papermill, Altair, Vega) load only for the commands that
# need them, so `extract` starts fast.


def one_line(text: str) -> str:
    """`text` with every control or invisible character escaped (\\n, \\x1b, \\u202e...), so a
    message is one line and a crafted file name cannot print a line of its own."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _fail(message: str) -> None:
    print(f"livingreview: {one_line(message)}", file=sys.stderr)


def _say(message: str) -> None:
    print(one_line(message))


def cmd_extract(args: argparse.Namespace) -> int:
    """Print each document's study record; a bad document costs one stderr line, not the rest."""
    records, status = [], 0
    for path in args.paths:
        try:
            records.extend(extract_file(path))
        except SourceError as err:
            _fail(str(err))
            status = 1
    if args.json:
        payload = records[0] if len(args.paths) == 1 and len(records) == 1 else records
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


def cmd_text(args: argparse.Namespace) -> int:
    """Print the decoded text of a source, the text every span indexes into."""
    try:
        docs = read_documents(args.path)
        if not 0 <= args.entry < len(docs):
            _fail(f"{args.path}: no entry {args.entry} (it holds {len(docs)})")
            return 1
        sys.stdout.write(docs[args.entry].text)
    except SourceError as err:
        _fail(str(err))
        return 1
    return 0


def _review_lines(found: dict) -> list[str]:
    """The text form of `review`: each endpoint with its provenance, the flags, the unclaimed numbers."""
    from livingreview.curate.apply import describe, provenance_text

    record, unclaimed = found["record"], found["unclaimed"]
    curation = record.get("curation")
    lines = [f"{record['id']}: {record['source_path']} ({record['source_format']})"]
    lines.append(f"  curation: {curation['file']} by {curation['reviewer']}, {curation['date']}" if curation
                 else "  curation: none (every number is as extracted; `review ID --template` starts one)")
    lines.append(f"endpoints ({len(record['endpoints'])}):")
    for ep in record["endpoints"]:
        extra = "".join(f", {k} {v}" for k, v in (("CI", ep.get("ci")), ("p", ep.get("p"))) if v)
        lines.append(f"  [{provenance_text(ep)}] {describe(ep)} {ep['unit']}{extra}; span {ep['span']}")
        lines.append(f"      \"{ep['quote']}\"")
    for ep in (curation or {}).get("rejected") or []:
        lines.append(f"  [rejected: {ep['reason']}] {describe(ep)}; span {ep['span']}")
    lines.append(f"flags ({len(record['flags'])}):")
    lines += [f"  {f['severity']} ({f['check']}): {f['message']}" for f in record["flags"]]
    lines.append(f"unclaimed numbers ({len(unclaimed)}):")
    lines += [f"  {u['number']} at {u['span']}: \"{u['sentence']}\"" for u in unclaimed]
    return lines


def cmd_review(args: argparse.Namespace) -> int:
    """A record as a reviewer checks it, or (--template) a curation file to start from."""
    from livingreview.book import curation, transaction
    from livingreview.book.transaction import Transaction

    root = registry.project_root()
    transaction.recover(root, report=_fail)
    try:
        entry = registry.find(registry.load(root), args.study_id)
    except KeyError as err:
        _fail(err.args[0])
        return 1
    try:
        if args.template:
            target = curation.path_for(root, entry.id)
            if target.exists() or target.is_symlink():
                _fail(f"{curation.shown(entry.id)}: already exists; edit it (a template never overwrites a curation)")
                return 1
            record = extract_file(entry.source_path(root), entry.shown)
            if len(record) != 1:
                _fail(f"{entry.shown}: holds {len(record)} records; give them one file each")
                return 1
            txn = Transaction(root, "review-template")
            txn.write(target, curation.template_text(entry.id, record[0], args.reviewer or "", args.date))
            txn.commit()
            todo = "correct, reject or add" if args.reviewer else "name the reviewer, then correct, reject or add"
            _say(f"wrote {curation.shown(entry.id)}: {len(record[0]['endpoints'])} endpoints under confirm; {todo}")
            return 0
        found = curation.review(root, entry)
    except SourceError as err:
        _fail(str(err))
        return 1
    if args.json:
        print(json.dumps({"record": found["record"], "unclaimed": found["unclaimed"]}, indent=2, ensure_ascii=False))
    else:
        for line in _review_lines(found):
            _say(line)
    return 0


def cmd_pool(args: argparse.Namespace) -> int:
    """Random-effects pooling of a CSV of study effects; JSON on stdout, one error line on bad input."""
    from livingreview.analysis import meta
    from livingreview.book.pool_input import PoolInputError, read_effects

    try:
        measure, effects = read_effects(args.path, args.measure)
        result = meta.fit_effects(effects, method=args.method, ci=args.ci, measure=measure)
    except (PoolInputError, meta.MetaError) as err:
        _fail(str(err))
        return 1
    print(json.dumps(result.summary(), indent=2))
    return 0


def cmd_reconstruct(args: argparse.Namespace) -> int:
    """Rebuild pseudo patient data from a digitised KM curve; print its summary as JSON."""
    from livingreview.analysis import km
    from livingreview.book import curves

    try:
        meta = curves.meta_beside(args.curve)
        total = args.total_events if args.total_events is not None else meta.get("total_events")
        n = args.n if args.n is not None else meta.get("n")
        rec = curves.rebuild(args.curve, args.at_risk, total_events=total, n=n)
        if args.out:
            curves.write_ipd(args.out, rec.ipd)
    except curves.CurveFileError as err:
        _fail(str(err))
        return 1
    print(json.dumps(km.reconstruction_report(rec), indent=2))
    return 0


def cmd_toc(args: argparse.Namespace) -> int:
    from livingreview.book import toc
    from livingreview.book.transaction import Transaction

    root = args.root
    entries = registry.load(root)
    txn = Transaction(root, "toc")
    txn.write(root / registry.TOC_FILE, toc.toc_text(entries, toc.records_for(root, entries), root))
    txn.commit()
    return 0


def cmd_assets(args: argparse.Namespace) -> int:
    from livingreview.book import build
    from livingreview.book.transaction import Transaction

    txn = Transaction(args.root, "assets")
    build.stage_assets(txn, args.root)
    txn.commit()
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Execute the chapters whose inputs changed, write the derived pages, build the site."""
    from livingreview.book import build
    from livingreview.book import appraisals

    root, status = args.root, 0
    shard = None
    if args.shard is not None:
        try:
            shard = build.Shard.parse(args.shard)
        except build.ShardError as err:
            _fail(str(err))
            return 2
        if args.no_execute:
            _fail(f"--shard {shard} executes notebooks: it cannot go with --no-execute")
            return 2
    prepared = build.prepare(root)
    refused = appraisals.problems(root, [e.id for e in prepared.entries])
    for line in refused:  # a contradicting risk-of-bias judgement: nothing is built or written
        _fail(line)
    if not refused:  # two reviewers' overrides of one rating that disagree
        from livingreview.analysis import evidence, grade

        try:
            evidence.summary_of_findings(prepared.good, {
                r["id"]: appraisals.read_appraisal(root, i) for i, r in prepared.records.items()
                if isinstance(r, dict)})
        except grade.GradeError as err:
            refused = [f"{appraisals.APPRAISALS.as_posix()}: {err}"]
            _fail(refused[0])
    if refused:
        return 1
    if args.require_fresh:
        from livingreview.book import fingerprints

        stale = [t.output.name for t in fingerprints.plan(root, prepared.entries)[0]]
        if stale:
            shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
            _fail(f"{len(stale)} notebook(s) stale against their inputs, site not built: {shown}")
            return 1
    for entry_id, error in prepared.errors.items():
        _fail(f"{error} (chapter {entry_id} not rebuilt)")
        status = 1
    built = build.build_project(root, execute=not args.no_execute, force=args.force, jobs=args.jobs,
                                prepared=prepared, shard=shard)
    for outcome in built.outcomes:
        if not outcome.ok:
            name = (registry.CHAPTERS / outcome.job.output.name).as_posix()
            _fail(f"{name}: {outcome.error}")
            status = 1
    if shard is not None:  # the site is rendered once, by `build --no-execute`, after every shard
        _fail(f"shard {shard}: executed notebooks listed in {shard.listing.as_posix()}; "
              "render with `build --no-execute` once every shard is in")
        return status
    left_out = build.unreadable_notebooks(root)
    for docname, reason in left_out.items():
        _fail(f"{docname}.ipynb: not a readable notebook ({reason}); its page is left out of the site")
        status = 1
    rendered = build.site(root, left_out=set(left_out))  # the other pages still make a site
    return status or rendered


def cmd_check_notebooks(args: argparse.Namespace) -> int:
    """Re-execute every notebook into a scratch copy; fail if a committed one would change."""
    from livingreview.book import check

    problems = check.check_notebooks(args.root, jobs=args.jobs)
    for line in problems:
        _fail(line)
    if not problems:
        print("livingreview: every committed notebook is what re-executing it gives")
    return 1 if problems else 0


def cmd_add(args: argparse.Namespace) -> int:
    """Register new source documents; each is refused whole or added whole."""
    from livingreview.book import adding

    root, status = args.root, 0
    for path in args.paths:
        try:
            result = adding.add_paper(root, path, allow_non_study=args.allow_non_study)
        except adding.AddError as err:
            _fail(str(err))
            status = 1
            continue
        _say(f"added {result.summary}")
        _say(f"  source: {result.source.relative_to(root)}; run `make book` to build its chapter")
    return status


def cmd_remove(args: argparse.Namespace) -> int:
    """Undo an add: the source copy, the registry row, the chapter and its bib entry."""
    from livingreview.book import adding

    root = args.root
    try:
        result = adding.remove_paper(root, args.study_id)
    except adding.AddError as err:
        _fail(str(err))
        return 1
    _say(f"removed {result.entry.id}: " + ", ".join(str(p.relative_to(root)) for p in result.removed))
    for kept in result.kept:
        _say(f"kept {kept.relative_to(root)} (a reviewer's work: delete it by hand if unwanted)")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Log a search and add every record of its MEDLINE or RIS export to the screening ledger."""
    from livingreview.book import screening

    try:
        result = screening.import_export(args.root, args.path, database=args.database, query=args.query,
                                         date=args.date)
    except screening.ScreeningError as err:
        _fail(str(err))
        return 1
    s = result.search
    dups = [r for r in result.rows if r.status == "duplicate"]
    _say(f"search {s.number} ({s.date}, {s.database}): {s.records_found} records, "
         f"{len(dups)} duplicates, {s.records_found - len(dups)} to screen; export kept as "
         f"{(registry.SCREENING / s.export).as_posix()}")
    for row in result.rows:
        what = f"duplicate of {row.reason} (same {result.matches[row.id]})" if row.status == "duplicate" else row.status
        _say(f"  {row.id}: {what}: {row.title}")
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    """Record a screening decision; including a record with its abstract registers the paper."""
    from livingreview.book import screening

    try:
        result = screening.screen(args.root, args.record_id, args.decision, reason=args.reason or "",
                                  full_text=args.full_text, allow_non_study=args.allow_non_study)
    except screening.ScreeningError as err:
        _fail(str(err))
        return 1
    row = result.row
    if row.status == "excluded":
        _say(f"{row.id} excluded ({'full report' if row.stage == 'full-text' else 'title and abstract'}): {row.reason}")
    elif result.added:
        _say(f"{row.id} included and added {result.added.summary}")
        _say(f"  source: {result.added.source.relative_to(args.root)}; run `make book` to build its chapter")
    else:
        _say(f"{row.id} included; its record carries no abstract, so nothing is registered yet: "
             "add its full text with `python -m livingreview add PATH`")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="livingreview", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="print the study record of each source document")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print JSON records (the contract)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("text", help="print the decoded text that a record's spans index into")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--entry", type=int, default=0, metavar="N",
                   help="which record of a search export (0 = the first)")
    p.set_defaults(func=cmd_text)

    p = sub.add_parser("review", help="a study's record as a reviewer checks it: provenance, flags and the "
                       "numbers no endpoint uses; --template starts its curation file")
    p.add_argument("study_id", metavar="ID")
    p.add_argument("--json", action="store_true",
                   help='print {"record": the curated record, "unclaimed": [{number, sentence, span}]}')
    p.add_argument("--template", action="store_true",
                   help="write data/curation/ID.yaml listing every extracted endpoint under confirm")
    p.add_argument("--reviewer", metavar="NAME", help="with --template: the reviewer's name")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="with --template: the review date (default: today)")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("pool", help="random-effects meta-analysis of a CSV (study,yi,vi | "
                       "study,estimate,ci_low,ci_high | study,events,total)")
    p.add_argument("path", metavar="FILE.csv",
                   help="one study a row; errors give the row as a spreadsheet numbers it (header = 1)")
    p.add_argument("--measure", choices=("generic", "ratio", "proportion"), default=None,
                   help="how to read the rows (default: from the header)")
    p.add_argument("--ci", choices=("hksj", "wald"), default="hksj",
                   help="CI of the mean: Hartung-Knapp-Sidik-Jonkman with max(1, q) guard, or Wald")
    p.add_argument("--method", choices=("reml", "dl"), default="reml", help="tau^2 estimator")
    p.set_defaults(func=cmd_pool)

    p = sub.add_parser("reconstruct", help="rebuild patient data from a digitised Kaplan-Meier curve")
    p.add_argument("curve", metavar="CURVE.csv", help="digitised points, columns time,survival")
    p.add_argument("--at-risk", metavar="RISK.csv", help="numbers-at-risk table, columns time,at_risk")
    p.add_argument("--total-events", type=int, metavar="N", help="total events (default: the YAML beside)")
    p.add_argument("--n", type=int, metavar="N", help="patients, needed without a risk table")
    p.add_argument("--out", metavar="IPD.csv", help="write the rebuilt time,event rows here")
    p.set_defaults(func=cmd_reconstruct)

    p = sub.add_parser("toc", help="write _toc.yml from the registry")
    p.set_defaults(func=cmd_toc)

    p = sub.add_parser("assets", help="write the offline Vega bundle into _static/")
    p.set_defaults(func=cmd_assets)

    p = sub.add_parser("build", help="execute the chapters and build the site")
    p.add_argument("--no-execute", action="store_true", help="build from the committed notebooks")
    p.add_argument("--force", action="store_true", help="re-execute every notebook, even up-to-date ones")
    p.add_argument("-j", "--jobs", type=int, default=None, help="notebooks at once (default: CPUs)")
    p.add_argument("--shard", metavar="I/N", default=None,
                   help="execute only shard I of N of the stale notebooks and build no site "
                        "(CI's matrix; render afterwards with --no-execute)")
    p.add_argument("--require-fresh", action="store_true",
                   help="fail, building nothing, if a notebook is stale (CI's render after the shards)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check-notebooks",
                       help="re-execute every notebook into a scratch copy; fail if one would change")
    p.add_argument("-j", "--jobs", type=int, default=None, help="notebooks at once (default: CPUs)")
    p.set_defaults(func=cmd_check_notebooks)

    p = sub.add_parser("add", help="register source documents (copy, registry row, bib entry)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--allow-non-study", action="store_true",
                   help="also add a document that reports no study of its own")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="undo an add")
    p.add_argument("study_id", metavar="ID")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("import", help="log a search and add its MEDLINE (.nbib) or RIS export to the screening ledger")
    p.add_argument("path", metavar="EXPORT")
    p.add_argument("--database", help="where the search was run (default for a MEDLINE export: PubMed)")
    p.add_argument("--query", default="", help="the search as run, for the search log")
    p.add_argument("--date", help="the day the search was run, YYYY-MM-DD (default: a date in the export's name)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("screen", help="record a screening decision on a ledger record")
    p.add_argument("record_id", metavar="ID", help="the record's id in data/screening/records.csv (S0001, ...)")
    p.add_argument("decision", choices=("include", "exclude"))
    p.add_argument("--reason", help="why (needed to exclude)")
    p.add_argument("--full-text", action="store_true",
                   help="the exclusion was decided on the full report, not on title and abstract")
    p.add_argument("--allow-non-study", action="store_true",
                   help="also register an included record that reports no study of its own")
    p.set_defaults(func=cmd_screen)
    return top


PROJECT_COMMANDS = {cmd_toc, cmd_assets, cmd_build, cmd_check_notebooks, cmd_add, cmd_remove, cmd_import,
                    cmd_screen}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.func in PROJECT_COMMANDS:
            from livingreview.book import transaction

            args.root = registry.project_root()
            transaction.recover(args.root, report=_fail)  # a change a kill interrupted, undone
        return args.func(args)
    except registry.ProjectError as err:
        _fail(str(err))
        return 1
