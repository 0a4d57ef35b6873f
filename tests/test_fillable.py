"""Fillable workbooks: a field over every writing space and box, named, titled, and printing
exactly like the plain file while they are empty."""

from __future__ import annotations

import re

import pikepdf
import pytest

from guidegen.content.load import load_bank
from guidegen.paths import CONTENT_DIR
from guidegen.select import select
from guidegen.spec import WorkbookSpec
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def fields(fillable_workbook):
    return fillable_workbook.fields()


@pytest.fixture(scope="module")
def selection():
    return select(load_bank(CONTENT_DIR), WorkbookSpec())


def test_every_writing_space_is_a_titled_multiline_field(fields, selection):
    bank = load_bank(CONTENT_DIR)
    labels = {step.key: step.label for step in bank.workbook.star}
    for number, question in enumerate(selection.questions, start=1):
        notes = fields[f"{question.id}/notes"]
        assert notes.FT == "/Tx" and int(notes.Ff) & (1 << 12)
        assert str(notes.TU) == f"Question {number}, notes"
        if question.kind == "behavioural":
            for key, label in labels.items():
                assert str(fields[f"{question.id}/{key}"].TU) == f"Question {number}, {label}"


def test_a_field_covers_its_writing_space_to_the_last_rule(fillable_workbook, fields):
    """Each notes field spans its rules: from above the first to the last one, which the
    finishing stage may have continued to the foot of the page."""
    checked = 0
    for number, page in enumerate(fillable_workbook.pdf.pages, start=1):
        for widget in page.obj.get("/Annots", []):
            name = str(widget.get("/T", ""))
            if not re.fullmatch(r"[a-z0-9-]+/notes", name):
                continue
            x0, y0, x1, y1 = (float(v) for v in widget.Rect)
            height = float(page.mediabox[3])
            top, bottom = height - y1, height - y0
            rules = [
                s
                for s in fillable_workbook.shapes(number)
                if 0.6 <= s.height <= 0.8
                and x0 - 1 <= s.x0
                and s.x1 <= x1 + 1
                and top - 1 <= s.top <= bottom + 1
            ]
            assert rules, (number, name)
            assert abs(max(s.bottom for s in rules) - bottom) < 1, (number, name)
            checked += 1
    assert checked > 40


def test_checklist_and_study_plan_boxes_are_checkboxes(fields, selection):
    asks = [name for name in fields if re.fullmatch(r"ask/[a-z0-9-]+/\d+", name)]
    expected = sum(len(group.items) for group in selection.ask_groups)
    assert len(asks) == expected
    assert all(fields[name].FT == "/Btn" for name in asks)
    first = selection.ask_groups[0].items[0].question
    assert str(fields[f"ask/{selection.ask_groups[0].id}/1"].TU) == first
    plan = [name for name in fields if name.startswith("plan/")]
    assert len(plan) == len(selection.questions) + 2
    assert all(fields[name].FT == "/Btn" for name in plan)
    assert fields["ask/own"].FT == "/Tx"


def test_field_names_are_unique_and_every_field_has_a_title(fillable_workbook):
    names = []
    for page in fillable_workbook.pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == "/Widget":
                names.append(str(annot.T))
                assert str(annot.get("/TU", "")).strip(), f"field {annot.T} has no name"
    assert len(names) == len(set(names)) > 300


def test_a_filled_field_reads_back(fillable_workbook, tmp_path):
    answer = "I automated the release notes with a script."
    out = tmp_path / "filled.pdf"
    with pikepdf.open(fillable_workbook.path) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if str(field.T) == "team-collaboration/situation":
                field.V = pikepdf.String(answer)
        pdf.save(out)
    with pikepdf.open(out) as pdf:
        values = {str(f.T): str(f.get("/V", "")) for f in pdf.Root.AcroForm.Fields}
    assert values["team-collaboration/situation"] == answer


def _drawing(book, number: int):
    return [(s.x0, s.top, s.x1, s.bottom, s.colour, s.paint) for s in book.shapes(number)]


def _same_glyphs(one, other, number: int) -> bool:
    """The same characters, sizes and colours, each at the same place.

    WeasyPrint writes the exact widths of a font that a field uses, while it placed the text
    with widths rounded to 1/1000 em; guidegen writes the rounded ones (pdf/fontmerge.py),
    else a line drifts by up to 0.7 pt.
    """
    first, second = one.chars(number), other.chars(number)
    return len(first) == len(second) and all(
        (a.text, a.size, a.colour, a.origin) == (b.text, b.size, b.colour, b.origin)
        for a, b in zip(first, second)
    )


def test_printed_blank_it_looks_like_the_plain_file(fillable_workbook, default_workbook):
    """Page by page: the same rules, boxes and borders (exact coordinates and colours), the same
    text, and fields that print nothing while they are empty."""
    assert fillable_workbook.page_count == default_workbook.page_count
    for number in range(1, default_workbook.page_count + 1):
        assert _drawing(fillable_workbook, number) == _drawing(default_workbook, number), number
        assert _same_glyphs(fillable_workbook, default_workbook, number), number
    for page in fillable_workbook.pdf.pages:
        for widget in page.obj.get("/Annots", []):
            if widget.get("/Subtype") != "/Widget":
                continue
            state = str(widget.get("/AS", "/Off"))
            normal = widget.get("/AP", {}).get("/N")
            shown = normal.get(state) if isinstance(normal, pikepdf.Dictionary) else normal
            assert shown is None or not shown.read_bytes().strip(), widget.T


def test_fillable_booklet_is_refused(tmp_path):
    result = run_cli("build", "--fillable", "--booklet", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "--fillable and --booklet cannot be combined" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
