"""Drawing added to a finished page's content stream."""

from __future__ import annotations

import pikepdf


def wrap_page(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """Enclose the page's drawing in q/Q, so what is added next starts in default space."""
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(b"\nQ\n"))
