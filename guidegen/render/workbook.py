"""The one render path: a spec's workbook laid out, padded and finished.

``build`` and ``batch`` both come through here, so the booklet page size, padding to a multiple
of four pages, imposition and form fields are decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guidegen.content.load import Bank
from guidegen.errors import RenderError
from guidegen.render.html import Book, make_book, render_html
from guidegen.render.pdf import FetchLog, allowed_roots, pdf_bytes, render_document
from guidegen.select import select
from guidegen.spec import WorkbookSpec


def prepare(bank: Bank, spec: WorkbookSpec, **options) -> Book:
    """Select the questions for ``spec`` and resolve its theme and labels."""
    return make_book(bank, spec, select(bank, spec), **options)


@dataclass
class Rendered:
    body: bytes  # the laid-out workbook, page by page (before any imposition)
    pages: int
    refused: list[str]
    html: str
    book: Book
    warnings: list[str] = field(default_factory=list)

    def finished(self, body: bytes | None = None) -> bytes:
        """The file to write: ``body`` (default: this one's) imposed if the spec is a booklet."""
        data = self.body if body is None else body
        if not self.book.spec.booklet:
            return data
        from guidegen.render.postprocess import impose

        return impose(data, self.book.spec.paper)


def _layout(book: Book, template: str, log: FetchLog):
    html = render_html(book, template)
    roots = allowed_roots(book.bank.content_dir, book.theme.roots)
    return html, render_document(html, book.bank.content_dir, roots, log)


def render_workbook(book: Book) -> Rendered:
    """The workbook as PDF pages, with its page count, refused references and HTML.

    A booklet is laid out on its half-size page and gets extra notes pages until the page count
    is a multiple of 4, so that padding is useful paper with correct page numbers, not blanks.
    """
    pad_to = 4 if book.spec.booklet else 1
    for _ in range(4):
        log = FetchLog()
        html, document = _layout(book, "workbook.html", log)
        missing = (-len(document.pages)) % pad_to
        if not missing:
            data = pdf_bytes(document, pdf_forms=book.fillable)
            return Rendered(
                data, len(document.pages), log.refused, html, book, list(book.labels.warnings)
            )
        book = book.with_changes(notes_pages=book.notes_pages + missing)
    raise RenderError(
        "could not pad the booklet to a multiple of 4 pages: the notes pages "
        "did not lay out one page each"
    )


def render_cover_overlays(book: Book) -> bytes:
    """One page per person in ``book.people`` with only their cover details, untagged: they
    are stamped onto a tagged body as artifacts (see guidegen.batch)."""
    overlay = book.with_changes(cover_mode="overlay", spec=book.spec.with_changes(fillable=False))
    _, document = _layout(overlay, "cover_overlay.html", FetchLog())
    return pdf_bytes(document, tagged=False)
