"""Post-processing: booklet page order (read back from the imposed PDF) and combining copies."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2 as pdfium
import pytest

from guidegen.pdf.postprocess import (
    CoverStamper,
    _retitled_xmp,
    booklet_order,
    combine,
    impose,
    open_pdf,
)


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


def page_texts(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    texts = [page.get_textpage().get_text_range().strip() for page in document]
    document.close()
    return texts


def test_a_copy_is_the_body_and_one_update_with_the_overlay_on_its_cover():
    body, overlays = numbered_pdf(3), numbered_pdf(2, "N")
    with open_pdf(overlays) as overlay_pdf, CoverStamper(body) as stamper:
        first = stamper.copy(overlay_pdf, 0, "Workbook for Zoë", "Zoë Ng")
        second = stamper.copy(overlay_pdf, 1, "Workbook for Li", None)
    for copy in (first, second):
        assert copy.startswith(body) and copy.count(b"%%EOF") == body.count(b"%%EOF") + 1
        with pikepdf.open(io.BytesIO(copy)) as pdf:
            assert pdf.check_pdf_syntax() == []
    # The overlay's text is drawn over the cover only; the body stays as it was.
    for copy, stamped, other in ((first, "N1", "N2"), (second, "N2", "N1")):
        cover, *rest = page_texts(copy)
        assert "P1" in cover and stamped in cover and other not in cover
        assert rest == ["P2", "P3"]
    with pikepdf.open(io.BytesIO(first)) as pdf:
        assert (str(pdf.docinfo.Title), str(pdf.docinfo.Author)) == ("Workbook for Zoë", "Zoë Ng")
    with pikepdf.open(io.BytesIO(second)) as pdf:
        assert str(pdf.docinfo.Title) == "Workbook for Li" and "/Author" not in pdf.docinfo


def test_metadata_of_another_shape_is_retitled_by_the_xmp_editor():
    with pikepdf.new() as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:title"] = "Old title"
            xmp["dc:creator"] = ["Someone Else"]
        packet = pdf.Root.Metadata.read_bytes()
    assert b"<dc:creator" in packet  # not the packet WeasyPrint writes
    edited = _retitled_xmp(packet, "New & title", "Zoë Ng")
    with pikepdf.new() as pdf:
        pdf.Root.Metadata = pdf.make_stream(edited)
        with pdf.open_metadata() as xmp:
            assert xmp["dc:title"] == "New & title" and xmp["dc:creator"] == ["Zoë Ng"]
