"""The font file fontconfig picks for a family, asked through WeasyPrint's own fontconfig
binding (so it is the file Pango lays the text out with): the form fields' font."""

from __future__ import annotations


def font_file(family: str = "DejaVu Sans") -> str | None:
    """The file fontconfig picks for ``family`` (the one Pango uses), or None."""
    from weasyprint.text.ffi import ffi, fontconfig

    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", family.encode())
        fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(ffi.NULL, pattern, result)
        if match == ffi.NULL:
            return None
        try:
            path = ffi.new("FcChar8 **")
            if fontconfig.FcPatternGetString(match, b"file", 0, path) != 0:
                return None
            found: str = ffi.string(path[0]).decode()  # cffi, through WeasyPrint: untyped
            return found
        finally:
            fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)
