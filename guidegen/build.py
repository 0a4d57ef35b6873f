"""What ``build`` and ``cards`` write, through the builders' one walk (``guidegen.builders.run``):
load → select → HTML → PDF → post-process → write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from guidegen.builders import Builder, Made, builder, run
from guidegen.content.load import Bank
from guidegen.spec import WorkbookSpec


@dataclass
class BuildResult:
    path: Path
    pages: int
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    html_path: Path | None = None
    stitched: tuple[int, ...] = ()  # a booklet's stitched parts, in pages
    written: list[Made] = field(default_factory=list)  # in the order written, HTML first


def build(
    spec: WorkbookSpec,
    out: Path | None = None,
    write_html: bool = False,
    bank: Bank | None = None,
    status: Callable[[str], None] = lambda what: None,
) -> BuildResult:
    """Write the workbook ``spec`` describes to ``out`` (default: output/ROLE.pdf), and with
    ``write_html`` its HTML beside it (ROLE.html)."""
    from guidegen.builders.workbook import workbook_builder

    outputs: list[tuple[Builder, Path | None]] = []
    if write_html:  # written first, as it was before the PDF existed
        outputs.append((builder("html"), out.with_suffix(".html") if out else None))
    outputs.append((builder(workbook_builder(spec)), out))
    written, warnings = run(spec, outputs, bank, status)
    pdf = written[-1]
    return BuildResult(
        pdf.path,
        pdf.output.facts["pages"],
        pdf.output.refused,
        warnings,
        written[0].path if write_html else None,
        pdf.output.facts["stitched"],
        written,
    )


@dataclass
class CardsResult:
    written: list[Made] = field(default_factory=list)  # the deck, the TSV, then the PDF
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


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
    a deck or a TSV is asked for, and the deck and the TSV if asked for. A deck or a TSV alone
    never starts WeasyPrint."""
    outputs: list[tuple[Builder, Path | None]] = []
    if anki is not None:
        outputs.append((builder("anki"), anki))
    if tsv is not None:
        outputs.append((builder("tsv"), tsv))
    if out is not None or not outputs:
        outputs.append((builder("cards", card_size=card_size, flip=flip), out))
    written, warnings = run(spec, outputs, bank, status)
    refused = [entry for made in written for entry in made.output.refused]
    return CardsResult(written, warnings, refused)
