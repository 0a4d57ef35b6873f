"""The print-shop file (--print-shop): PDF/X-4 boxes, marks, output intent and colour.

WeasyPrint gives each page its TrimBox and a 3 mm BleedBox, but its MediaBox is the BleedBox, so
crop marks drawn by ``marks: crop`` sit in the bleed and are trimmed away with it. Here every
page gets a MediaBox 7 mm wider than the bleed on each side, with the crop marks drawn in that
slug; the document gets a PDF/X-4 output intent (GRACoL 2006 coated, shipped in
styles/print/), the version keys in its information dictionary and XMP, and colour a press can
place: greys become DeviceGray (black text prints on the black plate alone) and whatever is
left in DeviceRGB (photos, a theme's colours) is tagged sRGB through DefaultRGB, so the shop's
RIP converts it with a known source profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from guidegen.paths import STYLES_DIR

if TYPE_CHECKING:
    # An instruction unpacks to (operands, operator), which pikepdf's stubs do not declare.
    _Instruction = tuple[list[pikepdf.Object], pikepdf.Operator]

MM = 72 / 25.4
BLEED = 3 * MM  # as templates/base.html asks WeasyPrint for
SLUG = 7 * MM  # room for the marks outside the bleed: at least 6 mm, as print shops ask
MARK_GAP = 1 * MM  # marks start this far outside the bleed, so none reaches the paper
MARK_WIDTH = 0.25  # pt, the usual hairline for crop marks
PROFILE = STYLES_DIR / "print" / "GRACoL_TR006_coated.icc"
CONDITION = "CGATS TR 006"  # the ICC registry's name for GRACoL 2006 coated #1
PDFX_VERSION = "PDF/X-4"


def for_print_shop(pdf: pikepdf.Pdf) -> None:
    """Make the open, finished ``pdf`` a PDF/X-4 file with marks outside its bleed."""
    press_colours(pdf)
    registration = _registration(pdf)
    for page in pdf.pages:
        _add_marks(pdf, page, registration)
    _output_intent(pdf)
    pdf.docinfo[Name.GTS_PDFXVersion] = String(PDFX_VERSION)
    pdf.docinfo[Name.Trapped] = Name("/False")
    if "/Metadata" in pdf.Root:
        pdf.Root.Metadata = pdf.make_stream(_xmp_with_version(pdf.Root.Metadata.read_bytes()))


def press_colours(pdf: pikepdf.Pdf) -> None:
    """Greys as DeviceGray and sRGB as the meaning of DeviceRGB, in every page and every form
    it draws: the body here, a batch's cover overlays before they are stamped on it."""
    srgb = Array([Name.ICCBased, _srgb_profile(pdf)])
    seen: set[tuple[int, int]] = set()
    done: set[tuple[int, int]] = set()
    for page in pdf.pages:
        _rewrite(pdf, page)
        _default_rgb(page.obj, srgb, done)
        for drawn in list(_streams(page.obj, seen)):
            _rewrite(pdf, drawn)
            _default_rgb(drawn, srgb, done)


def _srgb_profile(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    # WeasyPrint ships sRGB2014 (the ICC's own profile, free to copy) for PDF/A output intents;
    # found without importing WeasyPrint, which a batch's main process may not have done.
    from importlib.util import find_spec

    spec = find_spec("weasyprint")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations)))
    data = (folder / "pdf" / "sRGB2014.icc").read_bytes()
    return pdf.make_stream(data, N=3, Alternate=Name.DeviceRGB)


def _output_intent(pdf: pikepdf.Pdf) -> None:
    profile = pdf.make_stream(PROFILE.read_bytes(), N=4, Alternate=Name.DeviceCMYK)
    pdf.Root.OutputIntents = Array(
        [
            Dictionary(
                Type=Name.OutputIntent,
                S=Name.GTS_PDFX,
                OutputConditionIdentifier=String(CONDITION),
                OutputCondition=String("GRACoL 2006, grade 1 coated paper, sheet-fed offset"),
                RegistryName=String("http://www.color.org"),
                Info=String("GRACoL TR006 coated"),
                DestOutputProfile=profile,
            )
        ]
    )


def _streams(owner: pikepdf.Object, seen: set[tuple[int, int]]) -> Iterator[pikepdf.Stream]:
    """The form XObjects and tiling patterns drawn from ``owner``'s resources, each once."""
    resources = owner.get("/Resources")
    if not isinstance(resources, Dictionary):
        return
    for kind in ("/XObject", "/Pattern"):
        for item in resources.get(kind, {}).values():
            if not isinstance(item, pikepdf.Stream) or item.objgen in seen:
                continue
            if item.get("/Subtype") == "/Form" or item.get("/PatternType") == 1:
                seen.add(item.objgen)
                yield item
                yield from _streams(item, seen)


def _rewrite(pdf: pikepdf.Pdf, target: pikepdf.Page | pikepdf.Stream) -> None:
    """``r r r rg`` becomes ``r g`` (and RG, G) in one page's or form's drawing.

    The RIP converts a DeviceRGB grey to four inks (a "rich" black that misregisters on small
    text); DeviceGray is the black plate alone."""
    instructions = cast("list[_Instruction]", pikepdf.parse_content_stream(target))
    changed = False
    rewritten = []
    for operands, operator in instructions:
        op = str(operator)
        if op in ("rg", "RG") and len(operands) == 3 and len({float(v) for v in operands}) == 1:
            rewritten.append(([operands[0]], pikepdf.Operator("g" if op == "rg" else "G")))
            changed = True
        else:
            rewritten.append((operands, operator))
    if not changed:
        return
    data = pikepdf.unparse_content_stream(rewritten)
    if isinstance(target, pikepdf.Page):
        target.obj.Contents = pdf.make_stream(data)
    else:
        target.write(data)


def _default_rgb(owner: pikepdf.Object, srgb: Array, done: set[tuple[int, int]]) -> None:
    """sRGB as the meaning of DeviceRGB in ``owner``'s resources and transparency group."""
    resources = owner.get("/Resources")
    if isinstance(resources, Dictionary):
        key = resources.objgen if resources.is_indirect else None
        if key not in done:
            if key:
                done.add(key)
            if "/ColorSpace" not in resources:
                resources.ColorSpace = Dictionary()
            resources.ColorSpace.DefaultRGB = srgb
    group = owner.get("/Group")
    if isinstance(group, Dictionary) and group.get("/CS") == "/DeviceRGB":
        group.CS = srgb


def _add_marks(pdf: pikepdf.Pdf, page: pikepdf.Page, registration: pikepdf.Object) -> None:
    """Grow the MediaBox by the slug and draw eight crop marks in it, in registration colour."""
    left, bottom, right, top = (float(v) for v in page.obj.TrimBox)
    page.obj.MediaBox = Array(
        [left - BLEED - SLUG, bottom - BLEED - SLUG, right + BLEED + SLUG, top + BLEED + SLUG]
    )
    if "/CropBox" in page.obj:
        del page.obj.CropBox
    near, far = BLEED + MARK_GAP, BLEED + SLUG - MARK_GAP
    lines = []
    for x, sign in ((left, -1), (right, 1)):
        for y in (bottom, top):
            lines.append((x + sign * near, y, x + sign * far, y))  # along the trim's edge
    for y, sign in ((bottom, -1), (top, 1)):
        for x in (left, right):
            lines.append((x, y + sign * near, x, y + sign * far))
    ops = [f"/Artifact BMC q /GGAll CS 1 SCN {MARK_WIDTH} w 0 J"]
    ops += [f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S" for x0, y0, x1, y1 in lines]
    ops.append("Q EMC")
    resources = page.obj.Resources
    if "/ColorSpace" not in resources:
        resources.ColorSpace = Dictionary()
    resources.ColorSpace.GGAll = registration
    from guidegen.pdf.streams import wrap_page

    wrap_page(pdf, page)
    page.contents_add(pdf.make_stream("\n".join(ops).encode()))


def _registration(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """The /All separation: a mark in it prints on every plate, so every plate can be trimmed."""
    tint = Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1)
    return pdf.make_indirect(Array([Name.Separation, Name.All, Name.DeviceCMYK, tint]))


_RDF_END = b"</rdf:RDF>"


def _xmp_with_version(data: bytes) -> bytes:
    """The XMP packet with the PDF/X version and trapping state, which PDF/X asks to match the
    information dictionary."""
    addition = (
        b'<rdf:Description rdf:about="" xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/" '
        b'pdfxid:GTSPDFXVersion="' + PDFX_VERSION.encode() + b'"/>'
        b'<rdf:Description rdf:about="" pdf:Trapped="False"/>'
    )
    if data.count(_RDF_END) == 1 and b"xmlns:pdf=" in data:
        return data.replace(_RDF_END, addition + _RDF_END)
    with pikepdf.new() as scratch:  # a packet not as WeasyPrint writes it
        scratch.Root.Metadata = scratch.make_stream(data)
        with scratch.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp.register_xml_namespace("http://www.npes.org/pdfx/ns/id/", "pdfxid")
            xmp["pdfxid:GTSPDFXVersion"] = PDFX_VERSION
            xmp["pdf:Trapped"] = "False"
        packet: bytes = scratch.Root.Metadata.read_bytes()
        return packet
