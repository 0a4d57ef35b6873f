"""The one render path: a spec's workbook laid out, padded and finished.

``build`` and ``batch`` both come through here, so the booklet page size, padding to a multiple
of four pages, imposition and form fields are decided in one place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from guidegen.content.load import Bank
from guidegen.errors import RenderError
from guidegen.render.html import Book, make_book, render_html
from guidegen.render.pdf import (
    FetchLog,
    allowed_roots,
    missing_glyphs_warning,
    pdf_bytes,
    render_document,
)
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
    book: Book
    warnings: list[str] = field(default_factory=list)  # for the user (missing glyphs too)
    missing_glyphs: list[str] = field(default_factory=list)  # characters printed as boxes
    stitched: tuple[int, ...] = ()  # a booklet's stitched parts, in pages (render/stitching.py)

    @property
    def html(self) -> str:
        """The whole workbook as one HTML document, its stylesheets linked (--html)."""
        return render_html(self.book)

    def finished(self, body: bytes | None = None) -> bytes:
        """The file to write: ``body`` (default: this one's) imposed if the spec is a booklet."""
        data = self.body if body is None else body
        if not self.book.spec.booklet:
            return data
        from guidegen.render.postprocess import impose

        return impose(data, self.book.spec.paper, self.stitched)


def lay_out(book: Book, template: str, log: FetchLog, sheets: list[str] | None = None, **extra):
    """The HTML (with its stylesheet links, as --html writes it) and its layout, for which
    the stylesheets are handed to WeasyPrint directly, their custom properties resolved.

    ``sheets`` names the stylesheets (default: the workbook's, from its sections) and
    ``extra`` goes to the template (``render_html``): a chunk of the book laid out on its
    own (render/parts.py), or the flashcards' own stylesheets and cards."""
    names = stylesheets(book) if sheets is None else sheets
    urls = tuple(book.theme.stylesheet(name).resolve().as_uri() for name in names)
    if sheets is not None:
        extra["stylesheets"] = list(urls)
    html = render_html(book, template, **extra)
    unlinked = html
    for url in urls:  # only guidegen's own links: anything else is the fetcher's to refuse
        unlinked = unlinked.replace(f'<link rel="stylesheet" href="{url}">\n', "")
    roots = allowed_roots(book.bank.content_dir, book.theme.roots)
    return html, render_document(unlinked, book.bank.content_dir, roots, log, urls)


def layout_html(book: Book, log: FetchLog, **chunking):
    """One chunk of the workbook laid out (render/parts.py)."""
    return lay_out(book, "workbook.html", log, **chunking)


def render_workbook(book: Book, jobs: int | None = None) -> Rendered:
    """The workbook as PDF pages, with its page count, refused references and HTML.

    A booklet is laid out on its half-size page and gets extra notes pages until the page count
    is a multiple of 4, so that padding is useful paper with correct page numbers, not blanks.
    """
    from guidegen.render.chunks import plan
    from guidegen.render.join import join
    from guidegen.render.parts import lay_out_book

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
            pdf, infos, log, book = _whole(book)
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


def _destination_pages(pdf) -> dict[str, int]:
    """The 1-based page each named destination (an element's id) is on."""
    from guidegen.render.postprocess import named_destinations

    index = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
    return {
        name: index[dest[0].objgen]
        for name, dest in named_destinations(pdf).items()
        if len(dest) and dest[0].objgen in index
    }


def _stitch_cuts(pdf, book: Book) -> dict:
    """Where a booklet past one staple is cut into stitched parts; {} if it is not."""
    from guidegen.render.stitching import plan_cuts

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


def _stitched_parts(pdf, book: Book) -> tuple[int, ...]:
    """The stitched parts' sizes, read off where their opening pages landed."""
    from guidegen.render.stitching import MAX_STITCHED_PAGES, part_sizes

    dests = _destination_pages(pdf)
    count = len(book.stitch_before) + 1
    openings = [dests.get(f"stitch-{number}", 0) for number in range(2, count + 1)]
    sizes = part_sizes(len(pdf.pages), openings)
    if any(page % 4 != 1 for page in openings) or max(sizes) > MAX_STITCHED_PAGES:
        raise RenderError(_too_thick(len(pdf.pages)))
    return sizes


def _too_thick(pages: int) -> str:
    from guidegen.render.stitching import MAX_STITCHED_PAGES

    return (
        f"the booklet has {pages} pages, more than one saddle stitch holds "
        f"({MAX_STITCHED_PAGES}), and it could not be cut into stitched parts between "
        "questions; build fewer questions into each booklet (--kinds or --count, one "
        "booklet each), or the book without --booklet"
    )


def lay_out_whole(book: Book, log: FetchLog):
    """The workbook laid out as one document, and the book as laid out: laid out again with
    the questions too long for their usual layout marked (render/spreads.py)."""
    from guidegen.render.spreads import MAX_LAYOUTS, too_long

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


def _whole(book: Book):
    """A book of one body chunk laid out as one document: the same pages, without laying
    the front out twice (see render/chunks.py)."""
    import io

    import pikepdf

    from guidegen.render.pages import page_infos

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


def _finished(pdf, infos, book: Book) -> bytes:
    """The joined document finished (guidegen.render.finish)."""
    from guidegen.render.finish import finish_pdf
    from guidegen.render.forms import font_file

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


_OVERLAY = "cover_overlay.html"
# From this many people on, overlays are placed (render_cover_overlays): below, the first,
# measuring layout costs more than it saves.
PLACED_OVERLAYS_FROM = 17


def _detail_boxes(page) -> list[tuple[float, float, float, float]]:
    """Each cover detail's box (a dd of the cover's details) on an overlay page: where its
    border box starts, from the page's content area, and its content size (what `width` and
    `height` set)."""
    from weasyprint.formatting_structure import boxes

    page_box = page._page_box  # WeasyPrint 70's layout tree (see render/pages.py)
    x0, y0 = page_box.content_box_x(), page_box.content_box_y()
    return [
        (box.border_box_x() - x0, box.border_box_y() - y0, box.width, box.height)
        for details in page_box.descendants()
        if isinstance(details, boxes.BlockBox)
        and "cover-details" in (details.element.get("class") or "").split()
        for box in details.children
        if isinstance(box, boxes.BlockBox) and box.element_tag == "dd"
    ]


def _detail_glyphs(page) -> list[tuple[str, float, float]]:
    """The text of the cover details on an overlay page and where each run of it starts."""
    return [
        (box.text, round(box.position_x, 3), round(box.position_y, 3))
        for box in page._page_box.descendants()
        if type(box).__name__ == "TextBox"
        and box.text.strip()
        and box.style["visibility"] == "visible"
    ]


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
        boxes = [_detail_boxes(page) for page in probe.pages]
        if len(boxes) == 2 and len(boxes[0]) == 3 and boxes[0] == boxes[1]:
            _, placed = lay_out(overlay, _OVERLAY, log, placed=boxes[0])
            if len(placed.pages) == len(overlay.people) and all(
                _detail_glyphs(a) == _detail_glyphs(b) for a, b in zip(probe.pages, placed.pages)
            ):
                document = placed
    if document is None:
        log = FetchLog()
        _, document = lay_out(overlay, _OVERLAY, log)
    data = pdf_bytes(document, tagged=False, log=log)
    if book.spec.print_shop:
        from guidegen.render.postprocess import open_pdf, to_bytes
        from guidegen.render.printshop import press_colours

        with open_pdf(data) as pdf:
            press_colours(pdf)
            data = to_bytes(pdf)
    return data, log.missing_glyphs
