"""Fillable workbooks: fields on every rule and box, named, titled, fillable, and printing
exactly like the plain file."""

from __future__ import annotations

import re
from collections import Counter

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageFilter
from pypdf import PdfReader, PdfWriter

from guidegen.load import load_bank
from guidegen.paths import CONTENT_DIR
from guidegen.select import select
from tests.conftest import build, run_cli

RULE_GREY = (0.651, 0.651, 0.651)


@pytest.fixture(scope="module")
def fillable(tmp_path_factory):
    book = build(tmp_path_factory.mktemp("fillable") / "fillable.pdf", "--fillable")
    yield book
    book.close()


@pytest.fixture(scope="module")
def fields(fillable):
    return fillable.reader.get_fields()


@pytest.fixture(scope="module")
def selection():
    return select(load_bank(CONTENT_DIR))


def test_every_question_has_its_lines_as_named_text_fields(fields, selection):
    star_lines = {"situation": 3, "task": 2, "action": 4, "result": 3}
    for number, question in enumerate(selection.questions, start=1):
        mine = {name: field for name, field in fields.items()
                if name.startswith(f"{question.id}/")}
        groups = Counter(name.split("/")[1] for name in mine)
        if question.kind == "behavioural":
            assert groups == star_lines, question.id
        else:
            assert groups == {"notes": 7}, question.id
        for name, field in mine.items():
            assert field["/FT"] == "/Tx"
            group, line = name.split("/")[1:]
            assert re.fullmatch(r"\d+", line)
            assert field["/TU"] == f"Question {number}, {group.capitalize()}, line {line}" or \
                field["/TU"] == f"Question {number}, notes, line {line}"


def test_one_text_field_per_drawn_rule(fillable, fields):
    """On every writing page, as many single-line text fields as drawn rules."""
    writing_parts = re.compile(r"^.{0,60}Workbook (General questions|Behavioural questions|"
                               r"Technical questions|Questions to ask|Notes)")
    checked = 0
    for number, text in enumerate(fillable.page_texts, start=1):
        if not writing_parts.match(text):
            continue
        page = fillable.reader.pages[number - 1]
        widgets = [a.get_object() for a in page.get("/Annots", []) or []]
        text_fields = [w for w in widgets if w.get("/FT") == "/Tx"]
        assert len(text_fields) == len(fillable.rule_tops(number, RULE_GREY)), number
        checked += len(text_fields)
    assert checked > 250
    stories = [name for name in fields if re.fullmatch(r"stories/\d+/story", name)]
    assert len(stories) == 6


def test_checklist_and_study_plan_boxes_are_checkboxes(fields, selection):
    asks = [name for name in fields if name.startswith("ask/") and not name.startswith("ask/own/")]
    expected = sum(len(group.items) for group in selection.ask_groups)
    assert len(asks) == expected
    assert all(fields[name]["/FT"] == "/Btn" for name in asks)
    first = selection.ask_groups[0].items[0].question
    assert fields[f"ask/{selection.ask_groups[0].id}/1"]["/TU"] == first
    plan = [name for name in fields if name.startswith("plan/")]
    assert len(plan) == len(selection.questions) + 2
    assert all(fields[name]["/FT"] == "/Btn" for name in plan)
    assert len([n for n in fields if n.startswith("ask/own/")]) == 8


def test_field_names_are_unique_and_every_field_has_a_title(fillable):
    names = []
    for page in fillable.reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Widget":
                names.append(annot["/T"])
                assert annot.get("/TU"), f"field {annot['/T']} has no accessible name"
    assert len(names) == len(set(names)) > 400


def test_a_filled_field_reads_back(fillable, tmp_path):
    writer = PdfWriter(clone_from=str(fillable.path))
    answer = "I automated the release notes with a script."
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"team-collaboration/situation/1": answer},
                                             auto_regenerate=False)
    out = tmp_path / "filled.pdf"
    writer.write(out)
    assert PdfReader(out).get_fields()["team-collaboration/situation/1"]["/V"] == answer


def _page_image(path, number: int) -> Image.Image:
    """The page as a viewer prints it, form fields included (PDFium, at 60 dpi)."""
    document = pdfium.PdfDocument(str(path))
    document.init_forms()
    image = document[number - 1].render(scale=60 / 72, may_draw_forms=True).to_pil()
    return image.convert("L")


def test_printed_blank_it_looks_like_the_plain_file(fillable, default_workbook):
    assert fillable.page_count == default_workbook.page_count
    for number in range(1, fillable.page_count + 1):
        fill = _page_image(fillable.path, number)
        plain = _page_image(default_workbook.path, number)
        # The fields add glyphs to the font subsets, which shifts anti-aliasing by a pixel here
        # and there; a one-pixel blur absorbs that, while a missing rule or box (dozens of
        # pixels of full contrast) still shows.
        difference = ImageChops.difference(fill.filter(ImageFilter.BoxBlur(1)),
                                           plain.filter(ImageFilter.BoxBlur(1)))
        changed = sum(difference.histogram()[48:])
        assert changed < 20, (number, changed)


def test_fillable_booklet_is_refused(tmp_path):
    result = run_cli("build", "--fillable", "--booklet", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "--fillable and --booklet cannot be combined" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
