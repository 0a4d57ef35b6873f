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


def personalise(
    body: bytes, overlays: pikepdf.Pdf, index: int, title: str, author: str | None
) -> bytes:
    """The body with page ``index`` of ``overlays`` laid over its cover, retitled.

    The body's own pages, links, named destinations and bookmarks are untouched: the copy is
    the body's bytes followed by an incremental update holding only the objects that changed
    (the cover page, its resources, the document information and metadata) and the new ones
    (the stamped details and their font), so a copy costs the same whatever the book's length.
    """
    with open_pdf(body) as pdf:
        first_new = int(pdf.trailer.Size)
        cover = pdf.pages[0]
        form = pdf.copy_foreign(overlays.pages[index].as_form_xobject())
        resources = cover.obj.Resources
        if "/XObject" not in resources:
            resources.XObject = pikepdf.Dictionary()
        resources.XObject["/GuidegenCover"] = form
        # The page's own content leaves its coordinate system flipped: wrap it in q/Q first.
        # The stamped details are marked as an artifact: the tagged body has no structure
        # element for them, and the document title (below) carries the name for screen readers.
        cover.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        cover.contents_add(
            pdf.make_stream(b"\nQ /Artifact BMC q /GuidegenCover Do Q EMC"), prepend=False
        )
        pdf.docinfo["/Title"] = title
        if author:
            pdf.docinfo["/Author"] = author
        changed = [cover.obj, resources, pdf.trailer.Info]
        if "/Metadata" in pdf.Root:
            if _retitle_xmp(pdf.Root.Metadata, title, author):
                changed.append(pdf.Root.Metadata)
            else:  # not the packet WeasyPrint writes: pikepdf's XMP editor (a new stream)
                with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
                    xmp["dc:title"] = title
                    if author:
                        xmp["dc:creator"] = [author]
                changed.append(pdf.Root)
        return body + _update(pdf, body, first_new, changed, title)


_XMP_TITLE = re.compile(
    rb'(<dc:title><rdf:Alt><rdf:li xml:lang="x-default">)[^<]*(</rdf:li></rdf:Alt></dc:title>)'
)


def _retitle_xmp(stream: pikepdf.Stream, title: str, author: str | None) -> bool:
    """Set the title (and creator) in the XMP packet WeasyPrint writes, in place: a tenth of
    the time of parsing it as XML. False if the packet does not have that shape."""
    from xml.sax.saxutils import escape

    data = stream.read_bytes()
    if len(_XMP_TITLE.findall(data)) != 1 or b"<dc:creator>" in data:
        return False
    text = escape(title).encode("utf-8")
    data = _XMP_TITLE.sub(lambda m: m.group(1) + text + m.group(2), data)
    if author:
        creator = (
            b'<rdf:Description rdf:about=""><dc:creator><rdf:Seq><rdf:li>'
            + escape(author).encode("utf-8")
            + b"</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF>"
        )
        if data.count(b"</rdf:RDF>") != 1:
            return False
        data = data.replace(b"</rdf:RDF>", creator)
    stream.write(data)
    return True


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def _update(pdf: pikepdf.Pdf, body: bytes, first_new: int, changed: list, title: str) -> bytes:
    """An incremental update of ``body``: the ``changed`` objects and every new object they
    reach (numbered from ``first_new``), with a cross-reference stream that points back at the
    body's own."""
    found = _STARTXREF.search(body[-64:])
    if found is None:
        raise ValueError("the body does not end with a cross-reference offset")
    objects: dict[int, pikepdf.Object] = {}

    def reach(obj, top: bool = False) -> None:
        if not isinstance(obj, pikepdf.Object):  # a number, a boolean: nothing to follow
            return
        if obj.is_indirect and not top:
            number = obj.objgen[0]
            if number < first_new or number in objects:
                return
            objects[number] = obj
        if isinstance(obj, pikepdf.Stream):
            for value in obj.stream_dict.values():
                reach(value)
        elif isinstance(obj, pikepdf.Dictionary):
            for value in obj.values():
                reach(value)
        elif isinstance(obj, pikepdf.Array):
            for value in obj:
                reach(value)

    for obj in changed:
        if obj.is_indirect:
            objects[obj.objgen[0]] = obj
            reach(obj, top=True)
    out = bytearray(b"\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        obj = objects[number]
        offsets[number] = len(body) + len(out)
        out += b"%d 0 obj\n" % number
        if isinstance(obj, pikepdf.Stream):
            data = obj.read_raw_bytes()
            header = pikepdf.Dictionary(obj.stream_dict)
            header.Length = len(data)
            out += header.unparse() + b"\nstream\n" + data + b"\nendstream\nendobj\n"
        else:
            out += obj.unparse(resolved=True) + b"\nendobj\n"
    xref_number = max(max(objects) + 1, int(pdf.trailer.Size))
    offsets[xref_number] = len(body) + len(out)
    entries = b"".join(struct.pack(">BIH", 1, offsets[n], 0) for n in sorted(offsets))
    index = pikepdf.Array()
    for number in sorted(offsets):
        index.extend([number, 1])
    ids = pdf.trailer.ID
    new_id = hashlib.md5(bytes(ids[0]) + title.encode("utf-8") + bytes(out)).digest()
    header = pikepdf.Dictionary(
        Type=pikepdf.Name.XRef,
        Size=xref_number + 1,
        Index=index,
        W=pikepdf.Array([1, 4, 2]),
        Prev=int(found.group(1)),
        Root=pdf.Root,
        Info=pdf.trailer.Info,
        ID=pikepdf.Array([ids[0], pikepdf.String(new_id)]),
        Length=len(entries),
    )
    out += b"%d 0 obj\n" % xref_number + header.unparse()
    out += b"\nstream\n" + entries + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


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


def impose(data: bytes, sheet: str) -> bytes:
    """Two-up saddle-stitch imposition on landscape ``sheet`` paper.

    guidegen pads a workbook with notes pages before imposing it; any other document whose
    length is not a multiple of 4 gets blank sides at the end. Links and form fields do not
    survive: a booklet is for printing.
    """
    width, height = PAPERS[sheet].sheet_points
    with open_pdf(data) as source, pikepdf.new() as booklet:
        pages = list(source.pages)
        forms = [booklet.copy_foreign(page.as_form_xobject()) for page in pages]
        sizes = [(float(page.mediabox[2]), float(page.mediabox[3])) for page in pages]
        for left, right in booklet_order(len(pages) + (-len(pages)) % 4):
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


def _fit(size: tuple[float, float], x0: float, slot_width: float, slot_height: float):
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


def _named_destinations(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Array]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return {str(name): dest for name, dest in pikepdf.NameTree(names.Dests).items()}


def _outline_entries(pdf: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    """(depth, title, page index) for each bookmark."""
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    named = _named_destinations(pdf)
    entries = []

    def walk(items, depth):
        for item in items:
            dest = item.destination
            if isinstance(dest, (str, pikepdf.String)):
                dest = named.get(str(dest))
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
    from guidegen.render.join import Structure

    with pikepdf.new() as combined:
        outline_plan = []
        form_resources = None
        structure = Structure(combined)  # the copies' tags, under one Document element
        for label, key, data in parts:
            with open_pdf(data) as part:
                if "/Lang" in part.Root and "/Lang" not in combined.Root:
                    combined.Root.Lang = part.Root.Lang
                    combined.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
                named = _named_destinations(part)
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
