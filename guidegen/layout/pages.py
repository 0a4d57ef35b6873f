"""What the finishing stage needs to know about each laid-out page, read from WeasyPrint's
page boxes before the PDF is written: the text column, whether the page is blank, where its
last writing space ends (and how its rules look), and where elements with an id sit.

This reads WeasyPrint 70's page boxes (``page._page_box``), which is why pyproject.toml pins
``weasyprint>=70,<71``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guidegen.pdf.pageinfo import PX, Fill, PageInfo

if TYPE_CHECKING:
    from guidegen.layout.session import WeasyBox, WeasyDocument


def _classes(box: WeasyBox) -> set[str]:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) is None:
        return set()
    return set((element.get("class") or "").split())


def _rule_style(rule_box: WeasyBox) -> tuple[float, float, tuple[float, float, float]]:
    style = rule_box.style
    colour = style["border_bottom_color"]
    rgb = tuple(round(value, 6) for value in colour.to("srgb").coordinates)
    return rule_box.margin_height() * PX, rule_box.border_bottom_width * PX, rgb


def _fill_of(
    page_box: WeasyBox, marker: WeasyBox, descendants: list[WeasyBox], default_rule: WeasyBox | None
) -> Fill | None:
    """The rules after ``marker`` if nothing on the page comes after it. The rules look like
    the last one above the marker, or (where the marker has none above it) like the document's
    first."""
    y = marker.position_y
    for box in descendants:
        if box is marker:
            continue
        if box.position_y > y + 0.5 and box.height and box.width:
            if not _classes(box) & {"rule", "ruled", "fill-from"}:
                return None  # something is printed below the writing space
    ruled = default_rule
    for box in descendants:
        if "rule" in _classes(box) and box.position_y < y + 0.5:
            ruled = box  # the last rule above the marker
    if ruled is None:
        return None
    pitch, width, colour = _rule_style(ruled)
    return Fill(
        y * PX,
        marker.position_x * PX,
        (marker.position_x + marker.width) * PX,
        pitch,
        width,
        colour,
        marker.element.get("data-field"),
        marker.element.get("data-title"),
    )


def page_infos(document: WeasyDocument) -> list[PageInfo]:
    """One PageInfo per page of a rendered (not yet written) WeasyPrint document."""
    from weasyprint.formatting_structure import boxes

    infos = []
    default_rule = next(
        (
            box
            for page in document.pages
            for box in page._page_box.descendants()
            if "rule" in _classes(box)
        ),
        None,
    )
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        x0 = page_box.content_box_x() * PX
        top = page_box.content_box_y() * PX
        column = (x0, top, x0 + page_box.width * PX, top + page_box.height * PX)
        info = PageInfo(
            number, page.width * PX, page.height * PX, column, bool(page_box.page_type.blank)
        )
        # The flow of the page, without its margin boxes (running heads).
        descendants = [
            box
            for root in page_box.children
            if not isinstance(root, boxes.MarginBox)
            for box in root.descendants()
            if getattr(box, "position_y", None) is not None
        ]
        markers = [box for box in descendants if "fill-from" in _classes(box)]
        if markers:
            last = max(markers, key=lambda box: box.position_y)
            info.fill = _fill_of(page_box, last, descendants, default_rule)
        rules = [box for box in descendants if "rule" in _classes(box)]
        if rules:
            info.first_rule = min(box.position_y + box.margin_height() for box in rules) * PX
        info.anchors = {name: (x * PX, y * PX) for name, (x, y, *_) in page.anchors.items()}
        infos.append(info)
    return infos


def cover_detail_boxes(page: WeasyBox) -> list[tuple[float, float, float, float]]:
    """Each cover detail's box (a dd of the cover's details) on an overlay page: where its
    border box starts, from the page's content area, and its content size (what `width` and
    `height` set)."""
    from weasyprint.formatting_structure import boxes

    page_box = page._page_box  # WeasyPrint 70's layout tree (see this module's docstring)
    x0, y0 = page_box.content_box_x(), page_box.content_box_y()
    return [
        (box.border_box_x() - x0, box.border_box_y() - y0, box.width, box.height)
        for details in page_box.descendants()
        if isinstance(details, boxes.BlockBox)
        and "cover-details" in (details.element.get("class") or "").split()
        for box in details.children
        if isinstance(box, boxes.BlockBox) and box.element_tag == "dd"
    ]


def cover_detail_glyphs(page: WeasyBox) -> list[tuple[str, float, float]]:
    """The text of the cover details on an overlay page and where each run of it starts."""
    return [
        (box.text, round(box.position_x, 3), round(box.position_y, 3))
        for box in page._page_box.descendants()
        if type(box).__name__ == "TextBox"
        and box.text.strip()
        and box.style["visibility"] == "visible"
    ]
