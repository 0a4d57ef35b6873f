"""The build pipeline for one workbook: load → select → HTML → PDF → post-process → write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from guidegen.content.load import Bank, load_bank
from guidegen.output import refuse_unwritable, write_atomically
from guidegen.paths import DEFAULT_OUTPUT_DIR
from guidegen.spec import WorkbookSpec


@dataclass
class BuildResult:
    path: Path
    pages: int
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    html_path: Path | None = None
    stitched: tuple[int, ...] = ()  # a booklet's stitched parts, in pages


def build(
    spec: WorkbookSpec,
    out: Path | None = None,
    write_html: bool = False,
    bank: Bank | None = None,
    status: Callable[[str], None] = lambda what: None,
) -> BuildResult:
    """Write the workbook ``spec`` describes to ``out`` (default: output/ROLE.pdf)."""
    from guidegen.render.workbook import prepare, render_workbook

    status("Loading the content")
    bank = bank or load_bank(spec.content)
    book = prepare(bank, spec)
    out = out or DEFAULT_OUTPUT_DIR / f"{book.selection.role.id}.pdf"
    refuse_unwritable(out)  # before seconds of layout, not after
    html_path = out.with_suffix(".html") if write_html else None
    if html_path:
        refuse_unwritable(html_path)
    status(f"Laying out {len(book.selection.questions)} questions")
    rendered = render_workbook(book)
    status(f"Writing {rendered.pages} pages")
    if html_path:
        write_atomically(html_path, rendered.html.encode("utf-8"))
    write_atomically(out, rendered.finished())
    warnings = [f"{problem.one_line()}" for problem in bank.warnings] + rendered.warnings
    return BuildResult(
        out, rendered.pages, rendered.refused, warnings, html_path, rendered.stitched
    )
