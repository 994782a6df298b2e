"""Pages and files derived at build time: downloads, the data page, "What's new" and "Search and
selection" (book/screening.py).

They are written by `python -m livingreview build` before Jupyter Book runs
and never committed: the downloads depend only on the records, and "What's
new" on the git history, which a committed notebook could not keep up with.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from livingreview.analysis.risk_of_bias import AppraisalError
from livingreview.book import appraisals
from livingreview.book import bibliography
from livingreview.book import curation
from livingreview.book import downloads
from livingreview.book import history
from livingreview.book import navigation
from livingreview.book import registry
from livingreview.book import screening
from livingreview.extract.document import SourceError
from livingreview.extract.readers import decode_text
from livingreview.extract.record import build_record

DOWNLOADS = Path("_static") / "downloads"
WHATS_NEW_COMMITS = 30  # older history stays in git; the page shows the recent changes


def _md_cell(text: str) -> str:
    """Text for a Markdown table cell: pipes and markup made inert."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def data_page(records: list[dict]) -> str:
    columns = "\n".join(f"| `{name}` | {_md_cell(meaning)} |" for name, meaning in downloads.column_dictionary())
    n_endpoints = sum(len(r["endpoints"]) for r in records)
    return f"""# Data and downloads

Everything on this site is computed from the files below, regenerated on every build from the
source documents in the project's `data/sources/`. They hold {len(records)} study records and
{n_endpoints} endpoints.

- {{download}}`endpoints.csv <../_static/downloads/endpoints.csv>`: one row per endpoint, with the
  exact quote it came from and the quote's character span in the decoded source text.
- {{download}}`studies.json <../_static/downloads/studies.json>`: the full study records, each
  valid against the schema.
- {{download}}`study-record.schema.json <../_static/downloads/study-record.schema.json>`: the JSON
  Schema of a study record (draft 2020-12).
- {{download}}`references.bib <../_static/downloads/references.bib>`: BibTeX entries for every
  source, keyed by study id.

## Columns of `endpoints.csv`

| column | meaning |
| --- | --- |
{columns}
"""


def records_at(root: Path, rev: str) -> list[dict]:
    """The study records as the sources and curations stood at commit `rev` (unreadable sources
    left out; a curation that did not apply then leaves its record as extracted)."""
    out = []
    for row in history.registry_at(root, rev).values():
        raw = history.file_at(root, rev, f"data/{row.get('file')}")
        if raw is None:
            continue
        try:
            doc = decode_text(raw, f"data/{row.get('file')}")
            record = build_record(doc)
        except SourceError:
            continue
        text = history.file_at(root, rev, curation.shown(str(row.get("id"))))
        if text is not None:
            try:
                record = curation.curated(record, curation.parse_text(text, curation.shown(str(row.get("id")))), doc)
            except curation.CurationFileError:
                pass
        out.append(record)
    return out


def appraisals_at(root: Path, rev: str) -> dict:
    """The structured appraisals as they stood at commit `rev` (a file that cannot be used then
    counts as not assessed)."""
    out = {}
    for study in history.registry_at(root, rev):
        name = f"data/appraisals/{study}.yaml"
        raw = history.file_at(root, rev, name)
        if raw is None:
            continue
        try:
            out[study] = appraisals.parse_appraisal(study, yaml.safe_load(raw), name)
        except (yaml.YAMLError, AppraisalError):
            continue
    return out


def curation_summary(root: Path, rev: str, study: str) -> str:
    """One line on a study's curation as of `rev`: who checked it and what they did."""
    name = curation.shown(study)
    text = history.file_at(root, rev, name)
    if text is None:
        return f"curation removed (`{name}`): its numbers are shown as extracted"
    try:
        parsed = curation.parse_text(text, name)
    except curation.CurationFileError:
        return f"curation changed (`{name}`)"
    counts = [f"{len(getattr(parsed, key))} {word}" for key, word in
              (("confirm", "confirmed"), ("correct", "corrected"), ("reject", "rejected"), ("add", "added"))
              if getattr(parsed, key)]
    if parsed.metadata:
        counts.append("metadata corrected: " + ", ".join(sorted(parsed.metadata)))
    return (f"reviewed by {parsed.reviewer} on {parsed.date}"
            + (f" ({'; '.join(counts)})" if counts else "") + f", `{name}`")


def synthesis_delta(before_records: list[dict], after_records: list[dict],
                    before_appraisals: dict | None = None, after_appraisals: dict | None = None,
                    ) -> list[str]:
    """How the synthesis's headline numbers moved between two sets of records, one line each.

    Uses the synthesis page's own numbers (`synthesis.prose_numbers`): primary
    studies and patients, overall and per modality, and the range of median OS
    and PFS across local-therapy arms; then every pooled estimate and GRADE
    certainty rating of the summary of findings (`evidence.headline`), which also
    move when only an appraisal file changed. Unchanged numbers give no line.
    """
    from livingreview.analysis.synthesis import MODALITIES, prose_numbers, slug  # pandas: only when asked

    before, after = prose_numbers(before_records), prose_numbers(after_records)
    wanted = [("primary studies", "n_primary_studies"), ("patients", "n_patients_total")]
    for m in MODALITIES:
        wanted += [(f"{m} studies", f"n_studies_{slug(m)}"), (f"{m} patients", f"n_patients_{slug(m)}")]
    wanted += [
        ("range of median OS across local-therapy arms", "os_median_range_text"),
        ("range of median PFS across local-therapy arms", "pfs_median_range_text"),
    ]
    lines = [
        f"{label}: {before[key]} → {after[key]}" for label, key in wanted if before[key] != after[key]
    ]
    old, new = _headline(before_records, before_appraisals), _headline(after_records, after_appraisals)
    for key in sorted(set(old) | set(new), key=_headline_order):
        if old.get(key) != new.get(key):
            lines.append(f"{key}: {old.get(key, 'none')} → {new.get(key, 'none')}")
    return lines


def _headline_order(key: str) -> tuple[str, int]:
    """A finding's pooled estimate, then its certainty, findings by name."""
    if key.startswith("pooled "):
        return key.removeprefix("pooled "), 0
    return key.removeprefix("certainty of "), 1


def _headline(records: list[dict], appraisals: dict | None) -> dict[str, str]:
    """Pooled estimates and certainty ratings of these records (empty when they cannot be rated)."""
    from livingreview.analysis import evidence, grade

    try:
        return evidence.headline(evidence.summary_of_findings(records, appraisals or {}))
    except grade.GradeError:
        return {}


def whats_new_page(root: Path) -> str:
    lines = [
        "# What's new",
        "",
        "Each entry is a change to the review's sources, registry, appraisals or reviewers' curations, "
        "newest first, read from the project's history, with how it moved the synthesis's headline "
        "numbers, pooled estimates and certainty ratings.",
        "",
    ]
    commits = history.changes(root)[:WHATS_NEW_COMMITS]
    if not commits:
        lines.append("No history is available in this copy of the project.")
    for change in commits:
        lines.append(f"## {change['date']}: {_md_cell(change['subject'])}")
        lines.append("")
        for verb in ("added", "changed", "removed", "curated"):
            for study in change.get(verb, []):
                target = root / registry.CHAPTERS / f"{study}.ipynb"
                name = f"[{study}](../chapters/{study}.ipynb)" if verb != "removed" and target.is_file() else f"`{study}`"
                extra = f": {_md_cell(curation_summary(root, change['commit'], study))}" if verb == "curated" else ""
                lines.append(f"- {verb}: {name}{extra}")
        parent, commit = f"{change['commit']}^", change["commit"]
        delta = synthesis_delta(records_at(root, parent), records_at(root, commit),
                                        appraisals_at(root, parent), appraisals_at(root, commit))
        lines += [f"- synthesis: {_md_cell(line)}" for line in delta] or ["- synthesis: unchanged"]
        lines.append("")
    return "\n".join(lines)


def generated(root: Path, records: list[dict]) -> dict[Path, str]:
    """Every derived file, by path relative to the project root."""
    schema = resources.files("livingreview.extract").joinpath("study-record.schema.json").read_text()
    return {
        DOWNLOADS / "endpoints.csv": downloads.endpoints_csv(records),
        DOWNLOADS / "studies.json": downloads.studies_json(records),
        DOWNLOADS / "study-record.schema.json": schema,
        DOWNLOADS / "references.bib": bibliography.references_bib(records),
        registry.DATA_PAGE: data_page(records),
        registry.WHATS_NEW_PAGE: whats_new_page(root),
        registry.SEARCH_PAGE: screening.search_page(root, records),
    }

