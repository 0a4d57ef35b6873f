"""What a Markdown field holds, read the same way by validation and by rendering: where its
code is (placeholders and typography never touch code), its placeholders, and the raw HTML in
it that will not be printed.

- A placeholder is ``{company}`` or ``{company|fallback words}``, outside code. ``\\{word}``
  prints ``{word}`` as typed (Markdown's own escape), and so does anything in backticks or a
  fenced block: ``awk '{print $1}'`` is code, not a placeholder.
- Raw HTML: a tag HTML knows is either in the small inline set that prints (``<b>``, ``<kbd>``,
  ``<sub>``…) or is dropped, with a warning; a "tag" HTML does not know, such as the
  ``<pod-name>`` of ``kubectl logs <pod-name>``, is ordinary text and prints as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

PLACEHOLDER = re.compile(r"(?<![\\$])\{([A-Za-z_]+)(?:\|([^{}]*))?\}")
PLACEHOLDERS = ("company",)

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?(?:^\1\2[`~]*[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)

# What prints of raw HTML, and of the HTML Markdown makes: everything else is dropped.
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "del",
    "ins",
    "mark",
    "small",
    "sub",
    "sup",
    "kbd",
    "samp",
    "var",
    "q",
    "abbr",
    "code",
    "pre",
    "span",
    "div",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "hr",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "a",
    "img",
    "wbr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    # Pygments marks tokens with classes; guidegen's stylesheets give them their look.
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "p": {"class"},
}
INLINE_HTML = {
    "b",
    "strong",
    "i",
    "em",
    "code",
    "kbd",
    "sub",
    "sup",
    "br",
    "small",
    "del",
    "ins",
    "mark",
    "abbr",
    "u",
    "s",
    "q",
    "var",
    "samp",
    "wbr",
}
# Element names of HTML: a tag with one of these names is HTML; anything else is text.
HTML_ELEMENTS = INLINE_HTML | {
    "a",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "base",
    "bdi",
    "bdo",
    "blockquote",
    "body",
    "button",
    "canvas",
    "caption",
    "cite",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "map",
    "math",
    "menu",
    "meta",
    "meter",
    "nav",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "portal",
    "pre",
    "progress",
    "rp",
    "rt",
    "ruby",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "source",
    "span",
    "style",
    "summary",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "ul",
    "video",
    "font",
    "center",
    "frame",
    "frameset",
    "marquee",
    "applet",
    "xmp",
}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>")
_ATTRIBUTE = re.compile(
    r"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*(?:=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?"
)


def code_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) of every fenced code block and code span in Markdown ``text``."""
    regions = [(m.start(), m.end()) for m in _FENCE.finditer(text)]

    def inside(position: int) -> bool:
        return any(start <= position < end for start, end in regions)

    spans = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(text) if not inside(m.start())]
    return sorted(regions + spans)


def outside_code(text: str, pattern: re.Pattern) -> Iterator[re.Match]:
    matches = list(pattern.finditer(text))
    # Most text has no match at all: finding its code is then not needed (a content file
    # has thousands of strings, and validate checks each one).
    regions = code_regions(text) if matches else []
    for match in matches:
        if not any(start <= match.start() < end for start, end in regions):
            yield match


def placeholders(text: str) -> Iterator[re.Match]:
    """The placeholders of ``text``: outside code, not escaped."""
    return outside_code(text, PLACEHOLDER)


def escape_placeholders(text: str) -> str:
    """``text`` with each placeholder outside code written ``\\{word}``, so that it prints
    as typed: for text that was not written for guidegen (an imported bank)."""
    pieces, last = [], 0
    for match in placeholders(text):
        pieces.append(text[last : match.start()])
        pieces.append("\\")
        last = match.start()
    pieces.append(text[last:])
    return "".join(pieces)


def fill(text: str, company: str | None, fallback: str) -> str:
    """``text`` with each placeholder filled (validation reports unknown ones)."""
    pieces, last = [], 0
    for match in placeholders(text):
        if match.group(1) != "company":
            continue
        pieces.append(text[last : match.start()])
        if company:
            pieces.append(company)
        else:
            pieces.append(match.group(2) if match.group(2) is not None else fallback)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def dropped_html(text: str) -> Iterator[tuple[int, str]]:
    """(offset, what) for each raw HTML construct outside code that will not be printed: an
    element off the allow-list, or an attribute off it (style, rel, an onclick...)."""
    for match in outside_code(text, _TAG):
        name = match.group(2).lower()
        if name not in HTML_ELEMENTS or match.group(1):
            continue
        if name not in ALLOWED_TAGS:
            yield match.start(), f"<{name}>"
            continue
        allowed = ALLOWED_ATTRIBUTES.get(name, set())
        for attribute in _ATTRIBUTE.finditer(match.group(3) or ""):
            if attribute.group(1).lower() not in allowed:
                yield match.start(), f"the {attribute.group(1).lower()} attribute of <{name}>"


def escape_unknown_tags(text: str) -> str:
    """Angle brackets that are not HTML, outside code, made literal: ``<pod-name>`` prints."""
    pieces, last = [], 0
    for match in outside_code(text, _TAG):
        if match.group(2).lower() in HTML_ELEMENTS:
            continue
        pieces.append(text[last : match.start()])
        pieces.append("&lt;" + match.group(0)[1:])
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)
