"""The page numbers of a front laid out with blank ones, written into its boxes.

The front (cover, how-to page, contents) is laid out first with 0 for every page number it
prints, to learn its length (layout/parts.py). Each number stands in a box placed absolutely
(``a[data-page]::after`` in styles/front.css and styles/base.css), so no number can move
anything else: the real numbers change only their own boxes. Rather than lay the front out
again (a 2,600-question book's contents run to 124 pages: 12 s), each number's text box gets
its text, shaped by Pango, and goes where WeasyPrint's alignment puts a text of its width
(checked first against where it put the blank one). Where a theme prints a number in any other
way (in the flow, beside other text in its box, justified), nothing is filled in and the front
is laid out again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from guidegen.layout.session import WeasyBox, WeasyDocument

BLANK = "0"  # the number the front is first laid out with (templates/_macros.html: page_attr)


@dataclass
class NumberBox:
    """Where one page number is drawn: its anchor, its text box and the box placed for it."""

    anchor: str
    text: WeasyBox
    placed: WeasyBox  # the absolutely placed ::after box holding the text
    shift: float  # how a change in width moves a box as wide as its text (see _shift)


def number_boxes(document: WeasyDocument) -> list[NumberBox] | None:
    """Every page number of the laid-out ``document``, or None if any is printed in a way
    that filling it in could not keep (the front must then be laid out again): every box
    generated (``::before``, ``::after``) for an element with ``data-page`` must be one."""
    found: list[NumberBox] = []
    for page in document.pages:
        if not _numbers_in(page._page_box, found):
            return None
    return found


def _numbers_in(box: WeasyBox, found: list[NumberBox]) -> bool:
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", ()):
        element = child.element
        if "::" in (child.element_tag or "") and element is not None and element.get("data-page"):
            inside = list(child.descendants())
            texts = [each for each in inside if isinstance(each, boxes.TextBox)]
            lines = [each for each in inside if isinstance(each, boxes.LineBox)]
            href = element.get("href") or ""
            shift = _shift(child)
            if (
                element.get("data-page") != BLANK
                or child.style["position"] != "absolute"
                or len(texts) != 1
                or len(lines) != 1
                or not texts[0].text.endswith(BLANK)
                or not href.startswith("#")
                or shift is None
            ):
                return False
            found.append(NumberBox(href[1:], texts[0], child, shift))
        elif not _numbers_in(child, found):
            return False
    return True


def _shift(box: WeasyBox) -> float | None:
    """For a box as wide as its text (``width: auto``), how a change in the text's width moves
    it: by all of it where the box is placed from the right, none from the left; None where
    it is placed from both sides or neither. For a box of its own width: 0 (see _aligned_x)."""
    if box.style["width"] != "auto":
        return 0.0 if _aligned_x(box, 0.0) is not None else None
    left, right = box.style["left"] == "auto", box.style["right"] == "auto"
    if left == right:
        return None
    return 1.0 if left else 0.0


def _aligned_x(box: WeasyBox, width: float) -> float | None:
    """Where WeasyPrint puts a one-line text ``width`` wide in ``box`` (weasyprint/layout/
    inline.py: text_align, and get_next_linebox for right-to-left), or None for an alignment
    it does not place by the width alone (justified)."""
    align = box.style["text_align_all"]
    if box.style["text_align_last"] != "auto":  # the only line is the last
        align = box.style["text_align_last"]
    rtl = box.style["direction"] == "rtl"
    if align in ("left", "right"):
        align = "start" if (align == "left") != rtl else "end"
    if align not in ("start", "center", "end"):
        return None
    room: float = box.width
    offset = 0.0 if width >= room else (room - width) * {"start": 0, "center": 0.5, "end": 1}[align]
    inside: float = box.content_box_x()
    return inside + room - width - offset if rtl else inside + offset


def _may_wrap(style: Any, text: str) -> bool:
    """Whether WeasyPrint may break ``text`` over lines where it is too wide for its box."""
    if style["white_space"] not in ("normal", "pre-wrap", "pre-line"):
        return False
    return (
        style["overflow_wrap"] != "normal"
        or style["word_break"] != "normal"
        or any(character.isspace() for character in text.strip())
    )


def fill_numbers(numbers: list[NumberBox], page_of: dict[str, int]) -> bool:
    """Write each page number in (0 where ``page_of`` has none, as the template would);
    False, with nothing changed, where a number's box is not placed as this expects."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import split_first_line

    filled: list[tuple[NumberBox, str, Any, float, float, bool]] = []
    for number in numbers:
        box, placed = number.text, number.placed
        text = box.text[: -len(BLANK)] + str(page_of.get(number.anchor, 0))
        layout, _, _, width, _, _ = split_first_line(
            text, box.style, None, None, box.justification_spacing
        )
        as_wide_as_text = placed.style["width"] == "auto"
        if as_wide_as_text:
            x = box.position_x - (width - box.width) * number.shift
        else:
            # Where the blank number stands must be where WeasyPrint's alignment put it.
            measured = _aligned_x(placed, box.width)
            if measured is None or abs(measured - box.position_x) > 0.01:
                return False
            if width > placed.width + 0.01 and _may_wrap(box.style, text):
                return False  # laid out again, it would take two lines
            x = _aligned_x(placed, width)
        filled.append((number, text, layout, width, x, as_wide_as_text))
    for number, text, layout, width, x, as_wide_as_text in filled:
        box, placed, grown = number.text, number.placed, width - number.text.width
        if as_wide_as_text:
            placed.width += grown
            for line in placed.children:
                if isinstance(line, boxes.LineBox):
                    line.width += grown
            placed.translate(dx=x - box.position_x)
        else:
            box.position_x = x
        box.text, box.pango_layout, box.width = text, layout, width
    return True


_NUMBER = re.compile(r' data-page="[0-9]+"')


def only_numbers_differ(measured: str, final: str) -> bool:
    """Whether the front's HTML with its page numbers differs from the HTML it was measured
    with only in the numbers (``data-page``): a theme's template may print them otherwise."""
    return _NUMBER.sub(f' data-page="{BLANK}"', final) == measured
