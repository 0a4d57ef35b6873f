"""Accessible PDFs: tagged with language and title, readable sizes, enough contrast."""

from __future__ import annotations

import pikepdf
import pytest

from guidegen.errors import RenderError
from guidegen.layout.session import check_language_and_title


def test_tagged_with_language_and_title(default_workbook):
    with pikepdf.open(default_workbook.path) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root and root.MarkInfo.Marked
        assert str(root.Lang) == "en"
        assert str(pdf.docinfo.Title) == "DevOps Engineer Interview Workbook"
        assert root.ViewerPreferences.DisplayDocTitle
        with pdf.open_metadata() as xmp:
            assert xmp["dc:title"] == "DevOps Engineer Interview Workbook"
            assert xmp["pdfuaid:part"] == "1"


def _structure_types(pdf) -> list[str]:
    found = []

    def walk(node, depth=0):
        if depth > 60:
            return
        kids = node.get("/K")
        if "/S" in node:
            found.append(str(node.S))
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary):
                    walk(kid, depth + 1)
        elif isinstance(kids, pikepdf.Dictionary):
            walk(kids, depth + 1)

    walk(pdf.Root.StructTreeRoot)
    return found


def test_headings_in_order_and_lists_as_lists(default_workbook):
    with pikepdf.open(default_workbook.path) as pdf:
        types = _structure_types(pdf)
    headings = [int(t[2]) for t in types if t in ("/H1", "/H2", "/H3")]
    assert headings and headings[0] == 1
    # A heading never skips a level on the way down (H1 then H3 with no H2 between).
    for before, after in zip(headings, headings[1:]):
        assert after <= before + 1, (before, after)
    assert types.count("/L") > 30 and types.count("/LI") > 150
    assert "/Table" in types  # the study plan and story bank grids


def test_fields_have_accessible_names_in_a_tagged_fillable_file(fillable_workbook):
    pdf = fillable_workbook.pdf
    assert "/StructTreeRoot" in pdf.Root
    widgets = [
        a
        for page in pdf.pages
        for a in page.obj.get("/Annots", [])
        if a.get("/Subtype") == "/Widget"
    ]
    assert widgets and all(str(w.get("/TU", "")).strip() for w in widgets)


def test_body_text_is_at_least_10_points(default_workbook):
    small = {
        (c.font, c.size)
        for n in range(1, default_workbook.page_count + 1)
        for c in default_workbook.chars(n)
        if "Serif" in c.font and c.size < 9.95
    }
    assert not small, small


def _luminance(rgb) -> float:
    def channel(value):
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_text_contrast_is_at_least_4_5_to_1(default_workbook):
    darkest_background = _luminance((0xF1 / 255,) * 3)  # the tip panel, #f1f1f1
    worst = 21.0
    for number in range(1, default_workbook.page_count + 1):
        for char in default_workbook.chars(number):
            ratio = (darkest_background + 0.05) / (_luminance(char.colour) + 0.05)
            worst = min(worst, ratio)
    assert worst >= 4.5, worst


@pytest.mark.parametrize(
    "html, problem",
    [
        ("<html><head><title>T</title></head><body></body></html>", "no language"),
        ('<html lang="en"><head><title> </title></head><body></body></html>', "no title"),
        ('<html lang="en"><head></head><body></body></html>', "no title"),
    ],
)
def test_a_document_without_language_or_title_is_refused(html, problem):
    with pytest.raises(RenderError, match=problem):
        check_language_and_title(html)


def test_rules_and_boxes_are_artifacts(default_workbook):
    """Every filled or stroked path (rules, boxes, borders) is drawn as an artifact."""
    with pikepdf.open(default_workbook.path) as pdf:
        counts = {"artifact": 0, "other": 0}
        for page in pdf.pages[4:12]:
            stack = []
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name in ("BMC", "BDC"):
                    stack.append(str(operands[0]))
                elif name == "EMC" and stack:
                    stack.pop()
                elif name in ("f", "f*", "S", "B", "B*"):
                    counts["artifact" if "/Artifact" in stack else "other"] += 1
    assert counts["artifact"] > 50 and counts["other"] == 0, counts
