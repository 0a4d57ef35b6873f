"""The front's page numbers written into its laid-out boxes (guidegen/layout/numbers.py) print
as the front laid out with those numbers would: the same characters at the same places. A
number printed in any other way is left to a second layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidegen.layout.numbers import fill_numbers, number_boxes, only_numbers_differ
from guidegen.layout.session import FetchLog, allowed_roots, pdf_bytes, render_document
from tests.pdfread import Workbook

# The built-in contents entry (styles/front.css) and page reference (styles/base.css,
# styles/worksheets.css), reduced to what places the number.
CONTENTS = """a { display: block; position: relative; padding-right: 10mm; }
a::after { content: attr(data-page); position: absolute; right: 0; bottom: 0; width: 10mm;
  text-align: right; }"""
REFERENCE = """a { display: block; position: relative; padding-right: 13mm; }
a::after { content: " page\\a0" attr(data-page); position: absolute; right: 0; bottom: 0; }"""
CENTRED = CONTENTS.replace("text-align: right", "text-align: center")
LEFT_PLACED = REFERENCE.replace("right: 0;", "left: 0;")
NARROW = CONTENTS.replace("width: 10mm", "width: 4mm")  # 1048 overflows it
IN_THE_FLOW = "a::after { content: ' ' attr(data-page); }"
ALONGSIDE = CONTENTS.replace("a::after {", "a::before { content: attr(data-page); }\na::after {")

PAGES = {"q-1": 7, "q-2": 123, "q-3": 1048}


def html(style: str, pages: dict[str, int], direction: str = "ltr") -> str:
    entries = "".join(
        f'<a href="#{anchor}" data-page="{page}">Entry {anchor} with a title</a>'
        for anchor, page in pages.items()
    )
    targets = "".join(f'<p id="{anchor}">Target</p>' for anchor in pages)
    return (
        f'<html lang="en" dir="{direction}"><head><title>Numbers</title>'
        f"<style>body {{ font-size: 9pt; }} {style}</style></head>"
        f"<body>{entries}{targets}</body></html>"
    )


def laid_out(text: str, tmp_path: Path):
    log = FetchLog()
    return render_document(text, tmp_path, allowed_roots(tmp_path), log), log


def glyphs(data: bytes, tmp_path: Path, name: str) -> list[tuple[str, float, float]]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    book = Workbook(path)
    try:
        return [(c.text, round(c.x0, 2), round(c.top, 2)) for c in book.chars(1)]
    finally:
        book.close()


@pytest.mark.parametrize(
    "style, direction",
    [
        (CONTENTS, "ltr"),
        (CONTENTS, "rtl"),
        (REFERENCE, "ltr"),
        (CENTRED, "ltr"),
        (LEFT_PLACED, "ltr"),
        (NARROW, "ltr"),
        (NARROW, "rtl"),
    ],
    ids=[
        "contents",
        "contents-rtl",
        "reference",
        "centred",
        "placed-from-the-left",
        "overflowing",
        "overflowing-rtl",
    ],
)
def test_filled_numbers_print_where_a_layout_with_them_prints_them(style, direction, tmp_path):
    blank = {anchor: 0 for anchor in PAGES}
    document, log = laid_out(html(style, blank, direction), tmp_path)
    numbers = number_boxes(document)
    assert numbers is not None and [n.anchor for n in numbers] == list(PAGES)
    assert fill_numbers(numbers, PAGES)
    filled = glyphs(pdf_bytes(document, log=log), tmp_path, "filled")

    expected_document, expected_log = laid_out(html(style, PAGES, direction), tmp_path)
    expected = glyphs(pdf_bytes(expected_document, log=expected_log), tmp_path, "expected")
    assert "".join(c[0] for c in filled).count("1048") == 1
    assert filled == expected


@pytest.mark.parametrize("style", [IN_THE_FLOW, ALONGSIDE], ids=["in-the-flow", "alongside"])
def test_a_number_printed_otherwise_is_left_to_a_second_layout(style, tmp_path):
    document, _ = laid_out(html(style, {anchor: 0 for anchor in PAGES}), tmp_path)
    assert number_boxes(document) is None


def test_a_number_that_would_wrap_in_its_column_is_left_to_a_second_layout(tmp_path):
    breaking = NARROW.replace("text-align: right;", "text-align: right; overflow-wrap: anywhere;")
    document, _ = laid_out(html(breaking, {anchor: 0 for anchor in PAGES}), tmp_path)
    numbers = number_boxes(document)
    assert numbers is not None
    assert not fill_numbers(numbers, PAGES)


def test_a_number_placed_otherwise_than_expected_is_left_to_a_second_layout(tmp_path):
    indented = CONTENTS.replace("text-align: right;", "text-align: left; text-indent: 2mm;")
    document, _ = laid_out(html(indented, {anchor: 0 for anchor in PAGES}), tmp_path)
    numbers = number_boxes(document)
    assert numbers is not None
    before = [(n.text.text, n.text.position_x) for n in numbers]
    assert not fill_numbers(numbers, PAGES)
    assert [(n.text.text, n.text.position_x) for n in numbers] == before  # nothing changed


def test_only_the_numbers_may_differ_in_the_html():
    blank = html(CONTENTS, {anchor: 0 for anchor in PAGES})
    assert only_numbers_differ(blank, html(CONTENTS, PAGES))
    # A theme's template that prints a page number as text of its own.
    assert not only_numbers_differ(blank, html(CONTENTS, PAGES).replace("Target", "Target 7"))
