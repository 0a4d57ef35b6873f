"""Fillable workbooks: fields on every rule and box, named, titled, fillable, and printing
exactly like the plain file."""

from __future__ import annotations

import re
from collections import Counter

import pikepdf
import pytest

from guidegen.content.load import load_bank
from guidegen.paths import CONTENT_DIR
from guidegen.select import select
from guidegen.spec import WorkbookSpec
from tests.conftest import run_cli

RULE_GREY = (0.651, 0.651, 0.651)


@pytest.fixture(scope="module")
def fields(fillable_workbook):
    return fillable_workbook.fields()


@pytest.fixture(scope="module")
def selection():
    return select(load_bank(CONTENT_DIR), WorkbookSpec())


def test_every_question_has_its_lines_as_named_text_fields(fields, selection):
    bank = load_bank(CONTENT_DIR)
    star_lines = {step.key: step.lines for step in bank.workbook.star}
    for number, question in enumerate(selection.questions, start=1):
        mine = {name: field for name, field in fields.items() if name.startswith(f"{question.id}/")}
        groups = Counter(name.split("/")[1] for name in mine)
        if question.kind == "behavioural":
            assert groups == star_lines, question.id
        else:
            assert groups == {"notes": 7}, question.id
        for name, field in mine.items():
            assert field.FT == "/Tx"
            group, line = name.split("/")[1:]
            assert re.fullmatch(r"\d+", line)
            assert str(field.TU) in (
                f"Question {number}, {group.capitalize()}, line {line}",
                f"Question {number}, notes, line {line}",
            )


WRITING_PARTS = (
    "General questions",
    "Behavioural questions",
    "Technical questions",
    "Questions to ask your interviewer",
    "Notes",
)


def writing_pages(book) -> list[int]:
    """Pages of the parts with ruled writing space (not the study plan or story-bank grids)."""
    starts = sorted((page, title) for level, title, page in book.outline() if level == 1)
    pages = []
    for (page, title), (end, _) in zip(starts, starts[1:] + [(book.page_count + 1, "")]):
        if title in WRITING_PARTS:
            pages += range(page, end)
    return pages


def test_one_text_field_per_drawn_rule(fillable_workbook, fields):
    """On every page, as many single-line text fields as drawn writing rules."""
    checked = 0
    for number in writing_pages(fillable_workbook):
        page = fillable_workbook.pdf.pages[number - 1]
        text_fields = [a for a in page.obj.get("/Annots", []) if a.get("/FT") == "/Tx"]
        assert len(text_fields) == len(fillable_workbook.rule_tops(number, RULE_GREY)), number
        checked += len(text_fields)
    assert checked > 250
    stories = [name for name in fields if re.fullmatch(r"stories/\d+/story", name)]
    assert len(stories) == 6


def test_checklist_and_study_plan_boxes_are_checkboxes(fields, selection):
    asks = [name for name in fields if name.startswith("ask/") and not name.startswith("ask/own/")]
    expected = sum(len(group.items) for group in selection.ask_groups)
    assert len(asks) == expected
    assert all(fields[name].FT == "/Btn" for name in asks)
    first = selection.ask_groups[0].items[0].question
    assert str(fields[f"ask/{selection.ask_groups[0].id}/1"].TU) == first
    plan = [name for name in fields if name.startswith("plan/")]
    assert len(plan) == len(selection.questions) + 2
    assert all(fields[name].FT == "/Btn" for name in plan)
    assert len([n for n in fields if n.startswith("ask/own/")]) == 8


def test_field_names_are_unique_and_every_field_has_a_title(fillable_workbook):
    names = []
    for page in fillable_workbook.pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == "/Widget":
                names.append(str(annot.T))
                assert str(annot.get("/TU", "")).strip(), f"field {annot.T} has no name"
    assert len(names) == len(set(names)) > 400


def test_a_filled_field_reads_back(fillable_workbook, tmp_path):
    answer = "I automated the release notes with a script."
    out = tmp_path / "filled.pdf"
    with pikepdf.open(fillable_workbook.path) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if str(field.T) == "team-collaboration/situation/1":
                field.V = pikepdf.String(answer)
        pdf.save(out)
    with pikepdf.open(out) as pdf:
        values = {str(f.T): str(f.get("/V", "")) for f in pdf.Root.AcroForm.Fields}
    assert values["team-collaboration/situation/1"] == answer


def _drawing(book, number: int):
    return [(s.x0, s.top, s.x1, s.bottom, s.colour, s.paint) for s in book.shapes(number)]


def _same_glyphs(one, other, number: int) -> bool:
    """The same characters, sizes and colours, each placed within 1 pt (0.35 mm).

    The fields add glyphs to the embedded font subsets, and a line that follows a dash or a
    middle dot can then end up to 0.7 pt to one side (measured); nobody sees that, while a lost,
    added or moved line is many points off.
    """
    first, second = one.chars(number), other.chars(number)
    return len(first) == len(second) and all(
        (a.text, a.size, a.colour) == (b.text, b.size, b.colour)
        and abs(a.origin[0] - b.origin[0]) < 1
        and abs(a.origin[1] - b.origin[1]) < 1
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
