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
from guidegen.render.sections import stylesheets
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
    """The HTML (with its stylesheet links, as --html writes it) and its layout, for which
    the stylesheets are handed to WeasyPrint directly, their custom properties resolved."""
    html = render_html(book, template)
    urls = tuple(book.theme.stylesheet(name).resolve().as_uri() for name in stylesheets(book))
    unlinked = html
    for url in urls:  # only guidegen's own links: anything else is the fetcher's to refuse
        unlinked = unlinked.replace(f'<link rel="stylesheet" href="{url}">\n', "")
    roots = allowed_roots(book.bank.content_dir, book.theme.roots)
    return html, render_document(unlinked, book.bank.content_dir, roots, log, urls)


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
            data = _finished(document, book)
            warnings = list(book.labels.warnings) + list(book.selection.warnings)
            return Rendered(data, len(document.pages), log.refused, html, book, warnings)
        book = book.with_changes(notes_pages=book.notes_pages + missing)
    raise RenderError(
        "could not pad the booklet to a multiple of 4 pages: the notes pages "
        "did not lay out one page each"
    )


def _finished(document, book: Book) -> bytes:
    """The laid-out document written, then finished (guidegen.render.finish)."""
    from guidegen.render.finish import finish
    from guidegen.render.forms import font_file
    from guidegen.render.pages import page_infos

    infos = page_infos(document)
    data = pdf_bytes(document, pdf_forms=book.fillable)
    pitch = next((info.fill.pitch for info in infos if info.fill), 8 * 72 / 25.4)
    running = f"{book.selection.role.title} · {book.bank.workbook.title}"
    heads = (running, book.labels.text("notes.title"))
    return finish(
        data,
        infos,
        link_descriptions(book),
        heads,
        book.fillable,
        font_file() if book.fillable else None,
        pitch,
    )


def link_descriptions(book: Book) -> dict[str, str]:
    """What each internal link points at, in words: "Question 4: What is DevOps, ..."."""
    from guidegen.render.html import plain_title, slug

    t = book.labels
    described = {f"part-{kind}": t.text(f"part.{kind}") for kind, _ in book.selection.by_kind()}
    for number, question in enumerate(book.selection.questions, start=1):
        title = plain_title(question.title, book)
        described[f"q-{question.id}"] = f"{t.text('question.number', number=number)}: {title}"
    for section in book.sections:
        if section.title:
            described[section.id] = t.text(section.title)
    kicker = t.text("story_bank.star_kicker")
    for competency in book.selection.competencies:  # the story bank's STAR pages
        described[f"story-{slug(competency)}"] = f"{kicker}: {competency}"
    return described


def render_cover_overlays(book: Book) -> bytes:
    """One page per person in ``book.people`` with only their cover details, untagged: they
    are stamped onto a tagged body as artifacts (see guidegen.batch)."""
    overlay = book.with_changes(cover_mode="overlay", spec=book.spec.with_changes(fillable=False))
    _, document = _layout(overlay, "cover_overlay.html", FetchLog())
    return pdf_bytes(document, tagged=False)
