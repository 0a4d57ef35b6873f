"""The pipeline in one place: load → select → HTML → PDF → post-process → write."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from guidegen.errors import RenderError
from guidegen.html import BOOKLET_PAGE, Layout, render_html
from guidegen.load import Bank
from guidegen.output import write_atomically
from guidegen.pdf import FetchLog, allowed_roots, pdf_bytes, render_document
from guidegen.select import Personal, Selection


@dataclass
class BuildResult:
    path: Path
    pages: int
    refused: list[str] = field(default_factory=list)
    html_path: Path | None = None


def render_pdf(
    bank: Bank,
    selection: Selection,
    layout: Layout,
    template: str = "workbook.html",
    people: list[Personal] = (),
) -> bytes:
    """One HTML template rendered to PDF bytes, untagged (used for cover overlays, which are
    stamped onto a tagged body as artifacts)."""
    html = render_html(selection, bank.workbook, layout, template, people)
    document = render_document(html, bank.content_dir, allowed_roots(bank.content_dir), FetchLog())
    return pdf_bytes(document, tagged=False)


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    refused: list[str]
    html: str


def render_workbook(bank: Bank, selection: Selection, layout: Layout, pad_to: int = 1) -> Rendered:
    """The workbook as PDF bytes, with its page count, refused references and HTML.

    With ``pad_to`` (4 for a booklet) extra notes pages are added until the page count is a
    multiple of it, so that padding is useful paper with correct page numbers, not blanks.
    """
    for _ in range(4):
        log = FetchLog()
        html = render_html(selection, bank.workbook, layout)
        document = render_document(html, bank.content_dir, allowed_roots(bank.content_dir), log)
        missing = (-len(document.pages)) % pad_to
        if not missing:
            data = pdf_bytes(document, pdf_forms=layout.fillable)
            return Rendered(data, len(document.pages), log.refused, html)
        layout = replace(layout, notes_pages=layout.notes_pages + missing)
    raise RenderError(
        "could not pad the booklet to a multiple of 4 pages: the notes pages "
        "did not lay out one page each"
    )


def build_pdf(
    bank: Bank,
    selection: Selection,
    layout: Layout,
    out: Path,
    write_html: bool = False,
    booklet: bool = False,
) -> BuildResult:
    if booklet:
        sheet = layout.paper
        layout = replace(layout, paper=BOOKLET_PAGE[sheet])
    rendered = render_workbook(bank, selection, layout, pad_to=4 if booklet else 1)
    data = rendered.pdf
    if booklet:
        from guidegen.postprocess import impose

        data = impose(data, sheet)
    html_path = None
    if write_html:
        html_path = out.with_suffix(".html")
        write_atomically(html_path, rendered.html.encode("utf-8"))
    write_atomically(out, data)
    return BuildResult(out, rendered.pages, rendered.refused, html_path)
