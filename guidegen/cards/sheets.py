"""Flashcards: the selection as cards to cut out, front and back, laid out so that nothing is
clipped.

The pipeline is the workbook's (a ``Book``, templates, the confined fetcher, a tagged PDF),
with a fit loop between the HTML and the PDF:

1. Each question is two faces. The front has its title and, if it has one, its prompt; the back
   its key points, else its answer cut to a budget at the end of a sentence, else a line that
   says there is none.
2. Every face is laid out at the largest text size. Each card's content is measured against
   its card box in WeasyPrint's layout tree. A face that overflows is laid out again at every
   smaller step down to the floor size (one layout for all of them), and the largest size
   that fits is kept. A face that overflows even at the floor is shortened: the longest cut
   that fits at the floor, found by a search that probes a few cuts of every such face in
   each layout, ends with "… full answer on page N of the workbook" (a prompt that does not
   fit gives way to a line saying where it is), and is then set as large as it fits. N comes
   from laying out the workbook of the same spec, done only when a card needs it.
3. The sheets: fronts row by row, then the backs on the next page, each behind its front for
   the chosen duplex flip (``CardGrid.back_slot``), with cut marks in the margins.

One layout of the cards makes the file when everything fits at the largest size; a face
that overflows costs two more (one for all the smaller sizes of all such faces, and the sheets
again), a face that must be cut three or four more, and the workbook's layout, once. The
final layout is measured again before it is written.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

from guidegen.book.model import Book, document_title
from guidegen.cards.sentences import cut_points, markdown_of, units, within, word_cuts
from guidegen.content.models import Question
from guidegen.errors import RenderError
from guidegen.layout.session import (
    FetchLog,
    allowed_roots,
    make_fetcher,
    missing_glyphs_warning,
    pdf_bytes,
)
from guidegen.spec import CardGrid

if TYPE_CHECKING:
    from guidegen.layout.session import WeasyDocument

STYLESHEETS = ["variables.css", "base.css", "cards.css", "theme.css"]
PX = 0.75  # CSS pixels to points
MM = 72 / 25.4  # points per millimetre
# Cut marks: from 1.5 mm outside the cards, 3 mm long, 0.25 pt wide (mm).
MARK_OFFSET, MARK_LENGTH, MARK_WIDTH = 1.5, 3.0, 0.25 / MM
# The answer on a card back starts as what prints in about this many characters per square
# millimetre of card (415 on an 8-up A4 card): about what fits at the largest text size, so
# most backs need no shrinking, and a reader gets the gist rather than a wall of small type.
ANSWER_DENSITY = 0.065
_SLACK = 0.01  # CSS px: rounding in the layout, not overflow


@dataclass(frozen=True)
class Content:
    """What one face shows of its question."""

    prompt: bool = False  # front: the prompt under the title
    points: tuple[str, ...] = ()  # back: the key points shown
    answer: str = ""  # back: the answer's Markdown shown, perhaps shortened
    more: bool = False  # a last line pointing at the workbook page of the question


@dataclass
class Face:
    """One side of one card, as the template places it."""

    key: str  # unique in a layout: what the measurement reports on
    side: str  # front | back
    number: int  # the card number: the question's number in the workbook
    question: Question
    content: Content
    step: int = 0  # index into the text sizes
    left: float = 0.0  # mm from the sheet's top-left corner
    top: float = 0.0
    page: int | None = None  # the workbook page ``more`` points at


@dataclass
class Page:
    side: str  # front | back | probe
    faces: list[Face]


@dataclass
class Cards:
    data: bytes
    cards: int
    sheets: int
    pages: int
    refused: list[str]
    warnings: list[str]
    shrunk: int  # faces laid out below the largest text size
    shortened: int  # faces that point at the workbook for the rest
    layouts: int  # layouts of the cards (the workbook's, if made, not counted)


# ---- the knobs in the stylesheets ----

_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(pt|px|mm|cm|in)\s*$")
_POINTS = {"pt": 1.0, "px": PX, "mm": MM, "cm": 10 * MM, "in": 72.0}


def _points(name: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    match = _LENGTH.match(value)
    if not match:
        raise RenderError(
            f"{name}: '{value}' is not a length guidegen can use for the fit loop; give one "
            "in pt, px, mm, cm or in (as styles/cards.css does)"
        )
    return float(match.group(1)) * _POINTS[match.group(2)]


_COLOUR = re.compile(r"^\s*#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})\s*$")


@dataclass(frozen=True)
class Knobs:
    """What the fit loop and the cut marks read from the stylesheets' custom properties."""

    sizes: list[float]  # the text sizes a face may take, largest first, the floor last
    mark_colour: tuple[float, float, float]


def _colour(value: str | None) -> tuple[float, float, float]:
    if value is None:
        return (0.55, 0.55, 0.55)
    match = _COLOUR.match(value)
    if not match:
        raise RenderError(
            f"--cut-mark-colour: '{value}' is not a colour guidegen can draw; give it as "
            "#rgb or #rrggbb"
        )
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return cast(
        "tuple[float, float, float]",
        tuple(round(int(digits[i : i + 2], 16) / 255, 4) for i in (0, 2, 4)),
    )


def read_knobs(book: Book, log: FetchLog) -> Knobs:
    """``--card-text-size``, ``--card-shrink-step``, ``--card-floor-size`` and
    ``--cut-mark-colour`` as the linked stylesheets set them (a theme's last), read through
    the confined fetcher like the stylesheets themselves."""
    from guidegen.book.css import custom_properties

    fetcher = make_fetcher(allowed_roots(book.bank.content_dir, book.theme.roots), log)
    texts = []
    for name in STYLESHEETS:
        try:
            response = fetcher.fetch(book.theme.stylesheet(name).resolve().as_uri())
        except ValueError:
            continue  # refused, and reported through the log
        texts.append(response.read().decode("utf-8"))
    values = custom_properties(texts) or {}
    largest = _points("--card-text-size", values.get("--card-text-size"), 9.0)
    floor = _points("--card-floor-size", values.get("--card-floor-size"), 7.0)
    step = _points("--card-shrink-step", values.get("--card-shrink-step"), 0.5)
    if not (0 < floor <= largest) or step <= 0:
        raise RenderError(
            f"--card-floor-size ({floor:g} pt) must be above 0 and at most --card-text-size "
            f"({largest:g} pt), and --card-shrink-step ({step:g} pt) above 0"
        )
    sizes = []
    size = largest
    while size > floor + 1e-6:
        sizes.append(round(size, 3))
        size -= step
    return Knobs([*sizes, floor], _colour(values.get("--cut-mark-colour")))


# ---- what each face may show, most first ----


def answer_budget(grid: CardGrid) -> int:
    return round(grid.card[0] * grid.card[1] * ANSWER_DENSITY)


def front_contents(question: Question) -> list[Content]:
    """The title with its prompt; then the title with a line saying where the prompt is."""
    if question.prompt:
        return [Content(prompt=True), Content(more=True)]
    return [Content()]


def back_contents(question: Question, budget: int) -> list[Content]:
    """Key points, then fewer of them; or the answer cut to ``budget`` characters, then
    shorter cuts; and last of all only the line pointing at the workbook."""
    if question.key_points:
        points = tuple(question.key_points)
        return [
            Content(points=points[:count], more=count < len(points))
            for count in range(len(points), 0, -1)
        ] + [Content(more=True)]
    if not question.answer:
        return [Content()]
    found = units(question.answer)
    cuts = cut_points(found)
    first = within(found, cuts, budget)
    contents = [
        Content(answer=markdown_of(found[:count]), more=count < len(found))
        for count in reversed(cuts)
        if count <= first
    ]
    if cuts[0] == 1:  # one sentence, perhaps too long for any card: cut it by words
        contents += [Content(answer=markdown_of([cut]), more=True) for cut in word_cuts(found[0])]
    return contents + [Content(more=True)]


# ---- layout and measurement ----


def _html(
    book: Book, grid: CardGrid, pages: list[Page], sizes: list[float], log: FetchLog
) -> tuple[str, WeasyDocument]:
    from guidegen.layout.document import lay_out

    title = book.labels.text("cards.title", title=document_title(book, book.spec.person))
    subject = book.labels.text(
        "cards.subject", level=book.selection.role.level, role=book.selection.role.title
    )
    return lay_out(
        book,
        "cards.html",
        log,
        STYLESHEETS,
        title=title,
        subject=subject,
        grid=grid,
        pages=pages,
        fit_sizes=sizes,
        mm=lambda value: f"{value:.3f}mm",
    )


def measure(document: WeasyDocument) -> dict[str, bool]:
    """Whether each card's content stays inside its card box (the box inside the padding),
    by face key (the ``data-face`` of the card's element), read from WeasyPrint's layout
    tree."""
    fits: dict[str, bool] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if getattr(box, "element_tag", None) is None or element is None:
                continue
            key = element.get("data-face")
            if key is None or key in fits:
                continue  # the card's own box comes first; the rest are inside it
            left, top = box.content_box_x(), box.content_box_y()
            right, bottom = left + box.width, top + box.height
            inside = True
            for inner in (inner for child in box.children for inner in child.descendants()):
                x0, y0 = inner.border_box_x(), inner.border_box_y()
                x1, y1 = x0 + inner.border_width(), y0 + inner.border_height()
                if x1 - x0 <= 0 and y1 - y0 <= 0:
                    continue
                if (
                    x0 < left - _SLACK
                    or y0 < top - _SLACK
                    or x1 > right + _SLACK
                    or y1 > bottom + _SLACK
                ):
                    inside = False
                    break
            fits[key] = inside
    return fits


def _measured(document: WeasyDocument, keys: list[str]) -> dict[str, bool]:
    found = measure(document)
    missing = [key for key in keys if key not in found]
    if missing:
        raise RenderError(
            "templates/cards.html: a card has no element with its data-face attribute (a "
            "theme's card_front or card_back block must keep it, on the card's box); "
            f"missing: {', '.join(missing[:3])}"
        )
    return found


def _probe_pages(grid: CardGrid, faces: list[Face]) -> list[Page]:
    """Faces one after another in the grid's slots, for measuring only."""
    pages = []
    for start in range(0, len(faces), grid.per_sheet):
        chunk = [replace(face) for face in faces[start : start + grid.per_sheet]]
        for index, face in enumerate(chunk):
            face.left, face.top, _, _ = grid.box(*grid.slot(index))
        pages.append(Page("probe", chunk))
    return pages


def sheet_pages(grid: CardGrid, flip: str, fronts: list[Face], backs: list[Face]) -> list[Page]:
    """Front pages and back pages, alternating: each back behind its front for ``flip``."""
    pages = []
    for start in range(0, len(fronts), grid.per_sheet):
        front_page, back_page = Page("front", []), Page("back", [])
        for index in range(min(grid.per_sheet, len(fronts) - start)):
            column, row = grid.slot(index)
            front = replace(fronts[start + index])
            front.left, front.top, _, _ = grid.box(column, row)
            back = replace(backs[start + index])
            back.left, back.top, _, _ = grid.box(*grid.back_slot(column, row, flip))
            front_page.faces.append(front)
            back_page.faces.append(back)
        pages += [front_page, back_page]
    return pages


def cut_marks(grid: CardGrid) -> list[tuple[float, float, float, float]]:
    """(left, top, width, height) in mm of each cut mark: short lines in the margins, in line
    with every card edge, starting MARK_OFFSET outside the grid."""
    xs, ys = grid.edges()
    x_first, x_last, y_first, y_last = xs[0], xs[-1], ys[0], ys[-1]
    half = MARK_WIDTH / 2
    marks = []
    for x in xs:
        marks.append((x - half, y_first - MARK_OFFSET - MARK_LENGTH, MARK_WIDTH, MARK_LENGTH))
        marks.append((x - half, y_last + MARK_OFFSET, MARK_WIDTH, MARK_LENGTH))
    for y in ys:
        marks.append((x_first - MARK_OFFSET - MARK_LENGTH, y - half, MARK_LENGTH, MARK_WIDTH))
        marks.append((x_last + MARK_OFFSET, y - half, MARK_LENGTH, MARK_WIDTH))
    return marks


# ---- the fit loop ----


@dataclass
class _Plan:
    face: Face
    contents: list[Content]
    choice: int = 0  # index into contents
    step: int = 0


def render_cards(book: Book, grid: CardGrid, flip: str) -> Cards:
    """The selection as a flashcard PDF: fronts and backs on alternating pages."""
    log = FetchLog()
    knobs = read_knobs(book, log)
    sizes = knobs.sizes
    floor = len(sizes) - 1
    budget = answer_budget(grid)
    plans: list[_Plan] = []
    for number, question in enumerate(book.selection.questions, start=1):
        for side, contents in (
            ("front", front_contents(question)),
            ("back", back_contents(question, budget)),
        ):
            face = Face(f"{side[0]}{number}", side, number, question, contents[0])
            plans.append(_Plan(face, contents))
    pages_of = _WorkbookPages(book)
    layouts = 0

    def probe(trials: list[tuple[_Plan, int, int]]) -> dict[str, bool]:
        nonlocal layouts
        faces = []
        for plan, choice, step in trials:
            content = plan.contents[choice]
            faces.append(
                replace(
                    plan.face,
                    key=f"{plan.face.key}-{choice}-{step}",
                    content=content,
                    step=step,
                    page=pages_of(plan.face.question.id) if content.more else None,
                )
            )
        _, document = _html(book, grid, _probe_pages(grid, faces), sizes, log)
        layouts += 1
        found = _measured(document, [face.key for face in faces])
        return {face.key: found[face.key] for face in faces}

    def sheets() -> tuple[list[Page], WeasyDocument, dict[str, bool]]:
        nonlocal layouts
        chosen = []
        for plan in plans:
            content = plan.contents[plan.choice]
            page = pages_of(plan.face.question.id) if content.more else None
            chosen.append(replace(plan.face, content=content, step=plan.step, page=page))
        pages = sheet_pages(grid, flip, chosen[0::2], chosen[1::2])
        _, document = _html(book, grid, pages, sizes, log)
        layouts += 1
        return pages, document, _measured(document, [plan.face.key for plan in plans])

    # Every face at its fullest and largest, on the sheets: when all fit, that is the file.
    # Else the ones that overflow at each smaller size; then those that overflow even at the
    # floor, cut; and the sheets once more.
    pages, document, fits = sheets()
    overflowing = [plan for plan in plans if not fits[plan.face.key]]
    if overflowing:
        if floor > 0:
            fits = probe([(plan, 0, step) for plan in overflowing for step in range(1, floor + 1)])
            still = []
            for plan in overflowing:
                steps = [s for s in range(1, floor + 1) if fits[f"{plan.face.key}-0-{s}"]]
                if steps:
                    plan.step = steps[0]
                else:
                    still.append(plan)
            overflowing = still
        if overflowing:
            _shorten(overflowing, floor, probe, sizes[floor])
            # A cut can be much shorter than what overflowed (a prompt gives way to one line):
            # it takes the largest size at which it fits.
            if floor > 0:
                fits = probe(
                    [(plan, plan.choice, step) for plan in overflowing for step in range(floor)]
                )
                for plan in overflowing:
                    plan.step = next(
                        (s for s in range(floor) if fits[f"{plan.face.key}-{plan.choice}-{s}"]),
                        floor,
                    )
        pages, document, fits = sheets()
        overflow = sorted(key for key, inside in fits.items() if not inside)
        if overflow:  # the same faces at the same sizes fitted when they were probed
            raise RenderError(
                f"cards {', '.join(overflow)} overflow on the sheet; please report this"
            )
    marks = cut_marks(grid)
    data = finish_cards(
        pdf_bytes(document, log=log),
        [marks if page.side == "front" else [] for page in pages],
        knobs.mark_colour,
    )
    return Cards(
        data,
        cards=len(plans) // 2,
        sheets=len(pages) // 2,
        pages=len(document.pages),
        refused=log.refused,
        warnings=list(book.labels.warnings)
        + ([missing_glyphs_warning(log.missing_glyphs)] if log.missing_glyphs else []),
        shrunk=sum(1 for plan in plans if plan.step > 0),
        shortened=sum(1 for plan in plans if plan.contents[plan.choice].more),
        layouts=layouts,
    )


# Cuts probed per face and round: each round narrows the cuts still in question about
# eightfold, so the three hundred word cuts of one long sentence take three rounds.
PROBES_PER_ROUND = 7


def _shorten(
    plans: list[_Plan],
    floor: int,
    probe: Callable[[list[tuple[_Plan, int, int]]], dict[str, bool]],
    floor_size: float,
) -> None:
    """For each face that overflows at the floor size, the longest cut that fits there.

    A face's cuts run from most to least text, so if one fits, every later one fits too: a
    search that probes a few cuts of every face in one layout, then a few between the last
    that overflowed and the first that fitted, until the two are neighbours.
    """
    # Per face: the last cut known to overflow, and the first known to fit (None: none yet).
    bounds: dict[int, tuple[int, int | None]] = {id(plan): (0, None) for plan in plans}
    while True:
        trials = []
        for plan in plans:
            bad, good = bounds[id(plan)]
            last = len(plan.contents) - 1 if good is None else good - 1
            span = list(range(bad + 1, last + 1))
            trials += [(plan, choice, floor) for choice in _spread(span, PROBES_PER_ROUND)]
        if not trials:
            break
        fits = probe(trials)
        for plan, choice, _ in trials:
            bad, good = bounds[id(plan)]
            if fits[f"{plan.face.key}-{choice}-{floor}"]:
                bounds[id(plan)] = (bad, choice if good is None else min(good, choice))
            else:
                bounds[id(plan)] = (max(bad, choice), good)
        for plan in plans:
            if bounds[id(plan)][1] is None:  # not even the shortest cut fits
                raise RenderError(_too_long(plan.face, floor_size))
    for plan in plans:
        good = bounds[id(plan)][1]
        if good is None:  # a face with no shorter cut to try, when no other face had one
            raise RenderError(_too_long(plan.face, floor_size))
        plan.choice, plan.step = good, floor


def _spread(span: list[int], count: int) -> list[int]:
    """At most ``count`` + 1 members of ``span``, evenly spread, its first and last among
    them."""
    if len(span) <= count + 1:
        return span
    return sorted({span[i * (len(span) - 1) // count] for i in range(count + 1)})


def _too_long(face: Face, floor: float) -> str:
    what = "its title" if face.side == "front" else "even a line pointing at the workbook"
    return (
        f"question '{face.question.id}': {what} does not fit on a card at {floor:g} pt; "
        "shorten the title or choose a larger --card-size"
    )


class _WorkbookPages:
    """The page each question starts on in the workbook of the same spec: laid out (not
    written) the first time a card asks, since that costs about as much as a build."""

    def __init__(self, book: Book):
        self.book = book
        self.pages: dict[str, int] | None = None

    def __call__(self, question_id: str) -> int:
        if self.pages is None:
            self.pages = workbook_pages(self.book)
        return self.pages[question_id]


def workbook_pages(book: Book) -> dict[str, int]:
    from guidegen.layout.document import lay_out_whole

    _, document = lay_out_whole(book, FetchLog())
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor.startswith("q-"):
                pages.setdefault(anchor[2:], number)
    return pages


def finish_cards(
    data: bytes,
    marks: list[list[tuple[float, float, float, float]]],
    colour: tuple[float, float, float],
) -> bytes:
    """The written PDF finished: the cut marks drawn on each page (``marks[i]`` on page i,
    in mm from the top-left) as artifacts, outside the structure tree; hyphens from
    hyphenation marked as soft (guidegen.pdf.finish); a file identifier derived from the
    content."""
    import pikepdf

    from guidegen.pdf.finish import unhyphenate
    from guidegen.pdf.postprocess import to_bytes

    r, g, b = colour
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page, rects in zip(pdf.pages, marks):
            if not rects:
                continue
            height = float(page.mediabox[3])
            ops = [f"/Artifact BMC q {r:.4f} {g:.4f} {b:.4f} rg"]
            for x, y, width, tall in rects:
                ops.append(
                    f"{x * MM:.3f} {height - (y + tall) * MM:.3f} {width * MM:.3f} "
                    f"{tall * MM:.3f} re f"
                )
            ops.append("Q EMC\n")
            page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
            page.contents_add(pdf.make_stream(b"\nQ\n" + "\n".join(ops).encode()))
        unhyphenate(pdf)
        return to_bytes(pdf)
