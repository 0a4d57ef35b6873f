"""Lay a book out in chunks (book/chunks.py), in worker processes, and join them.

Why: WeasyPrint lays a document out on one core and keeps every page's boxes until the PDF is
written. In chunks, two cores share the work and a process never holds more than one chunk.

How the pieces fit, when the page numbers are known only after the chunks before are laid out:

- A chunk's layout does not depend on its page numbers: the folios are in the margin boxes,
  which WeasyPrint makes after the whole chunk is paginated. A worker paginates its chunk, tells
  the coordinator how many pages it has and where its anchors are, and waits there (inside
  WeasyPrint's margin-box step) for its first page number; then it makes the margin boxes with
  the right folios and writes its PDF.
- A chunk's first page is on the side it takes in the book. Where the book forces the side it
  is known before layout; otherwise it is known once the chunks before it are paginated, and a
  chunk is only started early on a forced side (a wrong guess would cost a second layout).
- The front (cover, how-to page, contents) is laid out first with 0 for its page numbers, to
  learn its length; at the end the real numbers are written into its boxes (layout/numbers.py),
  or, where a theme prints them in a way that cannot be filled in, it is laid out again with
  them (their column has a fixed width, so both layouts break the same way).

The joined PDF is finished by layout/join.py: pages, named destinations, bookmarks, the
structure tree and form fields of every chunk become one document's.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from guidegen.book.chunks import CUT, Chunk, plan
from guidegen.errors import RenderError
from guidegen.layout.spreads import MAX_LAYOUTS, too_long
from guidegen.pdf.pageinfo import PageInfo
from guidegen.processes import die_with_parent

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkProcess

    from guidegen.book.model import Book
    from guidegen.layout.numbers import NumberBox
    from guidegen.layout.session import FetchLog, WeasyBox, WeasyDocument

# One bookmark of a laid-out page, as WeasyPrint gathers it: (level, label, (x, y), state).
Bookmark = tuple[int, str, tuple[float, float], str]

SIDES = ("right", "left")  # a first page's side by the parity of its number: odd, even


def side_of(number: int) -> str:
    return SIDES[(number + 1) % 2]


@dataclass
class Paginated:
    """What a chunk tells the coordinator once its pages are known."""

    pages: int
    anchors: dict[str, int]  # anchor -> 0-based page of the chunk
    blank_first: bool = False


@dataclass
class Laid:
    """A chunk laid out and written."""

    index: int
    side: str
    pdf: bytes
    infos: list[PageInfo]
    bookmarks: list[list[Bookmark]]  # per page: WeasyPrint's (level, label, (x, y), state)
    heights: list[float]  # page heights in CSS pixels (for the bookmarks' coordinates)
    refused: list[str] = field(default_factory=list)
    missing_glyphs: list[str] = field(default_factory=list)  # drawn as empty boxes
    long_questions: frozenset[str] = frozenset()  # laid out long (layout/spreads.py)


class _TooLong(Exception):
    """Questions whose writing room landed a page turn away: lay the chunk out again."""

    def __init__(self, question_ids: frozenset[str]) -> None:
        self.question_ids = question_ids


class _Relayout(Exception):
    def __init__(self, side: str) -> None:
        self.side = side


@contextmanager
def _paginated_hook(on_paginated: Callable[[list[WeasyBox]], int | None]) -> Iterator[None]:
    """Call ``on_paginated(page_boxes)`` once, between pagination and the margin boxes, and
    number the margin boxes from the offset it returns (or lay out again if it raises)."""
    from guidegen.layout.session import import_weasyprint

    import_weasyprint()  # the first import of a serial layout (a batch worker's): the quick way
    import weasyprint.layout as layout_module

    make_all_pages = layout_module.make_all_pages
    make_margin_boxes = layout_module.make_margin_boxes
    made: list[WeasyBox] = []
    offset: list[int | None] = []

    def recording(context: Any, root_box: WeasyBox, html: Any, pages: Any) -> Iterator[WeasyBox]:
        made.clear()
        for page in make_all_pages(context, root_box, html, pages):
            made.append(page)
            yield page

    def numbered(context: Any, page: WeasyBox, state: Any) -> Any:
        if not offset:
            offset.append(on_paginated(list(made)))
        if offset[0]:
            quote_depth, counters, scopes, groups = state
            counters = dict(counters)
            counters["page"] = [value + offset[0] for value in counters.get("page", [0])]
            state = (quote_depth, counters, scopes, groups)
        return make_margin_boxes(context, page, state)

    layout_module.make_all_pages = recording
    layout_module.make_margin_boxes = numbered
    try:
        yield
    finally:
        layout_module.make_all_pages = make_all_pages
        layout_module.make_margin_boxes = make_margin_boxes


def _anchors(page_boxes: list[WeasyBox]) -> dict[str, int]:
    from weasyprint.anchors import gather_anchors

    found: dict[str, int] = {}
    for index, page_box in enumerate(page_boxes):
        anchors: dict[str, Any] = {}
        gather_anchors(page_box, anchors, [], [], {None: []})
        for name in anchors:
            found.setdefault(name, index)
    return found


def lay_out_chunk(
    book: Book,
    chunk: Chunk,
    side: str,
    page_of: dict[str, int] | None,
    ask: Callable[[Paginated], int | None],
) -> Laid:
    """Lay out and write one chunk. ``ask(Paginated)`` returns the number of pages before
    the chunk, or raises _Relayout with the side it must start on."""
    return _written(_laid_out(book, chunk, side, page_of, ask))


@dataclass
class _LaidOut:
    """A chunk laid out, not yet written."""

    book: Book  # as laid out: with the questions found too long marked
    chunk: Chunk
    side: str
    html: str
    document: WeasyDocument
    log: FetchLog
    named_links: bool  # whether its links to other chunks' pages need stand-in targets


def _laid_out(
    book: Book,
    chunk: Chunk,
    side: str,
    page_of: dict[str, int] | None,
    ask: Callable[[Paginated], int | None],
) -> _LaidOut:
    from guidegen.layout.document import layout_html
    from guidegen.layout.session import FetchLog

    layouts = 0
    while True:
        log = FetchLog()
        layouts += 1

        def paginated(
            page_boxes: list[WeasyBox],
            book: Book = book,
            side: str = side,
            last: bool = layouts >= MAX_LAYOUTS,
        ) -> int | None:
            anchors = _anchors(page_boxes)
            ids = [question.id for piece in chunk.pieces for question in piece.questions]
            longer = too_long(ids, anchors, side == "left") - book.long_questions
            if longer and not last:
                raise _TooLong(longer)
            blank = bool(page_boxes) and bool(page_boxes[0].page_type.blank)
            return ask(Paginated(len(page_boxes), anchors, blank))

        try:
            with _paginated_hook(paginated):
                html, document = layout_html(
                    book, log, chunk=chunk, page_of=page_of, first_side=side
                )
        except _TooLong as longer:
            book = book.with_changes(long_questions=book.long_questions | longer.question_ids)
            continue
        except _Relayout as wrong:
            side = wrong.side
            continue
        named_links = not chunk.front or page_of is not None
        return _LaidOut(book, chunk, side, html, document, log, named_links)


def _written(laid_out: _LaidOut) -> Laid:
    from guidegen.layout.pages import page_infos
    from guidegen.layout.session import pdf_bytes

    document, log = laid_out.document, laid_out.log
    infos = page_infos(document)  # before the stand-ins below: they are not the page's own
    if laid_out.named_links:
        # Name every target of a link to another chunk on the last page so WeasyPrint keeps
        # the links; the join points the names at the real pages and drops these stand-ins
        # (layout/join.py).
        last = document.pages[-1].anchors
        for page in document.pages:
            for link_type, target, *_ in page.links:
                if link_type == "internal" and target not in last:
                    last.setdefault(target, (0, 0, 0, 0))
    data = pdf_bytes(document, log=log, pdf_forms=laid_out.book.fillable)
    return Laid(
        laid_out.chunk.index,
        laid_out.side,
        data,
        infos,
        [list(page.bookmarks) for page in document.pages],
        [page.height for page in document.pages],
        log.refused,
        log.missing_glyphs,
        laid_out.book.long_questions,
    )


class Coordinator:
    """Knows each chunk's length once paginated, and so each chunk's first page number."""

    def __init__(self, book: Book, chunks: list[Chunk]) -> None:
        self.book = book
        self.chunks = chunks
        self.paginated: dict[int, Paginated] = {}
        self.sides: dict[int, str] = {}  # the side each chunk is being laid out with

    def _starts(self, index: int) -> tuple[int, bool] | None:
        """The chunk's first page number and whether a blank page precedes it, once every
        chunk before it is paginated."""
        number, blank = 1, False
        for earlier in range(index):
            if earlier not in self.paginated:
                return None
            number += self.paginated[earlier].pages
            # The book has a blank page where the next chunk must start on the other side.
            forced = self.chunks[earlier + 1].forced_side
            blank = forced is not None and forced != side_of(number)
            number += blank
        return number, blank

    def first_number(self, index: int) -> int | None:
        starts = self._starts(index)
        return None if starts is None else starts[0]

    def blanks_before(self, index: int) -> bool:
        starts = self._starts(index)
        return starts is not None and starts[1]

    def side(self, index: int) -> str | None:
        forced = self.chunks[index].forced_side
        if forced:
            return forced
        number = self.first_number(index)
        return None if number is None else side_of(number)

    def answer(self, index: int, paginated: Paginated) -> int | None:
        """The pages before chunk ``index``, or None while unknown. Raises _Relayout when it
        was laid out on the wrong side."""
        self.paginated[index] = paginated
        return self.pending_answer(index)

    def pending_answer(self, index: int) -> int | None:
        number = self.first_number(index)
        if number is None:
            return None
        if side_of(number) != self.sides[index]:
            del self.paginated[index]
            self.sides[index] = side_of(number)
            raise _Relayout(side_of(number))
        return number - 1

    def page_of(self) -> dict[str, int]:
        """Every anchor of the body's chunks with its page number in the book."""
        found: dict[str, int] = {}
        for index in range(1, len(self.chunks)):
            first = self.first_number(index)
            assert first is not None  # asked for only once every chunk is paginated
            for name, page in self.paginated[index].anchors.items():
                found.setdefault(name, first + page)
        return found


def lay_out_book(book: Book, jobs: int = 2) -> tuple[list[Laid], Coordinator]:
    """Every chunk of ``book`` laid out and written, in page order (the front first)."""
    chunks = plan(book)
    coordinator = Coordinator(book, chunks)
    coordinator.sides[0] = "right"
    front = chunks[0]

    # The front as measured, kept to have its page numbers filled in (layout/numbers.py),
    # with those numbers' boxes; empty where they cannot be filled in.
    kept: list[tuple[_LaidOut, list[NumberBox]]] = []

    def measure_front() -> None:
        """The front's length, with blank numbers (its layout does not depend on them)."""
        from guidegen.layout.numbers import number_boxes

        def measured(paginated: Paginated) -> int:
            coordinator.paginated[0] = paginated
            return 0

        laid_out = _laid_out(book, front, "right", {}, measured)
        numbers = number_boxes(laid_out.document)
        if numbers is not None:
            kept.append((laid_out, numbers))
        del laid_out
        _release_memory()  # what the layout left, before workers fork from this process

    def final_front() -> Laid:
        from guidegen.book.html import render_html
        from guidegen.layout.numbers import fill_numbers, only_numbers_differ

        page_of = coordinator.page_of()
        page_of.update(_own_anchors(coordinator))
        if kept:
            measured, numbers = kept[0]
            html = render_html(
                book, "workbook.html", chunk=front, page_of=page_of, first_side="right"
            )
            if only_numbers_differ(measured.html, html) and fill_numbers(numbers, page_of):
                return _written(measured)
        forget_front()
        return lay_out_chunk(
            book, front, "right", page_of, lambda paginated: _same_front(coordinator, paginated)
        )

    def forget_front() -> None:
        """Drop the measured front: in this process once a worker forked with it writes it."""
        if kept:
            kept.clear()
            _release_memory()

    if jobs > 1 and len(chunks) > 2 and _can_fork():
        from guidegen.layout.document import parse_stylesheets
        from guidegen.layout.session import FetchLog

        # WeasyPrint imported and the stylesheets parsed before the first fork: every worker
        # inherits them, where each parsed them again (0.1-0.2 s a chunk) and the workers
        # forked before the front was measured imported WeasyPrint too (0.6 s).
        parse_stylesheets(book, FetchLog())
        laid = _in_workers(
            book, chunks, coordinator, jobs, measure_front, final_front, forget_front
        )
    else:
        measure_front()
        laid = []
        for chunk in chunks[1:]:
            side = coordinator.side(chunk.index)
            # Known: the chunks before this one were paginated (the front by measure_front).
            assert side is not None
            coordinator.sides[chunk.index] = side

            def ask(paginated: Paginated, index: int = chunk.index) -> int | None:
                return coordinator.answer(index, paginated)

            laid.append(lay_out_chunk(book, chunk, side, None, ask))
        laid.append(final_front())
    return sorted(laid, key=lambda item: item.index), coordinator


def _release_memory() -> None:
    """Collect garbage and hand the freed heap back to the system (glibc keeps it otherwise),
    so that this process stays small for the join and the workers it forks."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _own_anchors(coordinator: Coordinator) -> dict[str, int]:
    return {name: page + 1 for name, page in coordinator.paginated[0].anchors.items()}


def _same_front(coordinator: Coordinator, paginated: Paginated) -> int:
    if paginated.pages != coordinator.paginated[0].pages:
        raise RenderError(
            "the front pages changed length once their page numbers were filled in; "
            "the contents' page-number column must have a fixed width (styles/front.css)"
        )
    return 0


def _can_fork() -> bool:
    return sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()


def _front_worker(
    work: Callable[[], tuple[str, int, Laid]], connection: Connection, parent: int
) -> None:
    """The final front's layout in a forked process (see _in_workers)."""
    import gc

    die_with_parent(parent)
    gc.freeze()
    try:
        connection.send(work())
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which re-raises
        connection.send(("failed", 0, f"{type(error).__name__}: {error}"))
    finally:
        connection.close()
        os._exit(0)


def _worker(book: Book, chunk: Chunk, side: str, connection: Connection, parent: int) -> None:
    """One chunk in a forked process: paginate, ask for the offset, write, send the result."""
    import gc

    die_with_parent(parent)
    gc.freeze()  # what the parent built is never collected here: no copy-on-write churn

    def ask(paginated: Paginated) -> int:
        connection.send(("paginated", chunk.index, paginated))
        reply, value = connection.recv()
        if reply == "relayout":
            raise _Relayout(value)
        return cast(int, value)  # the other reply: ("offset", the pages before the chunk)

    try:
        laid = lay_out_chunk(book, chunk, side, None, ask)
        connection.send(("laid", chunk.index, laid))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which re-raises
        connection.send(("failed", chunk.index, f"{type(error).__name__}: {error}"))
    finally:
        connection.close()
        os._exit(0)


def small_chunks(chunks: list[Chunk]) -> bool:
    """Whether every chunk is small (a book of about 60 questions, its runs cut): its workers
    may then wait for their page numbers beside those at work (see _next_chunk)."""
    return max(len(chunk.question_ids) for chunk in chunks) <= 2 * CUT


def _next_chunk(
    chunks: list[Chunk],
    unstarted: list[int],
    coordinator: Coordinator,
    busy: int,
    processes: int,
    jobs: int,
    small: bool,
) -> int | None:
    """The chunk to start next, or None to wait.

    Small chunks (``small``, see small_chunks): the heaviest whose side is known, so that no
    long chunk is left to the end; a worker waiting for its page numbers is not busy (``busy``
    leaves it out), and up to ``jobs`` wait beside those at work, past which only the first
    unstarted chunk starts, so that every waiting chunk is eventually numbered. Big chunks (a
    big bank, cut every 40 questions): in page order, each numbered as soon as it is
    paginated, for a waiting chunk holds its pages and there may be dozens. Either way, while
    the first unstarted chunk's side is unknown a worker stays free for it."""
    known = [i for i in unstarted if coordinator.side(i) is not None]
    if not known:
        return None
    first = unstarted[0]
    crowded = small and processes >= 2 * jobs
    if first not in known:
        # Ahead of the first only while a worker stays free for it.
        if busy + 1 >= jobs or crowded:
            return None
    elif not small or crowded:
        return first
    return max(known, key=lambda i: (chunks[i].weight, -i)) if small else known[0]


def _in_workers(
    book: Book,
    chunks: list[Chunk],
    coordinator: Coordinator,
    jobs: int,
    measure_front: Callable[[], None],
    final_front: Callable[[], Laid],
    forget_front: Callable[[], None],
) -> list[Laid]:
    """The body's chunks in forked workers, at most ``jobs`` at a time, while this process
    measures the front; then the final front in a worker too, once the body is paginated, so
    that this process holds no laid-out front (a big bank's contents run to a hundred pages)
    while it joins."""
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    waiting: dict[int, Connection] = {}  # chunk -> its worker's connection, waiting for an offset
    running: dict[Connection, tuple[int, ForkProcess]] = {}  # connection -> (chunk, process)
    unstarted = [chunk.index for chunk in chunks[1:]]
    laid: list[Laid] = []
    body = len(chunks) - 1

    def start_front(work: Callable[[], tuple[str, int, Laid]]) -> None:
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_front_worker, args=(work, child_end, os.getpid()), daemon=True
        )
        process.start()
        child_end.close()
        running[parent_end] = (0, process)

    small = small_chunks(chunks)

    def busy() -> int:
        """Workers laying out, not waiting for their first page number (those use no CPU),
        where chunks are small; every worker, where they are big (see _next_chunk)."""
        if not small:
            return len(running)
        return len(running) - sum(1 for connection in waiting.values() if connection in running)

    def start_ready() -> None:
        while unstarted and busy() < jobs:
            index = _next_chunk(chunks, unstarted, coordinator, busy(), len(running), jobs, small)
            if index is None:
                return
            unstarted.remove(index)
            side = coordinator.side(index)
            assert side is not None  # index was chosen for a known side
            coordinator.sides[index] = side
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=_worker,
                args=(book, chunks[index], side, child_end, os.getpid()),
                daemon=True,
            )
            process.start()
            child_end.close()
            running[parent_end] = (index, process)

    def answer_waiting() -> None:
        for index, connection in list(waiting.items()):
            try:
                offset = coordinator.pending_answer(index)
            except _Relayout as wrong:
                connection.send(("relayout", wrong.side))
                del waiting[index]
                continue
            if offset is not None:
                connection.send(("offset", offset))
                del waiting[index]

    def receive(block: bool = True) -> None:
        # wait returns those of the connections it is given that are ready.
        ready = cast("list[Connection]", wait(list(running), timeout=None if block else 0))
        for connection in ready:
            index, process = running[connection]
            try:
                message = connection.recv()
            except EOFError:
                raise RenderError(f"a layout worker stopped (chunk {index})") from None
            kind = message[0]
            if kind == "paginated":
                coordinator.paginated[index] = message[2]
                waiting[index] = connection
            elif kind == "laid":
                laid.append(message[2])
                if message[1] == 0:
                    front_laid.append(message[2])
                connection.close()
                process.join()
                del running[connection]
            else:
                raise RenderError(f"laying out part of the book failed: {message[2]}")
        answer_waiting()
        start_ready()

    front_laid: list[Laid] = []
    try:
        start_ready()  # the chunks whose side the book forces start at once
        measure_front()  # here: the workers forked after it find fonts and styles loaded
        answer_waiting()
        start_ready()
        front_started = False
        while running or unstarted or not front_laid:
            if not front_started and len(coordinator.paginated) == body + 1 and not waiting:
                # While the last workers draw and write; it is the last layout, so one process
                # over ``jobs`` for a while.
                start_front(lambda: ("laid", 0, final_front()))
                forget_front()  # the worker has it
                front_started = True
                continue
            if not running:
                raise RenderError("could not schedule every part of the book")
            receive()
    finally:
        for connection, (_, process) in running.items():
            process.kill()
            process.join()
            connection.close()
    return laid
