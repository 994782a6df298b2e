"""The on-disk store behind `analysis.memo`: content-addressed files under `_build/cache/`.

Build output, never committed (`_build/` is ignored) and safe to delete. One folder per version
of the package code and pinned requirements, so results of other code are never read; entries
are written to a temporary file and renamed, so a kill or two kernels writing the same entry
leave either nothing or a whole entry. `LIVINGREVIEW_CACHE=off` turns it off
(`check-notebooks` does, to prove every notebook from scratch).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from livingreview.analysis import memo
from livingreview.book import fingerprints

CACHE = Path("_build") / "cache"
SWITCH = "LIVINGREVIEW_CACHE"


class DiskStore:
    """Entries as files named by their key, in `folder`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError:  # a cache that cannot be written only costs time
            Path(locals().get("tmp", path.parent / ".none")).unlink(missing_ok=True)


def folder_for(root: Path) -> Path:
    """This code version's cache folder in the project at `root`."""
    version = fingerprints.fingerprint(fingerprints.shared_inputs(root))[:16]
    return Path(root) / CACHE / version


def install(root: Path) -> None:
    """Give `analysis.memo` this project's store (or none when $LIVINGREVIEW_CACHE is "off")."""
    if os.environ.get(SWITCH, "").lower() in ("off", "0", "no"):
        memo.install(None)
    else:
        memo.install(DiskStore(folder_for(root)))
