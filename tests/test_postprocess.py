"""Post-processing: booklet page order (read back from the imposed PDF) and combining copies."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2 as pdfium
import pytest

from guidegen.render.postprocess import booklet_order, combine, impose


def numbered_pdf(pages: int, label: str = "P") -> bytes:
    """A plain A5 document whose page n says "P<n>" in Helvetica."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for number in range(1, pages + 1):
        pdf.add_blank_page(page_size=(419.5, 595.3))
        page = pdf.pages[-1]
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        text = f"BT /F1 24 Tf 150 300 Td ({label}{number}) Tj ET"
        page.obj.Contents = pdf.make_stream(text.encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def halves(data: bytes) -> list[tuple[str, str]]:
    """(left text, right text) for each imposed side."""
    sides = []
    document = pdfium.PdfDocument(data)
    for page in document:
        width, height = page.get_size()
        text = page.get_textpage()
        left = text.get_text_bounded(0, 0, width / 2, height).strip()
        right = text.get_text_bounded(width / 2, 0, width, height).strip()
        sides.append((left, right))
    document.close()
    return sides


def test_eight_pages_impose_in_fold_order():
    booklet = impose(numbered_pdf(8), "a4")
    with pikepdf.open(io.BytesIO(booklet)) as pdf:
        assert len(pdf.pages) == 4
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
        assert width > height and round(width / 72 * 25.4) == 297
    assert halves(booklet) == [("P8", "P1"), ("P2", "P7"), ("P6", "P3"), ("P4", "P5")]


def test_ten_pages_are_padded_to_twelve_with_blank_sides():
    booklet = impose(numbered_pdf(10), "letter")
    assert halves(booklet) == [
        ("", "P1"),
        ("P2", ""),
        ("P10", "P3"),
        ("P4", "P9"),
        ("P8", "P5"),
        ("P6", "P7"),
    ]


def test_booklet_order_needs_a_multiple_of_four():
    assert booklet_order(4) == [(4, 1), (2, 3)]
    with pytest.raises(ValueError):
        booklet_order(6)


def test_combine_starts_every_copy_on_a_right_hand_page():
    combined = combine([("Three", "three", numbered_pdf(3)), ("Two", "two", numbered_pdf(2))])
    with pikepdf.open(io.BytesIO(combined)) as pdf:
        assert len(pdf.pages) == 6  # 3 + a blank verso + 2
    document = pdfium.PdfDocument(combined)
    texts = [page.get_textpage().get_text_range().strip() for page in document]
    document.close()
    assert texts == ["P1", "P2", "P3", "", "P1", "P2"]
    with pikepdf.open(io.BytesIO(combined)) as pdf, pdf.open_outline() as outline:
        assert [item.title for item in outline.root] == ["Three", "Two"]
