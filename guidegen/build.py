"""The pipeline in one place: load → select → HTML → PDF → write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from guidegen.html import Layout, render_html
from guidegen.load import Bank
from guidegen.pdf import FetchLog, allowed_roots, pdf_bytes, render_document, write_atomically
from guidegen.select import Selection


@dataclass
class BuildResult:
    path: Path
    pages: int
    refused: list[str] = field(default_factory=list)
    html_path: Path | None = None


def build_pdf(bank: Bank, selection: Selection, layout: Layout, out: Path,
              write_html: bool = False) -> BuildResult:
    html = render_html(selection, bank.workbook, layout)
    html_path = None
    if write_html:
        html_path = out.with_suffix(".html")
        write_atomically(html_path, lambda stream: stream.write(html.encode("utf-8")))
    log = FetchLog()
    document = render_document(html, bank.content_dir, allowed_roots(bank.content_dir), log)
    data = pdf_bytes(document)
    write_atomically(out, lambda stream: stream.write(data))
    return BuildResult(out, len(document.pages), log.refused, html_path)
