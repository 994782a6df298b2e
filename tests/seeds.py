"""The five seed documents, found through the registry in data/sources (never outside the clone)."""
from pathlib import Path

from livingreview.book import registry

ROOT = Path(__file__).resolve().parents[1]
ENTRIES = [e for e in registry.load(ROOT) if e.origin]


def seed(prefix: str) -> Path:
    """The seed whose original file name starts with `prefix` ("000" ... "004")."""
    (entry,) = [e for e in ENTRIES if e.origin.startswith(prefix + "_")]
    return entry.source_path(ROOT)


def all_seeds() -> list[Path]:
    """Every seed, in the order of their original names."""
    return [e.source_path(ROOT) for e in sorted(ENTRIES, key=lambda e: e.origin)]
