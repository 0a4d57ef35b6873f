"""guidegen cards: flashcards to cut out (PDF), an Anki deck and a TSV from the same bank."""

from __future__ import annotations

import click

from guidegen.cli.common import TEXT, OutFile, Status, load, warn
from guidegen.cli.options import spec_options
from guidegen.spec import CARD_SIZES, FLIPS

# A card has no cover, no writing space and no editions: these would change nothing on it.
LEFT_OUT = ("edition", "booklet", "fillable", "print_shop", "name", "interview_date", "plan_start")


@click.command()
@spec_options(leave_out=LEFT_OUT)
@click.option("--out", type=OutFile(".pdf"), help="PDF to write (default: output/ROLE-cards.pdf).")
@click.option(
    "--card-size",
    default="8-up",
    show_default=True,
    metavar="SIZE",
    type=TEXT,
    help="; ".join(f"{name}: {size.description}" for name, size in CARD_SIZES.items()) + ".",
)
@click.option(
    "--flip",
    default="long-edge",
    show_default=True,
    metavar="EDGE",
    type=TEXT,
    help=f"The duplex setting you will print with: {' or '.join(FLIPS)}. Each back lands "
    "behind its front.",
)
@click.option("--anki", type=OutFile(".apkg"), help="Also write an Anki deck (.apkg).")
@click.option(
    "--tsv", type=OutFile(".tsv"), help="Also write question<TAB>answer lines for Anki's import."
)
def cards(spec, out, card_size, flip, anki, tsv):
    """Flashcards to print double-sided and cut out: the question on the front, key points or
    the answer on the back. With --anki or --tsv alone, only those are written."""
    from guidegen.build import build_cards

    with Status() as status:
        status("Loading the content")
        bank = load(spec.content)  # through the content cache, as build does
        result = build_cards(
            spec, out, card_size.lower(), flip.lower(), anki, tsv, bank=bank, status=status
        )
    for message in result.warnings:
        warn(message)
    for refused in result.refused:
        warn(f"refused reference {refused}")
    for made in result.written:
        click.echo(made.summary)
