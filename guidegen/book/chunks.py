"""How a workbook is cut into chunks that are laid out as separate documents.

A book is laid out in chunks so that two cores share the work and no process holds the boxes
of a whole big book (see layout/parts.py). A chunk starts where the book starts a new page
anyway, so the pages come out as one document would lay them out:

- the front (the cover, how-to page and contents, up to the last section before the questions
  that prints page numbers: the job advert's references to its questions with --posting):
  laid out last, when every page number it prints is known, and once before that with blank
  numbers to learn its length (its layout does not depend on the numbers: they sit in a
  column of their own);
- the body, cut at the start of a part, of a long part's next run of questions, or of the back
  matter. A part longer than ``RUN`` questions continues on a new left-hand page every ``RUN``
  questions, where a spread may begin — in every book, laid out in chunks or not, so a chunk
  never changes a page;
- and a run of spread questions (each starts on a left-hand page: styles/question.css) cut
  before a question into chunks of about ``cut_size`` questions (8 in a book of 60; more in a
  bigger book, where each chunk's own costs would add up). The cut is made for layout only:
  the piece after it (``cut``) prints no title and spaces its first question like any other,
  so its pages are the ones the whole run would have. Small chunks share the work evenly
  between the workers, and a question found too long for its spread (layout/spreads.py)
  costs a second layout of its own chunk only.

A chunk's first page is a left- or right-hand page. Where the book forces the side (a part
of questions and each of its continued runs starts on a left-hand page) it is known before
layout; elsewhere it follows from the pages before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guidegen.book.model import Book
    from guidegen.content.models import Question

RUN = 40  # questions: a longer part continues on a new page every RUN questions
CUT = 8  # spread questions: the fewest in a chunk where runs are cut
CHUNKS = 12  # where runs are cut, the body is laid out in about this many chunks
# A rough cost of laying a section out, against 3 for a question (8 where not named here).
WEIGHTS = {"story-bank": 24, "part-ask": 24, "part-notes": 4, "back-cover": 2}


@dataclass(frozen=True)
class PartPiece:
    """A run of one part's questions; ``opens``: it carries the part's title and anchor."""

    kind: str
    title: str
    questions: tuple[Question, ...]
    opens: bool
    cut: bool = False  # continues the run before it only because the layout cut it there


@dataclass(frozen=True)
class Chunk:
    index: int
    sections: tuple[str, ...]  # ids of the sections it prints (the parts section: its pieces)
    pieces: tuple[PartPiece, ...] = ()
    forced_side: str | None = None  # "left" or "right" when the book forces its first page's side
    front: bool = False  # the cover, how-to and contents: laid out last
    weight: int = 0  # a rough cost, to balance the work
    question_ids: frozenset[str] = field(default_factory=frozenset)


def part_pieces(book: Book) -> list[PartPiece]:
    """Each part as runs of at most RUN questions, in print order."""
    pieces = []
    for kind, questions in book.selection.by_kind():
        title = book.labels.text(f"part.{kind}")
        for start in range(0, len(questions), RUN):
            pieces.append(PartPiece(kind, title, tuple(questions[start : start + RUN]), start == 0))
    return pieces


def cut_size(book: Book) -> int:
    """About how many questions a chunk holds where runs of spreads are cut: enough for
    CHUNKS chunks, at least CUT and at most RUN. Each chunk costs its own process, styles and
    font subsets (0.1-0.3 s), which outweighs an even share in a big book."""
    return min(RUN, max(CUT, -(-questions_in(book) // CHUNKS)))


def layout_pieces(book: Book) -> list[PartPiece]:
    """``part_pieces`` with each run of spread questions cut into pieces of about
    ``cut_size`` questions (even sizes), where the book is laid out in chunks."""
    pieces = []
    size = cut_size(book)
    for piece in part_pieces(book):
        count = len(piece.questions)
        if not book.spreads(piece.kind) or book.stitch_before or count <= size:
            pieces.append(piece)
            continue
        parts = -(-count // size)  # ceiling
        bounds = [round(n * count / parts) for n in range(parts + 1)]
        for n in range(parts):
            questions = piece.questions[bounds[n] : bounds[n + 1]]
            pieces.append(
                PartPiece(piece.kind, piece.title, questions, piece.opens and n == 0, n > 0)
            )
    return pieces


SHARES = 2  # the body is balanced into (at least) this many chunks


def front_sections(book: Book) -> tuple[str, ...]:
    """The ids of the front's sections: up to the last section before the questions that
    prints page numbers (the contents; the job advert with --posting)."""
    sections = [section.id for section in book.sections]
    first_body = next((i for i, s in enumerate(book.sections) if s.parts), len(sections))
    numbered = [i for i, s in enumerate(book.sections[:first_body]) if s.page_numbers(book)]
    if any(s.page_numbers(book) for s in book.sections[first_body:]):
        raise ValueError("only the sections before the questions may print page numbers")
    return tuple(sections[: max(numbered, default=0) + 1])


def opening_section(book: Book) -> str | None:
    """The section after the front, where it is not a part of questions (those open on a
    left-hand page): it opens on a right-hand page (templates/base.html), so the chunk it
    starts knows its side before the front is laid out and starts at once. Otherwise that
    chunk would wait for the front's length: 11 s of one core for 2,600 questions."""
    front = front_sections(book)
    after = [section for section in book.sections if section.id not in front]
    if not after or after[0].parts:
        return None
    return after[0].id


def plan(book: Book) -> list[Chunk]:
    """The chunks of ``book``, the front first, in page order. They do not depend on how many
    workers lay them out, so a book is the same file on any machine."""
    front = front_sections(book)
    opening = opening_section(book)
    chunks = [Chunk(0, front, front=True, forced_side="right", weight=len(front))]
    units: list[tuple[tuple[str, ...], tuple[PartPiece, ...], str | None, int]] = []
    for section in book.sections:
        if section.id in front:
            continue
        if section.parts:
            for piece in layout_pieces(book) if questions_in(book) > RUN else part_pieces(book):
                weight = sum(question_weight(q) for q in piece.questions)
                # Every part of questions, and every continued run of one, starts on a
                # left-hand page: its first question may begin a spread (styles/question.css).
                units.append((("parts",), (piece,), "left", weight))
        else:
            # The back cover is the last left-hand page; the opening section a right-hand one.
            side = {"back-cover": "left", opening: "right"}.get(section.id)
            units.append(((section.id,), (), side, WEIGHTS.get(section.id, 8)))
    # Units merge into chunks of about an equal share of the work, each holding at most RUN
    # questions (a cut_size and a half where runs are cut), so that the work spreads over the
    # workers and memory stays bounded. A book of at most RUN questions is one chunk: it is
    # laid out as one document (workbook.py). Where runs are cut, a section whose first page's
    # side is not forced joins the chunk before it: a chunk of its own could start only once
    # every chunk before it is paginated, last.
    total = sum(weight for *_, weight in units) or 1
    questions = sum(len(p.questions) for unit in units for p in unit[1])
    cut = any(p.cut for unit in units for p in unit[1])
    size = cut_size(book)
    limit = min(RUN, size + size // 2) if cut else RUN
    shares = max(SHARES, -(-questions // size)) if cut else SHARES
    share = max(total / shares, 1) if questions > RUN else total
    current: list[tuple[tuple[str, ...], tuple[PartPiece, ...], str | None, int]] = []

    def close() -> None:
        if not current:
            return
        ids = tuple(dict.fromkeys(s for unit in current for s in unit[0]))
        pieces = tuple(p for unit in current for p in unit[1])
        questions = frozenset(q.id for p in pieces for q in p.questions)
        weight = sum(unit[3] for unit in current)
        chunks.append(Chunk(len(chunks), ids, pieces, current[0][2], False, weight, questions))
        current.clear()

    for unit in units:
        held = sum(len(p.questions) for u in current for p in u[1])
        adds = sum(len(p.questions) for p in unit[1])
        weight = sum(u[3] for u in current)
        # The back cover, one page, is never a chunk (a process) of its own.
        tail = unit[0] == ("back-cover",) or (cut and unit[2] is None)
        if current and not tail and (held + adds > limit or weight + unit[3] > share * 1.15):
            close()
        current.append(unit)
    close()
    return chunks


def question_weight(question: Question) -> int:
    """A rough cost of laying a question out: 3, and 1 for every 500 characters of its text."""
    fields = (question.prompt, question.why, question.answer, question.tip, question.good_answer)
    return 3 + sum(len(text or "") for text in fields) // 500


def questions_in(book: Book) -> int:
    return len(book.selection.questions)
