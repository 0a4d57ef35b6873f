"""The workbook spec: everything that decides one workbook, in one immutable value.

Every command that makes a workbook (build, batch, and those that follow) gets a
``WorkbookSpec`` from the same Click options (``guidegen.cli.options``); a batch row is the
command's spec with that row's fields replaced. Values are checked once, here, where a spec is
made, against the tables below: there is no other list of paper sizes or editions.

This module imports nothing heavy, so ``--help`` stays fast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from guidegen.errors import UsageError
from guidegen.paths import CONTENT_DIR


@dataclass(frozen=True)
class Paper:
    """A page size and the margins (mm) that suit it; inner is the binding side."""

    css_size: str
    css_landscape: str
    height: float  # mm, portrait
    top: float
    bottom: float
    inner: float
    outer: float
    cover_margin: tuple[float, float]
    booklet_page: str | None = None  # the page size two of which fit on this sheet
    sheet_points: tuple[float, float] | None = None  # the sheet, landscape, for imposition
    width: float = 210  # mm, portrait

    @property
    def column_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def column_width(self) -> float:
        return self.width - self.inner - self.outer


_MM = 72 / 25.4
PAPERS: dict[str, Paper] = {
    # A 140 mm text column on A4 and Letter (about 70 characters of 10.5 pt serif), with the
    # wide margin on the outside for the reader's own notes.
    "a4": Paper(
        "A4", "A4 landscape", 297, 20, 18, 24, 46, (30, 24), "a5", (297 * _MM, 210 * _MM), 210
    ),
    "letter": Paper(
        "letter",
        "letter landscape",
        279.4,
        19,
        17,
        24,
        51.9,
        (28, 26),
        "half-letter",
        (11 * 72, 8.5 * 72),
        215.9,
    ),
    # Booklet pages, two to a sheet: a 118 mm column on A5 (about 64 characters at 10 pt).
    "a5": Paper("A5", "A5 landscape", 210, 14, 14, 17, 13, (18, 15), width=148),
    "half-letter": Paper(
        "5.5in 8.5in", "8.5in 5.5in", 215.9, 14, 14, 16, 12, (18, 14), width=139.7
    ),
}
SHEETS = tuple(name for name, paper in PAPERS.items() if paper.booklet_page)  # --paper choices


@dataclass(frozen=True)
class Edition:
    """What an edition prints and how much room it gives."""

    notes_lines: int  # ruled lines under a general or technical question (at least)
    shows_answers: bool
    for_candidates: bool  # study plan, story bank, STAR blocks, the candidate's checklist
    # Every question a spread: the question on a left-hand page, its notes on the facing
    # right-hand page. Where a question's text is long (a sample answer), it and a useful
    # amount of writing room do not fit on one page, and the reader must see both at once.
    question_spreads: bool = False


EDITIONS: dict[str, Edition] = {
    "study": Edition(
        notes_lines=12, shows_answers=True, for_candidates=True, question_spreads=True
    ),
    # Practice copies are for mock interviews: room for a full answer, no sample answers. A
    # question and its notes share one page (a question is short without its answer).
    "practice": Edition(notes_lines=12, shows_answers=False, for_candidates=True),
    # The facilitator's answer key only needs room for remarks, on the question's page.
    "facilitator": Edition(notes_lines=3, shows_answers=True, for_candidates=False),
}


@dataclass(frozen=True)
class Person:
    """Who the workbook is for and when."""

    name: str | None = None
    company: str | None = None
    date: dt.date | None = None  # the interview
    start: dt.date | None = None  # first day of the study plan


@dataclass(frozen=True)
class Posting:
    """A job advert the workbook is tailored to (``--posting``): its text, read once, so that
    batch copies and worker processes share it without reading the file again."""

    name: str  # the file's name, as the workbook mentions it
    text: str = field(repr=False)


@dataclass(frozen=True)
class WorkbookSpec:
    content: Path = CONTENT_DIR
    role: str | None = None
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    count: int | None = None
    seed: int = 0
    edition: str = "study"
    paper: str = "a4"
    booklet: bool = False
    fillable: bool = False
    print_shop: bool = False  # PDF/X-4: bleed, marks outside it, output intent (pdf/printshop.py)
    language: str | None = None  # None: the content's own language
    theme: Path | None = None  # None: the content's theme, if it names one, else the built-in
    person: Person = field(default_factory=Person)
    posting: Posting | None = None  # a job advert to tailor the selection and worksheet to

    def __post_init__(self):
        if self.edition not in EDITIONS:
            raise UsageError(
                f"unknown edition '{self.edition}'; choose one of: {', '.join(EDITIONS)}"
            )
        if self.paper not in SHEETS:
            raise UsageError(f"unknown paper '{self.paper}'; choose one of: {', '.join(SHEETS)}")
        if self.role is not None and not self.role.strip():
            raise UsageError(
                "--role is empty; give a role id, or leave --role out for the "
                "default (see `guidegen roles`)"
            )
        if self.count is not None and self.count < 1:
            raise UsageError("--count must be at least 1")
        if self.fillable and self.booklet:
            raise UsageError(
                "--fillable and --booklet cannot be combined: imposing pages two "
                "to a sheet drops form fields. Build the fillable file for screens "
                "and the booklet for paper."
            )
        if self.print_shop and (self.booklet or self.fillable):
            raise UsageError(
                f"--print-shop and --{'booklet' if self.booklet else 'fillable'} cannot be "
                "combined: a print shop imposes the pages itself and prints what is on them. "
                "Give it the --print-shop file alone."
            )

    def with_changes(self, **changes) -> WorkbookSpec:
        return dataclasses.replace(self, **changes)

    def with_person(self, **changes) -> WorkbookSpec:
        return dataclasses.replace(self, person=dataclasses.replace(self.person, **changes))

    @property
    def page_paper(self) -> str:
        """The paper the pages are laid out on: an A5 page for an A4 booklet."""
        page = PAPERS[self.paper].booklet_page if self.booklet else self.paper
        assert page is not None  # __post_init__ accepts only SHEETS, which have a booklet page
        return page

    @property
    def body_key(self) -> WorkbookSpec:
        """The spec without the reader's name: copies that agree on it share one body."""
        return self.with_person(name=None)


# ---- flashcards (guidegen cards) ----

FLIPS = ("long-edge", "short-edge")  # what the print dialog calls the two duplex modes


@dataclass(frozen=True)
class CardGrid:
    """How one card size sits on one sheet of paper, in millimetres.

    The grid is centred on the sheet, so a sheet turned over puts each card slot exactly over
    another one: the back of the card in column c lands in column ``columns - 1 - c`` when the
    flip mirrors columns, in row ``rows - 1 - r`` when it mirrors rows.
    """

    sheet: tuple[float, float]  # width, height of the sheet as the pages are laid out
    card: tuple[float, float]  # width, height of one card
    columns: int
    rows: int
    gap: float = 0.0  # between neighbouring cards; 0: one cut between two cards

    @property
    def landscape(self) -> bool:
        return self.sheet[0] > self.sheet[1]

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def margins(self) -> tuple[float, float]:
        """The left (= right) and top (= bottom) margin around the grid."""
        width = self.columns * self.card[0] + (self.columns - 1) * self.gap
        height = self.rows * self.card[1] + (self.rows - 1) * self.gap
        return (self.sheet[0] - width) / 2, (self.sheet[1] - height) / 2

    def slot(self, index: int) -> tuple[int, int]:
        """(column, row) of the ``index``-th card on a front page, row by row."""
        return index % self.columns, index // self.columns

    def box(self, column: int, row: int) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of a card slot, from the sheet's top-left corner."""
        left, top = self.margins
        x0 = left + column * (self.card[0] + self.gap)
        y0 = top + row * (self.card[1] + self.gap)
        return x0, y0, x0 + self.card[0], y0 + self.card[1]

    def mirrors_columns(self, flip: str) -> bool:
        """Whether turning the sheet over swaps columns (else it swaps rows).

        Turning a sheet over its long edge mirrors what lies across that edge. On a portrait
        page the long edge runs up and down, so columns swap; on a landscape page it runs
        across, so rows swap. The short edge is the other way round.
        """
        return (flip == "long-edge") != self.landscape

    def back_slot(self, column: int, row: int, flip: str) -> tuple[int, int]:
        """Where the back of the card at (column, row) of a front page goes on the back page."""
        if self.mirrors_columns(flip):
            return self.columns - 1 - column, row
        return column, self.rows - 1 - row

    def edges(self) -> tuple[list[float], list[float]]:
        """The x of every vertical card edge and the y of every horizontal one."""
        xs = sorted({x for c in range(self.columns) for x in self.box(c, 0)[0::2]})
        ys = sorted({y for r in range(self.rows) for y in self.box(0, r)[1::2]})
        return xs, ys


@dataclass(frozen=True)
class CardSize:
    description: str
    grids: dict[str, CardGrid]  # by --paper


def _sheet(paper: str, landscape: bool) -> tuple[float, float]:
    sheet_points = PAPERS[paper].sheet_points
    assert sheet_points is not None  # called only for the sheets (SHEETS), which have them
    long_side, short_side = (v / _MM for v in sheet_points)
    return (long_side, short_side) if landscape else (short_side, long_side)


_INCH = 25.4
# Every margin is at least 10 mm, so the cut marks (1.5-4.5 mm outside the cards) stay clear of
# the 4-6.35 mm that office printers cannot print at the edge of a sheet.
CARD_SIZES: dict[str, CardSize] = {
    "8-up": CardSize(
        "eight cards to a sheet, two across and four down",
        {
            # 94 x 68 mm: margins of 11 mm at the sides and 12.5 mm at the top and bottom.
            "a4": CardGrid(_sheet("a4", False), (94, 68), 2, 4),
            # 3.75 x 2.5 in: half-inch margins all round.
            "letter": CardGrid(_sheet("letter", False), (3.75 * _INCH, 2.5 * _INCH), 2, 4),
        },
    ),
    "index": CardSize(
        "3 x 5 in index cards, four to a landscape sheet",
        {
            "a4": CardGrid(_sheet("a4", True), (5 * _INCH, 3 * _INCH), 2, 2),
            "letter": CardGrid(_sheet("letter", True), (5 * _INCH, 3 * _INCH), 2, 2),
        },
    ),
    "a7": CardSize(
        "A7 cards (105 x 74 mm, landscape), four to a landscape sheet",
        {
            "a4": CardGrid(_sheet("a4", True), (105, 74), 2, 2),
            "letter": CardGrid(_sheet("letter", True), (105, 74), 2, 2),
        },
    ),
}


def card_grid(size: str, paper: str, flip: str) -> CardGrid:
    """The grid for ``--card-size`` on ``--paper``; UsageError names the valid choices."""
    if size not in CARD_SIZES:
        raise UsageError(f"unknown card size '{size}'; choose one of: {', '.join(CARD_SIZES)}")
    if flip not in FLIPS:
        raise UsageError(f"unknown --flip '{flip}'; choose one of: {', '.join(FLIPS)}")
    return CARD_SIZES[size].grids[paper]
