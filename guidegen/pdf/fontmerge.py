"""One embedded font per face in a joined book (layout/join.py).

Each chunk of a book embeds its own subset of every face it uses. WeasyPrint subsets with the
glyph ids kept (HarfBuzz's or fontTools' retain-gids), and the text is drawn by glyph id
(Identity-H), so the subsets of one face are the same font with different glyphs left empty:
their union, glyph by glyph, serves every page. Merging keeps a 108-page book's fonts at one
set instead of three (about 80 KB).

Only TrueType (glyf) subsets are merged, at the level of their tables (glyf, loca, hmtx), which
takes milliseconds; anything else is left as embedded.
"""

from __future__ import annotations

import re
import struct
from typing import TYPE_CHECKING, cast

import pikepdf
from pikepdf import Array, Dictionary, Name

if TYPE_CHECKING:
    from collections.abc import Sequence

_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def merge_fonts(pdf: pikepdf.Pdf) -> None:
    """Replace the subsets of each face by one font holding the union of their glyphs."""
    holders = [obj for obj in pdf.objects if isinstance(obj, Dictionary) and "/Font" in obj]
    groups: dict[str, list[pikepdf.Object]] = {}
    seen: set[tuple[int, int]] = set()
    for holder in holders:
        fonts: pikepdf.Object | list[pikepdf.Object] = holder.Font
        if not isinstance(fonts, Dictionary):
            continue
        for _, font in fonts.items():
            if not font.is_indirect or font.objgen in seen:
                continue
            seen.add(font.objgen)
            if _truetype(font) is not None:
                groups.setdefault(str(font.BaseFont), []).append(font)
    replaced: dict[tuple[int, int], pikepdf.Object] = {}
    for fonts in groups.values():
        if len(fonts) < 2:
            continue
        merged = fonts[0]
        # Only fonts with a TrueType program were grouped.
        programs = [cast(pikepdf.Stream, _truetype(font)).read_bytes() for font in fonts]
        union = union_truetype(programs)
        if union is None:
            continue
        stream = pdf.make_stream(union)
        stream.Length1 = len(union)
        descendant = merged.DescendantFonts[0]
        descendant.FontDescriptor.FontFile2 = stream
        descendant.W = _widths_array([font_widths(font) for font in fonts])
        merged.ToUnicode = pdf.make_stream(_to_unicode([_unicode_map(font) for font in fonts]))
        for other in fonts[1:]:
            replaced[other.objgen] = merged
    if not replaced:
        return
    for holder in holders:
        fonts = holder.Font
        if not isinstance(fonts, Dictionary):
            continue
        for name, font in list(fonts.items()):
            if font.is_indirect and font.objgen in replaced:
                fonts[name] = replaced[font.objgen]


def _truetype(font: pikepdf.Object) -> pikepdf.Stream | None:
    if font.get("/Subtype") != Name.Type0 or "/DescendantFonts" not in font:
        return None
    descendant = font.DescendantFonts[0]
    if descendant.get("/CIDToGIDMap") != Name.Identity:
        return None
    descriptor = descendant.get("/FontDescriptor")
    program = descriptor.get("/FontFile2") if descriptor is not None else None
    return cast("pikepdf.Stream | None", program)  # a /FontFile2 is a stream (ISO 32000 9.9)


# ---- the font programs ----


def _tables(data: bytes) -> dict[bytes, bytes]:
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for index in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * index : 28 + 16 * index])
        tables[tag] = data[offset : offset + length]
    return tables


def _glyphs(tables: dict[bytes, bytes]) -> list[bytes]:
    count = struct.unpack(">H", tables[b"maxp"][4:6])[0]
    long_offsets = struct.unpack(">h", tables[b"head"][50:52])[0] == 1
    loca = tables[b"loca"]
    offsets: Sequence[int]
    if long_offsets:
        offsets = struct.unpack(f">{count + 1}I", loca[: 4 * (count + 1)])
    else:
        offsets = [2 * value for value in struct.unpack(f">{count + 1}H", loca[: 2 * (count + 1)])]
    glyf = tables[b"glyf"]
    return [glyf[offsets[i] : offsets[i + 1]] for i in range(count)]


def _metrics(tables: dict[bytes, bytes], count: int) -> list[tuple[int, int]]:
    long_metrics = struct.unpack(">H", tables[b"hhea"][34:36])[0]
    hmtx = tables[b"hmtx"]
    metrics = [struct.unpack(">Hh", hmtx[4 * i : 4 * i + 4]) for i in range(long_metrics)]
    last_advance = metrics[-1][0] if metrics else 0
    rest = hmtx[4 * long_metrics :]
    for i in range(count - long_metrics):
        metrics.append((last_advance, struct.unpack(">h", rest[2 * i : 2 * i + 2])[0]))
    return metrics


def union_truetype(programs: list[bytes]) -> bytes | None:
    """The glyph-by-glyph union of subsets of one TrueType font with retained glyph ids."""
    try:
        fonts = [_tables(data) for data in programs]
        if any(not {b"glyf", b"loca", b"head", b"maxp", b"hhea", b"hmtx"} <= set(t) for t in fonts):
            return None
        glyphs = [_glyphs(tables) for tables in fonts]
        metrics = [_metrics(tables, len(g)) for tables, g in zip(fonts, glyphs)]
    except (struct.error, IndexError):
        return None
    count = max(len(g) for g in glyphs)
    chosen_glyphs, chosen_metrics = [], []
    for gid in range(count):
        source = next((i for i, g in enumerate(glyphs) if gid < len(g) and g[gid]), None)
        if source is None:
            source = next(i for i, g in enumerate(glyphs) if gid < len(g))
        data = glyphs[source][gid]
        chosen_glyphs.append(data + b"\0" * (-len(data) % 4))
        chosen_metrics.append(metrics[source][gid])
    base = max(range(len(fonts)), key=lambda i: len(glyphs[i]))
    tables = dict(fonts[base])
    offsets, position = [], 0
    for data in chosen_glyphs:
        offsets.append(position)
        position += len(data)
    offsets.append(position)
    tables[b"glyf"] = b"".join(chosen_glyphs)
    tables[b"loca"] = struct.pack(f">{count + 1}I", *offsets)
    head = bytearray(tables[b"head"])
    head[50:52] = struct.pack(">h", 1)  # long loca offsets
    head[8:12] = b"\0\0\0\0"  # checksumAdjustment, set below
    tables[b"head"] = bytes(head)
    maxp = bytearray(tables[b"maxp"])
    maxp[4:6] = struct.pack(">H", count)
    tables[b"maxp"] = bytes(maxp)
    hhea = bytearray(tables[b"hhea"])
    hhea[34:36] = struct.pack(">H", count)
    tables[b"hhea"] = bytes(hhea)
    tables[b"hmtx"] = b"".join(struct.pack(">Hh", *metric) for metric in chosen_metrics)
    return _font_file(tables)


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(data) // 4}I", data)
    return sum(words) & 0xFFFFFFFF


def _font_file(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(
        ">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16
    )
    directory, body = [], b""
    offset = 12 + 16 * count
    for tag in tags:
        data = tables[tag]
        directory.append(struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data)))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + b"".join(directory) + body)
    head_offset = offset + sum(
        len(tables[tag]) + (-len(tables[tag]) % 4) for tag in tags[: tags.index(b"head")]
    )
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head_offset + 8 : head_offset + 12] = struct.pack(">I", adjustment)
    return bytes(font)


# ---- widths and the text layer ----


def font_widths(font: pikepdf.Object) -> dict[int, float]:
    """A Type0 font's glyph id -> width (1/1000 em), from its /W array."""
    widths: dict[int, float] = {}
    entries = list(font.DescendantFonts[0].get("/W", []))
    index = 0
    while index < len(entries):
        first = int(entries[index])
        if isinstance(entries[index + 1], Array):
            for offset, width in enumerate(entries[index + 1]):
                widths[first + offset] = float(width)
            index += 2
        else:
            for code in range(first, int(entries[index + 1]) + 1):
                widths[code] = float(entries[index + 2])
            index += 3
    return widths


def _widths_array(all_widths: list[dict[int, float]]) -> Array:
    union: dict[int, float] = {}
    for widths in all_widths:
        for gid, width in widths.items():
            union.setdefault(gid, width)
    # run_start is the first gid of run whenever run has widths. Array.extend encodes the int,
    # though pikepdf's stubs accept only Objects.
    run_start: int | None
    run: list[float]
    result, run_start, run = Array(), None, []
    for gid in sorted(union):
        if run and gid == cast(int, run_start) + len(run):
            run.append(union[gid])
            continue
        if run:
            result.extend(cast("list[pikepdf.Object]", [run_start, Array(run)]))
        run_start, run = gid, [union[gid]]
    if run:
        result.extend(cast("list[pikepdf.Object]", [run_start, Array(run)]))
    return result


def _unicode_map(font: pikepdf.Object) -> dict[bytes, bytes]:
    if "/ToUnicode" not in font:
        return {}
    data = font.ToUnicode.read_bytes()
    mapping: dict[bytes, bytes] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in _BFCHAR.findall(block):
            mapping.setdefault(source.lower(), target.lower())
    return mapping


def _to_unicode(maps: list[dict[bytes, bytes]]) -> bytes:
    union: dict[bytes, bytes] = {}
    for mapping in maps:
        for source, target in mapping.items():
            union.setdefault(source, target)
    lines = [
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
        b"<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n"
        b"<0000> <ffff>\nendcodespacerange\n"
    ]
    items = sorted(union.items())
    for start in range(0, len(items), 100):
        block = items[start : start + 100]
        lines.append(b"%d beginbfchar\n" % len(block))
        lines += [b"<%s> <%s>\n" % (source, target) for source, target in block]
        lines.append(b"endbfchar\n")
    lines.append(b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
    return b"".join(lines)


def widths_as_drawn(pdf: pikepdf.Pdf) -> None:
    """Round every width to the whole unit WeasyPrint placed the text with.

    WeasyPrint 70 positions glyphs against widths rounded to 1/1000 em, and writes those
    widths, except for a font a form field uses: that one gets the font's exact widths, so
    viewers move its glyphs by up to half a point along a line (and a book laid out in chunks
    would differ from one document where a chunk has no field in that font)."""
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary) or obj.get("/Subtype") != Name.CIDFontType2:
            continue
        entries = obj.get("/W")
        if entries is None:
            continue
        obj.W = Array(
            Array([round(float(width)) for width in entry])
            if isinstance(entry, Array)
            else round(float(entry))
            for entry in entries
        )
