"""The workbook's builders: the PDF (plain, a booklet, or for a print shop) and its HTML.

The three PDFs come out of one render path (``guidegen.workbook``); the spec decides the page
size, the padding and the finishing, and the builder what is written and said about it. The
HTML is the laid-out book's own (after the spread rule marked its long questions), so it is
made from the same layout when the PDF is written too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from guidegen.builders import Builder, Output, Work, register
from guidegen.spec import WorkbookSpec

if TYPE_CHECKING:
    from guidegen.workbook import Rendered


def rendered(work: Work) -> Rendered:
    """The book laid out and finished, once per run."""

    def render() -> Rendered:
        from guidegen.workbook import render_workbook

        work.status(f"Laying out {len(work.book.selection.questions)} questions")
        result = render_workbook(work.book)
        work.status(f"Writing {result.pages} pages")
        return result

    made: Rendered = work.once("rendered", render)  # Work.made holds each key's make() result
    return made


@register
class WorkbookBuilder(Builder):
    name: ClassVar[str] = "workbook"
    default_name: ClassVar[str] = "{role}.pdf"

    def make(self, work: Work) -> Output:
        result = rendered(work)
        return Output(
            result.finished(),
            self.summary(result),
            {"pages": result.pages, "stitched": result.stitched},
            result.warnings,
            result.refused,
        )

    def summary(self, result: Rendered) -> str:
        return f"{{path}} ({result.pages} pages)"


@register
class BookletBuilder(WorkbookBuilder):
    """A5 pages imposed two-up on A4 (half-letter on Letter), folded and stapled; a book past
    one staple in stitched parts (``guidegen.layout.stitching``)."""

    name: ClassVar[str] = "booklet"

    def summary(self, result: Rendered) -> str:
        how = "print duplex, flip on the short edge"
        if result.stitched:  # too thick for one staple: the parts' sheets follow one another
            first, parts = 1, []
            for number, pages in enumerate(result.stitched, start=1):
                parts.append(f"part {number}: sheets {first}-{first + pages // 4 - 1}")
                first += pages // 4
            how += (
                "; too thick for one staple, so fold and staple "
                f"{len(result.stitched)} parts: {', '.join(parts)}"
            )
        return f"{{path}} ({result.pages} pages on {result.pages // 4} sheets, {how})"


@register
class PrintShopBuilder(WorkbookBuilder):
    """PDF/X-4 for a print shop: bleed, crop marks outside it, an output intent
    (``guidegen.pdf.printshop``)."""

    name: ClassVar[str] = "print-shop"


@register
class HtmlBuilder(Builder):
    """The workbook as one HTML document, its stylesheets linked (``--html``)."""

    name: ClassVar[str] = "html"
    default_name: ClassVar[str] = "{role}.html"

    def make(self, work: Work) -> Output:
        return Output(rendered(work).html.encode("utf-8"), "{path}")


def workbook_builder(spec: WorkbookSpec) -> str:
    """The name of the builder of the workbook ``spec`` describes."""
    if spec.booklet:
        return BookletBuilder.name
    return PrintShopBuilder.name if spec.print_shop else WorkbookBuilder.name
