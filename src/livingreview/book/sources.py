"""Source files in, documents and study records out: the one place the extractor meets the disk."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from livingreview.extract.document import Document, SourceError


def read_bytes(path: str | os.PathLike, shown: str | None = None) -> bytes:
    """The file's bytes, or SourceError naming `shown` (default: `path`) and the reason.

    The reason comes from the operating system's own answer (os.stat's errno), so a symbolic
    link loop is reported as one, not as a missing file.
    """
    name = shown if shown is not None else str(path)
    p = Path(path)
    try:
        info = os.stat(p)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SourceError(name, "symbolic link loop") from None
        if exc.errno == errno.ENOENT:
            reason = "broken symbolic link" if os.path.islink(p) else "file not found"
            raise SourceError(name, reason) from None
        raise SourceError(name, f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(name, "not a regular file")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise SourceError(name, f"cannot be read ({exc.strerror or exc})") from None


def read_documents(path: str | os.PathLike, shown: str | None = None) -> list[Document]:
    """Every document the file holds (one, or one per entry of a search export)."""
    from livingreview.extract.readers import decode_bytes  # see `one_document`

    name = shown if shown is not None else str(path)
    return decode_bytes(read_bytes(path, name), name)


def one_document(raw: bytes, shown: str) -> Document:
    """The one document in a file's bytes (SourceError when it holds several, as an export does)."""
    # The readers and the extractor are imported where used: a page kernel whose records all come
    # from the results store (book/cache.py) never loads them, a third of a second of its start.
    from livingreview.extract.readers import decode_bytes

    docs = decode_bytes(raw, shown)
    if len(docs) != 1:
        raise SourceError(docs[0].path, f"holds {len(docs)} records; give them one file each")
    return docs[0]


def read_source(path: str | os.PathLike, shown: str | None = None) -> Document:
    """The file's one document (SourceError when it holds several, as a search export does)."""
    name = shown if shown is not None else str(path)
    return one_document(read_bytes(path, name), name)


def extract_file(path: str | os.PathLike, shown: str | None = None) -> list[dict]:
    """The study record of every document in the file."""
    from livingreview.extract.record import build_record

    return [build_record(doc) for doc in read_documents(path, shown)]


def extract(path: str | os.PathLike, shown: str | None = None) -> dict:
    """The study record of a one-document file."""
    from livingreview.extract.record import build_record

    return build_record(read_source(path, shown))
