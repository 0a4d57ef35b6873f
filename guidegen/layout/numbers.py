"""The page numbers of a front laid out with blank ones, written into its boxes.

The front (cover, how-to page, contents) is laid out first with 0 for every page number it
prints, to learn its length (layout/parts.py). Each number stands in a box placed absolutely
(``a[data-page]::after`` in styles/front.css and styles/base.css), so no number can move
anything else: the real numbers change only their own boxes. Rather than lay the front out
again (a 2,600-question book's contents run to 124 pages: 12 s), each number's text box gets
its text, shaped by Pango, and moves by the change in its width where it is aligned to the
right. Where a theme prints a number in any other way (in the flow, beside other text in its
box, justified), ``number_boxes`` finds none to fill and the front is laid out again.
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
    shift: float  # how much of a change in width moves the text left: 1 right-aligned, 0 left


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
            texts = [each for each in child.descendants() if isinstance(each, boxes.TextBox)]
            lines = [each for each in child.descendants() if isinstance(each, boxes.LineBox)]
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
    """How a change in the text's width moves it: by all of it (right-aligned, or a box as
    wide as its text that is placed from the right), half (centred), none; None: unknown."""
    if box.style["width"] == "auto":
        left, right = box.style["left"] == "auto", box.style["right"] == "auto"
        if left == right:
            return None  # placed from both sides, or from neither
        return 1.0 if left else 0.0
    align = box.style["text_align_all"]
    ltr = box.style["direction"] == "ltr"
    if align == "right" or align == ("end" if ltr else "start"):
        return 1.0
    if align == "left" or align == ("start" if ltr else "end"):
        return 0.0
    return 0.5 if align == "center" else None


def fill_numbers(numbers: list[NumberBox], page_of: dict[str, int]) -> bool:
    """Write each page number in (0 where ``page_of`` has none, as the template would);
    False, with nothing changed, if a number would not fit its box."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import split_first_line

    filled: list[tuple[NumberBox, str, Any, float]] = []
    for number in numbers:
        box = number.text
        text = box.text[: -len(BLANK)] + str(page_of.get(number.anchor, 0))
        layout, _, _, width, _, _ = split_first_line(
            text, box.style, None, None, box.justification_spacing
        )
        if number.placed.style["width"] != "auto":
            left = box.position_x - (width - box.width) * number.shift
            inside = number.placed.content_box_x()
            if left < inside - 0.01 or left + width > inside + number.placed.width + 0.01:
                return False  # it would not fit: WeasyPrint places it, laid out again
        filled.append((number, text, layout, width))
    for number, text, layout, width in filled:
        box, grown = number.text, width - number.text.width
        box.text, box.pango_layout, box.width = text, layout, width
        if number.placed.style["width"] == "auto":
            number.placed.width += grown
            for line in number.placed.children:
                if isinstance(line, boxes.LineBox):
                    line.width += grown
            number.placed.translate(dx=-grown * number.shift)
        else:
            box.position_x -= grown * number.shift
    return True


_NUMBER = re.compile(r' data-page="[0-9]+"')


def only_numbers_differ(measured: str, final: str) -> bool:
    """Whether the front's HTML with its page numbers differs from the HTML it was measured
    with only in the numbers (``data-page``): a theme's template may print them otherwise."""
    return _NUMBER.sub(f' data-page="{BLANK}"', final) == measured
