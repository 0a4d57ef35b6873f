"""Form fields that work in every viewer, set up after WeasyPrint has placed them.

WeasyPrint 70 writes checkboxes with only an "on" appearance, no caption and a request that
viewers rebuild every appearance (NeedAppearances), so poppler (Evince, Okular, CUPS) prints a
ticked box as empty; its text fields name a subset font that lacks most letters a reader may
type. Here, in the finished file:

- every checkbox has both appearances of its own (a tick, and nothing) and a caption, so each
  viewer shows its state without rebuilding anything;
- text fields name one font for what is typed into them: DejaVu Sans cut to Latin, Latin-1,
  Latin Extended-A and -B and common punctuation, embedded in the form (``/DR``). A blank
  text field carries no appearance stream on purpose: measured with poppler, pdfium and mupdf,
  a value saved without a new appearance (as some tools save it) is drawn by all three from
  the field's value when there is no stream, and by none of them when there is an empty one;
- the writing fields are multi-line, one per STAR step or notes area, sized to the rules
  under them, and set in 11.3 pt: two typed lines to each 8 mm rule;
- the file no longer asks viewers to rebuild appearances.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import lru_cache

import pikepdf
from pikepdf import Array, Dictionary, Name, String

FONT_NAME = Name("/GuidegenForm")
MULTILINE = 1 << 12
# What a reader may type in a European language, and the punctuation that comes with it.
FORM_CHARACTERS = "".join(
    chr(c)
    for c in [
        *range(0x20, 0x7F),
        *range(0xA0, 0x250),
        0x2013,
        0x2014,
        0x2018,
        0x2019,
        0x201A,
        0x201C,
        0x201D,
        0x201E,
        0x2022,
        0x2026,
        0x20AC,
        0x2122,
    ]
)


@lru_cache(maxsize=2)
def _subset(path: str) -> tuple[bytes, dict[int, int], list[int], int]:
    """The font cut to FORM_CHARACTERS: its bytes, unicode -> glyph, advance widths, ascent."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF"]
    font = TTFont(path)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=FORM_CHARACTERS)
    subsetter.subset(font)
    out = io.BytesIO()
    # No timestamp of today in the font: two builds stay byte-identical.
    font["head"].modified = font["head"].created
    font.save(out)
    order = font.getGlyphOrder()
    scale = 1000 / font["head"].unitsPerEm
    widths = [round(font["hmtx"][name][0] * scale) for name in order]
    cmap = {code: order.index(name) for code, name in font.getBestCmap().items()}
    return out.getvalue(), cmap, widths, round(font["hhea"].ascent * scale)


def form_font(pdf: pikepdf.Pdf, path: str) -> pikepdf.Object:
    """A Type0 font dictionary for the form, its program embedded."""
    data, cmap, widths, ascent = _subset(path)
    program = pdf.make_stream(data)
    program.Length1 = len(data)
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name("/GuidegenForm"),
        Flags=32,
        FontBBox=Array([-1021, -463, 1793, 1232]),
        ItalicAngle=0,
        Ascent=ascent,
        Descent=-236,
        CapHeight=729,
        StemV=80,
        FontFile2=program,
    )
    cid = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=Name("/GuidegenForm"),
        CIDSystemInfo=Dictionary(
            Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        CIDToGIDMap=Name.Identity,
        W=Array([0, Array(widths)]),
    )
    entries = sorted((glyph, code) for code, glyph in cmap.items())
    seen, lines = set(), []
    for glyph, code in entries:
        if glyph not in seen and code <= 0xFFFF:
            seen.add(glyph)
            lines.append(f"<{glyph:04X}> <{code:04X}>")
    body = "".join(
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n"
        for chunk in (lines[i : i + 100] for i in range(0, len(lines), 100))
    )
    to_unicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange "
        f"<0000> <FFFF> endcodespacerange\n{body}endcmap CMapName currentdict "
        "/CMap defineresource pop end end"
    )
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type0,
            BaseFont=Name("/GuidegenForm"),
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([pdf.make_indirect(cid)]),
            ToUnicode=pdf.make_stream(to_unicode.encode()),
        )
    )


def _tick(pdf: pikepdf.Pdf, width: float, height: float) -> pikepdf.Stream:
    """A check mark drawn inside a box of the given size."""
    w, h = width, height
    ops = (
        f"q 0.1 0.1 0.1 RG {max(0.9, w / 9):.2f} w 1 J 1 j "
        f"{w * 0.2:.2f} {h * 0.52:.2f} m {w * 0.42:.2f} {h * 0.28:.2f} l "
        f"{w * 0.82:.2f} {h * 0.78:.2f} l S Q"
    )
    return pdf.make_stream(
        ops.encode(),
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=Array([0, 0, w, h]),
        Resources=Dictionary(),
    )


def _empty(pdf: pikepdf.Pdf, width: float, height: float) -> pikepdf.Stream:
    return pdf.make_stream(
        b"",
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=Array([0, 0, width, height]),
        Resources=Dictionary(),
    )


def widgets(pdf: pikepdf.Pdf) -> Iterator[tuple[pikepdf.Page, pikepdf.Object]]:
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == "/Widget":
                yield page, annot


def fix_fields(pdf: pikepdf.Pdf, line_pitch: float, font_path: str | None) -> None:
    """Give every field its own appearance and the form one font (see the module's notes)."""
    if "/AcroForm" not in pdf.Root:
        return
    form = pdf.Root.AcroForm
    if "/NeedAppearances" in form:
        del form["/NeedAppearances"]
    resources = form.get("/DR", Dictionary())
    fonts = resources.get("/Font", Dictionary())
    if font_path:
        fonts[FONT_NAME] = form_font(pdf, font_path)
        font = FONT_NAME
    else:  # no DejaVu Sans on this system: viewers fall back to Helvetica
        fonts[Name("/Helv")] = pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type1,
                BaseFont=Name.Helvetica,
                Encoding=Name.WinAnsiEncoding,
            )
        )
        font = Name("/Helv")
    resources.Font = fonts
    form.DR = resources
    area_size = round(line_pitch / 2, 2)  # two typed lines to each rule
    form.DA = String(f"{font} {area_size} Tf 0.1 g")
    for _, widget in widgets(pdf):
        x0, y0, x1, y1 = (float(v) for v in widget.Rect)
        # WeasyPrint writes rectangles top to bottom; poppler then draws no generated text.
        x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
        widget.Rect = Array([x0, y0, x1, y1])
        width, height = x1 - x0, y1 - y0
        widget.MK = Dictionary()
        widget.F = 4  # printable
        if widget.get("/FT") == "/Btn":
            widget.MK.CA = String("4")  # a check mark in ZapfDingbats, for viewers that ask
            widget.AP = Dictionary(
                N=Dictionary(Yes=_tick(pdf, width, height), Off=_empty(pdf, width, height))
            )
            widget.AS = Name.Off
            widget.V = Name.Off
            widget.DA = String("/ZaDb 0 Tf 0.1 g")
        elif widget.get("/FT") == "/Tx":
            multiline = int(widget.get("/Ff", 0)) & MULTILINE
            size = area_size if multiline else 11
            widget.DA = String(f"{font} {size} Tf 0.1 g")
            if "/AP" in widget and not str(widget.get("/V", "")):
                del widget["/AP"]
