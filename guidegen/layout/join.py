"""Join the chunks of a book (layout/parts.py) into one PDF, as one document would have it:

- the pages in order, with a blank page where the book puts one between two chunks (a part
  that must start on a left-hand page after one that ended on a left-hand page);
- one name tree of named destinations (each chunk's stand-in targets dropped, see parts.py);
- one outline, rebuilt from every page's bookmarks with WeasyPrint's own nesting rules;
- one structure tree: every chunk's elements under the front's Document element, and the
  parent tree renumbered so that each page and annotation keeps its own entry;
- one form: every chunk's fields.

- one embedded font per face: the union of the chunks' subsets (pdf/fontmerge.py).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from guidegen.pdf.fontmerge import merge_fonts
from guidegen.pdf.pageinfo import PageInfo
from guidegen.pdf.structure import Structure, copy_objects

if TYPE_CHECKING:
    from guidegen.layout.parts import Bookmark, Coordinator, Laid


class _Page:
    """The two things WeasyPrint's bookmark tree reads from a page."""

    def __init__(self, bookmarks: list[Bookmark], height: float) -> None:
        self.bookmarks = bookmarks
        self.height = height


def join(laid: list[Laid], coordinator: Coordinator) -> tuple[pikepdf.Pdf, list[PageInfo]]:
    """One PDF (open, for the finishing stage) and its page infos, from the laid-out chunks
    in page order (the front first)."""
    front = laid[0]
    pdf = pikepdf.open(io.BytesIO(front.pdf))
    infos: list[PageInfo] = list(front.infos)
    real_front_anchors = set(coordinator.paginated[0].anchors)
    dests = _dests(pdf, keep=real_front_anchors)
    bookmark_pages = [_Page(b, h) for b, h in zip(front.bookmarks, front.heights)]
    structure = Structure(pdf)
    fields = pdf.Root.AcroForm.Fields if "/AcroForm" in pdf.Root else None
    for chunk in laid[1:]:
        if coordinator.blanks_before(chunk.index):
            infos.append(_blank_info(len(infos) + 1, infos))
            bookmark_pages.append(_Page([], infos[-1].height / 0.75))
            pdf.add_blank_page(page_size=(infos[-1].width, infos[-1].height))
        with pikepdf.open(io.BytesIO(chunk.pdf)) as source:
            first = len(pdf.pages)
            with warnings.catch_warnings():
                # pikepdf warns that forms and links need more than copied pages: the
                # fields and the named destinations are joined below.
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                pdf.pages.extend(source.pages)
            structure.append(source, pdf.pages[first:])
            dests += _dests(source, pdf=pdf, keep=set(coordinator.paginated[chunk.index].anchors))
            if "/AcroForm" in source.Root:
                copied_fields = copy_objects(pdf, source, source.Root.AcroForm.Fields)
                if fields is None:
                    pdf.Root.AcroForm = copy_objects(pdf, source, source.Root.AcroForm)
                    fields = pdf.Root.AcroForm.Fields
                else:
                    fields.extend(copied_fields)
        offset = first
        infos += [replace(info, number=info.number + offset) for info in chunk.infos]
        bookmark_pages += [_Page(b, h) for b, h in zip(chunk.bookmarks, chunk.heights)]
    structure.write()
    _write_dests(pdf, dests)
    _write_outline(pdf, bookmark_pages)
    merge_fonts(pdf)
    return pdf, infos


def _blank_info(number: int, infos: list[PageInfo]) -> PageInfo:
    """A blank page's info, its column mirrored like its neighbours' of the same side."""
    same_side = next(info for info in reversed(infos) if info.number % 2 == number % 2)
    return PageInfo(number, same_side.width, same_side.height, same_side.column, True)


def _dests(
    source: pikepdf.Pdf, keep: set[str] | None = None, pdf: pikepdf.Pdf | None = None
) -> list[tuple[str, pikepdf.Object]]:
    """(name, destination) pairs of a chunk, its destinations copied into ``pdf``."""
    if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
        return []
    names = list(source.Root.Names.Dests.Names)
    pairs = []
    for name, destination in zip(names[0::2], names[1::2]):
        if keep is not None and str(name) not in keep:
            continue
        pairs.append((str(name), destination))
    if pdf is None:
        return pairs
    copied = copy_objects(pdf, source, Array([destination for _, destination in pairs]))
    return [(name, destination) for (name, _), destination in zip(pairs, copied)]


def _write_dests(pdf: pikepdf.Pdf, dests: list[tuple[str, pikepdf.Object]]) -> None:
    if not dests:
        return
    chosen: dict[str, object] = {}
    for name, destination in dests:
        chosen.setdefault(name, destination)  # the first anchor of a name wins, as in WeasyPrint
    names = Array()
    for name in sorted(chosen):
        names.append(String(name))
        names.append(chosen[name])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(Dictionary(Names=names))


def _write_outline(pdf: pikepdf.Pdf, pages: list[_Page]) -> None:
    """The bookmarks of every page, nested as WeasyPrint nests them, written as it writes
    them (weasyprint/pdf/anchors.py: add_outlines)."""
    from weasyprint.document import Document

    class _Book:
        pages: list[_Page]

    book = _Book()
    book.pages = pages
    tree = Document.make_bookmark_tree(book, transform_pages=True)
    if not tree:
        if "/Outlines" in pdf.Root:
            del pdf.Root["/Outlines"]
        return
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    first, last, count = _outline_items(pdf, tree, outlines)
    outlines.First, outlines.Last, outlines.Count = first, last, count
    pdf.Root.Outlines = outlines


def _outline_items(
    pdf: pikepdf.Pdf, bookmarks: list[Any], parent: pikepdf.Object
) -> tuple[pikepdf.Object, pikepdf.Object, int]:
    # ``bookmarks``: WeasyPrint's (untyped) subtrees, (title, (page, x, y), children, state).
    count = len(bookmarks)
    items: list[pikepdf.Object] = []
    for title, (page, x, y), children, state in bookmarks:
        item = pdf.make_indirect(
            Dictionary(
                Title=String(title),
                Dest=Array([pdf.pages[page].obj, Name.XYZ, x, y, 0]),
                Parent=parent,
            )
        )
        if children:
            first, last, child_count = _outline_items(pdf, children, item)
            item.First, item.Last = first, last
            item.Count = -child_count if state == "closed" else child_count
            if state != "closed":
                count += child_count
        else:
            item.Count = 0
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    return items[0], items[-1], count
