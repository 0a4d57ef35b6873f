"""A book laid out by WeasyPrint: the HTML (with its stylesheet links, as --html writes it)
handed to the layout session with the stylesheets' custom properties resolved.

``lay_out`` is the one call that turns a ``Book`` and a template into a WeasyPrint document:
the workbook as one document (``lay_out_whole``, with the spread rule's second layout), one
chunk of it (``layout_html``, for the workers in ``guidegen.layout.parts``), the cover
overlays of a batch, and the flashcards.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from guidegen.book.html import render_html
from guidegen.book.model import Book
from guidegen.book.sections import stylesheets
from guidegen.layout.session import (
    FetchLog,
    allowed_roots,
    parsed_stylesheets,
    pdf_bytes,
    render_document,
)

if TYPE_CHECKING:
    import pikepdf

    from guidegen.layout.session import WeasyDocument
    from guidegen.pdf.pageinfo import PageInfo


def lay_out(
    book: Book, template: str, log: FetchLog, sheets: list[str] | None = None, **extra: Any
) -> tuple[str, WeasyDocument]:
    """The HTML (with its stylesheet links, as --html writes it) and its layout, for which
    the stylesheets are handed to WeasyPrint directly, their custom properties resolved.

    ``sheets`` names the stylesheets (default: the workbook's, from its sections) and
    ``extra`` goes to the template (``render_html``): a chunk of the book laid out on its
    own (layout/parts.py), or the flashcards' own stylesheets and cards."""
    urls = stylesheet_urls(book, sheets)
    if sheets is not None:
        extra["stylesheets"] = list(urls)
    html = render_html(book, template, **extra)
    unlinked = html
    for url in urls:  # only guidegen's own links: anything else is the fetcher's to refuse
        unlinked = unlinked.replace(f'<link rel="stylesheet" href="{url}">\n', "")
    roots = allowed_roots(book.bank.content_dir, book.theme.roots)
    return html, render_document(unlinked, book.bank.content_dir, roots, log, urls)


def stylesheet_urls(book: Book, sheets: list[str] | None = None) -> tuple[str, ...]:
    """The file URLs of the stylesheets ``sheets`` names (default: the workbook's)."""
    names = stylesheets(book) if sheets is None else sheets
    return tuple(book.theme.stylesheet(name).resolve().as_uri() for name in names)


def parse_stylesheets(book: Book, log: FetchLog) -> None:
    """Parse the workbook's stylesheets now, so that the layout workers forked next inherit
    them (layout/session.py)."""
    roots = allowed_roots(book.bank.content_dir, book.theme.roots)
    parsed_stylesheets(stylesheet_urls(book), roots, log)


def layout_html(book: Book, log: FetchLog, **chunking: Any) -> tuple[str, WeasyDocument]:
    """One chunk of the workbook laid out (layout/parts.py)."""
    return lay_out(book, "workbook.html", log, **chunking)


def lay_out_whole(book: Book, log: FetchLog) -> tuple[Book, WeasyDocument]:
    """The workbook laid out as one document, and the book as laid out: laid out again with
    the questions too long for their usual layout marked (layout/spreads.py)."""
    from guidegen.layout.spreads import MAX_LAYOUTS, too_long

    ids = [question.id for question in book.selection.questions]
    for _ in range(MAX_LAYOUTS):
        log.refused.clear()
        log.missing_glyphs.clear()
        _, document = lay_out(book, "workbook.html", log)
        anchors: dict[str, int] = {}
        for index, page in enumerate(document.pages):
            for name in page.anchors:
                anchors.setdefault(name, index)
        longer = too_long(ids, anchors, first_is_left=False) - book.long_questions
        if not longer:
            break
        book = book.with_changes(long_questions=book.long_questions | longer)
    return book, document


def one_document(book: Book) -> tuple[pikepdf.Pdf, list[PageInfo], FetchLog, Book]:
    """A book of one body chunk laid out as one document: the same pages, without laying
    the front out twice (see book/chunks.py)."""
    import io

    import pikepdf

    from guidegen.layout.pages import page_infos

    log = FetchLog()
    book, document = lay_out_whole(book, log)
    infos = page_infos(document)
    pdf = pikepdf.open(io.BytesIO(pdf_bytes(document, log=log, pdf_forms=book.fillable)))
    return pdf, infos, log, book


def layout_jobs() -> int:
    """Worker processes for one book's layout: two where the machine has two cores."""
    wanted = os.environ.get("GUIDEGEN_LAYOUT_JOBS")
    if wanted and wanted.isdigit():
        return max(1, int(wanted))
    return min(2, os.cpu_count() or 1)
