"""The finishing stage: what the layout leaves to do, done on the written PDF with pikepdf.

- **Writing space to the foot of the page.** Where a page's last writing space ends above the
  bottom of the column, its rules continue to the foot (the LaTeX exam class's
  ``\\fillwithlines``), drawn exactly like the laid-out ones, and its form field grows with
  them. Measuring where a page ends needs the layout; drawing a few rules afterwards costs
  milliseconds, where a second layout would double the build.
- **No blank pages.** A page the layout left blank to start a section on the right side
  becomes a notes page: the notes pages' heading and rules (and a field in a fillable file).
  Only the back of the cover stays blank.
- **Form fields** that work in every viewer (``guidegen.pdf.forms``).
- **One structure element per question.** WeasyPrint 70 builds the structure tree page by page,
  so an element that continues onto the next page becomes a second element there. The pieces
  of each part (Sect) and each question (Art) are joined back into one; paragraphs and lists
  that break across a page stay two elements each.
- **Hyphens that are not text.** A hyphen that automatic hyphenation adds at a line end is
  marked as a soft hyphen (ActualText U+00AD), so copied or read-aloud text says
  "technology", not "tech- nology".
- **Links that say where they go** ("Question 4: What is …"), for screen readers.
- **Bookmarks open** when the file opens (PageMode UseOutlines).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from guidegen.pdf.fontmerge import font_widths
from guidegen.pdf.pageinfo import Fill, PageInfo
from guidegen.pdf.streams import wrap_page

if TYPE_CHECKING:
    # An instruction unpacks to (operands, operator), which pikepdf's stubs do not declare.
    _Instruction = tuple[list[pikepdf.Object], pikepdf.Operator]

HYPHEN = 0x2010  # WeasyPrint's hyphenate-character


def _rules(fill: Fill, height: float, start: float, bottom: float) -> tuple[bytes, float]:
    """Drawing operators for rules whose bottoms run from ``start`` to ``bottom`` (points from
    the page top), as artifacts; and where the last one ends."""
    r, g, b = fill.colour
    ops = [f"/Artifact BMC q {r:.4f} {g:.4f} {b:.4f} rg"]
    y, last = start, None
    while y <= bottom + 0.01:
        # One fill per rule, as WeasyPrint draws each border.
        ops.append(
            f"{fill.x0:.3f} {height - y:.3f} {fill.x1 - fill.x0:.3f} {fill.rule_width:.3f} re f"
        )
        last = y
        y += fill.pitch
    ops.append("Q EMC\n")
    return ("\n".join(ops)).encode() if last is not None else b"", last or start


def finish_pdf(
    pdf: pikepdf.Pdf,
    infos: list[PageInfo],
    descriptions: dict[str, str],
    heads: tuple[str, str],
    fillable: bool,
    form_font_path: str | None,
    line_pitch: float,
    print_shop: bool = False,
) -> bytes:
    """The laid-out PDF finished, open (a joined book, see layout/join.py); it is closed here.
    ``heads`` are the running heads of a left-hand and a right-hand notes page, for the blank
    pages that become notes pages."""
    from guidegen.pdf.postprocess import to_bytes

    with pdf:
        if fillable:  # before the stamped running heads below measure their text
            from guidegen.pdf.fontmerge import widths_as_drawn

            widths_as_drawn(pdf)
        grown: dict[str, tuple[PageInfo, float]] = {}
        for info in infos:
            if info.fill is None or info.blank:
                continue
            page = pdf.pages[info.number - 1]
            ops, last = _rules(
                info.fill, info.height, info.fill.y + info.fill.pitch, info.column[3]
            )
            if ops:
                wrap_page(pdf, page)
                page.contents_add(pdf.make_stream(ops))
                if info.fill.field:
                    grown[info.fill.field] = (info, last)
        stamped = _notes_on_blank_pages(pdf, infos, heads)
        if fillable:
            from guidegen.pdf.forms import fix_fields, widgets

            _grow_fields(pdf, list(widgets(pdf)), grown)
            _add_notes_fields(pdf, stamped, infos)
            fix_fields(pdf, line_pitch, form_font_path)
        _join_structure(pdf)
        unhyphenate(pdf)
        _describe_links(pdf, descriptions)
        pdf.Root.PageMode = Name.UseOutlines
        if print_shop:
            from guidegen.pdf.printshop import for_print_shop

            for_print_shop(pdf)
        return to_bytes(pdf)


def _grow_fields(
    pdf: pikepdf.Pdf,
    all_widgets: Iterable[tuple[pikepdf.Page, pikepdf.Object]],
    grown: dict[str, tuple[PageInfo, float]],
) -> None:
    """Each field whose writing space continues grows down with it; a space with no field
    yet (the notes under a behavioural question) gets one."""
    names = set()
    for _, widget in all_widgets:
        name = str(widget.get("/T", ""))
        names.add(name)
        if name in grown:
            info, last = grown[name]
            x0, y0, x1, y1 = (float(v) for v in widget.Rect)
            widget.Rect = Array([x0, min(y0, y1, info.height - last), x1, max(y0, y1)])
    for name, (info, last) in grown.items():
        assert info.fill is not None  # grown is keyed by the field of a page's fill
        if name not in names and info.fill.title:
            fill = info.fill
            rect = Array([fill.x0, info.height - last, fill.x1, info.height - fill.y])
            _add_field(pdf, info.number, rect, name, info.fill.title)


def _add_field(pdf: pikepdf.Pdf, number: int, rect: Array, name: str, title: str) -> None:
    """A multi-line text field on page ``number``, in the form and in the structure tree."""
    page = pdf.pages[number - 1]
    root = pdf.Root.StructTreeRoot
    document = root.K[0] if isinstance(root.K, Array) else root.K
    nums = root.ParentTree.Nums
    key = int(root.get("/ParentTreeNextKey", max(int(k) for k in nums[::2]) + 1))
    widget = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            Ff=1 << 12,
            F=4,
            T=String(name),
            TU=String(title),
            Rect=rect,
            P=page.obj,
            V=String(""),
            StructParent=key,
        )
    )
    annots = page.obj.get("/Annots", Array())
    annots.append(widget)
    page.obj.Annots = annots
    pdf.Root.AcroForm.Fields.append(widget)
    element = pdf.make_indirect(
        Dictionary(
            Type=Name.StructElem,
            S=Name.Form,
            P=document,
            Pg=page.obj,
            K=Dictionary(Type=Name.OBJR, Obj=widget, Pg=page.obj),
        )
    )
    document.K.append(element)
    nums.append(key)
    nums.append(element)
    root.ParentTreeNextKey = key + 1


# ---- blank pages become notes pages ----


def _notes_source(infos: list[PageInfo]) -> PageInfo | None:
    for info in infos:
        if "part-notes" in info.anchors and info.fill is not None and info.first_rule:
            return info
    return None


def _heading_ops(page: pikepdf.Page) -> list[_Instruction]:
    """The first heading drawn on a notes page, with the rule under it, as operators."""
    ops = cast("list[_Instruction]", list(pikepdf.parse_content_stream(page)))
    setup: list[_Instruction] = []
    artifact_start, chosen = None, None
    for index, (operands, operator) in enumerate(ops):
        name = str(operator)
        if name == "cm" and artifact_start is None and chosen is None and len(setup) < 4:
            setup.append((operands, operator))
        if name == "BMC" and str(operands[0]) == "/Artifact":
            artifact_start = index
        if name == "BDC" and str(operands[0]) != "/Artifact":
            end = next(i for i in range(index, len(ops)) if str(ops[i][1]) == "EMC")
            if any(str(op) in ("TJ", "Tj") for _, op in ops[index:end]):
                start = artifact_start if artifact_start is not None else index
                chosen = [
                    op for op in ops[start : end + 1] if str(op[1]) not in ("BDC", "BMC", "EMC")
                ]
                break
    return setup + (chosen or [])


def _notes_on_blank_pages(
    pdf: pikepdf.Pdf, infos: list[PageInfo], heads: tuple[str, str]
) -> list[PageInfo]:
    """Turn every blank page but the back of the cover into a notes page, with the running
    head and folio a notes page has."""
    source = _notes_source(infos)
    blanks = [info for info in infos if info.blank and info.number != 2]
    if source is None or not blanks:
        return []
    assert source.fill is not None and source.first_rule is not None  # _notes_source checks
    source_page = pdf.pages[source.number - 1]
    heading = _heading_ops(source_page)
    resources = source_page.obj.Resources
    head_style = _head_style(source_page, source.column[1])
    for info in blanks:
        page = pdf.pages[info.number - 1]
        page.obj.Resources = resources
        dx = info.column[0] - source.column[0]
        shifted = Fill(
            source.fill.y,
            source.fill.x0 + dx,
            source.fill.x1 + dx,
            source.fill.pitch,
            source.fill.rule_width,
            source.fill.colour,
            None,
        )
        rules, _ = _rules(shifted, info.height, source.first_rule, info.column[3])
        head = pikepdf.unparse_content_stream(heading)
        shift = f"1 0 0 1 {dx:.3f} 0 cm\n".encode()
        drawing = b"q\n" + shift + b"/Artifact BMC\nq\n" + head + b"\nQ\nEMC\nQ\n" + rules
        if head_style is not None:
            drawing += _running_head(resources, head_style, info, heads)
        page.obj.Contents = pdf.make_stream(drawing)
    return blanks


def _head_style(
    page: pikepdf.Page, column_top: float
) -> tuple[str, float, tuple[float, ...], float] | None:
    """(font name, size, colour, baseline from the top) of the page's running head."""
    colour: tuple[float, ...]
    colour, matrix = (0.0, 0.0, 0.0), None
    for operands, operator in cast("list[_Instruction]", pikepdf.parse_content_stream(page)):
        name = str(operator)
        if name == "rg":
            colour = tuple(float(v) for v in operands)
        elif name == "Tm":
            matrix = [float(v) for v in operands]
        elif name == "Tf" and matrix is not None and matrix[5] * 0.75 < column_top:
            return str(operands[0]), float(operands[1]) * 0.75, colour, matrix[5] * 0.75
    return None


def _font_metrics(font: pikepdf.Object) -> tuple[dict[str, bytes], dict[int, float]]:
    """A WeasyPrint Identity-H font's character -> code map and code -> width (1/1000 em)."""
    text = font.ToUnicode.read_bytes().decode("latin-1") if "/ToUnicode" in font else ""
    codes: dict[str, bytes] = {}
    for source, target in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,})>", text):
        codes.setdefault(chr(int(target[:4], 16)), bytes.fromhex(source))
    return codes, font_widths(font)


def _text_run(font: pikepdf.Object, size: float, text: str) -> tuple[bytes, float] | None:
    codes, widths = _font_metrics(font)
    if any(ch not in codes for ch in text):
        return None  # a letter the embedded subset lacks: leave the head out
    raw = b"".join(codes[ch] for ch in text)
    default = float(font.DescendantFonts[0].get("/DW", 1000))
    width = sum(widths.get(int.from_bytes(codes[ch], "big"), default) for ch in text) * size / 1000
    return raw, width


def _running_head(
    resources: pikepdf.Object,
    style: tuple[str, float, tuple[float, ...], float],
    info: PageInfo,
    heads: tuple[str, str],
) -> bytes:
    """The folio and title of a notes page drawn at the outer edge, as an artifact."""
    font_name, size, colour, baseline = style
    font = resources.Font[font_name]
    folio = _text_run(font, size, str(info.number))
    title = _text_run(font, size, heads[0] if info.is_left else heads[1])
    if folio is None or title is None:
        return b""
    gap = 2 * size
    x0, _, x1, _ = info.column
    y = info.height - baseline
    if info.is_left:
        runs = [(x0, folio[0]), (x0 + folio[1] + gap, title[0])]
    else:
        runs = [(x1 - folio[1], folio[0]), (x1 - folio[1] - gap - title[1], title[0])]
    r, g, b = colour
    ops = [f"/Artifact BMC q {r:.4f} {g:.4f} {b:.4f} rg BT {font_name} {size:.3f} Tf"]
    for x, raw in runs:
        ops.append(f"1 0 0 1 {x:.3f} {y:.3f} Tm <{raw.hex()}> Tj")
    ops.append("ET Q EMC\n")
    return " ".join(ops).encode()


def _add_notes_fields(pdf: pikepdf.Pdf, stamped: list[PageInfo], infos: list[PageInfo]) -> None:
    """A multi-line field over each stamped notes page's rules."""
    source = _notes_source(infos)
    if not stamped or source is None or "/AcroForm" not in pdf.Root:
        return
    assert source.fill is not None and source.first_rule is not None  # _notes_source checks
    for number, info in enumerate(stamped, start=1):
        dx = info.column[0] - source.column[0]
        top = source.first_rule - source.fill.pitch
        rect = Array(
            [
                source.fill.x0 + dx,
                info.height - info.column[3],
                source.fill.x1 + dx,
                info.height - top,
            ]
        )
        _add_field(pdf, info.number, rect, f"notes/extra-{number}", f"Notes, page {info.number}")


# ---- structure: join the pieces of parts and questions ----


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if isinstance(kids, Array):
        return [kid for kid in kids if isinstance(kid, Dictionary) and "/S" in kid]
    if isinstance(kids, Dictionary) and "/S" in kids:
        return [kids]
    return []


def _starts_with(element: pikepdf.Object, headings: tuple[str, ...], depth: int = 0) -> bool:
    """Whether ``element`` holds one of ``headings`` near its start (a new part or question)."""
    for kid in _kids(element)[:3]:
        if str(kid.S) in headings:
            return True
        if (
            str(kid.S) in ("/NonStruct", "/Div")
            and depth < 2
            and _starts_with(kid, headings, depth + 1)
        ):
            return True
    return False


def _join(
    parent: pikepdf.Object,
    kind: str,
    headings: tuple[str, ...],
    merged: dict[tuple[int, int], pikepdf.Object],
) -> None:
    """Move each piece that continues the previous ``kind`` element into it; ``merged`` maps
    each emptied piece to the element that took its content, for the parent tree."""
    kids = parent.get("/K")
    if not isinstance(kids, Array):
        return
    previous = None
    kept = Array()
    for kid in kids:
        if isinstance(kid, Dictionary) and str(kid.get("/S", "")) == kind:
            if previous is not None and not _starts_with(kid, headings):
                _adopt(previous, kid)
                merged[kid.objgen] = previous
                continue
            previous = kid
        kept.append(kid)
    parent.K = kept


def _adopt(element: pikepdf.Object, piece: pikepdf.Object) -> None:
    """Append ``piece``'s content to ``element``: child elements change parent, and marked
    content of the piece's page is referenced with that page when it differs."""
    content = piece.get("/K", Array())
    if not isinstance(content, Array):
        content = Array([content])
    if not isinstance(element.get("/K"), Array):
        element.K = Array([element.K]) if "/K" in element else Array()
    page = piece.get("/Pg")
    for item in content:
        if isinstance(item, Dictionary) and "/S" in item:
            item.P = element
            element.K.append(item)
        elif (
            isinstance(item, int)
            and page is not None
            and ("/Pg" not in element or element.Pg.objgen != page.objgen)
        ):
            element.K.append(Dictionary(Type=Name.MCR, Pg=page, MCID=item))
        else:
            element.K.append(item)


def _join_structure(pdf: pikepdf.Pdf) -> None:
    if "/StructTreeRoot" not in pdf.Root:
        return
    root = pdf.Root.StructTreeRoot
    merged: dict[tuple[int, int], pikepdf.Object] = {}
    for document in _kids(root):
        _join(document, "/Sect", ("/H1",), merged)
        for section in _kids(document):
            if str(section.S) == "/Sect":
                _join(section, "/Art", ("/H2",), merged)
    if not merged:
        return

    # The parent tree names the element that owns each piece of marked content and each
    # annotation: point it at the element that took the piece over.
    def owner(element: pikepdf.Object) -> pikepdf.Object:
        while isinstance(element, Dictionary) and element.objgen in merged:
            element = merged[element.objgen]
        return element

    nums = root.ParentTree.Nums
    for index in range(1, len(nums), 2):
        value = nums[index]
        if isinstance(value, Array):
            for position, element in enumerate(value):
                if isinstance(element, Dictionary) and element.objgen in merged:
                    value[position] = owner(element)
        elif isinstance(value, Dictionary) and value.objgen in merged:
            nums[index] = owner(value)


# ---- hyphens from hyphenation are not text ----


def _hyphen_codes(font: pikepdf.Object) -> set[bytes]:
    """The hex codes (as in a TJ string) that draw U+2010 in a WeasyPrint Identity-H font."""
    if "/ToUnicode" not in font:
        return set()
    text = font.ToUnicode.read_bytes().decode("latin-1")
    return {
        source.lower().encode()
        for source, target in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,})>", text)
        if int(target[:4], 16) == HYPHEN
    }


# WeasyPrint writes each run of text as "/FONT SIZE Tf" and "[<gid>adjust<gid>...] TJ".
_TEXT_OPS = re.compile(rb"/([A-Za-z0-9]+) [-\d.]+ Tf|\[([^\]]*)\] TJ")
_LAST_GLYPH = re.compile(rb"^(.*)<([0-9a-f]{4})>\s*(-?[\d.]+)?\s*$", re.S)


def unhyphenate(pdf: pikepdf.Pdf) -> None:
    """Mark each hyphen that hyphenation added at a line end as a soft hyphen."""
    codes_of: dict[tuple[int, int], set[bytes]] = {}
    for page in pdf.pages:
        fonts: pikepdf.Object | dict[str, Any] = page.obj.get(
            "/Resources", cast("dict[str, Any]", {})
        ).get("/Font", {})
        by_name = {}
        for name, font in fonts.items():
            if font.objgen not in codes_of:
                codes_of[font.objgen] = _hyphen_codes(font)
            if codes_of[font.objgen]:
                by_name[str(name)[1:].encode()] = codes_of[font.objgen]
        if not by_name:
            continue
        streams = page.obj.Contents if isinstance(page.obj.Contents, Array) else [page.obj.Contents]
        for stream in streams:
            data = stream.read_bytes()
            current: set[bytes] = set()
            pieces, last, changed = [], 0, False
            for match in _TEXT_OPS.finditer(data):
                if match.group(1) is not None:
                    current = by_name.get(match.group(1), set())
                    continue
                glyph = _LAST_GLYPH.match(match.group(2))
                if not glyph or glyph.group(2) not in current:
                    continue
                head = glyph.group(1).strip()
                pieces.append(data[last : match.start()])
                if head:
                    pieces.append(b"[" + head + b"] TJ\n")
                # The hyphen reads as a soft hyphen: invisible to copying and screen readers,
                # and a sign to text extractors that the word continues on the next line.
                pieces.append(
                    b"/Span <</ActualText <FEFF00AD>>> BDC [<" + glyph.group(2) + b">] TJ EMC"
                )
                last, changed = match.end(), True
            if changed:
                pieces.append(data[last:])
                stream.write(b"".join(pieces))


# ---- links that say where they go ----


def _describe_links(pdf: pikepdf.Pdf, descriptions: dict[str, str]) -> None:
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            if isinstance(dest, pikepdf.String) and str(dest) in descriptions:
                annot.Contents = String(descriptions[str(dest)])
