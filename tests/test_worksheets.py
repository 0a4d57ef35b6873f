"""The worksheets and the story bank's STAR pages, read back from the PDF: each starts a page,
has its contents entry and bookmark, prints the reader's details where it uses them, and is
fillable; a workbook tailored to a job advert lists each requirement with the questions that
practise it and the pages they really start on."""

from __future__ import annotations

import re

import pytest

from guidegen.content.load import load_bank
from guidegen.paths import CONTENT_DIR
from guidegen.select import select
from guidegen.spec import WorkbookSpec
from tests.layout_checks import column, column_text, question_numbers
from tests.pdfread import MM, normalise

WORKSHEETS = (
    "The job advert",
    "Company research",
    "Tell me about yourself",
    "Salary and notice",
    "Interview day",
    "After the interview",
    "Application tracker",
)
PARTS = ("General questions", "Behavioural questions", "Technical questions")
UNCOVERED = "No question in this workbook covers this — prepare it yourself."


def starts(book) -> list[tuple[int, str]]:
    return sorted((page, title) for level, title, page in book.outline() if level == 1)


def section_pages(book, title: str) -> list[int]:
    """The pages of a section: from its bookmark to the page before the next one."""
    found = starts(book)
    first = next(page for page, name in found if name == title)
    end = min((page for page, _ in found if page > first), default=book.page_count)
    return list(range(first, end))


def bookmarks_under(book, parent: str) -> list[tuple[str, int]]:
    """Level-2 bookmarks (title, page) under the level-1 bookmark ``parent``."""
    found, current = [], None
    for level, title, page in book.outline():
        if level == 1:
            current = title
        elif level == 2 and current == parent:
            found.append((normalise(title), page))
    return found


@pytest.mark.parametrize("fixture", ["default_workbook", "practice_workbook"])
def test_each_worksheet_starts_a_page_and_has_its_contents_entry(fixture, request):
    book = request.getfixturevalue(fixture)
    contents = section_pages(book, "Contents")
    entries = {entry.text: entry for entry in book.toc_entries(contents)}
    bookmarks = {title: page for level, title, page in book.outline() if level == 1}
    order = [bookmarks[title] for title in WORKSHEETS]
    assert order == sorted(order)  # in the order a candidate uses them
    assert bookmarks["The job advert"] < bookmarks["General questions"]
    assert bookmarks["Questions to ask your interviewer"] < bookmarks["Salary and notice"]
    for title in WORKSHEETS:
        page = bookmarks[title]
        assert column_text(book, page, "a4").startswith(title), (title, page)
        assert entries[title].printed_page == entries[title].target_page == page, title
        assert title in book.margin_text(page, "top") or page % 2 == 0  # the running head


def test_the_pitch_has_its_three_parts_and_a_timed_script_on_the_next_page(default_workbook):
    first, second, *rest = section_pages(default_workbook, "Tell me about yourself")
    # A page left before the general questions (they open on a left-hand page) is for notes.
    assert all(column_text(default_workbook, n, "a4").startswith("Notes") for n in rest)
    text = column_text(default_workbook, first, "a4")
    assert re.search(r"Present .*Past .*Why this role, why this company", text)
    script = column_text(default_workbook, second, "a4")
    assert script.startswith("My 60–90 second script")
    assert re.search(r"Run 1 Run 2 Run 3 Script", script)


def test_interview_day_and_salary_have_their_checklists(default_workbook):
    (day,) = section_pages(default_workbook, "Interview day")
    (salary,) = section_pages(default_workbook, "Salary and notice")
    assert default_workbook.checkboxes(day) == 8
    assert default_workbook.checkboxes(salary) == 10
    assert "The day before" in column_text(default_workbook, day, "a4")


def test_the_story_bank_has_a_star_page_for_each_competency(default_workbook):
    book = default_workbook
    selection = select(load_bank(CONTENT_DIR), WorkbookSpec())
    pages = bookmarks_under(book, "Story bank")
    assert [title for title, _ in pages] == selection.competencies
    (grid,) = [page for page, title in starts(book) if title == "Story bank"]
    grid_text = column_text(book, grid, "a4")
    numbers = question_numbers(book)
    number_of = {q.id: n for n, q in enumerate(selection.questions, start=1)}
    links = {name: target for _, name, target in book.links(grid) if name.startswith("story-")}
    assert sorted(links.values()) == [page for _, page in pages]  # each row links to its page
    described = {
        str(annot.get("/Contents", ""))
        for annot in book.pdf.pages[grid - 1].obj.get("/Annots", [])
        if annot.get("/Subtype") == "/Link"
    }
    assert {f"STAR story: {competency}" for competency, _ in pages} <= described
    for competency, page in pages:
        text = column_text(book, page, "a4")
        assert text.startswith(f"STAR STORY {competency} "), page
        labels = re.findall(r"\b(Story|Situation|Task|Action|Result) ", text)
        assert labels == ["Story", "Situation", "Task", "Action", "Result"], page
        assert competency in grid_text
        asked = [q for q in selection.questions if q.competency_name == competency]
        if asked:
            listed = ", ".join(str(number_of[question.id]) for question in asked)
            assert f"For question{'s' if len(asked) > 1 else ''} {listed} Story" in text
            targets = {target for _, name, target in book.links(page) if name.startswith("q-")}
            assert targets == {numbers[number_of[question.id]] for question in asked}


def test_the_facilitator_edition_has_no_personal_worksheets(facilitator_workbook):
    titles = {title for level, title, _ in facilitator_workbook.outline() if level == 1}
    assert not titles & set(WORKSHEETS)  # no advert without --posting either
    assert "STAR STORY" not in " ".join(facilitator_workbook.page_texts)


# ---- a workbook tailored to a job advert ----


def _references(book, pages: list[int]) -> list[tuple[int, str, int, int]]:
    """Each question a worksheet refers to: (number, title, printed page, linked page)."""
    found = []
    for number in pages:
        # A reference that wraps is one link with a box per line: join a link's boxes that
        # follow one another down the page.
        joined: list[list] = []
        for box, name, target in book.links(number):
            if not name.startswith("q-"):
                continue
            previous = joined[-1] if joined else None
            if previous and previous[1] == name and box[1] - previous[0][3] < 3:
                old = previous[0]
                previous[0] = (min(old[0], box[0]), old[1], max(old[2], box[2]), box[3])
            else:
                joined.append([box, name, target])
        for box, _, target in joined:
            # "12 Title ..... p. 34": the question's number, hung in the indent, is read first
            text = normalise(book.text_in(number, box))
            match = re.fullmatch(r"(?P<n>\d+) (?P<title>.+?)[ .…]*p\. (?P<page>\d+)", text)
            assert match, text
            # (a title's full stop reads as part of the leader: compare titles without it)
            title = match["title"].rstrip(".")
            found.append((int(match["n"]), title, int(match["page"]), target))
    return found


def test_the_advert_lists_each_requirement_with_the_pages_its_questions_start_on(
    posting_workbook,
):
    book = posting_workbook
    pages = section_pages(book, "The job advert")
    # (a blank page after it, before the right-hand page the company research opens on, is
    # a notes page)
    pages = [page for page in pages if not column_text(book, page, "a4").startswith("Notes")]
    assert 2 <= len(pages) <= 3
    text = " ".join(column_text(book, page, "a4") for page in pages)
    assert text.startswith("The job advert The requirements of devops-advert.md")
    requirements = [
        "1 Keep our build and release pipelines healthy: CI/CD in GitHub Actions",
        "2 Help run our k8s clusters (EKS) and the Helm charts our services ship in",
        "3 Write and review IaC: most of our cloud is described in Terraform",
        "10 Fluent in COBOL, to help us retire our last mainframe batch jobs",
        "11 Clear written communication in English; German is a plus",
    ]
    positions = [text.index(line) for line in requirements]
    assert positions == sorted(positions)
    cobol = text.index(requirements[3])
    assert text[cobol + len(requirements[3]) :].startswith(f" {UNCOVERED}")
    assert text.count(UNCOVERED) == 2  # COBOL, and communication (a behavioural question)
    references = _references(book, pages)
    assert len(references) >= 20
    question_pages = {
        title.rstrip("."): page for part in PARTS for title, page in bookmarks_under(book, part)
    }
    numbers = question_numbers(book)
    for number, title, printed, linked in references:
        assert printed == linked == question_pages[title] == numbers[number], title
    # The question listed under a requirement is printed below it, above the next one.
    (page,) = [n for n in pages if "Help run our k8s" in book.page_texts[n - 1]]
    below = _top(book, page, requirements[1][2:])
    above = _top(book, page, requirements[2][2:])
    # (the question is listed under the Docker requirement too, further down)
    tops = [box[1] for box, name, _ in book.links(page) if name == "q-platform-kubernetes-basics"]
    assert any(below < top < above for top in tops), (below, tops, above)


def _top(book, page: int, text: str) -> float:
    """Where ``text`` starts on the page (points from the top)."""
    chars = [c for c in book.chars(page) if c.text.strip()]
    joined = "".join(c.text for c in chars)
    return chars[joined.index(re.sub(r"\s+", "", text))].top


def test_the_advert_pages_keep_to_the_text_column(posting_workbook):
    """The layout rules of every book (tests/layout_checks.py), on the pages only this book
    has: nothing outside the column, the folio at the outer edge of the running head."""
    book = posting_workbook
    pages = section_pages(book, "The job advert")
    faults = []
    for number in pages:
        head = book.margin_text(number, "top")
        if not (head.endswith(str(number)) if number % 2 else head.startswith(str(number))):
            faults.append(f"page {number}: the running head reads {head!r}")
        x0, top, x1, bottom = column(book, number, "a4")
        for char in book.chars(number):
            if char.bottom >= top and char.text.strip():
                inside = x0 - 1 <= char.x0 and char.x1 <= x1 + 1 and char.bottom <= bottom + 1
                faults += [] if inside else [f"page {number}: {char.text!r} outside the column"]
        for shape in book.shapes(number):
            if shape.x0 < x0 - 1 or shape.x1 > x1 + 1 or shape.bottom > bottom + 1:
                faults.append(f"page {number}: a drawing outside the column")
    assert not faults, faults


def test_matched_questions_come_first_and_the_copy_says_it_is_tailored(posting_workbook):
    book = posting_workbook
    matched = {title for _, title, _, _ in _references(book, section_pages(book, "The job advert"))}
    for part in ("General questions", "Technical questions"):
        titles = [title.rstrip(".") for title, _ in bookmarks_under(book, part)]
        flags = [title in matched for title in titles]
        assert any(flags) and flags == sorted(flags, reverse=True), part
    # (the file name may break at its hyphen, which the text layer then loses)
    note = r"Tailored to the job advert devops-?advert\.md: the \d+ questions that practise"
    assert re.search(note, book.page_texts[0]) and re.search(note, book.page_texts[2])


def test_the_reader_s_details_fill_the_worksheets(posting_workbook):
    book = posting_workbook
    (day,) = section_pages(book, "Interview day")
    assert column_text(book, day, "a4").startswith(
        "Interview day Fill this in as soon as the interview is arranged"
    )
    assert "Date and time Tuesday 9 March 2027 Start time" in column_text(book, day, "a4")
    pitch = column_text(book, section_pages(book, "Tell me about yourself")[0], "a4")
    assert "Why this role, why Harbour Freight Systems" in pitch
    (research,) = section_pages(book, "Company research")
    assert "What you find out about Harbour Freight Systems" in column_text(book, research, "a4")


# ---- fillable ----


def test_the_worksheets_lines_are_text_fields_and_their_boxes_checkboxes(fillable_workbook):
    fields = fillable_workbook.fields()
    selection = select(load_bank(CONTENT_DIR), WorkbookSpec())
    areas = [
        "pitch/present",
        "pitch/past",
        "pitch/why",
        "pitch/run-3/time",
        "pitch/run-3/cut",
        "pitch/script",
        "advert/1/requirement",
        "advert/11/story",
        "salary/range",
        "salary/notice",
        "day/date",
        "day/bring",
        "day/points",
        "after/went-well",
        "after/thanks",
        "tracker/1/company",
        "tracker/11/contact",
    ]
    areas += [f"research/{key}" for key in ("mission", "news", "people", "questions")]
    for competency in selection.competencies:
        slug = re.sub(r"[^a-z0-9]+", "-", competency.lower()).strip("-")
        areas += [f"story/{slug}/{key}" for key in ("name", "situation", "task", "action")]
    for name in areas:
        assert fields[name].FT == "/Tx" and int(fields[name].Ff) & (1 << 12), name
    assert str(fields["story/collaboration/situation"].TU) == "Collaboration, Situation"
    boxes = [name for name in fields if name.startswith(("day/before/", "salary/benefits/"))]
    assert len(boxes) == 18 and all(fields[name].FT == "/Btn" for name in boxes)
    tracker = [name for name in fields if name.startswith("tracker/")]
    assert len(tracker) == 11 * 6


def test_a_last_writing_space_s_field_runs_with_its_lines_to_the_foot(fillable_workbook):
    book = fillable_workbook
    for name in ("research/questions", "pitch/script", "salary/notice", "after/thanks"):
        field = book.fields()[name]
        number = next(
            n
            for n, page in enumerate(book.pdf.pages, start=1)
            if any(a.objgen == field.objgen for a in page.obj.get("/Annots", []))
        )
        height = float(book.pdf.pages[number - 1].mediabox[3])
        bottom = height - min(float(field.Rect[1]), float(field.Rect[3]))
        last_rule = max(s.bottom for s in book.shapes(number) if 0.6 <= s.height <= 0.8)
        assert abs(bottom - last_rule) < 1, name
        foot = column(book, number, "a4")[3]
        assert foot - last_rule < 8 * MM, name


@pytest.mark.parametrize("fixture", ["posting_workbook", "default_workbook"])
def test_every_page_from_the_notes_to_the_back_cover_is_a_notes_page(fixture, request):
    """Including a page the layout left blank and guidegen stamped: it takes the notes page's
    heading, whatever page came before it."""
    book = request.getfixturevalue(fixture)
    notes = {title: page for level, title, page in book.outline() if level == 1}["Notes"]
    for number in range(notes, book.page_count):
        assert column_text(book, number, "a4").startswith("Notes"), number
