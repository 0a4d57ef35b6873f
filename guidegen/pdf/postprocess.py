"""Stage 5: work on finished PDFs: personalise a cover, impose a booklet, combine copies.

pikepdf (qpdf) does this at the PDF level in milliseconds, so a batch lays out each distinct
body once and only stamps each attendee's cover details onto it.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import cast

import pikepdf

from guidegen.spec import PAPERS


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def to_bytes(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    # A deterministic /ID keeps two builds of the same inputs byte-identical.
    pdf.save(
        out,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return out.getvalue()


class CoverStamper:
    """Copies of one body, each with one page of an overlay PDF laid over its cover and its
    own title: what a batch writes for each attendee.

    A copy is the body's bytes followed by an incremental update holding only the objects
    that change (the cover page, its resources, the document information and metadata) and
    the new ones (the stamped details, their font, two content streams), so a copy costs the
    same whatever the book's length. The body is opened once for all its copies and never
    changed: the new objects are copied into a scratch PDF, and every object of the update is
    written here with the numbers it has in the copy. (Adding one object to the opened body
    would make qpdf resolve every object in it first: 30 ms a copy for a 130-page book.)
    """

    def __init__(self, body: bytes) -> None:
        found = _STARTXREF.search(body[-64:])
        if found is None:
            raise ValueError("the body does not end with a cross-reference offset")
        self.body, self.previous_xref = body, int(found.group(1))
        self.pdf = open_pdf(body)
        self.first_new = int(self.pdf.trailer.Size)
        self.cover = self.pdf.pages[0].obj
        self.info = self.pdf.trailer.get("/Info")  # WeasyPrint always writes one
        self.metadata = self.pdf.Root.get("/Metadata")
        self.xmp = self.metadata.read_bytes() if self.metadata is not None else None

    def close(self) -> None:
        self.pdf.close()

    def __enter__(self) -> CoverStamper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def copy(self, overlays: pikepdf.Pdf, index: int, title: str, author: str | None) -> bytes:
        """The body with page ``index`` of ``overlays`` over its cover, titled ``title``."""
        with pikepdf.new() as scratch:
            return self._copy(scratch, overlays, index, title, author)

    def _copy(
        self,
        scratch: pikepdf.Pdf,
        overlays: pikepdf.Pdf,
        index: int,
        title: str,
        author: str | None,
    ) -> bytes:
        form = scratch.copy_foreign(overlays.pages[index].as_form_xobject())
        new = _reachable(form)  # the form and its resources, in scratch's numbering
        numbers = {n: self.first_new + i for i, n in enumerate(sorted(new))}
        before, after = self.first_new + len(new), self.first_new + len(new) + 1

        # The new objects refer only to each other, the body's only to its own and (in the
        # entries changed below) to the new ones.
        def new_number(obj: pikepdf.Object) -> int:
            return numbers[obj.objgen[0]]

        def number(obj: pikepdf.Object) -> int:
            return obj.objgen[0]

        written: dict[int, bytes] = {
            numbers[n]: _stream_bytes(obj, obj.read_raw_bytes(), new_number)
            if isinstance(obj, pikepdf.Stream)
            else _value_bytes(obj, new_number, top=True)
            for n, obj in new.items()
        }
        # The page's own content leaves its coordinate system flipped: wrap it in q/Q first.
        # The stamped details are marked as an artifact: the tagged body has no structure
        # element for them, and the document title (below) carries the name for screen readers.
        written[before] = _stream_bytes({}, b"q\n", number)
        written[after] = _stream_bytes({}, b"\nQ /Artifact BMC q /GuidegenCover Do Q EMC", number)
        contents = self.cover.Contents
        parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        stamped = b"[%d 0 R %s %d 0 R]" % (
            before,
            b" ".join(_value_bytes(part, number) for part in parts),
            after,
        )
        cover_form = {"/GuidegenCover": b"%d 0 R" % numbers[form.objgen[0]]}
        resources = self.cover.Resources
        xobjects = resources.get("/XObject")
        page_changes = {"/Contents": stamped}
        if xobjects is not None and xobjects.is_indirect:
            written[xobjects.objgen[0]] = _value_bytes(xobjects, number, True, cover_form)
        else:
            entry = (
                _value_bytes(xobjects, number, True, cover_form)
                if xobjects is not None
                else _dictionary(cover_form)
            )
            if resources.is_indirect:
                written[resources.objgen[0]] = _value_bytes(
                    resources, number, True, {"/XObject": entry}
                )
            else:
                page_changes["/Resources"] = _value_bytes(
                    resources, number, True, {"/XObject": entry}
                )
        written[self.cover.objgen[0]] = _value_bytes(self.cover, number, True, page_changes)
        details = {"/Title": pikepdf.String(title).unparse()}
        if author:
            details["/Author"] = pikepdf.String(author).unparse()
        if self.info is not None:
            info = self.info.objgen[0]
            written[info] = _value_bytes(self.info, number, True, details)
        else:
            info = after + 1
            written[info] = _dictionary(details)
        if self.metadata is not None:
            assert self.xmp is not None  # read with the metadata in __init__
            xmp = _retitled_xmp(self.xmp, title, author)
            header = {k: v for k, v in self.metadata.stream_dict.items()}
            header.pop("/Filter", None), header.pop("/DecodeParms", None)
            written[self.metadata.objgen[0]] = _stream_bytes(header, xmp, number)
        return self.body + self._update(written, info, title)

    def _update(self, written: dict[int, bytes], info: int, title: str) -> bytes:
        """The incremental update: ``written`` objects and a cross-reference stream that
        points back at the body's own."""
        out = bytearray(b"\n")
        offsets: dict[int, int] = {}
        for number in sorted(written):
            offsets[number] = len(self.body) + len(out)
            out += b"%d 0 obj\n" % number + written[number] + b"\nendobj\n"
        xref_number = max(max(written) + 1, self.first_new)
        offsets[xref_number] = len(self.body) + len(out)
        entries = b"".join(struct.pack(">BIH", 1, offsets[n], 0) for n in sorted(offsets))
        index = b" ".join(b"%d 1" % n for n in sorted(offsets))
        first_id = bytes(self.pdf.trailer.ID[0])
        new_id = hashlib.md5(first_id + title.encode("utf-8") + bytes(out)).digest()
        header = (
            b"<</Type /XRef /Size %d /Index [%s] /W [1 4 2] /Prev %d /Root %d 0 R /Info %d 0 R"
            b" /ID [<%s> <%s>] /Length %d>>"
            % (
                xref_number + 1,
                index,
                self.previous_xref,
                self.pdf.Root.objgen[0],
                info,
                first_id.hex().encode(),
                new_id.hex().encode(),
                len(entries),
            )
        )
        out += b"%d 0 obj\n" % xref_number + header
        out += b"\nstream\n" + entries + b"\nendstream\nendobj\n"
        out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
        return bytes(out)


def _reachable(top: pikepdf.Object) -> dict[int, pikepdf.Object]:
    """``top`` and every indirect object it reaches, by object number."""
    found: dict[int, pikepdf.Object] = {}

    def reach(obj: object) -> None:
        if not isinstance(obj, pikepdf.Object):  # a number, a boolean: nothing to follow
            return
        if obj.is_indirect:
            if obj.objgen[0] in found:
                return
            found[obj.objgen[0]] = obj
        if isinstance(obj, pikepdf.Stream):
            for value in obj.stream_dict.values():
                reach(value)
        elif isinstance(obj, pikepdf.Dictionary):
            for value in obj.values():
                reach(value)
        elif isinstance(obj, pikepdf.Array):
            for value in obj:
                reach(value)

    reach(top)
    return found


def _value_bytes(
    value: object,
    number: Callable[[pikepdf.Object], int],
    top: bool = False,
    changes: dict[str, bytes] | None = None,
) -> bytes:
    """``value`` as PDF syntax, a reference to an indirect object written with ``number(obj)``
    (its number in the copy); ``changes`` replaces or adds entries of a dictionary. ``top``:
    ``value`` is the object being written, not a reference to it."""
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if value is None:
        return b"null"
    if not isinstance(value, pikepdf.Object):  # a real number: qpdf writes it
        return pikepdf.Array([value]).unparse()[1:-1]
    if value.is_indirect and not top:
        return b"%d 0 R" % number(value)
    if isinstance(value, pikepdf.Dictionary):
        entries = {key: _value_bytes(item, number) for key, item in value.items()}
        entries.update(changes or {})
        return _dictionary(entries)
    if isinstance(value, pikepdf.Array):
        return b"[" + b" ".join(_value_bytes(item, number) for item in value) + b"]"
    return value.unparse()


def _dictionary(entries: dict[str, bytes]) -> bytes:
    return (
        b"<<"
        + b"".join(pikepdf.Name(k).unparse() + b" " + v + b" " for k, v in entries.items())
        + b">>"
    )


def _stream_bytes(
    header: pikepdf.Stream | Mapping[str, object],
    data: bytes,
    number: Callable[[pikepdf.Object], int],
) -> bytes:
    """A stream object: ``header`` (a stream, or its dictionary's entries) with ``data``."""
    items = header.stream_dict.items() if isinstance(header, pikepdf.Stream) else header.items()
    entries = {key: _value_bytes(item, number) for key, item in items}
    entries["/Length"] = b"%d" % len(data)
    return _dictionary(entries) + b"\nstream\n" + data + b"\nendstream"


_XMP_TITLE = re.compile(
    rb'(<dc:title><rdf:Alt><rdf:li xml:lang="x-default">)[^<]*(</rdf:li></rdf:Alt></dc:title>)'
)


def _retitled_xmp(data: bytes, title: str, author: str | None) -> bytes:
    """The XMP packet with ``title`` (and ``author`` as its creator). The packet WeasyPrint
    writes is edited as text, a tenth of the time of parsing it as XML; any other goes
    through pikepdf's XMP editor."""
    from xml.sax.saxutils import escape

    if len(_XMP_TITLE.findall(data)) == 1 and b"<dc:creator" not in data:
        text = escape(title).encode("utf-8")
        edited = _XMP_TITLE.sub(lambda m: m.group(1) + text + m.group(2), data)
        if not author:
            return edited
        if edited.count(b"</rdf:RDF>") == 1:
            creator = (
                b'<rdf:Description rdf:about=""><dc:creator><rdf:Seq><rdf:li>'
                + escape(author).encode("utf-8")
                + b"</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF>"
            )
            return edited.replace(b"</rdf:RDF>", creator)
    with pikepdf.new() as scratch:
        scratch.Root.Metadata = scratch.make_stream(data)
        with scratch.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:title"] = title
            if author:
                xmp["dc:creator"] = [author]
        packet: bytes = scratch.Root.Metadata.read_bytes()
        return packet


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def booklet_order(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers, 1-based, for each printed side of a saddle-stitched booklet.

    Sheet k's front carries the outermost pair still unplaced, its back the next pair inward;
    printed duplex (flip on the short edge), folded and nested, the pages read in order.
    """
    if pages % 4:
        raise ValueError(f"a booklet needs a multiple of 4 pages, not {pages}")
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 2 * sheet, 2 * sheet + 1))  # front
        sides.append((2 * sheet + 2, pages - 2 * sheet - 1))  # back
    return sides


def impose(data: bytes, sheet: str, parts: tuple[int, ...] = ()) -> bytes:
    """Two-up saddle-stitch imposition on landscape ``sheet`` paper.

    ``parts`` are the page counts of the stitched parts (layout/stitching.py), each a multiple
    of 4 and imposed as a booklet of its own, their sheets one after the other; () is one part.
    guidegen pads a workbook with notes pages before imposing it; any other document whose
    length is not a multiple of 4 gets blank sides at the end. Links and form fields do not
    survive: a booklet is for printing.
    """
    sheet_points = PAPERS[sheet].sheet_points
    assert sheet_points is not None  # ``sheet`` is one of SHEETS (WorkbookSpec checks it)
    width, height = sheet_points
    with open_pdf(data) as source, pikepdf.new() as booklet:
        pages = list(source.pages)
        forms = [booklet.copy_foreign(page.as_form_xobject()) for page in pages]
        sizes = [(float(page.mediabox[2]), float(page.mediabox[3])) for page in pages]
        padded = len(pages) + (-len(pages)) % 4
        parts = parts or (padded,)
        if sum(parts) != padded:
            raise ValueError(f"stitched parts of {sum(parts)} pages for {padded} pages")
        order = [
            (left + offset, right + offset)
            for size, offset in zip(parts, [sum(parts[:i]) for i in range(len(parts))])
            for left, right in booklet_order(size)
        ]
        for left, right in order:
            booklet.add_blank_page(page_size=(width, height))
            side = booklet.pages[-1]
            drawing, xobjects = [], pikepdf.Dictionary()
            for number, x0 in ((left, 0.0), (right, width / 2)):
                if number > len(forms):
                    continue  # a blank padding page
                name = pikepdf.Name(f"/P{number}")
                xobjects[name] = forms[number - 1]
                matrix = _fit(sizes[number - 1], x0, width / 2, height)
                drawing.append(f"q {' '.join(f'{v:.4f}' for v in matrix)} cm {name} Do Q")
            side.obj.Resources = pikepdf.Dictionary(XObject=xobjects)
            side.obj.Contents = booklet.make_stream(" ".join(drawing).encode())
        with open_pdf(data) as original:
            for key in ("/Title", "/Author", "/Subject", "/Creator", "/Producer"):
                if key in original.docinfo:
                    booklet.docinfo[key] = original.docinfo[key]
            if "/Lang" in original.Root:
                booklet.Root.Lang = original.Root.Lang
        return to_bytes(booklet)


def _fit(
    size: tuple[float, float], x0: float, slot_width: float, slot_height: float
) -> tuple[float, float, float, float, float, float]:
    """The matrix that centres a page in a half-sheet slot, scaled to fit.

    A landscape page (the story-bank grid) is turned a quarter so it keeps its full size.
    """
    width, height = size
    if width > height and slot_height > slot_width:
        scale = min(slot_width / height, slot_height / width)
        return (
            0,
            scale,
            -scale,
            0,
            x0 + (slot_width + scale * height) / 2,
            (slot_height - scale * width) / 2,
        )
    scale = min(slot_width / width, slot_height / height)
    return (
        scale,
        0,
        0,
        scale,
        x0 + (slot_width - scale * width) / 2,
        (slot_height - scale * height) / 2,
    )


def named_destinations(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Array]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    # WeasyPrint writes each destination as an array.
    return {
        str(name): cast(pikepdf.Array, dest) for name, dest in pikepdf.NameTree(names.Dests).items()
    }


def _outline_entries(pdf: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    """(depth, title, page index) for each bookmark."""
    # A Page hands objgen on from its dictionary (pikepdf's stubs type it as an Object).
    pages = {cast("tuple[int, int]", page.objgen): index for index, page in enumerate(pdf.pages)}
    named = named_destinations(pdf)
    entries: list[tuple[int, str, int]] = []

    def walk(items: Iterable[pikepdf.OutlineItem], depth: int) -> None:
        for item in items:
            dest = item.destination
            if isinstance(dest, (str, pikepdf.String)):
                dest = named.get(str(dest))
            # WeasyPrint writes a bookmark's destination as an array, or as the name of one.
            dest = cast("pikepdf.Array | None", dest)
            if dest is not None and len(dest) and dest[0].objgen in pages:
                entries.append((depth, item.title, pages[dest[0].objgen]))
            walk(item.children, depth + 1)

    with pdf.open_outline() as outline:
        walk(outline.root, 0)
    return entries


def combine(parts: list[tuple[str, str, bytes]]) -> bytes:
    """One PDF of every copy in order, each starting on a right-hand page.

    ``parts`` are (bookmark label, unique key, PDF bytes). Every copy has the same named
    destinations and field names, so each copy's links are rewritten to point at its own pages
    directly, and its form fields are renamed ``key/name`` so that typing in one copy does not
    fill them all. Each copy gets a top-level bookmark with its own bookmarks beneath.
    """
    from guidegen.pdf.structure import Structure

    with pikepdf.new() as combined:
        outline_plan = []
        form_resources = None
        structure = Structure(combined)  # the copies' tags, under one Document element
        for label, key, data in parts:
            with open_pdf(data) as part:
                if "/Lang" in part.Root and "/Lang" not in combined.Root:
                    combined.Root.Lang = part.Root.Lang
                    combined.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
                named = named_destinations(part)
                for page in part.pages:
                    for annot in page.obj.get("/Annots", []):
                        dest = annot.get("/Dest")
                        if isinstance(dest, pikepdf.String) and str(dest) in named:
                            annot.Dest = named[str(dest)]
                        if "/T" in annot and "/Parent" not in annot:
                            annot.T = pikepdf.String(f"{key}/{annot.T}")
                if "/AcroForm" in part.Root and form_resources is None:
                    form_resources = combined.copy_foreign(
                        part.Root.AcroForm.get("/DR", pikepdf.Dictionary())
                    )
                offset = len(combined.pages)
                outline_plan.append((label, offset, _outline_entries(part)))
                with warnings.catch_warnings():
                    # pikepdf warns that extend() leaves form fields and named links behind;
                    # both are carried over by hand above and below.
                    warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                    combined.pages.extend(part.pages)
                structure.append(part, combined.pages[offset:])
                if len(part.pages) % 2:
                    width, height = part.pages[-1].mediabox[2:]
                    combined.add_blank_page(page_size=(float(width), float(height)))
        structure.write()
        with combined.open_outline() as outline:
            for label, offset, entries in outline_plan:
                top = pikepdf.OutlineItem(label, offset)
                stack = [(-1, top)]
                for depth, title, index in entries:
                    item = pikepdf.OutlineItem(title, offset + index)
                    while stack[-1][0] >= depth:
                        stack.pop()
                    stack[-1][1].children.append(item)
                    stack.append((depth, item))
                outline.root.append(top)
        fields = [
            annot
            for page in combined.pages
            for annot in page.obj.get("/Annots", [])
            if "/T" in annot and "/Parent" not in annot
        ]
        if fields:
            combined.Root.AcroForm = combined.make_indirect(
                pikepdf.Dictionary(
                    Fields=pikepdf.Array(fields), DR=form_resources, NeedAppearances=True
                )
            )
        return to_bytes(combined)
