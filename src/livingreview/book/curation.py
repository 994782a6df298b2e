"""Reviewers' curation files, `data/curation/<id>.yaml`: read, applied to the machine's record,
and started from a template. The pure work (checking and applying) is `livingreview.curate`;
this module only reads and writes the files.

Everything the book shows (chapters, synthesis, downloads) is the *curated* record; `extract`
keeps printing the machine's. A curation that cannot be applied is a `CurationFileError` (a
ProjectError: one line naming the file, the entry and the reason), raised before the build
writes anything.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path

import yaml

from livingreview.book import registry
from livingreview.analysis import memo
from livingreview.book.sources import one_document, read_bytes, read_source
from livingreview.curate import apply as curate
from livingreview.curate.unclaimed import unclaimed_numbers
from livingreview.extract.document import Document

CURATIONS = registry.CURATIONS
SUFFIX = registry.CURATION_SUFFIX


class CurationFileError(registry.ProjectError):
    """A curation file that is malformed or does not fit its record (one line says which and why)."""


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader refusing a key given twice in one mapping (it would keep the last)."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def shown(study_id: str) -> str:
    """The curation file's path as messages and pages give it: data/curation/<id>.yaml."""
    return (CURATIONS / f"{study_id}{SUFFIX}").as_posix()


def path_for(root: Path, study_id: str) -> Path:
    return registry.curation_path(root, study_id)


def parse_text(text: str, name: str) -> curate.Curation:
    """The curation a file's text holds (CurationFileError on malformed YAML or a bad shape)."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a safe loader: plain data only
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or type(err).__name__
        raise CurationFileError(f"{name}: malformed YAML{where} ({problem})") from None
    try:
        return curate.parse(data, name)
    except curate.CurationError as err:
        raise CurationFileError(str(err)) from None


def load(root: Path, study_id: str) -> curate.Curation | None:
    """The study's curation, or None when no reviewer has written one."""
    path, name = path_for(root, study_id), shown(study_id)
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CurationFileError(f"{name}: cannot be read ({type(err).__name__})") from None
    return parse_text(text, name)


def curated(record: dict, curation: curate.Curation | None, doc: Document) -> dict:
    """`record` with `curation` applied (the record itself when there is none)."""
    if curation is None:
        return record
    try:
        return curate.apply(record, curation, doc.text)
    except curate.CurationError as err:
        raise CurationFileError(str(err)) from None


def curated_record(root: Path, entry: registry.Entry) -> dict:
    """The record the book shows for `entry`: extracted from its source, then curated.

    SourceError when the source cannot be read; CurationFileError when its curation does not apply.
    With a results store installed (`book/cache.py`), a record whose source bytes, shown name and
    curation file are unchanged is not extracted again (the synthesis reads every study's).
    """
    raw = read_bytes(entry.source_path(root), entry.shown)

    def compute() -> dict:
        from livingreview.extract.record import build_record  # here: see `sources.one_document`

        doc = one_document(raw, entry.shown)
        return curated(build_record(doc), load(root, entry.id), doc)

    path = path_for(root, entry.id)
    try:
        curation_text = path.read_bytes() if path.exists() else None
    except OSError:  # `load` says why, in its one line
        return compute()
    inputs = (hashlib.sha256(raw).hexdigest(), entry.shown,
              None if curation_text is None else hashlib.sha256(curation_text).hexdigest())
    return memo.cached("curated-record", inputs, compute)


def check_folder(root: Path, entries: list[registry.Entry]) -> None:
    """Every file in data/curation/ is `<registered id>.yaml` (a typo is refused, not ignored)."""
    folder = Path(root) / CURATIONS
    if not folder.is_dir():
        return
    ids = {e.id for e in entries}
    for path in sorted(folder.iterdir()):
        name = (CURATIONS / path.name).as_posix()
        if path.name.startswith(".") or path.name.lower() == "readme.md":
            continue
        if path.suffix != SUFFIX:
            raise CurationFileError(f"{name}: not a curation file (name it <study id>{SUFFIX})")
        if path.stem not in ids:
            raise CurationFileError(f"{name}: no study with id {path.stem!r} in {registry.REGISTRY_FILE}")


def review(root: Path, entry: registry.Entry) -> dict:
    """What a reviewer checks: {"record": the curated record, "unclaimed": numbers no endpoint uses}."""
    from livingreview.extract.record import build_record

    doc = read_source(entry.source_path(root), entry.shown)
    record = curated(build_record(doc), load(root, entry.id), doc)
    return {"record": record, "unclaimed": unclaimed_numbers(doc, record)}


def template_text(study_id: str, record: dict, reviewer: str = "", date: str | None = None) -> str:
    """A curation file listing every extracted endpoint under `confirm`, for the reviewer to edit."""
    data = curate.template(record)
    date = date or _dt.date.today().isoformat()

    def flow(items: list) -> str:
        if not items:
            return " []\n"
        return "\n" + "".join(
            "  - " + yaml.safe_dump(item, default_flow_style=True, sort_keys=False, allow_unicode=True,
                                    width=10_000).strip() + "\n" for item in items)

    head = (
        f"# Curation of {study_id} ({record.get('source_path')}), from `python -m livingreview review "
        f"{study_id} --template`.\n"
        "# Keep each endpoint you checked under confirm; move a wrong one to correct (match + set) or reject\n"
        "# (with a reason); add a missed one with its exact quote from the source (`python -m livingreview text`).\n"
        + ("" if reviewer else "# The build refuses this file until `reviewer` names who checked the record.\n")
    )
    return (
        head
        + "reviewer: " + yaml.safe_dump(reviewer, default_flow_style=True, allow_unicode=True).split("\n")[0] + "\n"
        + f"date: {date}\n"
        + "confirm:" + flow(data["confirm"])
        + "correct: []\nreject: []\nadd: []\nmetadata: {}\n"
    )
