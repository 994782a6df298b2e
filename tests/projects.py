"""Throwaway copies of the book with chosen sources, for tests that build a whole site."""
from __future__ import annotations

import shutil
from pathlib import Path

from livingreview.book import registry
from livingreview.book.sources import extract

ROOT = Path(__file__).resolve().parents[1]
FRAME = ("_config.yml", "intro.md", "references.md", "templates", "_static", "_templates",
         "requirements.txt", "constraints.txt", "src/livingreview")


def make_project(dest: Path, sources: list[Path], ids: list[str] | None = None,
                 curves: dict[str, Path] | None = None) -> Path:
    """A book at `dest` holding `sources` (registered under their extracted ids, or `ids`), and for
    each study id in `curves` the digitised figures of that folder as data/curves/<id>/."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in FRAME:
        src = ROOT / name
        if src.is_dir():
            ignored = shutil.ignore_patterns("vega-bundle.js", "fonts", "downloads", "__pycache__")
            shutil.copytree(src, dest / name, ignore=ignored)
        else:
            shutil.copy(src, dest / name)
    (dest / "data" / "sources").mkdir(parents=True)
    entries = []
    for i, source in enumerate(sources):
        study_id = ids[i] if ids else extract(str(source))["id"]
        target = dest / "data" / "sources" / f"{study_id}{source.suffix}"
        shutil.copyfile(source, target)
        entries.append(
            registry.Entry(study_id, f"sources/{target.name}", registry.sha256_file(target), "2026-11-23", source.name)
        )
    (dest / "data" / "registry.yaml").write_text(registry.dump(entries), encoding="utf-8")
    for study_id, folder in (curves or {}).items():
        shutil.copytree(folder, dest / "data" / "curves" / study_id)
    return dest
