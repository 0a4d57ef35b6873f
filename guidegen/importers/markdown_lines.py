"""Markdown read line by line, the way the importers need it: which lines are code, which are
headings and list items, and which are not Markdown at all (front matter, MDX).

Nothing is rendered: the author's text is kept as typed, and a ``# comment`` inside a fenced
code block is code, never a heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from guidegen.importers.records import FRONT_MATTER, MDX, SourceRecords
from guidegen.importers.text import FENCE

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_LIST_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:([ \t]+)(.*)|[ \t]*$)")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")

# MDX (Docusaurus and similar) lines: ES module statements, JSX component tags (capitalised
# names; lower-case tags are HTML and stay), and JSX comments.
_MDX_STATEMENT = re.compile(
    r"^import\s+(?:.+\s+from\s+['\"]|['\"{*]|[\w$]+\s*,)"
    r"|^export\s+(?:default|const|let|var|function|async|class)\b|^export\s+[{*]"
)
_JSX_TAGS = re.compile(r"^\s*(?:</?[A-Z][\w.]*(?:\s[^<>]*)?/?>\s*)+$")
_JSX_OPEN = re.compile(r"^\s*<[A-Z][\w.]*(?:\s[^<>]*)?$")  # a tag whose attributes run on
_JSX_COMMENT = re.compile(r"^\s*\{/\*.*\*/\}\s*$")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the source file
    text: str
    code: bool  # inside a fenced code block, or one of its fence lines


@dataclass(frozen=True)
class ListItem:
    indent: int  # columns before the marker
    content_indent: int  # columns before the item's text: where its continuation lines start
    ordered: bool
    number: int | None
    text: str  # the rest of the first line


def split_lines(text: str) -> list[str]:
    """Lines split on line feeds only (a U+2028 inside a line is text, not a break)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_lines(text: str, records: SourceRecords) -> list[Line]:
    """The lines that are Markdown, with their numbers; front matter and MDX lines are left
    out and counted on ``records`` (the front matter's ``title:`` is kept as the page title)."""
    raw = split_lines(text)
    start = 0
    if raw and raw[0].strip() == "---":
        end = next((i for i in range(1, len(raw)) if raw[i].strip() in ("---", "...")), None)
        if end is not None:
            for line in raw[1:end]:
                match = re.match(r"^title:\s*(.+?)\s*$", line)
                if match:
                    records.title = match.group(1).strip("'\"") or None
            records.ignore(FRONT_MATTER, 1, end + 1)
            start = end + 1
    lines: list[Line] = []
    fence: str | None = None
    skipping_until = None  # a multi-line MDX construct: what ends it
    depth = 0
    for index in range(start, len(raw)):
        number, line = index + 1, raw[index]
        match = FENCE.match(line)
        if fence is not None:
            lines.append(Line(number, line, True))
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                if not match.group(2).strip():
                    fence = None
            continue
        if skipping_until is not None:
            records.ignore(MDX, number)
            if skipping_until == "braces":
                depth += line.count("{") - line.count("}")
                if depth <= 0:
                    skipping_until = None
            elif skipping_until in line:
                skipping_until = None
            continue
        if match:
            fence = match.group(1)
            lines.append(Line(number, line, True))
            continue
        mdx = _mdx(line)
        if mdx is not None:
            records.ignore(MDX, number)
            if mdx == "braces":
                depth = line.count("{") - line.count("}")
                if depth > 0:
                    skipping_until = "braces"
            elif mdx:
                skipping_until = mdx
            continue
        lines.append(Line(number, line, False))
    return _setext_as_atx(lines)


_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def _setext_as_atx(lines: list[Line]) -> list[Line]:
    """A one-line paragraph underlined with ``===`` or ``---`` is a heading (level 1 or 2), as
    every Markdown reader shows it: written here as the ``#`` heading it is, the underline
    dropped. A ``---`` after a blank line stays a thematic break."""
    out: list[Line] = []
    for line in lines:
        match = None if line.code else _SETEXT.match(line.text)
        above = out[-1] if out else None
        if (
            match
            and above is not None
            and not above.code
            and above.text.strip()
            and heading(above) is None
            and list_item(above) is None
            and not above.text.startswith((" " * 4, "\t", ">"))
            and (len(out) < 2 or not out[-2].text.strip() or out[-2].code or heading(out[-2]))
        ):
            level = "#" if match.group(1)[0] == "=" else "##"
            out[-1] = Line(above.number, f"{level} {above.text.strip()}", False)
            continue
        out.append(line)
    return out


def _mdx(line: str) -> str | None:
    """None for Markdown; "" for a one-line MDX construct; else what ends a longer one."""
    if _MDX_STATEMENT.match(line):
        return "braces"
    if _JSX_TAGS.match(line) or _JSX_COMMENT.match(line):
        return ""
    if _JSX_OPEN.match(line):
        return ">"
    if line.lstrip().startswith("{/*"):
        return "*/}"
    return None


def heading(line: Line) -> tuple[int, str] | None:
    """(level, text) of an ATX heading outside code."""
    if line.code:
        return None
    match = _HEADING.match(line.text)
    if not match:
        return None
    return len(match.group(1)), (match.group(2) or "").strip()


def list_item(line: Line) -> ListItem | None:
    """The list item a line starts, outside code (a thematic break ``- - -`` is not one)."""
    if line.code or _RULE.match(line.text):
        return None
    match = _LIST_ITEM.match(line.text)
    if not match:
        return None
    indent = width(match.group(1))
    marker = match.group(2)
    gap = width(match.group(3) or " ")
    ordered = marker[0].isdigit()
    return ListItem(
        indent=indent,
        content_indent=indent + len(marker) + (gap if gap <= 4 else 1),
        ordered=ordered,
        number=int(marker[:-1]) if ordered else None,
        text=(match.group(4) or "").strip(),
    )


def width(whitespace: str) -> int:
    """Columns of leading white space, a tab counting to the next multiple of four."""
    return len(whitespace.expandtabs(4))


def indent_of(text: str) -> int:
    return width(text[: len(text) - len(text.lstrip(" \t"))])


def remove_indent(text: str, columns: int) -> str:
    """``text`` with up to ``columns`` of leading white space removed (tabs expanded there)."""
    lead = text[: len(text) - len(text.lstrip(" \t"))]
    expanded = lead.expandtabs(4)
    return expanded[min(columns, len(expanded)) :] + text[len(lead) :]


def is_blank(line: Line) -> bool:
    return not line.text.strip()
