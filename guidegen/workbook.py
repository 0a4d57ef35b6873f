"""The one render path, on top of the stages: a book laid out (``guidegen.layout``), padded
and finished (``guidegen.pdf``).

Every workbook builder (``guidegen.builders``) and ``batch`` come through here, so the booklet
page size, padding to a multiple of four pages, imposition and form fields are decided in one
place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from guidegen.book.html import render_html
from guidegen.book.model import Book
from guidegen.errors import RenderError
from guidegen.layout.document import lay_out, layout_jobs, one_document
from guidegen.layout.pages import cover_detail_boxes, cover_detail_glyphs
from guidegen.layout.session import FetchLog, missing_glyphs_warning, pdf_bytes

if TYPE_CHECKING:
    import pikepdf

    from guidegen.layout.stitching import Stitch
    from guidegen.pdf.pageinfo import PageInfo


@dataclass
class Rendered:
    body: bytes  # the laid-out workbook, page by page (before any imposition)
    pages: int
    refused: list[str]
    book: Book
    warnings: list[str] = field(default_factory=list)  # for the user (missing glyphs too)
    missing_glyphs: list[str] = field(default_factory=list)  # characters printed as boxes
    stitched: tuple[int, ...] = ()  # a booklet's stitched parts, in pages (layout/stitching.py)

    @property
    def html(self) -> str:
        """The whole workbook as one HTML document, its stylesheets linked (--html)."""
        return render_html(self.book)

    def finished(self, body: bytes | None = None) -> bytes:
        """The file to write: ``body`` (default: this one's) imposed if the spec is a booklet."""
        data = self.body if body is None else body
        if not self.book.spec.booklet:
            return data
        from guidegen.pdf.postprocess import impose

        return impose(data, self.book.spec.paper, self.stitched)


def render_workbook(book: Book, jobs: int | None = None) -> Rendered:
    """The workbook as PDF pages, with its page count, refused references and HTML.

    A booklet is laid out on its half-size page and gets extra notes pages until the page count
    is a multiple of 4, so that padding is useful paper with correct page numbers, not blanks.
    """
    from guidegen.book.chunks import plan
    from guidegen.layout.join import join
    from guidegen.layout.parts import lay_out_book
    from guidegen.layout.session import forget_stylesheets

    forget_stylesheets()  # parsed once for this build, from the files as they are now
    pad_to = 4 if book.spec.booklet else 1
    for _ in range(6):
        # GUIDEGEN_ONE_DOCUMENT=1 lays any book out as one document (tests and benchmarks
        # compare the two).
        if len(plan(book)) > 2 and not os.environ.get("GUIDEGEN_ONE_DOCUMENT"):
            laid, coordinator = lay_out_book(book, jobs=jobs or layout_jobs())
            pdf, infos = join(laid, coordinator)
            refused = list(dict.fromkeys(entry for chunk in laid for entry in chunk.refused))
            missing_glyphs = list(
                dict.fromkeys(char for chunk in laid for char in chunk.missing_glyphs)
            )
            longer = frozenset().union(*(chunk.long_questions for chunk in laid))
            book = book.with_changes(long_questions=book.long_questions | longer)
        else:
            pdf, infos, log, book = one_document(book)
            refused, missing_glyphs = log.refused, log.missing_glyphs
        if book.spec.booklet and not book.stitch_before:
            cuts = _stitch_cuts(pdf, book)
            if cuts:
                pdf.close()
                book = book.with_changes(stitch_before=cuts)
                continue
        missing = (-len(infos)) % pad_to
        if not missing:
            stitched = _stitched_parts(pdf, book) if book.stitch_before else ()
            data = _finished(pdf, infos, book)
            warnings = list(book.labels.warnings) + list(book.selection.warnings)
            if missing_glyphs:
                warnings.append(missing_glyphs_warning(missing_glyphs))
            return Rendered(data, len(infos), refused, book, warnings, missing_glyphs, stitched)
        pdf.close()
        book = book.with_changes(notes_pages=book.notes_pages + missing)
    raise RenderError(
        "could not pad the booklet to a multiple of 4 pages: the notes pages "
        "did not lay out one page each"
    )


def _destination_pages(pdf: pikepdf.Pdf) -> dict[str, int]:
    """The 1-based page each named destination (an element's id) is on."""
    from guidegen.pdf.postprocess import named_destinations

    # A Page hands objgen on from its dictionary (pikepdf's stubs type it as an Object).
    index = {
        cast("tuple[int, int]", page.objgen): number
        for number, page in enumerate(pdf.pages, start=1)
    }
    return {
        name: index[dest[0].objgen]
        for name, dest in named_destinations(pdf).items()
        if len(dest) and dest[0].objgen in index
    }


def _stitch_cuts(pdf: pikepdf.Pdf, book: Book) -> dict[str, Stitch]:
    """Where a booklet past one staple is cut into stitched parts; {} if it is not."""
    from guidegen.layout.stitching import plan_cuts

    pages = len(pdf.pages) + (-len(pdf.pages)) % 4
    dests = _destination_pages(pdf)
    questions = book.selection.questions
    starts = [
        (question.id, number, dests[f"q-{question.id}"])
        for number, question in enumerate(questions, start=1)
        if f"q-{question.id}" in dests
    ]
    # A cut goes before a question that has its page to itself: not below a part's title,
    # nor below another question (two short ones share a page in the practice edition).
    owners: dict[int, set[str]] = {}
    for name, page in dests.items():
        if name.startswith(("q-", "notes-")):
            owners.setdefault(page, set()).add(name.split("-", 1)[1])
    shared = {page for page, ids in owners.items() if len(ids) > 1}
    shared |= {page for name, page in dests.items() if name.startswith("part-")}
    try:
        return plan_cuts(starts, pages, len(questions), shared)
    except ValueError:
        raise RenderError(_too_thick(pages)) from None


def _stitched_parts(pdf: pikepdf.Pdf, book: Book) -> tuple[int, ...]:
    """The stitched parts' sizes, read off where their opening pages landed."""
    from guidegen.layout.stitching import MAX_STITCHED_PAGES, part_sizes

    dests = _destination_pages(pdf)
    count = len(book.stitch_before) + 1
    openings = [dests.get(f"stitch-{number}", 0) for number in range(2, count + 1)]
    sizes = part_sizes(len(pdf.pages), openings)
    if any(page % 4 != 1 for page in openings) or max(sizes) > MAX_STITCHED_PAGES:
        raise RenderError(_too_thick(len(pdf.pages)))
    return sizes


def _too_thick(pages: int) -> str:
    from guidegen.layout.stitching import MAX_STITCHED_PAGES

    return (
        f"the booklet has {pages} pages, more than one saddle stitch holds "
        f"({MAX_STITCHED_PAGES}), and it could not be cut into stitched parts between "
        "questions; build fewer questions into each booklet (--kinds or --count, one "
        "booklet each), or the book without --booklet"
    )


def _finished(pdf: pikepdf.Pdf, infos: list[PageInfo], book: Book) -> bytes:
    """The joined document finished (guidegen.pdf.finish)."""
    from guidegen.layout.fonts import font_file
    from guidegen.pdf.finish import finish_pdf

    pitch = next((info.fill.pitch for info in infos if info.fill), 8 * 72 / 25.4)
    running = f"{book.selection.role.title} · {book.bank.workbook.title}"
    heads = (running, book.labels.text("notes.title"))
    return finish_pdf(
        pdf,
        infos,
        link_descriptions(book),
        heads,
        book.fillable,
        font_file() if book.fillable else None,
        pitch,
        book.spec.print_shop,
    )


def link_descriptions(book: Book) -> dict[str, str]:
    """What each internal link points at, in words: "Question 4: What is DevOps, ..."."""
    from guidegen.book.model import plain_title, slug

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


_OVERLAY = "cover_overlay.html"
# From this many people on, overlays are placed (render_cover_overlays): below, the first,
# measuring layout costs more than it saves.
PLACED_OVERLAYS_FROM = 17


def render_cover_overlays(book: Book) -> tuple[bytes, list[str]]:
    """One page per person in ``book.people`` with only their cover details, untagged: they
    are stamped onto a tagged body as artifacts (see guidegen.batch); and the characters of
    those details that no installed font has."""
    overlay = book.with_changes(cover_mode="overlay", spec=book.spec.with_changes(fillable=False))
    log = FetchLog()
    document = None
    if len(overlay.people) >= PLACED_OVERLAYS_FROM:
        # Laying out the whole cover (title, kicker, labels: all hidden) is 80 % of a batch
        # copy's time. The first two people's overlays are laid out whole, their detail boxes
        # measured, and everyone's laid out with only those boxes, where they were measured;
        # unless the first two pages then differ in any glyph's place (a theme's own cover),
        # when the whole covers are laid out after all.
        probe_log = FetchLog()
        _, probe = lay_out(overlay.with_changes(people=overlay.people[:2]), _OVERLAY, probe_log)
        boxes = [cover_detail_boxes(page) for page in probe.pages]
        if len(boxes) == 2 and len(boxes[0]) == 3 and boxes[0] == boxes[1]:
            _, placed = lay_out(overlay, _OVERLAY, log, placed=boxes[0])
            if len(placed.pages) == len(overlay.people) and all(
                cover_detail_glyphs(a) == cover_detail_glyphs(b)
                for a, b in zip(probe.pages, placed.pages)
            ):
                document = placed
    if document is None:
        log = FetchLog()
        _, document = lay_out(overlay, _OVERLAY, log)
    data = pdf_bytes(document, tagged=False, log=log)
    if book.spec.print_shop:
        from guidegen.pdf.postprocess import open_pdf, to_bytes
        from guidegen.pdf.printshop import press_colours

        with open_pdf(data) as pdf:
            press_colours(pdf)
            data = to_bytes(pdf)
    return data, log.missing_glyphs
