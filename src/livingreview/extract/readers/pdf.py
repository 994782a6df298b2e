"""PDF files: the text layer, page by page, read with pypdf (no OCR: a scanned PDF has none).

The pages' text is joined by blank lines and then read as any other text (journal page or
plain text rules for title, abstract and sections); the format is "pdf". A PDF without a text
layer, encrypted or broken, is refused with the reason.
"""
from __future__ import annotations

import io
import logging

from livingreview.extract.document import SourceError

MAGIC = b"%PDF-"
_MAX_PAGES = 200


def pdf_text(raw: bytes, path: str) -> str:
    """The text layer of a PDF's pages, joined by blank lines; SourceError if there is none."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise SourceError(path, "could not be read as pdf: the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages[:_MAX_PAGES]]
    except SourceError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceError(path, f"could not be read as pdf: {exc}") from None
    text = "\n\n".join(p.strip("\n") for p in pages).replace("\x00", "")
    if not text.strip():
        raise SourceError(path, "could not be read as pdf: no text layer (a scanned PDF needs OCR)")
    return text
