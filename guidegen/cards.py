"""Flashcards from a spec: the cut-out PDF, an Anki deck and a TSV, each written atomically.

Only what is asked for is made: ``--anki`` or ``--tsv`` alone writes no PDF (and never starts
WeasyPrint); with ``--out`` as well, or with none of the three, the PDF is written too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from guidegen.content.load import Bank, load_bank
from guidegen.output import refuse_unwritable, write_atomically
from guidegen.paths import DEFAULT_OUTPUT_DIR
from guidegen.spec import WorkbookSpec, card_grid


@dataclass
class CardsResult:
    pdf: Path | None = None
    cards: int = 0
    sheets: int = 0
    pages: int = 0
    shrunk: int = 0  # card sides set below the largest text size
    shortened: int = 0  # card sides that point at the workbook for the rest
    anki: Path | None = None
    deck: str = ""
    notes: int = 0
    tsv: Path | None = None
    lines: int = 0
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build_cards(
    spec: WorkbookSpec,
    out: Path | None = None,
    card_size: str = "8-up",
    flip: str = "long-edge",
    anki: Path | None = None,
    tsv: Path | None = None,
    bank: Bank | None = None,
    status: Callable[[str], None] = lambda what: None,
) -> CardsResult:
    """Write the flashcards of ``spec``: the PDF (default output/ROLE-cards.pdf) unless only
    a deck or a TSV is asked for, and the deck and the TSV if asked for."""
    from guidegen.render.workbook import prepare

    grid = card_grid(card_size, spec.paper, flip)  # a bad size is refused before any work
    status("Loading the content")
    bank = bank or load_bank(spec.content)
    book = prepare(bank, spec)
    if out is None and anki is None and tsv is None:
        out = DEFAULT_OUTPUT_DIR / f"{book.selection.role.id}-cards.pdf"
    for path in (out, anki, tsv):
        if path is not None:
            refuse_unwritable(path)  # before seconds of layout, not after
    result = CardsResult(warnings=[problem.one_line() for problem in bank.warnings])
    if anki is not None or tsv is not None:
        from guidegen.render import decks

        if anki is not None:
            deck = decks.anki_deck(book)
            write_atomically(anki, decks.anki_package(deck))
            result.anki, result.deck, result.notes = anki, deck.name, len(deck.notes)
        if tsv is not None:
            text = decks.tsv_text(book)
            write_atomically(tsv, text.encode("utf-8"))
            result.tsv, result.lines = tsv, len(book.selection.questions)
    if out is not None:
        from guidegen.render.cards import render_cards

        status(f"Laying out {len(book.selection.questions)} cards")
        cards = render_cards(book, grid, flip)
        write_atomically(out, cards.data)
        result.pdf, result.cards, result.sheets, result.pages = (
            out,
            cards.cards,
            cards.sheets,
            cards.pages,
        )
        result.shrunk, result.shortened = cards.shrunk, cards.shortened
        result.refused = cards.refused
        result.warnings += cards.warnings
    else:
        result.warnings += list(book.labels.warnings)
    return result
