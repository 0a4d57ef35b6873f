"""The flashcards' builders: the cut-out PDF, the Anki deck and the TSV, from the same book.

Only the PDF lays anything out; a deck or a TSV alone never starts WeasyPrint.
"""

from __future__ import annotations

from typing import ClassVar

from guidegen.builders import Builder, Output, Work, register
from guidegen.spec import WorkbookSpec, card_grid


@register
class CardsBuilder(Builder):
    name: ClassVar[str] = "cards"
    default_name: ClassVar[str] = "{role}-cards.pdf"

    def __init__(self, card_size: str = "8-up", flip: str = "long-edge"):
        self.card_size, self.flip = card_size, flip

    def check(self, spec: WorkbookSpec) -> None:
        card_grid(self.card_size, spec.paper, self.flip)  # a bad size is refused here

    def make(self, work: Work) -> Output:
        from guidegen.cards.sheets import render_cards

        grid = card_grid(self.card_size, work.book.spec.paper, self.flip)
        work.status(f"Laying out {len(work.book.selection.questions)} cards")
        cards = render_cards(work.book, grid, self.flip)
        sheets = "sheet" if cards.sheets == 1 else "sheets"
        summary = (
            f"{{path}} ({cards.cards} cards on {cards.sheets} {sheets}, {cards.pages} pages; "
            f"print duplex, flip on the {self.flip.replace('-', ' ')})"
        )
        notes = []
        if cards.shrunk:
            notes.append(f"{_sides(cards.shrunk)} set in smaller type to fit")
        if cards.shortened:
            notes.append(f"{_sides(cards.shortened)} shortened, pointing at the workbook page")
        if notes:
            summary += "\n" + "; ".join(notes)
        facts = {
            "cards": cards.cards,
            "sheets": cards.sheets,
            "pages": cards.pages,
            "shrunk": cards.shrunk,
            "shortened": cards.shortened,
        }
        return Output(cards.data, summary, facts, cards.warnings, cards.refused)


def _sides(count: int) -> str:
    return f"{count} card side" if count == 1 else f"{count} card sides"


@register
class AnkiBuilder(Builder):
    """An Anki package (.apkg, genanki): one note per question, ids stable across builds."""

    name: ClassVar[str] = "anki"
    default_name: ClassVar[str] = "{role}.apkg"

    def make(self, work: Work) -> Output:
        from guidegen.cards import decks

        deck = decks.anki_deck(work.book)
        facts = {"deck": deck.name, "notes": len(deck.notes)}
        summary = f"{{path}} ({len(deck.notes)} notes, deck {deck.name})"
        return Output(decks.anki_package(deck), summary, facts, list(work.book.labels.warnings))


@register
class TsvBuilder(Builder):
    """question<TAB>answer lines for Anki's (or a spreadsheet's) import."""

    name: ClassVar[str] = "tsv"
    default_name: ClassVar[str] = "{role}.tsv"

    def make(self, work: Work) -> Output:
        from guidegen.cards import decks

        lines = len(work.book.selection.questions)
        warnings = list(work.book.labels.warnings)
        return Output(
            decks.tsv_text(work.book).encode("utf-8"),
            f"{{path}} ({lines} lines)",
            {"lines": lines},
            warnings,
        )
